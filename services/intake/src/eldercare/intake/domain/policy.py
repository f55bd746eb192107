"""Policy packs: a city's eligibility rules and entitlements as data, every rule citing its clause.

A pack is plain JSON (``eldercare/intake/policy_packs/*.json``) parsed here into frozen objects.
Parsing is strict, so a pack with an unknown fact or operator fails when it is loaded, not when
an application meets it. The grammar:

- ``decision_basis``: the clause that empowers the decision itself (cited by every decision);
- ``requirements``: rules that must all hold (household registration, residence, age);
- ``qualifying``: rules of which at least one must hold (the items of an article's list);
- ``exclusions``: rules that refuse eligibility ``when`` they hold, ``unless`` their exception does;
- ``grandfathering``: rules that, when one holds, stand in for ``requirements`` and ``qualifying``
  (people already served under an earlier policy keep the service); exclusions still apply;
- ``entitlement``: the amount setting (optionally one per assessment level, optionally with the
  floor the regulation fixes), service categories and conditional emergency help;
- ``benefit_requirements`` and ``benefits``: the regulation's other benefits (allowances,
  insurance, health checks, home adaptation), each with its own clause, amount setting and tests,
  answered whether or not the person is eligible for the purchased service.

A rule holds when every test in its ``when`` holds. A test is ``{"fact", "op", "value"}``, or
``{"fact", "op", "setting"}`` when the regulation leaves the threshold to a later document (湖州
"高龄" has no age in the seed): an unset setting makes the test fail with the setting named.
``expires_on`` may be null: most regulations are in force until repealed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

FACTS = frozenset(
    {
        "age",
        "assessment_level",
        "hukou_region",
        "residence_region",
        "lives_at_hukou",
        "circumstances",
        "receives_extreme_poverty_care",
        "receiving_since",
        "guardian",
        "earlier_service_since",
        "false_declaration",
    }
)
OPERATORS = frozenset({">=", "<=", "==", "starts_with", "any_of", "in", "before"})


class PackError(ValueError):
    """A policy pack that does not follow the grammar: a bug in the data, found at load time."""


@dataclass(frozen=True)
class Clause:
    """Where a rule comes from: file (or document), article (条) and item (项), with its text."""

    source: str
    article: str
    item: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Test:
    fact: str
    op: str
    value: Any
    setting: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    basis: Clause
    when: tuple[Test, ...]
    unless: tuple[Test, ...] = ()
    unless_basis: Clause | None = None


@dataclass(frozen=True)
class EntitlementTerms:
    amount_setting: str
    amount_basis: Clause
    service_categories: tuple[str, ...]
    categories_basis: Clause
    emergency_help_when: tuple[Test, ...]
    emergency_help_basis: Clause
    per_level: bool = False
    minimum_fen: int | None = None
    minimum_basis: Clause | None = None

    def setting_for(self, level: int | None) -> str:
        """The setting that holds the amount; ``<setting>_level_<n>`` when it varies by level."""
        return f"{self.amount_setting}_level_{level}" if self.per_level else self.amount_setting


@dataclass(frozen=True)
class Benefit:
    """Another benefit of the same regulation: what it is, when it is given, what it is worth."""

    id: str
    kind: str
    label: str
    basis: Clause
    when: tuple[Test, ...]
    amount_setting: str | None = None
    minimum_fen: int | None = None
    monthly_hours_min: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class PolicyPack:
    pack_id: str
    version: str
    policy: str
    region: str
    title: str
    effective_from: date
    expires_on: date | None
    validity_basis: Clause
    decision_basis: Clause
    requirements: tuple[Rule, ...]
    qualifying: tuple[Rule, ...]
    exclusions: tuple[Rule, ...]
    entitlement: EntitlementTerms
    grandfathering: tuple[Rule, ...] = ()
    benefit_requirements: tuple[Rule, ...] = ()
    benefits: tuple[Benefit, ...] = ()

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.expires_on is None or day <= self.expires_on)

    def settings(self) -> tuple[str, ...]:
        """Every local setting the pack reads (the closing note lists them per city)."""
        names: list[str] = []
        terms = self.entitlement
        names.extend(
            [terms.setting_for(level) for level in range(1, 5)] if terms.per_level else [terms.amount_setting]
        )
        for rule in (*self.requirements, *self.qualifying, *self.exclusions, *self.grandfathering):
            names.extend(t.setting for t in (*rule.when, *rule.unless) if t.setting)
        for benefit in self.benefits:
            names.extend(t.setting for t in benefit.when if t.setting)
            if benefit.amount_setting:
                names.append(benefit.amount_setting)
        return tuple(dict.fromkeys(names))


def parse_pack(data: Mapping[str, Any]) -> PolicyPack:
    """A pack from its JSON document; :class:`PackError` names the first thing wrong."""
    try:
        pack = PolicyPack(
            pack_id=str(data["pack_id"]),
            version=str(data["version"]),
            policy=str(data["policy"]),
            region=str(data["region"]),
            title=str(data["title"]),
            effective_from=date.fromisoformat(data["effective_from"]),
            expires_on=date.fromisoformat(data["expires_on"]) if data["expires_on"] else None,
            validity_basis=_clause(data["validity_basis"]),
            decision_basis=_clause(data["decision_basis"]),
            requirements=tuple(_rule(r) for r in data["requirements"]),
            qualifying=tuple(_rule(r) for r in data["qualifying"]),
            exclusions=tuple(_rule(r) for r in data.get("exclusions", ())),
            entitlement=_entitlement(data["entitlement"]),
            grandfathering=tuple(_rule(r) for r in data.get("grandfathering", ())),
            benefit_requirements=tuple(_rule(r) for r in data.get("benefit_requirements", ())),
            benefits=tuple(_benefit(b) for b in data.get("benefits", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PackError(f"policy pack {data.get('pack_id', '?')}: {exc!r}") from None
    if pack.expires_on is not None and pack.expires_on < pack.effective_from:
        raise PackError(f"policy pack {pack.pack_id}: expires before it takes effect")
    return pack


def _clause(data: Mapping[str, Any]) -> Clause:
    return Clause(str(data["source"]), str(data["article"]), data.get("item"), data.get("text"))


def _tests(items: Iterable[Mapping[str, Any]]) -> tuple[Test, ...]:
    tests = []
    for item in items:
        fact, op = item["fact"], item["op"]
        if fact not in FACTS:
            raise ValueError(f"unknown fact {fact!r}")
        if op not in OPERATORS:
            raise ValueError(f"unknown operator {op!r}")
        if "setting" in item:
            if "value" in item or op not in {">=", "<="}:
                raise ValueError(f"a setting-valued test takes >= or <= and no value: {item!r}")
            tests.append(Test(fact, op, None, str(item["setting"])))
            continue
        value = item["value"]
        if op == "before":
            value = date.fromisoformat(value)
        if op in {"any_of", "in"}:
            value = frozenset(value)
        tests.append(Test(fact, op, value))
    return tuple(tests)


def _rule(data: Mapping[str, Any]) -> Rule:
    when = _tests(data["when"])
    if not when:
        raise ValueError(f"rule {data['id']} has no tests")
    return Rule(
        id=str(data["id"]),
        label=str(data["label"]),
        basis=_clause(data["basis"]),
        when=when,
        unless=_tests(data.get("unless", ())),
        unless_basis=_clause(data["unless_basis"]) if "unless_basis" in data else None,
    )


def _entitlement(data: Mapping[str, Any]) -> EntitlementTerms:
    # Only Changsha 第十三条 names the service categories and the mandatory emergency help.
    amount, categories, emergency = (
        data["monthly_amount_fen"],
        data.get("service_categories") or {"codes": [], "basis": data["monthly_amount_fen"]["basis"]},
        data.get("emergency_help"),
    )
    return EntitlementTerms(
        amount_setting=str(amount["setting"]),
        amount_basis=_clause(amount["basis"]),
        service_categories=tuple(str(c) for c in categories["codes"]),
        categories_basis=_clause(categories["basis"]),
        emergency_help_when=_tests(emergency["when"]) if emergency else (),
        emergency_help_basis=_clause(emergency["basis"] if emergency else categories["basis"]),
        per_level=bool(amount.get("per_level", False)),
        minimum_fen=int(amount["minimum_fen"]) if "minimum_fen" in amount else None,
        minimum_basis=_clause(amount["minimum_basis"]) if "minimum_basis" in amount else None,
    )


def _benefit(data: Mapping[str, Any]) -> Benefit:
    amount = data.get("amount") or {}
    return Benefit(
        id=str(data["id"]),
        kind=str(data["kind"]),
        label=str(data["label"]),
        basis=_clause(data["basis"]),
        when=_tests(data.get("when", ())),
        amount_setting=str(amount["setting"]) if amount else None,
        minimum_fen=int(amount["minimum_fen"]) if "minimum_fen" in amount else None,
        monthly_hours_min=int(data["monthly_hours_min"]) if "monthly_hours_min" in data else None,
        note=data.get("note"),
    )


class PackCatalog:
    """Every loaded pack; picks the one of a policy in force on a date."""

    def __init__(self, packs: Iterable[PolicyPack]) -> None:
        self._packs: dict[tuple[str, str], PolicyPack] = {}
        for pack in packs:
            key = (pack.pack_id, pack.version)
            if key in self._packs:
                raise PackError(f"policy pack {pack.pack_id} {pack.version} loaded twice")
            self._packs[key] = pack

    @property
    def policies(self) -> frozenset[str]:
        return frozenset(p.policy for p in self._packs.values())

    def resolve(self, policy: str) -> str | None:
        """The policy key of a city key (``changsha``) or a GB/T 2260 code of the city or of a
        place in it (``430100``, ``430102``: the first four digits name the city)."""
        if policy in self.policies:
            return policy
        if policy.isdigit() and len(policy) in (6, 9, 12):
            found = {p.policy for p in self._packs.values() if p.region[:4] == policy[:4]}
            return found.pop() if len(found) == 1 else None
        return None

    def packs(self) -> tuple[PolicyPack, ...]:
        return tuple(self._packs.values())

    def in_force(self, policy: str, day: date) -> PolicyPack | None:
        """The pack of ``policy`` in force on ``day``; the latest effective one if several overlap."""
        candidates = [p for p in self._packs.values() if p.policy == policy and p.in_force_on(day)]
        return max(candidates, key=lambda p: (p.effective_from, p.version), default=None)

    def get(self, pack_id: str, version: str) -> PolicyPack | None:
        return self._packs.get((pack_id, version))
