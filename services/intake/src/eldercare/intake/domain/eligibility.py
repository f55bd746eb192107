"""The pure eligibility engine: a policy pack, a person's facts and a date in; a cited answer out.

``evaluate(pack, facts, as_of, settings)`` says whether the person is eligible for the purchased
door-to-door service, which clauses support that (``basis``) and which clauses are not met and why
(``unmet``); ``entitlement_for`` computes what an eligible person receives each month and
``benefits_for`` the regulation's other benefits. No I/O: the same inputs give the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from eldercare.intake.domain.errors import PolicySettingMissing
from eldercare.intake.domain.person import age_on
from eldercare.intake.domain.policy import Benefit, Clause, PolicyPack, Rule, Test

Settings = Mapping[str, Mapping[str, int]]


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
    # Since when the person has received the purchased service under an earlier policy (长沙 二十一).
    earlier_service_since: date | None = None
    # A reviewer found the application based on false material (乌海 第三十二条).
    false_declaration: bool = False

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


@dataclass(frozen=True)
class BenefitGrant:
    """One of the regulation's other benefits that the person's facts meet."""

    id: str
    kind: str
    label: str
    basis: Clause
    monthly_amount_fen: int | None
    monthly_hours_min: int | None
    note: str | None
    missing_settings: tuple[str, ...] = ()


def setting_name(pack: PolicyPack, setting: str) -> str:
    """How the problem and the configuration name a pack's setting."""
    return f"policy_settings.{pack.pack_id}.{setting}"


def failed_test(
    test: Test,
    facts: PersonFacts,
    as_of: date,
    pack: PolicyPack | None = None,
    settings: Settings | None = None,
) -> str | None:
    """Why ``test`` does not hold for these facts, or None when it holds."""
    wanted_value = test.value
    if test.setting is not None:
        wanted_value = (settings or {}).get(pack.pack_id if pack else "", {}).get(test.setting)
        if wanted_value is None:
            name = setting_name(pack, test.setting) if pack else test.setting
            return f"{name} is not configured: the regulation leaves the threshold to a city document"
    actual = facts.value(test.fact, as_of)
    if actual is None:
        return f"{test.fact} is not known"
    holds = {
        ">=": lambda: actual >= wanted_value,
        "<=": lambda: actual <= wanted_value,
        "==": lambda: actual == wanted_value,
        "starts_with": lambda: str(actual).startswith(str(wanted_value)),
        "any_of": lambda: bool(set(actual) & wanted_value),
        "in": lambda: actual in wanted_value,
        "before": lambda: actual < wanted_value,
    }[test.op]()
    if holds:
        return None
    wanted = ", ".join(sorted(wanted_value)) if isinstance(wanted_value, frozenset) else wanted_value
    if test.op == "any_of":
        return f"{test.fact} include none of: {wanted}"
    return f"{test.fact} is {actual}, the rule needs {test.op} {wanted}"


def _failures(
    tests: tuple[Test, ...],
    facts: PersonFacts,
    as_of: date,
    pack: PolicyPack | None = None,
    settings: Settings | None = None,
) -> tuple[str, ...]:
    return tuple(
        reason for t in tests if (reason := failed_test(t, facts, as_of, pack, settings)) is not None
    )


def _unmet(rule: Rule, reasons: tuple[str, ...]) -> Unmet:
    return Unmet(rule.id, rule.label, rule.basis, reasons)


