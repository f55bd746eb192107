"""Visits that are not charged: unverified, not entitled that day, unpriced, or not yet known."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.billing.adapters.models import AccountRow, SettlementRow
from eldercare.billing.adapters.orm import MESSAGING

from ..conftest import charge_of

Sessions = async_sessionmaker[AsyncSession]


async def nothing_owed(sessions: Sessions) -> bool:
    """No account, no settlement, and one event, ChargeHeld: the charge had no money effect."""
    async with sessions() as s:
        counts = [
            await s.scalar(select(func.count()).select_from(table))
            for table in (AccountRow.__table__, SettlementRow.__table__)
        ]
        rows = (await s.execute(select(MESSAGING.outbox))).all()
    return counts == [0, 0] and [dict(r.headers)["ce_type"] for r in rows] == ["billing.charge.held.v1"]


class TestHeldCharges:
    async def test_an_unverified_visit_is_held_with_its_notes_and_no_amount(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(
            enrolled.beneficiary_id, uuid4(), verified=False, verification_notes=["check-in 900 m from home"]
        )
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason, charge.notes) == (
            "held",
            "unverified",
            ["check-in 900 m from home"],
        )
        assert (charge.amount_fen, charge.covered_fen, charge.beneficiary_pays_fen) == (None, None, None)
        assert await nothing_owed(sessions)

    async def test_a_visit_while_suspended_is_held(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        await deliver(
            events.status_changed(enrolled.beneficiary_id, "suspended", effective_on=date(2026, 3, 1))
        )
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason) == ("held", "beneficiary_suspended")
        assert await nothing_owed(sessions)

    async def test_a_visit_after_termination_is_held(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        await deliver(
            events.status_changed(enrolled.beneficiary_id, "terminated", effective_on=date(2026, 2, 1))
        )
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).reason == "beneficiary_terminated"

    async def test_a_suspension_from_a_later_day_does_not_hold_an_earlier_visit(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        await deliver(
            events.status_changed(enrolled.beneficiary_id, "suspended", effective_on=date(2026, 3, 11))
        )
        visit = events.completed(enrolled.beneficiary_id, uuid4())  # 2026-03-10
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).status == "posted"

    async def test_a_resumed_beneficiary_is_charged_again(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        await deliver(
            events.status_changed(enrolled.beneficiary_id, "suspended", effective_on=date(2026, 2, 1))
        )
        await deliver(events.status_changed(enrolled.beneficiary_id, "active", effective_on=date(2026, 3, 1)))
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).status == "posted"

    async def test_a_visit_before_the_entitlement_takes_effect_is_held(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(effective_on=date(2026, 4, 1))
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())  # 2026-03-10
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).reason == "not_yet_entitled"


class TestUnpricedCharges:
    async def test_a_district_without_a_price_list_leaves_the_charge_unpriced(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list(region_code="430103")
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason, charge.amount_fen) == ("unpriced", "no_price_list", None)
        assert await nothing_owed(sessions)

    async def test_a_list_effective_after_the_visit_does_not_price_it(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list(effective_from=date(2026, 3, 11))
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).reason == "no_price_list"

    async def test_a_service_missing_from_the_applicable_list_is_unpriced(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list(effective_from=date(2026, 1, 1), items=(("CS31", "hour", 6000),))
        await make_price_list(effective_from=date(2026, 3, 1), items=(("CS25", "hour", 6000),))
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4(), service_code="CS31")
        await deliver(visit)
        # The newest list in force replaces the older one; it does not price CS31 any more.
        assert (await charge_of(sessions, visit.visit_id)).reason == "service_not_priced"
        assert await nothing_owed(sessions)


class TestPriceListPrecedence:
    async def test_the_latest_list_in_force_prices_the_visit(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list(effective_from=date(2025, 1, 1), items=(("CS22", "visit", 4000),))
        newest = await make_price_list(effective_from=date(2026, 3, 1), items=(("CS22", "visit", 4500),))
        await make_price_list(effective_from=date(2026, 4, 1), items=(("CS22", "visit", 9900),))
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.price_list_id, charge.amount_fen) == (newest, 4500)

    async def test_a_city_list_applies_in_its_districts(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        city = await make_price_list(region_code="4301", items=(("CS22", "visit", 4200),))
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).price_list_id == city

    async def test_on_the_same_date_the_district_list_wins_over_the_city_list(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        district = await make_price_list(region_code="430102", items=(("CS22", "visit", 5000),))
        await make_price_list(region_code="4301", items=(("CS22", "visit", 4200),))
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).price_list_id == district
