"""The beneficiary consumers against the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, select

from eldercare.common.contracts import (
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
    CaregiverDecertified,
    SanctionImposed,
)
from eldercare.dispatch.adapters.models import BeneficiaryRow
from eldercare.dispatch.consumers import (
    SUBSCRIPTIONS,
    on_beneficiary_enrolled,
    on_beneficiary_status_changed,
    on_caregiver_decertified,
    on_sanction_imposed,
)

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def status_changed(beneficiary_id: UUID, status: str, at: datetime) -> BeneficiaryStatusChanged:
    return BeneficiaryStatusChanged(
        beneficiary_id=beneficiary_id,
        district_code="430102",
        status=status,  # type: ignore[arg-type]
        reason="住院",
        effective_on=date(2026, 12, 1),
        changed_at=at,
    )


async def rows(sessions) -> list[BeneficiaryRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(BeneficiaryRow).order_by(BeneficiaryRow.id))).all())


class TestSubscription:
    def test_dispatch_listens_to_the_beneficiary_and_audit_sanction_topics(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.name == "dispatch"
        assert sorted(sub.topics) == [
            "audit.caregiver",
            "audit.sanction",
            "billing.price_list",
            "intake.beneficiary",
            "intake.beneficiary_contact",
        ]
        assert sub.handler_for(BeneficiaryEnrolled.event_type) is on_beneficiary_enrolled
        assert sub.handler_for(BeneficiaryStatusChanged.event_type) is on_beneficiary_status_changed
        assert sub.handler_for(CaregiverDecertified.event_type) is on_caregiver_decertified
        assert sub.handler_for(SanctionImposed.event_type) is on_sanction_imposed


class TestOnBeneficiaryEnrolled:
    async def test_an_enrolment_adds_an_active_beneficiary_with_what_dispatch_needs(
        self, sessions, deliver, make_enrolled
    ) -> None:  # type: ignore[no-untyped-def]
        event = make_enrolled(entitlement={"emergency_help_required": True})
        await deliver(event)
        [row] = await rows(sessions)
        assert row.id == event.beneficiary_id
        assert (row.district_code, row.community_code) == ("430102", "430102001001")
        assert (row.home_lat, row.home_lon) == (28.1941, 112.9761)
        assert row.service_categories == [
            "daily_living",
            "welfare_visit",
            "health_management",
            "emotional_comfort",
        ]
        assert row.emergency_help_required is True
        assert (row.status, row.enrolled_at) == ("active", event.enrolled_at)

    async def test_an_enrolment_without_a_home_point_is_recorded(
        self, sessions, deliver, make_enrolled
    ) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_enrolled(home_point=None))
        [row] = await rows(sessions)
        assert (row.home_lat, row.home_lon) == (None, None)

    async def test_a_redelivered_enrolment_leaves_one_row(self, sessions, deliver, make_enrolled) -> None:  # type: ignore[no-untyped-def]
        event = make_enrolled()
        await deliver(event)
        await deliver(event)
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(BeneficiaryRow)) == 1

    async def test_a_later_enrolment_of_the_same_beneficiary_updates_it(
        self, sessions, deliver, make_enrolled
    ) -> None:  # type: ignore[no-untyped-def]
        first = make_enrolled()
        await deliver(first)
        await deliver(
            make_enrolled(
                beneficiary_id=first.beneficiary_id,
                home_point={"lat": 28.2, "lon": 113.0},
                enrolled_at=first.enrolled_at + timedelta(days=40),
            )
        )
        [row] = await rows(sessions)
        assert (row.home_lat, row.home_lon) == (28.2, 113.0)

    async def test_an_enrolment_publishes_nothing(self, deliver, make_enrolled, outbox) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_enrolled())
        assert await outbox() == []


class TestOnBeneficiaryStatusChanged:
    async def test_a_suspension_is_recorded(self, sessions, deliver, make_enrolled) -> None:  # type: ignore[no-untyped-def]
        event = make_enrolled(enrolled_at=T0)
        await deliver(event)
        await deliver(status_changed(event.beneficiary_id, "suspended", T0 + timedelta(days=3)))
        [row] = await rows(sessions)
        assert (row.status, row.status_reason) == ("suspended", "住院")

    async def test_an_older_status_change_than_the_last_applied_is_ignored(
        self, sessions, deliver, make_enrolled
    ) -> None:  # type: ignore[no-untyped-def]
        event = make_enrolled(enrolled_at=T0)
        await deliver(event)
        await deliver(status_changed(event.beneficiary_id, "terminated", T0 + timedelta(days=5)))
        await deliver(status_changed(event.beneficiary_id, "active", T0 + timedelta(days=4)))
        [row] = await rows(sessions)
        assert row.status == "terminated"

    async def test_a_status_change_of_an_unknown_beneficiary_is_a_logged_no_op(
        self, sessions, deliver, make_enrolled
    ) -> None:  # type: ignore[no-untyped-def]
        unknown = make_enrolled().beneficiary_id
        await deliver(status_changed(unknown, "suspended", T0))
        assert await rows(sessions) == []