def evaluate(
    pack: PolicyPack, facts: PersonFacts, as_of: date, settings: Settings | None = None
) -> Evaluation:
    """Eligible when every requirement holds, at least one qualifying rule holds and no exclusion
    applies, or when a grandfathering rule holds and no exclusion applies. ``basis`` lists the
    clauses that were met (and any exception that lifted an exclusion)."""
    basis: list[Clause] = []
    unmet: list[Unmet] = []
    if not pack.in_force_on(as_of):
        reason = f"{as_of} is outside {pack.effective_from}..{pack.expires_on or ''}"
        unmet.append(Unmet("in_force", "the policy is in force", pack.validity_basis, (reason,)))
    grandfathered = [
        r.basis for r in pack.grandfathering if not _failures(r.when, facts, as_of, pack, settings)
    ]
    if grandfathered:
        basis.extend(grandfathered)
    else:
        for rule in pack.requirements:
            reasons = _failures(rule.when, facts, as_of, pack, settings)
            if reasons:
                unmet.append(_unmet(rule, reasons))
            else:
                basis.append(rule.basis)
        qualifying = [(rule, _failures(rule.when, facts, as_of, pack, settings)) for rule in pack.qualifying]
        met = [rule.basis for rule, reasons in qualifying if not reasons]
        basis.extend(met)
        if not met:
            unmet.extend(_unmet(rule, reasons) for rule, reasons in qualifying)
    for rule in pack.exclusions:
        if _failures(rule.when, facts, as_of, pack, settings):
            continue  # the exclusion does not concern this person
        exception = _failures(rule.unless, facts, as_of, pack, settings) if rule.unless else ("no exception",)
        if exception:
            unmet.append(_unmet(rule, (f"excluded: {rule.label}", *exception)))
        elif rule.unless_basis is not None:
            basis.append(rule.unless_basis)
    cited = tuple(dict.fromkeys(basis))
    return Evaluation(pack.pack_id, pack.version, as_of, not unmet, cited, tuple(unmet))


def _amount(
    pack: PolicyPack, setting: str, minimum_fen: int | None, settings: Settings
) -> tuple[int | None, tuple[str, ...]]:
    """A configured amount, or None and the setting's name when it is unset, not positive or below
    the floor the regulation itself fixes (a floor is a minimum, never a default)."""
    amount = settings.get(pack.pack_id, {}).get(setting)
    if amount is None or amount <= 0 or (minimum_fen is not None and amount < minimum_fen):
        return None, (setting_name(pack, setting),)
    return amount, ()


def entitlement_for(pack: PolicyPack, facts: PersonFacts, as_of: date, settings: Settings) -> Entitlement:
    """The monthly entitlement under ``pack``; an unset amount is ``None`` and named in
    ``missing_settings`` (CONVENTIONS.md: an amount a seed leaves open is never invented)."""
    terms = pack.entitlement
    amount, missing = _amount(pack, terms.setting_for(facts.assessment_level), terms.minimum_fen, settings)
    emergency = bool(terms.emergency_help_when) and not _failures(terms.emergency_help_when, facts, as_of)
    basis = [terms.amount_basis, terms.categories_basis]
    if terms.minimum_basis is not None:
        basis.append(terms.minimum_basis)
    if emergency:
        basis.append(terms.emergency_help_basis)
    return Entitlement(
        monthly_amount_fen=None if missing else amount,
        service_categories=terms.service_categories,
        emergency_help_required=emergency,
        basis=tuple(dict.fromkeys(basis)),
        missing_settings=missing,
    )


def benefits_for(
    pack: PolicyPack, facts: PersonFacts, as_of: date, settings: Settings
) -> tuple[BenefitGrant, ...]:
    """The regulation's other benefits whose conditions (the shared ``benefit_requirements`` and
    the benefit's own tests) hold, each with its clause; unset amounts are named, never guessed."""
    if not pack.in_force_on(as_of):
        return ()
    shared = [t for rule in pack.benefit_requirements for t in rule.when]
    grants = []
    for benefit in pack.benefits:
        if _failures((*shared, *benefit.when), facts, as_of, pack, settings):
            continue
        amount, missing = (
            _amount(pack, benefit.amount_setting, benefit.minimum_fen, settings)
            if benefit.amount_setting
            else (None, ())
        )
        grants.append(_grant(benefit, amount, missing))
    return tuple(grants)


def _grant(benefit: Benefit, amount: int | None, missing: tuple[str, ...]) -> BenefitGrant:
    return BenefitGrant(
        id=benefit.id,
        kind=benefit.kind,
        label=benefit.label,
        basis=benefit.basis,
        monthly_amount_fen=amount,
        monthly_hours_min=benefit.monthly_hours_min,
        note=benefit.note,
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
