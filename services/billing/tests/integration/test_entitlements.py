"""The beneficiary consumers: the entitlement projection, and charges that arrived before it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.billing.adapters.models import AccountRow, EntitlementRow
from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.consumers import SUBSCRIPTIONS
from eldercare.billing.domain.entitlements import Proration
from eldercare.common.registry import IntegrationEvent
from eldercare.common.uow import UnitOfWork

from ..conftest import charge_of

Sessions = async_sessionmaker[AsyncSession]


async def entitlement_of(sessions: Sessions, beneficiary_id: UUID) -> EntitlementRow:
    async with sessions() as s:
        query = select(EntitlementRow).where(EntitlementRow.beneficiary_id == beneficiary_id)
        return (await s.scalars(query)).one()


class TestEnrolment:
    async def test_an_enrolment_records_the_monthly_entitlement(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events
    ) -> None:
        enrolled = events.enrolled(monthly_amount_fen=30000, effective_on=date(2026, 2, 1))
        await deliver(enrolled)
        row = await entitlement_of(sessions, enrolled.beneficiary_id)
        assert (row.district_code, row.monthly_amount_fen) == ("430102", 30000)
        assert (row.effective_on, row.status) == (date(2026, 2, 1), "active")

    async def test_a_status_change_updates_the_entitlement(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events
    ) -> None:
        enrolled = events.enrolled()
        await deliver(enrolled)
        await deliver(events.status_changed(enrolled.beneficiary_id, "terminated"))
        assert (await entitlement_of(sessions, enrolled.beneficiary_id)).status == "terminated"

    async def test_a_status_change_that_overtook_the_enrolment_still_counts(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events
    ) -> None:
        enrolled = events.enrolled(effective_on=date(2026, 1, 1))
        await deliver(
            events.status_changed(enrolled.beneficiary_id, "suspended", effective_on=date(2026, 3, 1))
        )
        await deliver(enrolled)
        assert (await entitlement_of(sessions, enrolled.beneficiary_id)).status == "suspended"

    async def test_an_entitlement_in_minutes_only_covers_no_money(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=None)
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.covered_fen, charge.beneficiary_pays_fen) == ("posted", 0, 5000)


class TestVisitsBeforeTheEnrolment:
    async def test_a_visit_of_an_unknown_beneficiary_waits_without_charging(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        visit = events.completed(uuid4(), uuid4())
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason, charge.amount_fen) == (
            "awaiting_entitlement",
            "unknown_beneficiary",
            None,
        )
        async with sessions() as s:
            [row] = (await s.execute(select(MESSAGING.outbox))).all()
        # Held (ChargeHeld) until the enrolment arrives; nothing posted.
        assert dict(row.headers)["ce_type"] == "billing.charge.held.v1"
        assert json.loads(row.payload)["reason"] == "unknown_beneficiary"

    async def test_the_enrolment_posts_the_waiting_charges(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=8000)
        visits = [events.completed(enrolled.beneficiary_id, uuid4()) for _ in range(2)]
        for visit in visits:
            await deliver(visit)
        await deliver(enrolled)

        charges = [await charge_of(sessions, v.visit_id) for v in visits]
        assert [(c.status, c.covered_fen, c.beneficiary_pays_fen) for c in charges] == [
            ("posted", 5000, 0),
            ("posted", 3000, 2000),
        ]
        async with sessions() as s:
            assert (await s.scalars(select(AccountRow.used_fen))).one() == 8000
            rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
        published = [(dict(r.headers)["ce_type"], json.loads(r.payload)) for r in rows]
        types = [t.removeprefix("billing.").removesuffix(".v1") for t, _ in published]
        assert types == [
            "charge.held",
            "charge.held",
            "account.opened",
            "charge.posted",
            "charge.released",
            "charge.posted",
            "charge.released",
        ]
        posted = [p for t, p in published if t == "billing.charge.posted.v1"]
        assert sorted(p["visit_id"] for p in posted) == sorted(str(v.visit_id) for v in visits)
        released = [p for t, p in published if t == "billing.charge.released.v1"]
        assert [(p["reason"], p["covered_fen"]) for p in released] == [
            ("entitlement_arrived", 5000),
            ("entitlement_arrived", 3000),
        ]

    async def test_a_waiting_charge_is_held_if_the_beneficiary_was_suspended_that_day(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        visit = events.completed(
            enrolled.beneficiary_id, uuid4(), checked_in_at=datetime(2026, 3, 10, 1, tzinfo=UTC)
        )
        await deliver(visit)
        await deliver(
            events.status_changed(enrolled.beneficiary_id, "suspended", effective_on=date(2026, 3, 1))
        )
        await deliver(enrolled)
        assert (await charge_of(sessions, visit.visit_id)).reason == "beneficiary_suspended"


class TestProration:
    @pytest.fixture
    def deliver_by_days(self, sessions, settings):  # type: ignore[no-untyped-def]
        """Deliver with BILLING_ENTITLEMENT_PRORATION=by_days, as the consumer runner would."""
        by_days = settings.model_copy(update={"entitlement_proration": Proration.by_days})
        [sub] = SUBSCRIPTIONS

        async def run(event: IntegrationEvent) -> None:
            handler = sub.handler_for(event.event_type)
            assert handler is not None
            async with UnitOfWork(sessions, MESSAGING, source="billing", settings=by_days) as uow:
                await handler(event, uow)
                await uow.commit()

        return run

    async def accounts_of(self, sessions, beneficiary_id: UUID) -> dict[str, AccountRow]:  # type: ignore[no-untyped-def]
        async with sessions() as s:
            query = select(AccountRow).where(AccountRow.beneficiary_id == beneficiary_id)
            return {a.period: a for a in (await s.scalars(query)).all()}

    async def test_by_days_a_month_enrolled_part_way_opens_a_prorated_account_and_the_next_is_whole(  # type: ignore[no-untyped-def]
        self, sessions, deliver_by_days, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=31000, effective_on=date(2026, 3, 11))
        await deliver_by_days(enrolled)
        provider = uuid4()
        for day in (12, 13, 14, 15, 16):  # 5 x 5,000 = 25,000 against 21,000
            at = datetime(2026, 3, day, 1, tzinfo=UTC)
            await deliver_by_days(events.completed(enrolled.beneficiary_id, provider, checked_in_at=at))
        april_visit = events.completed(
            enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 4, 2, 1, tzinfo=UTC)
        )
        await deliver_by_days(april_visit)
        accounts = await self.accounts_of(sessions, enrolled.beneficiary_id)
        march, april = accounts["2026-03"], accounts["2026-04"]
        assert (march.entitlement_fen, march.used_fen, march.beneficiary_pays_fen) == (21000, 21000, 4000)
        # Unused or overspent, nothing carries over: April starts from the whole monthly amount.
        assert (april.entitlement_fen, april.used_fen) == (31000, 5000)

    async def test_by_default_a_part_month_is_prorated_by_days(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=31000, effective_on=date(2026, 3, 11))
        await deliver(enrolled)
        at = datetime(2026, 3, 12, 1, tzinfo=UTC)
        await deliver(events.completed(enrolled.beneficiary_id, uuid4(), checked_in_at=at))
        accounts = await self.accounts_of(sessions, enrolled.beneficiary_id)
        # Entitled from 11 March: 21 of March's 31 days.
        assert accounts["2026-03"].entitlement_fen == 21000
