"""Events the billing service consumes: event -> command, nothing else."""

from __future__ import annotations

from eldercare.billing.adapters.review_repository import ClaimSample, FundRecovery
from eldercare.billing.application import handlers
from eldercare.billing.domain.charges import VisitFacts
from eldercare.billing.domain.entitlements import AmountChange, BeneficiaryStatus, Provenance
from eldercare.billing.domain.sanctions import Sanction
from eldercare.common.consumer import Subscription
from eldercare.common.contracts import (
    BeneficiaryEnrolled,
    BeneficiaryEntitlementChanged,
    BeneficiaryStatusChanged,
    ClaimDeductionPublished,
    FundsRecoveryOrdered,
    SanctionImposed,
    VisitCancelled,
    VisitCompleted,
    VisitFlagRaised,
    VisitFlagResolved,
    VisitVerificationResolved,
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
                assessment_id=event.assessment_id,
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


@sub.on(VisitCancelled)
async def on_visit_cancelled(event: VisitCancelled, uow: UnitOfWork) -> None:
    await handlers.cancel_visit(
        handlers.CancelVisit(event.visit_id, event.kind, event.reason, event.cancelled_at), uow
    )


@sub.on(VisitVerificationResolved)
async def on_verification_resolved(event: VisitVerificationResolved, uow: UnitOfWork) -> None:
    await handlers.resolve_verification(
        handlers.ResolveVerification(
            event.visit_id, event.outcome, event.reviewer, event.comment, event.resolved_at
        ),
        uow,
    )


@sub.on(VisitFlagRaised)
async def on_visit_flag_raised(event: VisitFlagRaised, uow: UnitOfWork) -> None:
    await handlers.raise_flag(
        handlers.RaiseFlag(
            event.flag_id,
            event.visit_id,
            event.provider_id,
            event.district_code,
            event.source,
            event.signal,
            event.raised_at,
        ),
        uow,
    )


@sub.on(VisitFlagResolved)
async def on_visit_flag_resolved(event: VisitFlagResolved, uow: UnitOfWork) -> None:
    await handlers.resolve_flag(
        handlers.ResolveFlag(
            event.flag_id,
            event.visit_id,
            event.provider_id,
            event.district_code,
            event.outcome,
            event.finding_id,
            event.resolved_at,
        ),
        uow,
    )


@sub.on(FundsRecoveryOrdered)
async def on_funds_recovery_ordered(event: FundsRecoveryOrdered, uow: UnitOfWork) -> None:
    await handlers.order_recovery(
        FundRecovery(
            recovery_id=event.recovery_id,
            provider_id=event.provider_id,
            district_code=event.district_code,
            finding_ids=tuple(event.finding_ids),
            visit_ids=tuple(event.visit_ids),
            fine_rate_percent=event.fine_rate_percent,
            basis=tuple(event.basis),
            ordered_at=event.ordered_at,
        ),
        uow,
    )


@sub.on(ClaimDeductionPublished)
async def on_claim_deduction_published(event: ClaimDeductionPublished, uow: UnitOfWork) -> None:
    await handlers.publish_claim_sample(
        ClaimSample(
            sample_id=event.sample_id,
            provider_id=event.provider_id,
            district_code=event.district_code,
            period=event.period,
            seed=event.seed,
            sampled_visit_ids=tuple(event.sampled_visit_ids),
            failed_visit_ids=tuple(event.failed_visit_ids),
            # A sample cannot fail more visits than it drew (a malformed event deducts nothing).
            sampled=event.sampled,
            failed=min(event.failed, event.sampled),
            basis=tuple(event.basis),
            published_at=event.published_at,
            applied=False,
        ),
        uow,
    )


@sub.on(BeneficiaryEntitlementChanged)
async def on_entitlement_changed(event: BeneficiaryEntitlementChanged, uow: UnitOfWork) -> None:
    await handlers.change_entitlement(
        handlers.ChangeEntitlement(
            beneficiary_id=event.beneficiary_id,
            change=AmountChange(
                effective_on=event.effective_on,
                changed_at=event.changed_at,
                reason=event.reason,
                monthly_amount_fen=event.entitlement.monthly_amount_fen,
                provenance=Provenance(
                    application_id=None,
                    assessment_level=event.assessment_level,
                    policy_pack_id=event.policy.pack_id,
                    policy_version=event.policy.version,
                    basis=tuple(c.model_dump() for c in event.entitlement.basis),
                    assessment_id=event.assessment_id,
                ),
            ),
        ),
        uow,
    )


SUBSCRIPTIONS: list[Subscription] = [sub]
