"""Sanctions audit imposes on a provider (changsha-2024-purchased-door-to-door-rules.md 第十八条):
recorded once, and the provider's later verified visits held as ``provider_sanctioned``."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.billing.adapters.models import AccountRow, ProviderSanctionRow, SettlementRow
from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.consumers import SUBSCRIPTIONS, on_sanction_imposed
from eldercare.billing.settings import BillingSettings
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import REGISTRY, SanctionImposed
from eldercare.common.envelope import Envelope
from eldercare.common.testing.records import kafka_record

from ..conftest import charge_of

Sessions = async_sessionmaker[AsyncSession]
AFTER_SANCTION = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
BEFORE_SANCTION = datetime(2026, 3, 4, 1, 0, tzinfo=UTC)


def record(envelope: Envelope, offset: int) -> ConsumerRecord[bytes, bytes]:
    return kafka_record(envelope, offset=offset)


async def sanctions_of(sessions: Sessions, provider_id: UUID) -> list[ProviderSanctionRow]:
    async with sessions() as s:
        query = select(ProviderSanctionRow).where(ProviderSanctionRow.provider_id == provider_id)
        return list((await s.scalars(query)).all())


async def money_rows(sessions: Sessions) -> list[int]:
    """Accounts, settlements, and events other than the ChargeWithheld that says why."""
    async with sessions() as s:
        counts = [
            int(await s.scalar(select(func.count()).select_from(t)) or 0)
            for t in (AccountRow.__table__, SettlementRow.__table__)
        ]
        rows = (await s.execute(select(MESSAGING.outbox))).all()
    return [*counts, sum(1 for r in rows if dict(r.headers)["ce_type"] != "billing.charge.withheld.v1")]


class TestRecordingASanction:
    def test_billing_subscribes_to_audits_sanctions(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.handler_for(SanctionImposed.event_type) is on_sanction_imposed

    async def test_the_sanction_is_recorded_with_its_measures_findings_and_basis(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events
    ) -> None:
        provider = uuid4()
        event = events.sanction_imposed(provider, measures=["end_contract", "recover_funds"])
        await deliver(event)
        [row] = await sanctions_of(sessions, provider)
        assert (row.sanction_id, row.notice_id, row.district_code) == (
            event.sanction_id,
            event.notice_id,
            "430102",
        )
        assert row.measures == ["end_contract", "recover_funds"]
        assert row.finding_ids == [str(f) for f in event.finding_ids]
        assert row.basis == ["changsha-2024-purchased-door-to-door-rules.md 第十八条"]
        assert row.imposed_at == event.imposed_at

    async def test_the_same_sanction_delivered_twice_is_recorded_once(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events
    ) -> None:
        provider = uuid4()
        event = events.sanction_imposed(provider)
        await deliver(event)
        await deliver(event)
        assert len(await sanctions_of(sessions, provider)) == 1

    async def test_a_redelivered_record_through_the_runner_is_a_duplicate_and_records_nothing_more(  # type: ignore[no-untyped-def]
        self, sessions, events, settings: BillingSettings
    ) -> None:
        runner = ConsumerRunner(settings, SUBSCRIPTIONS[0], sessions, MESSAGING, producer=None)  # type: ignore[arg-type]
        provider = uuid4()
        envelope = REGISTRY.envelope(events.sanction_imposed(provider), source="audit")
        assert await runner.handle_record(record(envelope, offset=3)) == "handled"
        assert await runner.handle_record(record(envelope, offset=3)) == "duplicate"
        # The same sanction republished under a new envelope (audit's outbox retried) changes nothing.
        again = REGISTRY.envelope(
            events.sanction_imposed(provider, sanction_id=envelope.data["sanction_id"]), source="audit"
        )
        assert await runner.handle_record(record(again, offset=4)) == "handled"
        assert len(await sanctions_of(sessions, provider)) == 1

    async def test_two_sanctions_on_one_provider_are_both_recorded(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events
    ) -> None:
        provider = uuid4()
        await deliver(events.sanction_imposed(provider))
        await deliver(events.sanction_imposed(provider, measures=["recover_funds"]))
        assert len(await sanctions_of(sessions, provider)) == 2


class TestHeldWhileSanctioned:
    async def test_a_verified_visit_after_the_contract_was_ended_is_held_with_no_money_effect(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list, published
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        provider = uuid4()
        sanction = events.sanction_imposed(provider)
        await deliver(sanction)
        visit = events.completed(enrolled.beneficiary_id, provider, checked_in_at=AFTER_SANCTION)
        await deliver(visit)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason, charge.amount_fen) == ("held", "provider_sanctioned", None)
        assert await money_rows(sessions) == [0, 0, 0]
        # One ChargeWithheld names the sanction; nothing was priced, so nothing is counted as kept.
        [(kind, data)] = await published()
        assert kind == "billing.charge.withheld.v1"
        assert (data["reason"], data["ref_id"], data["withheld_fen"]) == (
            "provider_sanctioned",
            str(sanction.sanction_id),
            0,
        )

    async def test_a_visit_done_before_the_sanction_is_still_posted(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        provider = uuid4()
        await deliver(events.sanction_imposed(provider))
        visit = events.completed(enrolled.beneficiary_id, provider, checked_in_at=BEFORE_SANCTION)
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).status == "posted"

    async def test_a_sanction_that_only_recovers_funds_does_not_hold_later_visits(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        provider = uuid4()
        await deliver(events.sanction_imposed(provider, measures=["recover_funds"]))
        visit = events.completed(enrolled.beneficiary_id, provider, checked_in_at=AFTER_SANCTION)
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).status == "posted"

    async def test_another_providers_and_another_districts_visits_are_not_held(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        provider = uuid4()
        await deliver(events.sanction_imposed(provider, district_code="430103"))
        visit = events.completed(enrolled.beneficiary_id, provider, checked_in_at=AFTER_SANCTION)
        other = events.completed(enrolled.beneficiary_id, uuid4(), checked_in_at=AFTER_SANCTION)
        await deliver(visit)
        await deliver(other)
        assert (await charge_of(sessions, visit.visit_id)).status == "posted"
        assert (await charge_of(sessions, other.visit_id)).status == "posted"

    async def test_an_unverified_visit_of_a_sanctioned_provider_keeps_its_unverified_reason(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        provider = uuid4()
        await deliver(events.sanction_imposed(provider))
        visit = events.completed(
            enrolled.beneficiary_id, provider, checked_in_at=AFTER_SANCTION, verified=False
        )
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).reason == "unverified"

    async def test_a_visit_before_its_enrolment_is_held_at_once_when_the_provider_is_sanctioned(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        provider = uuid4()
        await deliver(events.sanction_imposed(provider))
        enrolled = events.enrolled()
        visit = events.completed(enrolled.beneficiary_id, provider, checked_in_at=AFTER_SANCTION)
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).reason == "provider_sanctioned"
        await deliver(enrolled)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason) == ("held", "provider_sanctioned")
        assert await money_rows(sessions) == [0, 0, 0]

    async def test_a_waiting_visit_decided_at_enrolment_is_held_when_the_sanction_came_in_between(  # type: ignore[no-untyped-def]
        self, sessions, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        provider = uuid4()
        enrolled = events.enrolled()
        visit = events.completed(enrolled.beneficiary_id, provider, checked_in_at=AFTER_SANCTION)
        await deliver(visit)
        assert (await charge_of(sessions, visit.visit_id)).status == "awaiting_entitlement"
        await deliver(events.sanction_imposed(provider))
        await deliver(enrolled)
        charge = await charge_of(sessions, visit.visit_id)
        assert (charge.status, charge.reason) == ("held", "provider_sanctioned")
