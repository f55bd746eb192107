"""Policy packs: a city's eligibility rules and entitlements as data, every rule citing its clause.

A pack is plain JSON (``eldercare/intake/policy_packs/*.json``) parsed here into frozen objects.
Parsing is strict, so a pack with an unknown fact or operator fails when it is loaded, not when
an application meets it. The grammar:

- ``decision_basis``: the clause that empowers the decision itself (cited by every decision);
- ``requirements``: rules that must all hold (household registration, residence, age);
- ``qualifying``: rules of which at least one must hold (the items of an article's list);
- ``exclusions``: rules that refuse eligibility ``when`` they hold, ``unless`` their exception does;
- ``entitlement``: the amount setting, service categories and conditional emergency help.

A rule holds when every test in its ``when`` holds. A test is ``{"fact", "op", "value"}``.
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


@dataclass(frozen=True)
class PolicyPack:
    pack_id: str
    version: str
    policy: str
    region: str
    title: str
    effective_from: date
    expires_on: date
    validity_basis: Clause
    decision_basis: Clause
    requirements: tuple[Rule, ...]
    qualifying: tuple[Rule, ...]
    exclusions: tuple[Rule, ...]
    entitlement: EntitlementTerms

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day <= self.expires_on


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
            expires_on=date.fromisoformat(data["expires_on"]),
            validity_basis=_clause(data["validity_basis"]),
            decision_basis=_clause(data["decision_basis"]),
            requirements=tuple(_rule(r) for r in data["requirements"]),
            qualifying=tuple(_rule(r) for r in data["qualifying"]),
            exclusions=tuple(_rule(r) for r in data.get("exclusions", ())),
            entitlement=_entitlement(data["entitlement"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PackError(f"policy pack {data.get('pack_id', '?')}: {exc!r}") from None
    if pack.expires_on < pack.effective_from:
        raise PackError(f"policy pack {pack.pack_id}: expires before it takes effect")
    return pack


def _clause(data: Mapping[str, Any]) -> Clause:
    return Clause(str(data["source"]), str(data["article"]), data.get("item"), data.get("text"))


def _tests(items: Iterable[Mapping[str, Any]]) -> tuple[Test, ...]:
    tests = []
    for item in items:
        fact, op, value = item["fact"], item["op"], item["value"]
        if fact not in FACTS:
            raise ValueError(f"unknown fact {fact!r}")
        if op not in OPERATORS:
            raise ValueError(f"unknown operator {op!r}")
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
    amount, categories, emergency = (
        data["monthly_amount_fen"],
        data["service_categories"],
        data["emergency_help"],
    )
    return EntitlementTerms(
        amount_setting=str(amount["setting"]),
        amount_basis=_clause(amount["basis"]),
        service_categories=tuple(str(c) for c in categories["codes"]),
        categories_basis=_clause(categories["basis"]),
        emergency_help_when=_tests(emergency["when"]),
        emergency_help_basis=_clause(emergency["basis"]),
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

    def in_force(self, policy: str, day: date) -> PolicyPack | None:
        """The pack of ``policy`` in force on ``day``; the latest effective one if several overlap."""
        candidates = [p for p in self._packs.values() if p.policy == policy and p.in_force_on(day)]
        return max(candidates, key=lambda p: (p.effective_from, p.version), default=None)

    def get(self, pack_id: str, version: str) -> PolicyPack | None:
        return self._packs.get((pack_id, version))
