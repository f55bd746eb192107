"""Changes of an enrolled beneficiary's entitlement: after a reassessment, and when a re-evaluation
under a new pack version is applied (issue #3: "Reassessment results update the level and, through
the pack, the entitlement from the next month").

Both take effect on the first day of the next month (Asia/Shanghai); the months before keep what
they had. A beneficiary the pack no longer supports is terminated from that day with reason
``no_longer_eligible``, citing the clauses no longer met: the seeds name no separate exit clause
for reassessment, so the eligibility rule that stops holding is the basis (e.g.
changsha-2024-purchased-door-to-door-rules.md 第五条 requires 能力评估 level ≥ 1 for most groups).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import BeneficiaryEntitlementChanged, BeneficiaryStatusChanged
from eldercare.common.contracts.common import ClauseRef, PolicyRef
from eldercare.common.contracts.intake import MonthlyEntitlement
from eldercare.common.errors import SettingNotConfigured
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository
from eldercare.intake.adapters.models import PersonRow
from eldercare.intake.adapters.persons import circumstances_on
from eldercare.intake.application.decisions import facts_from
from eldercare.intake.domain.beneficiary import (
    Beneficiary,
    BeneficiaryStatus,
    EntitlementChange,
    EntitlementReason,
    StatusReason,
    first_of_next_month,
)
from eldercare.intake.domain.eligibility import Evaluation, PersonFacts, Settings, entitlement_for, evaluate
from eldercare.intake.domain.policy import Clause, PackCatalog, PolicyPack

log = logging.getLogger("eldercare.intake")

REGISTER = "intake-register"  # who recorded a change the register made on an event


@dataclass(frozen=True)
class Outcome:
    """What happened to one beneficiary: ``changed`` (a new entitlement), ``terminated``,
    ``unchanged`` (recorded, no event) or ``ignored``."""

    beneficiary_id: UUID
    result: str


def _ref(clause: Clause) -> ClauseRef:
    return ClauseRef(source=clause.source, article=clause.article, item=clause.item, text=clause.text)


async def facts_for(uow: UnitOfWork, beneficiary: Beneficiary, level: int, day: date) -> PersonFacts | None:
    """The facts the enrolment was decided on, with ``level`` as the assessment level and the
    circumstances the bureau's rosters mark on ``day``."""
    if beneficiary.application_id is None:
        return None
    application = await ApplicationRepository(uow.session).get(beneficiary.application_id)
    person = await uow.session.get(PersonRow, beneficiary.person_id)
    if application is None or person is None or application.assessment is None:
        return None
    application.assessment = replace(application.assessment, final_level=level)
    facts = facts_from(application, person.birth_date, person.hukou_region, person.false_declaration_at)
    marked = await circumstances_on(uow.session, person.id, day)
    return replace(facts, circumstances=facts.circumstances | marked)


def apply_pack(
    uow: UnitOfWork,
    beneficiary: Beneficiary,
    pack: PolicyPack,
    facts: PersonFacts,
    *,
    evaluated_on: date,
    effective_on: date,
    reason: EntitlementReason,
    assessment_id: UUID | None,
    by: str,
    at: datetime,
    settings: Settings,
) -> str:
    """Evaluate ``facts`` under ``pack`` and record the outcome on ``beneficiary`` (the caller
    saves it): a new entitlement (BeneficiaryEntitlementChanged), a termination
    (BeneficiaryStatusChanged) or nothing when nothing changes. An unset amount refuses the change
    naming the setting (no invented amount)."""
    evaluation = evaluate(pack, facts, evaluated_on, settings)
    level = facts.assessment_level if facts.assessment_level is not None else beneficiary.assessment_level
    effective_on = max(effective_on, _earliest(beneficiary))
    if not evaluation.eligible:
        beneficiary.assessment_level = level
        if assessment_id is not None:
            beneficiary.assessment_id = assessment_id
        _terminate(uow, beneficiary, evaluation, f"{reason.value}: ", effective_on, by, at)
        return "terminated"
    entitlement = entitlement_for(pack, facts, evaluated_on, settings)
    if entitlement.missing_settings or entitlement.monthly_amount_fen is None:
        name = entitlement.missing_settings[0]
        raise SettingNotConfigured(
            f"{name} is not configured: the regulation leaves the amount to a city document "
            "(set INTAKE_POLICY_SETTINGS)",
            field=name,
        )
    amount = entitlement.monthly_amount_fen
    # Same figures under another version (a re-evaluation) is no change for billing or dispatch:
    # the caller moves the pack reference without an event.
    if beneficiary.same_entitlement(
        level, amount, entitlement.service_categories, entitlement.emergency_help_required
    ):
        if assessment_id is not None:
            beneficiary.assessment_id = assessment_id
        return "unchanged"
    change = EntitlementChange(
        reason=reason,
        effective_on=effective_on,
        assessment_id=assessment_id,
        assessment_level=level,
        pack_id=pack.pack_id,
        pack_version=pack.version,
        monthly_amount_fen=amount,
        service_categories=entitlement.service_categories,
        emergency_help_required=entitlement.emergency_help_required,
        basis=entitlement.basis,
        by=by,
        at=at,
    )
    beneficiary.change_entitlement(change)
    _publish_change(uow, beneficiary, change)
    return "changed"


