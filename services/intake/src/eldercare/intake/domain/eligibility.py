"""The pure eligibility engine: a policy pack, a person's facts and a date in; a cited answer out.

``evaluate(pack, facts, as_of)`` says whether the person is eligible, which clauses support that
(``basis``) and which clauses are not met and why (``unmet``); ``entitlement_for`` computes what an
eligible person receives each month. No I/O: the same inputs always give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from eldercare.intake.domain.errors import PolicySettingMissing
from eldercare.intake.domain.person import age_on
from eldercare.intake.domain.policy import Clause, PolicyPack, Rule, Test


@dataclass(frozen=True)
class PersonFacts:
    """What the rules look at. ``assessment_level`` is the GB/T 42195-2022 final level (0-4)."""

    birth_date: date
    hukou_region: str
    residence_region: str
    circumstances: frozenset[str]
    assessment_level: int | None = None
    lives_at_hukou: bool | None = None
    receives_extreme_poverty_care: bool = False
    receiving_since: date | None = None
    guardian: str | None = None

    def value(self, fact: str, as_of: date) -> Any:
        if fact == "age":
            return age_on(self.birth_date, as_of)
        if fact == "receives_extreme_poverty_care":
            # Either the explicit flag or the vocabulary code says so (domain.md, Changsha 二十一).
            return self.receives_extreme_poverty_care or fact in self.circumstances
        return getattr(self, fact)


@dataclass(frozen=True)
class Unmet:
    rule_id: str
    label: str
    basis: Clause
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    pack_id: str
    version: str
    as_of: date
    eligible: bool
    basis: tuple[Clause, ...]
    unmet: tuple[Unmet, ...]


@dataclass(frozen=True)
class Entitlement:
    monthly_amount_fen: int | None
    service_categories: tuple[str, ...]
    emergency_help_required: bool
    basis: tuple[Clause, ...]
    missing_settings: tuple[str, ...] = ()


def failed_test(test: Test, facts: PersonFacts, as_of: date) -> str | None:
    """Why ``test`` does not hold for these facts, or None when it holds."""
    actual = facts.value(test.fact, as_of)
    if actual is None:
        return f"{test.fact} is not known"
    holds = {
        ">=": lambda: actual >= test.value,
        "<=": lambda: actual <= test.value,
        "==": lambda: actual == test.value,
        "starts_with": lambda: str(actual).startswith(str(test.value)),
        "any_of": lambda: bool(set(actual) & test.value),
        "in": lambda: actual in test.value,
        "before": lambda: actual < test.value,
    }[test.op]()
    if holds:
        return None
    wanted = ", ".join(sorted(test.value)) if isinstance(test.value, frozenset) else test.value
    if test.op == "any_of":
        return f"{test.fact} include none of: {wanted}"
    return f"{test.fact} is {actual}, the rule needs {test.op} {wanted}"


def _failures(tests: tuple[Test, ...], facts: PersonFacts, as_of: date) -> tuple[str, ...]:
    return tuple(reason for t in tests if (reason := failed_test(t, facts, as_of)) is not None)


def _unmet(rule: Rule, reasons: tuple[str, ...]) -> Unmet:
    return Unmet(rule.id, rule.label, rule.basis, reasons)


def evaluate(pack: PolicyPack, facts: PersonFacts, as_of: date) -> Evaluation:
    """Eligible when every requirement holds, at least one qualifying rule holds and no exclusion
    applies. ``basis`` lists the clauses that were met (and any exception that lifted an exclusion)."""
    basis: list[Clause] = []
    unmet: list[Unmet] = []
    if not pack.in_force_on(as_of):
        reason = f"{as_of} is outside {pack.effective_from}..{pack.expires_on}"
        unmet.append(Unmet("in_force", "the policy is in force", pack.validity_basis, (reason,)))
    for rule in pack.requirements:
        reasons = _failures(rule.when, facts, as_of)
        if reasons:
            unmet.append(_unmet(rule, reasons))
        else:
            basis.append(rule.basis)
    qualifying = [(rule, _failures(rule.when, facts, as_of)) for rule in pack.qualifying]
    met = [rule.basis for rule, reasons in qualifying if not reasons]
    basis.extend(met)
    if not met:
        unmet.extend(_unmet(rule, reasons) for rule, reasons in qualifying)
    for rule in pack.exclusions:
        if _failures(rule.when, facts, as_of):
            continue  # the exclusion does not concern this person
        exception = _failures(rule.unless, facts, as_of) if rule.unless else ("no exception",)
        if exception:
            unmet.append(_unmet(rule, (f"excluded: {rule.label}", *exception)))
        elif rule.unless_basis is not None:
            basis.append(rule.unless_basis)
    return Evaluation(pack.pack_id, pack.version, as_of, not unmet, tuple(basis), tuple(unmet))


def setting_name(pack: PolicyPack, setting: str) -> str:
    """How the problem and the configuration name a pack's setting."""
    return f"policy_settings.{pack.pack_id}.{setting}"


def entitlement_for(
    pack: PolicyPack, facts: PersonFacts, as_of: date, settings: Mapping[str, Mapping[str, int]]
) -> Entitlement:
    """The monthly entitlement under ``pack``; an unset amount is ``None`` and named in
    ``missing_settings`` (CONVENTIONS.md: an amount a seed leaves open is never invented)."""
    terms = pack.entitlement
    amount = settings.get(pack.pack_id, {}).get(terms.amount_setting)
    missing = () if amount is not None and amount > 0 else (setting_name(pack, terms.amount_setting),)
    emergency = not _failures(terms.emergency_help_when, facts, as_of)
    basis = [terms.amount_basis, terms.categories_basis]
    if emergency:
        basis.append(terms.emergency_help_basis)
    return Entitlement(
        monthly_amount_fen=None if missing else amount,
        service_categories=terms.service_categories,
        emergency_help_required=emergency,
        basis=tuple(dict.fromkeys(basis)),
        missing_settings=missing,
    )


def require_complete(entitlement: Entitlement) -> int:
    """The monthly amount of an entitlement that is about to be granted; refuses an unset one."""
    if entitlement.missing_settings or entitlement.monthly_amount_fen is None:
        name = entitlement.missing_settings[0]
        raise PolicySettingMissing(
            f"{name} is not configured: the regulation leaves the amount to a city document "
            "(set INTAKE_POLICY_SETTINGS)",
            field=name,
        )
    return entitlement.monthly_amount_fen
