"""Eligibility checks (资格预审) for a described person: no application, nothing stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from eldercare.common.clock import local_date, utcnow
from eldercare.common.errors import InvalidInput
from eldercare.intake.domain.eligibility import (
    BenefitGrant,
    Entitlement,
    Evaluation,
    PersonFacts,
    benefits_for,
    entitlement_for,
    evaluate,
)
from eldercare.intake.domain.errors import NoPolicyInForce
from eldercare.intake.domain.policy import PackCatalog, PolicyPack


@dataclass(frozen=True)
class CheckEligibility:
    policy: str
    as_of: date | None
    facts: PersonFacts
    catalog: PackCatalog
    policy_settings: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True)
class EligibilityAnswer:
    pack: PolicyPack
    evaluation: Evaluation
    entitlement: Entitlement | None
    benefits: tuple[BenefitGrant, ...] = ()


def check_eligibility(query: CheckEligibility) -> EligibilityAnswer:
    """Evaluate the pack of ``policy`` in force on ``as_of`` (today in Asia/Shanghai by default).

    The entitlement of an eligible person is included, and the regulation's other benefits whose
    conditions hold whether eligible or not; an amount the regulation leaves to a local setting
    that is not configured is ``null`` and named in ``missing_settings``, because a check grants
    nothing (an approval with it unset is refused). ``policy`` is a city key or a GB/T 2260 code.
    """
    as_of = query.as_of or local_date(utcnow())
    if query.facts.birth_date > as_of:
        raise InvalidInput("the birth date is after the check date", field="person.birth_date")
    policy = query.catalog.resolve(query.policy)
    if policy is None:
        raise NoPolicyInForce(f"there is no {query.policy} policy", field="policy")
    pack = query.catalog.in_force(policy, as_of)
    if pack is None:
        raise NoPolicyInForce(f"no {query.policy} policy is in force on {as_of}", field="as_of")
    evaluation = evaluate(pack, query.facts, as_of, query.policy_settings)
    entitlement = (
        entitlement_for(pack, query.facts, as_of, query.policy_settings) if evaluation.eligible else None
    )
    benefits = benefits_for(pack, query.facts, as_of, query.policy_settings)
    return EligibilityAnswer(pack, evaluation, entitlement, benefits)