def _terminate(
    uow: UnitOfWork,
    beneficiary: Beneficiary,
    evaluation: Evaluation,
    prefix: str,
    effective_on: date,
    by: str,
    at: datetime,
) -> None:
    """No longer eligible: terminated from ``effective_on``, citing the clauses no longer met."""
    basis = tuple(dict.fromkeys(u.basis for u in evaluation.unmet))
    reasons = "; ".join(r for u in evaluation.unmet for r in u.reasons)
    change = beneficiary.change_status(
        BeneficiaryStatus.terminated,
        StatusReason.no_longer_eligible,
        effective_on,
        by,
        at,
        f"{prefix}{reasons}"[:500],
        basis,
    )
    uow.publish(
        BeneficiaryStatusChanged(
            beneficiary_id=beneficiary.id,
            district_code=beneficiary.district_code,
            status=change.to_status.value,
            reason=change.reason.value,
            effective_on=change.effective_on,
            changed_at=change.at,
        )
    )


def _publish_change(uow: UnitOfWork, beneficiary: Beneficiary, change: EntitlementChange) -> None:
    uow.publish(
        BeneficiaryEntitlementChanged(
            beneficiary_id=beneficiary.id,
            district_code=beneficiary.district_code,
            reason=change.reason.value,
            assessment_id=change.assessment_id,
            assessment_level=change.assessment_level,
            policy=PolicyRef(pack_id=change.pack_id, version=change.pack_version),
            entitlement=MonthlyEntitlement(
                monthly_amount_fen=change.monthly_amount_fen,
                service_categories=list(change.service_categories),
                emergency_help_required=change.emergency_help_required,
                basis=[_ref(c) for c in change.basis],
            ),
            effective_on=change.effective_on,
            changed_at=change.at,
        )
    )


def _earliest(b: Beneficiary) -> date:
    # A change never takes effect before the enrolment or an earlier recorded change.
    days = [
        b.effective_on,
        *(c.effective_on for c in b.history),
        *(c.effective_on for c in b.entitlement_history),
    ]
    return max(days)


@dataclass(frozen=True)
class ReassessBeneficiary:
    beneficiary: Beneficiary
    assessment_id: UUID
    final_level: int
    completed_at: datetime
    catalog: PackCatalog
    policy_settings: Settings


async def reassess_beneficiary(cmd: ReassessBeneficiary, uow: UnitOfWork) -> Outcome:
    """复评: a new GB/T 42195 level for an active or suspended beneficiary is evaluated under the
    pack version they are enrolled under (the decision's pack, never silently another one) and
    changes the entitlement, or ends the enrolment, from the first day of the next month.

    Tolerant: a result older than the one recorded is ignored (results may arrive out of order)."""
    b = cmd.beneficiary
    if b.assessed_at is not None and cmd.completed_at <= b.assessed_at:
        log.info("older reassessment ignored", extra={"beneficiary_id": str(b.id)})
        return Outcome(b.id, "ignored")
    pack = cmd.catalog.get(b.pack_id, b.pack_version)
    now = utcnow()
    effective_on = first_of_next_month(local_date(now))
    # Ages are taken on the day the change applies; a pack that lapses before then is applied on
    # its last day (its expiry is for the re-evaluation under the next version to handle).
    evaluated_on = effective_on
    if pack is not None and pack.expires_on is not None and evaluated_on > pack.expires_on:
        evaluated_on = pack.expires_on
    facts = await facts_for(uow, b, cmd.final_level, evaluated_on)
    if pack is None or facts is None:
        log.warning("reassessment without a pack or facts ignored", extra={"beneficiary_id": str(b.id)})
        return Outcome(b.id, "ignored")
    result = apply_pack(
        uow,
        b,
        pack,
        facts,
        evaluated_on=evaluated_on,
        effective_on=effective_on,
        reason=EntitlementReason.reassessment,
        assessment_id=cmd.assessment_id,
        by=REGISTER,
        at=now,
        settings=cmd.policy_settings,
    )
    b.assessed_at = cmd.completed_at
    await BeneficiaryRepository(uow.session).save(b)
    return Outcome(b.id, result)
