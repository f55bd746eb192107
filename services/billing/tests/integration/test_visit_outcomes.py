"""Visits dispatch cancels, voids or reviews after completion; entitlement changes from a month on."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.billing.adapters.models import AccountRow, SettlementRow

from ..conftest import charge_of, outbox_rows

Sessions = async_sessionmaker[AsyncSession]


async def kinds(sessions: Sessions) -> list[tuple[str, str | None]]:
    """The events published, as (type without prefix and version, reason)."""
    return [
        (e["type"].removeprefix("billing.").removesuffix(".v1"), e["data"].get("reason"))
        for e in await outbox_rows(sessions)
    ]


class TestCancellation:
    async def test_a_posted_charge_of_a_voided_visit_is_reversed_and_its_money_given_back(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=8000)
        await deliver(enrolled)
        provider = uuid4()
        first = events.completed(enrolled.beneficiary_id, provider)
        second = events.completed(
            enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 3, 11, 1, tzinfo=UTC)
        )
        await deliver(first)
        await deliver(second)
        await deliver(events.cancelled(first, "voided", reason="照片造假"))

        charge = await charge_of(sessions, first.visit_id)
        assert (charge.status, charge.reason, charge.outcome_note) == ("reversed", "visit_voided", "照片造假")
        assert (charge.amount_fen, charge.covered_fen) == (5000, 5000)  # what was reversed stays visible
        async with sessions() as s:
            account = (await s.scalars(select(AccountRow))).one()
            settlement = (await s.scalars(select(SettlementRow))).one()
        # The second visit was split 3000 covered / 2000 self-pay; it is not re-split.
        assert (account.used_fen, account.beneficiary_pays_fen, account.charge_count) == (3000, 2000, 1)
        assert (settlement.total_fen, settlement.gross_fen, settlement.charge_count) == (3000, 5000, 1)
        reversed_ = [e for e in await outbox_rows(sessions) if "reversed_fen" in e["data"]]
        assert [
            (e["topic"], e["key"], e["data"]["reversed_fen"], e["data"]["reason"]) for e in reversed_
        ] == [("billing.charge", str(charge.id), 5000, "visit_voided")]

    async def test_a_redelivered_cancellation_reverses_once(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        cancelled = events.cancelled(visit)
        await deliver(cancelled)
        await deliver(cancelled)
        await deliver(events.cancelled(visit, "voided", reason="again"))
        assert len([e for e in await outbox_rows(sessions) if "reversed_fen" in e["data"]]) == 1

    async def test_a_cancellation_before_the_completion_keeps_the_visit_unbilled(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(events.cancelled(visit, "missed", reason="未到岗"))
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason, charge.amount_fen) == ("held", "visit_missed", None)
        assert await kinds(sessions) == [("charge.held", "visit_missed")]


class TestVerificationReview:
    async def test_an_accepted_review_charges_a_held_visit_now(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4(), verified=False, verification_notes=["far"])
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).status == "held"
        await deliver(events.verification_resolved(visit, "accepted"))
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.verified, charge.covered_fen) == ("posted", True, 5000)
        assert await kinds(sessions) == [
            ("charge.held", "unverified"),
            ("account.opened", None),
            ("charge.posted", None),
            ("charge.released", "verification_accepted"),
        ]
        posted, released = (await outbox_rows(sessions))[2:]
        assert posted["data"]["visit_id"] == released["data"]["visit_id"] == str(visit.visit_id)
        assert released["data"]["covered_fen"] == 5000
        # A redelivered review charges nothing more.
        await deliver(events.verification_resolved(visit, "accepted"))
        assert len(await outbox_rows(sessions)) == 4

    async def test_an_accepted_review_before_the_enrolment_waits_for_it(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        visit = events.completed(enrolled.beneficiary_id, uuid4(), verified=False)
        await deliver(visit)
        await deliver(events.verification_resolved(visit, "accepted"))
        assert (await charge_of(sessions, visit.visit_id)).status == "awaiting_entitlement"
        await deliver(enrolled)
        assert (await charge_of(sessions, visit.visit_id)).status == "posted"

    async def test_rejected_then_voided_leaves_the_visit_unbilled(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4(), verified=False)
        await deliver(visit)
        await deliver(events.verification_resolved(visit, "rejected"))
        await deliver(events.cancelled(visit, "voided"))
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason, charge.amount_fen) == ("held", "verification_rejected", None)
        # Held twice (a real change of reason); the void after the rejection changes nothing.
        assert await kinds(sessions) == [
            ("charge.held", "unverified"),
            ("charge.held", "verification_rejected"),
        ]

    async def test_voided_then_rejected_leaves_the_visit_unbilled(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4(), verified=False)
        await deliver(visit)
        await deliver(events.cancelled(visit, "voided"))
        await deliver(events.verification_resolved(visit, "rejected"))
        await deliver(events.verification_resolved(visit, "accepted"))  # a stray accept changes nothing
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason) == ("held", "visit_voided")
        assert await kinds(sessions) == [("charge.held", "unverified"), ("charge.held", "visit_voided")]


class TestEntitlementChange:
    async def test_the_months_from_the_change_use_the_new_amount_and_earlier_ones_are_untouched(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=4000)
        await deliver(enrolled)
        provider = uuid4()
        march = events.completed(enrolled.beneficiary_id, provider)
        await deliver(march)
        change = events.entitlement_changed(enrolled, 9000, effective_on=date(2026, 4, 1))
        await deliver(change)
        await deliver(change)  # redelivered: kept once
        april = events.completed(
            enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 4, 7, 1, tzinfo=UTC)
        )
        await deliver(april)
        async with sessions() as s:
            accounts = {
                a.period: (a.entitlement_fen, a.used_fen)
                for a in (await s.scalars(select(AccountRow).order_by(AccountRow.period))).all()
            }
        assert accounts == {"2026-03": (4000, 4000), "2026-04": (9000, 5000)}

    async def test_a_change_for_an_opened_month_raises_its_account(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=4000)
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        await deliver(events.entitlement_changed(enrolled, 9000, effective_on=date(2026, 3, 1)))
        async with sessions() as s:
            account = (await s.scalars(select(AccountRow))).one()
        assert (account.entitlement_fen, account.used_fen) == (9000, 4000)
        lower = events.entitlement_changed(
            enrolled, 1000, effective_on=date(2026, 3, 1), changed_at=datetime(2026, 3, 26, 2, tzinfo=UTC)
        )
        await deliver(lower)
        async with sessions() as s:
            account = (await s.scalars(select(AccountRow))).one()
        # Lowered below what is already used: never below it (charges are not re-split).
        assert (account.entitlement_fen, account.used_fen) == (4000, 4000)


class TestReviewBeforeCompletion:
    async def test_an_accepted_review_that_overtook_the_completion_makes_it_billable(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        visit = events.completed(enrolled.beneficiary_id, uuid4(), verified=False)
        await deliver(events.verification_resolved(visit, "accepted"))
        await deliver(visit)  # before the enrolment too: it waits for it, as a verified visit does
        assert (await charge_of(sessions, visit.visit_id)).status == "awaiting_entitlement"
        await deliver(enrolled)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.verified) == ("posted", True)
