"""The events billing publishes besides ChargePosted/ChargeReversed/SettlementIssued (issue #6):
account opened and closed, charge held, released and withheld, each through the outbox in the
transaction of the change and once per real change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from aiokafka.structs import ConsumerRecord
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.billing.adapters.models import AccountRow
from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.application.handlers import close_ended_months
from eldercare.billing.consumers import SUBSCRIPTIONS
from eldercare.billing.worker import sweep_once
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import REGISTRY, VisitFlagRaised
from eldercare.common.envelope import Envelope
from eldercare.common.testing.records import kafka_record
from eldercare.common.uow import UnitOfWork

Sessions = async_sessionmaker[AsyncSession]
APRIL_2 = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)


def short(event_type: str) -> str:
    return event_type.removeprefix("billing.").removesuffix(".v1")


async def sweep(sessions: Sessions, now: datetime, limit: int = 500) -> int:
    async with UnitOfWork(sessions, MESSAGING, source="billing") as uow:
        closed = await close_ended_months(uow, now=now, limit=limit)
        await uow.commit()
    return len(closed)


class TestAccountOpened:
    async def test_the_first_charge_of_a_month_opens_its_account_once(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        # Enrolled from 16 March: 16 of 31 days, 31,000 × 16 / 31 = 16,000 fen.
        enrolled = events.enrolled(monthly_amount_fen=31000, effective_on=date(2026, 3, 16))
        await deliver(enrolled)
        provider = uuid4()
        at = datetime(2026, 3, 20, 1, tzinfo=UTC)
        await deliver(events.completed(enrolled.beneficiary_id, provider, checked_in_at=at))
        await deliver(events.completed(enrolled.beneficiary_id, provider, checked_in_at=at))
        [(kind, opened)] = await published("billing.account.")
        assert short(kind) == "account.opened"
        assert (opened["beneficiary_id"], opened["district_code"], opened["period"]) == (
            str(enrolled.beneficiary_id),
            "430102",
            "2026-03",
        )
        assert (opened["entitlement_fen"], opened["entitlement_minutes"], opened["active_from"]) == (
            16000,
            None,
            "2026-03-16",
        )
        assert [short(t) for t, _ in await published("billing.charge.")] == ["charge.posted"] * 2


class TestAccountClosed:
    async def test_the_sweep_closes_the_months_that_are_over_once_with_what_lapsed(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=12000)
        await deliver(enrolled)
        provider = uuid4()
        await deliver(events.completed(enrolled.beneficiary_id, provider))  # March, 5,000
        await deliver(
            events.completed(
                enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 4, 1, 1, tzinfo=UTC)
            )
        )
        assert await sweep(sessions, APRIL_2) == 1  # April is not over
        assert await sweep(sessions, APRIL_2) == 0  # closed once
        [(_, closed)] = await published("billing.account.closed")
        assert (closed["period"], closed["reason"]) == ("2026-03", "month_ended")
        # Nothing rolls over (no seed provides it): what March left unused lapses.
        assert (closed["entitlement_fen"], closed["used_fen"], closed["lapsed_fen"]) == (12000, 5000, 7000)
        async with sessions() as s:
            rows = {
                r.period: (r.close_reason, r.closed_at) for r in (await s.scalars(select(AccountRow))).all()
            }
        assert rows["2026-03"][0] == "month_ended" and rows["2026-04"] == (None, None)
        # In May, April closes too.
        assert await sweep(sessions, datetime(2026, 5, 1, 1, tzinfo=UTC)) == 1

    async def test_the_workers_sweep_closes_in_batches_until_none_is_left(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        for _ in range(3):
            enrolled = events.enrolled()
            await deliver(enrolled)
            await deliver(events.completed(enrolled.beneficiary_id, uuid4()))

        class Runtime:
            def uow(self) -> UnitOfWork:
                return UnitOfWork(sessions, MESSAGING, source="billing")

        # The month is long over by now (March 2026 is before the clock of any test run).
        assert await sweep_once(Runtime(), batch=2) == 3  # type: ignore[arg-type]
        assert await sweep_once(Runtime(), batch=2) == 0  # type: ignore[arg-type]
        assert len(await published("billing.account.closed")) == 3

    async def test_a_termination_closes_the_month_at_once_and_a_redelivery_closes_nothing(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled(monthly_amount_fen=12000)
        await deliver(enrolled)
        await deliver(events.completed(enrolled.beneficiary_id, uuid4()))  # 10 March
        terminated = events.status_changed(
            enrolled.beneficiary_id,
            "terminated",
            reason="死亡",
            effective_on=date(2026, 3, 20),
            changed_at=datetime(2026, 3, 20, 2, tzinfo=UTC),
        )
        await deliver(terminated)
        await deliver(terminated.model_copy())  # the same change again
        assert await sweep(sessions, APRIL_2) == 0  # already closed
        [(_, closed)] = await published("billing.account.closed")
        assert (closed["period"], closed["reason"], closed["used_fen"], closed["lapsed_fen"]) == (
            "2026-03",
            "terminated",
            5000,
            7000,
        )

    async def test_an_account_opened_after_the_termination_closes_as_terminated_at_months_end(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        await deliver(
            events.status_changed(enrolled.beneficiary_id, "terminated", effective_on=date(2026, 3, 20))
        )
        await deliver(events.completed(enrolled.beneficiary_id, uuid4()))  # 10 March, still entitled
        assert [short(t) for t, _ in await published("billing.account.")] == ["account.opened"]
        assert await sweep(sessions, APRIL_2) == 1
        [(_, closed)] = await published("billing.account.closed")
        assert closed["reason"] == "terminated"


async def charge_events(published: Any) -> list[tuple[str, str | None, str | None]]:
    return [
        (short(t), d.get("reason"), d.get("ref_id"))
        for t, d in await published("billing.charge.")
        if t != "billing.charge.posted.v1"
    ]


class TestWithheldAndReleased:
    async def test_a_flag_withholds_a_posted_charge_once_and_the_last_clearance_releases_it(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        first = events.flag_raised(visit)
        second = events.flag_raised(visit, source="survey", raised_at=datetime(2026, 3, 21, 2, tzinfo=UTC))
        await deliver(first)
        await deliver(first.model_copy())  # redelivered under a new envelope
        await deliver(second)  # already withheld: nothing new
        await deliver(events.flag_resolved(first, "cleared"))  # the second still withholds
        assert await charge_events(published) == [("charge.withheld", "visit_flagged", str(first.flag_id))]
        [(_, withheld)] = await published("billing.charge.withheld")
        assert withheld["withheld_fen"] == 5000
        await deliver(events.flag_resolved(second, "cleared"))
        await deliver(events.flag_resolved(second, "cleared"))
        assert (await charge_events(published))[1:] == [("charge.released", "flag_cleared", None)]
        [(_, released)] = await published("billing.charge.released")
        assert released["covered_fen"] == 5000

    async def test_a_confirmed_flag_releases_nothing(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        raised = events.flag_raised(visit)
        await deliver(raised)
        await deliver(events.flag_resolved(raised, "confirmed"))
        assert await charge_events(published) == [("charge.withheld", "visit_flagged", str(raised.flag_id))]

    async def test_a_flag_that_came_before_the_completion_withholds_the_charge_as_it_posts(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        raised = events.flag_raised(visit)
        await deliver(raised)
        await deliver(visit)
        assert [short(t) for t, _ in await published()] == [
            "account.opened",
            "charge.posted",
            "charge.withheld",
        ]

    async def test_a_recovery_order_turns_a_flags_withholding_into_a_recovery_for_good(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        other_providers = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        await deliver(other_providers)
        raised = events.flag_raised(visit)
        await deliver(raised)
        # The order names a visit of another provider too: that one is not this order's.
        order = events.recovery_ordered(visit.provider_id, [visit.visit_id, other_providers.visit_id])
        await deliver(order)
        await deliver(order.model_copy())
        await deliver(events.flag_resolved(raised, "cleared"))  # the recovery still withholds
        assert await charge_events(published) == [
            ("charge.withheld", "visit_flagged", str(raised.flag_id)),
            ("charge.withheld", "recovery_ordered", str(order.recovery_id)),
        ]

    async def test_an_unpriced_visit_is_held_with_its_reason(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list(items=(("CS25", "hour", 6000),))
        enrolled = events.enrolled()
        await deliver(enrolled)
        await deliver(events.completed(enrolled.beneficiary_id, uuid4()))  # CS22: not on the list
        [(kind, held)] = await published()
        assert (short(kind), held["reason"]) == ("charge.held", "service_not_priced")

    async def test_a_flag_on_a_held_charge_publishes_nothing(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4(), verified=False)
        await deliver(visit)
        await deliver(events.flag_raised(visit))
        assert await charge_events(published) == [("charge.held", "unverified", None)]


class TestPriceListEnteredLater:
    async def test_an_unpriced_visit_is_priced_and_released_when_its_districts_list_is_entered(  # type: ignore[no-untyped-def]
        self, deliver, events, make_price_list, published
    ) -> None:
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())  # 10 March, no list yet
        await deliver(visit)
        await make_price_list(region_code="430103")  # another district's: nothing
        await make_price_list(effective_from=date(2026, 3, 11))  # from after the visit: nothing
        assert [(short(t), d["reason"]) for t, d in await published()] == [("charge.held", "no_price_list")]
        await make_price_list(region_code="4301", effective_from=date(2026, 3, 1))  # the city's, in force
        assert [short(t) for t, _ in await published()][1:] == [
            "account.opened",
            "charge.posted",
            "charge.released",
        ]
        [(_, released)] = await published("billing.charge.released")
        assert (released["visit_id"], released["reason"], released["covered_fen"]) == (
            str(visit.visit_id),
            "price_list_entered",
            5000,
        )

    async def test_a_new_list_does_not_reprice_a_posted_charge(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        await make_price_list(effective_from=date(2026, 3, 1), items=(("CS22", "visit", 9000),))
        [(_, posted)] = await published("billing.charge.posted")
        assert posted["amount_fen"] == 5000
        assert await published("billing.charge.released") == []


class TestThroughTheConsumer:
    async def test_a_redelivered_or_malformed_record_publishes_nothing_more(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list, published, settings
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        await deliver(visit)
        dead_letters: list[str] = []

        class Producer:  # the dead-letter topic's side of the broker
            async def send_and_wait(self, topic: str, *args: Any, **kwargs: Any) -> None:
                dead_letters.append(topic)

        runner = ConsumerRunner(settings, SUBSCRIPTIONS[0], sessions, MESSAGING, producer=Producer())  # type: ignore[arg-type]
        raised = REGISTRY.envelope(events.flag_raised(visit), source="audit")
        assert await runner.handle_record(consumer_record(raised, VisitFlagRaised.topic, 7)) == "handled"
        assert await runner.handle_record(consumer_record(raised, VisitFlagRaised.topic, 7)) == "duplicate"
        broken = consumer_record(raised, VisitFlagRaised.topic, 8, value=b'{"flag_id": "not a uuid"}')
        assert await runner.handle_record(broken) == "dead_lettered"
        assert len(dead_letters) == 1
        assert [short(t) for t, _ in await published("billing.charge.withheld")] == ["charge.withheld"]


def consumer_record(
    envelope: Envelope, topic: str, offset: int, value: bytes | None = None
) -> ConsumerRecord[bytes, bytes]:
    return kafka_record(envelope, offset=offset, topic=topic, value=value)
