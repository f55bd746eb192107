"""Events the dispatch service consumes: event -> command, nothing else."""

from __future__ import annotations

import functools

from eldercare.common.consumer import Subscription
from eldercare.common.contracts import (
    BeneficiaryContactShared,
    BeneficiaryEnrolled,
    BeneficiaryEntitlementChanged,
    BeneficiaryStatusChanged,
    CaregiverDecertified,
    PriceListPublished,
    SanctionImposed,
)
from eldercare.common.pii import FieldCipher
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.contact_share import contact_ring
from eldercare.dispatch.application import beneficiaries, contacts, plan_fit, sanctions
from eldercare.dispatch.domain.beneficiaries import BeneficiaryStatus
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.plan_fit import Price
from eldercare.dispatch.settings import DispatchSettings

sub = Subscription("dispatch")


@sub.on(BeneficiaryEnrolled)
async def on_beneficiary_enrolled(event: BeneficiaryEnrolled, uow: UnitOfWork) -> None:
    home = event.home_point
    cmd = beneficiaries.RecordEnrolment(
        beneficiary_id=event.beneficiary_id,
        district_code=event.district_code,
        community_code=event.community_code,
        home_point=Point(home.lat, home.lon) if home else None,
        service_categories=list(event.entitlement.service_categories),
        emergency_help_required=event.entitlement.emergency_help_required,
        enrolled_at=event.enrolled_at,
        effective_on=event.effective_on,
        monthly_amount_fen=event.entitlement.monthly_amount_fen,
        monthly_minutes=event.entitlement.monthly_minutes,
    )
    await beneficiaries.record_enrolment(cmd, uow)


@sub.on(BeneficiaryEntitlementChanged)
async def on_entitlement_changed(event: BeneficiaryEntitlementChanged, uow: UnitOfWork) -> None:
    cmd = plan_fit.RecordEntitlementChange(
        beneficiary_id=event.beneficiary_id,
        effective_on=event.effective_on,
        monthly_amount_fen=event.entitlement.monthly_amount_fen,
        monthly_minutes=event.entitlement.monthly_minutes,
        changed_at=event.changed_at,
    )
    await plan_fit.record_entitlement_change(cmd, uow)


@sub.on(PriceListPublished)
async def on_price_list_published(event: PriceListPublished, uow: UnitOfWork) -> None:
    cmd = plan_fit.RecordPriceList(
        price_list_id=event.price_list_id,
        region_code=event.region_code,
        effective_from=event.effective_from,
        items=tuple(Price(i.service_code, i.unit, i.unit_price_fen) for i in event.items),
        published_at=event.published_at,
    )
    await plan_fit.record_price_list(cmd, uow)


@sub.on(BeneficiaryStatusChanged)
async def on_beneficiary_status_changed(event: BeneficiaryStatusChanged, uow: UnitOfWork) -> None:
    cmd = beneficiaries.RecordStatusChange(
        beneficiary_id=event.beneficiary_id,
        status=BeneficiaryStatus(event.status),
        reason=event.reason,
        changed_at=event.changed_at,
        effective_on=event.effective_on,
    )
    await beneficiaries.record_status_change(cmd, uow)


@sub.on(CaregiverDecertified)
async def on_caregiver_decertified(event: CaregiverDecertified, uow: UnitOfWork) -> None:
    cmd = sanctions.RecordDecertification(
        caregiver_id=event.caregiver_id, basis=event.basis, decertified_at=event.decertified_at
    )
    await sanctions.record_decertification(cmd, uow)


@sub.on(SanctionImposed)
async def on_sanction_imposed(event: SanctionImposed, uow: UnitOfWork) -> None:
    cmd = sanctions.RecordSanction(
        sanction_id=event.sanction_id,
        provider_id=event.provider_id,
        measures=list(event.measures),
        basis=list(event.basis),
        imposed_at=event.imposed_at,
    )
    await sanctions.record_sanction(cmd, uow)


@functools.cache
def contact_share_ring() -> FieldCipher | None:
    # Read at the first share, not at import; the worker reads the same environment.
    return contact_ring(DispatchSettings())


@sub.on(BeneficiaryContactShared)
async def on_beneficiary_contact_shared(event: BeneficiaryContactShared, uow: UnitOfWork) -> None:
    cmd = contacts.RecordContactShare(
        beneficiary_id=event.beneficiary_id,
        district_code=event.district_code,
        sealed=event.sealed,
        shared_at=event.shared_at,
    )
    await contacts.record_contact_share(cmd, uow, contact_share_ring())


SUBSCRIPTIONS = [sub]
