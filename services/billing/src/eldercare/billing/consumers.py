"""Events the billing service consumes: event -> command, nothing else."""

from __future__ import annotations

from eldercare.billing.application import handlers
from eldercare.billing.domain.charges import VisitFacts
from eldercare.billing.domain.entitlements import BeneficiaryStatus, Provenance
from eldercare.billing.domain.sanctions import Sanction
from eldercare.common.consumer import Subscription
from eldercare.common.contracts import (
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
    SanctionImposed,
    VisitCompleted,
)
from eldercare.common.uow import UnitOfWork

sub = Subscription("billing")


@sub.on(BeneficiaryEnrolled)
async def on_beneficiary_enrolled(event: BeneficiaryEnrolled, uow: UnitOfWork) -> None:
    await handlers.enrol_beneficiary(
        handlers.EnrolBeneficiary(
            beneficiary_id=event.beneficiary_id,
            district_code=event.district_code,
            monthly_amount_fen=event.entitlement.monthly_amount_fen,
            effective_on=event.effective_on,
            enrolled_at=event.enrolled_at,
            provenance=Provenance(
                application_id=event.application_id,
                assessment_level=event.assessment_level,
                policy_pack_id=event.policy.pack_id,
                policy_version=event.policy.version,
                basis=tuple(c.model_dump() for c in event.entitlement.basis),
            ),
        ),
        uow,
    )


@sub.on(BeneficiaryStatusChanged)
async def on_beneficiary_status_changed(event: BeneficiaryStatusChanged, uow: UnitOfWork) -> None:
    await handlers.change_beneficiary_status(
        handlers.ChangeBeneficiaryStatus(
            beneficiary_id=event.beneficiary_id,
            status=BeneficiaryStatus(event.status),
            reason=event.reason[:500],
            effective_on=event.effective_on,
            changed_at=event.changed_at,
        ),
        uow,
    )


@sub.on(VisitCompleted)
async def on_visit_completed(event: VisitCompleted, uow: UnitOfWork) -> None:
    await handlers.charge_visit(
        VisitFacts(
            visit_id=event.visit_id,
            beneficiary_id=event.beneficiary_id,
            provider_id=event.provider_id,
            district_code=event.district_code,
            service_code=event.service_code,
            checked_in_at=event.checked_in_at,
            duration_minutes=event.duration_minutes,
            verified=event.verified,
            verification_notes=tuple(event.verification_notes),
            care_plan_id=event.care_plan_id,
            caregiver_id=event.caregiver_id,
            checked_out_at=event.checked_out_at,
        ),
        uow,
    )


@sub.on(SanctionImposed)
async def on_sanction_imposed(event: SanctionImposed, uow: UnitOfWork) -> None:
    await handlers.record_sanction(
        handlers.RecordSanction(
            Sanction(
                sanction_id=event.sanction_id,
                notice_id=event.notice_id,
                provider_id=event.provider_id,
                district_code=event.district_code,
                measures=tuple(event.measures),
                finding_ids=tuple(event.finding_ids),
                finding_types=tuple(event.finding_types),
                basis=tuple(event.basis),
                imposed_at=event.imposed_at,
            )
        ),
        uow,
    )


SUBSCRIPTIONS: list[Subscription] = [sub]
