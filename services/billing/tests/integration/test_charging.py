"""The VisitCompleted consumer against the real database: pricing, the split, holds and outbox rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.billing.adapters.models import AccountRow, ChargeRow, SettlementRow
from eldercare.billing.consumers import SUBSCRIPTIONS, on_visit_completed
from eldercare.common.contracts import VisitCompleted

from ..conftest import charge_of, outbox_rows

Sessions = async_sessionmaker[AsyncSession]


async def count(sessions: Sessions, model: type[Any]) -> int:
    async with sessions() as s:
        return int((await s.scalar(select(func.count()).select_from(model))) or 0)


class TestSubscription:
    def test_billing_consumes_beneficiary_visit_and_audit_topics_in_its_own_group(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.name == "billing"
        assert sub.topics == [
            "audit.recovery",
            "audit.sanction",
            "audit.spot_check",
            "audit.visit_flag",
            "dispatch.visit",
            "intake.beneficiary",
        ]
        assert sub.handler_for(VisitCompleted.event_type) is on_visit_completed


class TestPostingAVerifiedVisit:
    async def test_a_per_visit_price_is_charged_to_the_months_account_and_settlement(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        price_list_id = await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=20000)
        await deliver(enrolled)
        provider = uuid4()
        visit = events.completed(enrolled.beneficiary_id, provider)
        await deliver(visit)

        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason, charge.unit, charge.unit_price_fen) == (
            "posted",
            None,
            "visit",
            5000,
        )
        assert (charge.amount_fen, charge.covered_fen, charge.beneficiary_pays_fen) == (5000, 5000, 0)
        assert (charge.price_list_id, charge.period, charge.visit_on) == (
            price_list_id,
            "2026-03",
            date(2026, 3, 10),
        )
        async with sessions() as s:
            account = (await s.scalars(select(AccountRow))).one()
            settlement = (await s.scalars(select(SettlementRow))).one()
        assert (account.period, account.entitlement_fen, account.used_fen) == ("2026-03", 20000, 5000)
        assert (settlement.provider_id, settlement.status, settlement.total_fen) == (provider, "open", 5000)
        assert (settlement.district_code, settlement.charge_count) == ("430102", 1)

    async def test_a_charge_posted_event_is_written_to_the_outbox(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)

        charge = await charge_of(sessions, visit.visit_id)
        # The month's account opens with its first charge (AccountOpened), then the charge posts.
        opened, row = await outbox_rows(sessions)
        assert (opened["topic"], opened["data"]["period"]) == ("billing.account", "2026-03")
        assert (row["topic"], row["key"]) == ("billing.charge", str(charge.id))
        data = row["data"]
        assert data["visit_id"] == str(visit.visit_id)
        assert (data["amount_fen"], data["covered_fen"], data["beneficiary_pays_fen"]) == (5000, 5000, 0)
        assert (data["period"], data["district_code"]) == ("2026-03", "430102")

    async def test_an_hourly_price_is_pro_rata_and_rounded_half_up_to_the_fen(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list(items=(("CS25", "hour", 6001),))
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4(), service_code="CS25", duration_minutes=90)
        await deliver(visit)
        # 6001 × 90 / 60 = 9001.5 → 9002
        assert (await charge_of(sessions, visit.visit_id)).amount_fen == 9002

    async def test_beyond_the_entitlement_the_beneficiary_pays_the_rest(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=12000)
        await deliver(enrolled)
        provider = uuid4()
        visits = [events.completed(enrolled.beneficiary_id, provider) for _ in range(3)]
        for visit in visits:
            await deliver(visit)

        splits = []
        for visit in visits:
            c = await charge_of(sessions, visit.visit_id)
            assert c.covered_fen + c.beneficiary_pays_fen == c.amount_fen
            splits.append((c.covered_fen, c.beneficiary_pays_fen))
        assert splits == [(5000, 0), (5000, 0), (2000, 3000)]
        async with sessions() as s:
            account = (await s.scalars(select(AccountRow))).one()
            settlement = (await s.scalars(select(SettlementRow))).one()
        assert (account.used_fen, account.beneficiary_pays_fen, account.charge_count) == (12000, 3000, 3)
        assert (settlement.total_fen, settlement.gross_fen, settlement.charge_count) == (12000, 15000, 3)

    async def test_each_month_opens_its_own_account(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        # 2026-03-31 16:30 UTC is already 1 April in Asia/Shanghai.
        late = events.completed(
            enrolled.beneficiary_id, uuid4(), checked_in_at=datetime(2026, 3, 31, 16, 30, tzinfo=UTC)
        )
        await deliver(events.completed(enrolled.beneficiary_id, late.provider_id))
        await deliver(late)
        async with sessions() as s:
            periods = (await s.scalars(select(AccountRow.period).order_by(AccountRow.period))).all()
        assert periods == ["2026-03", "2026-04"]
        assert (await charge_of(sessions, late.visit_id)).visit_on == date(2026, 4, 1)


class TestOneChargePerVisit:
    async def test_a_redelivered_visit_completed_charges_once(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        await deliver(visit)
        assert await count(sessions, ChargeRow) == 1
        assert [r["topic"] for r in await outbox_rows(sessions)] == ["billing.account", "billing.charge"]
        async with sessions() as s:
            assert (await s.scalars(select(AccountRow.used_fen))).one() == 5000

    async def test_a_second_completion_of_the_same_visit_changes_nothing(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        first = events.completed(enrolled.beneficiary_id, uuid4(), verified=False, verification_notes=["far"])
        await deliver(first)
        await deliver(first.model_copy(update={"verified": True, "verification_notes": []}))
        charge = await charge_of(sessions, first.visit_id)
        assert (charge.status, charge.reason) == ("held", "unverified")
        assert await count(sessions, AccountRow) == 0
        # One ChargeHeld, for the first completion only.
        assert [r["data"]["reason"] for r in await outbox_rows(sessions)] == ["unverified"]
