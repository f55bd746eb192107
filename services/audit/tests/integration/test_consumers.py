"""The audit consumer's handlers against the real database, one unit of work per delivery."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from eldercare.audit import consumers
from eldercare.audit.adapters.models import AuditChainHeadRow, AuditEntryRow, FollowUpRow, SpotCheckRow
from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.consumers import SUBSCRIPTIONS, on_beneficiary_enrolled, on_event, on_visit_completed
from eldercare.audit.domain.trail import GENESIS_HASH, OCCURRED_AT_FIELDS, EntryContent, HashAlgorithm
from eldercare.common.contracts import (
    REGISTRY,
    BeneficiaryContactShared,
    BeneficiaryEnrolled,
    ChargePosted,
    FollowUpOpened,
    VisitCompleted,
    VisitScheduled,
)
from eldercare.common.uow import UnitOfWork

# Every registered type but those meant for named services without audit (their ``audience``).
TRAILED = [spec for spec in REGISTRY if spec.model.audience is None]


async def entries(sessions) -> list[AuditEntryRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(AuditEntryRow).order_by(AuditEntryRow.id))).all())


async def count(sessions, model) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def outbox(sessions) -> list[Any]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.execute(select(MESSAGING.outbox))).all())


class TestSubscription:
    def test_one_audit_subscription_handles_every_registered_event_type(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.name == "audit"
        assert {m.event_type for m in sub.handlers} == {spec.type for spec in TRAILED}
        assert sub.topics == sorted({spec.topic for spec in TRAILED})

    def test_the_contact_intake_shares_with_dispatch_alone_never_reaches_audit(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.handler_for(BeneficiaryContactShared.event_type) is None
        assert BeneficiaryContactShared.topic not in sub.topics

    def test_enrolments_and_completed_visits_have_their_own_handlers(self) -> None:
        [sub] = SUBSCRIPTIONS
        assert sub.handler_for(BeneficiaryEnrolled.event_type) is on_beneficiary_enrolled
        assert sub.handler_for(VisitCompleted.event_type) is on_visit_completed
        assert sub.handler_for(ChargePosted.event_type) is on_event


class TestAuditTrail:
    @pytest.mark.parametrize("spec", TRAILED, ids=lambda s: s.type)
    async def test_every_event_type_becomes_one_entry(self, spec, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        event = make_event(spec.model)
        event_id = await deliver(event)
        [row] = await entries(sessions)
        assert (row.seq, row.event_id, row.event_type) == (1, event_id, spec.type)
        # The trail's own daily head belongs to no district.
        district = "430102" if "district_code" in spec.model.model_fields else ""
        assert (row.subject, row.district_code) == (event.subject(), district)
        assert row.prev_hash == GENESIS_HASH
        if spec.model is VisitScheduled:
            assert row.occurred_at == row.recorded_at  # no instant of its own: when it was recorded
        else:
            assert row.occurred_at == getattr(event, OCCURRED_AT_FIELDS[spec.type])

    async def test_entries_form_a_gapless_chain_and_move_the_head(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        for model in (BeneficiaryEnrolled, VisitCompleted, ChargePosted):
            await deliver(make_event(model))
        rows = await entries(sessions)
        assert [(r.chain, r.seq) for r in rows] == [("430102", 1), ("430102", 2), ("430102", 3)]
        assert [r.prev_hash for r in rows] == [GENESIS_HASH, rows[0].hash, rows[1].hash]
        async with sessions() as s:
            head = await s.get(AuditChainHeadRow, "430102")
        assert head is not None and (head.last_seq, head.last_hash) == (3, rows[2].hash)

    async def test_the_stored_hash_recomputes_from_the_stored_row(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_event(VisitCompleted))  # carries floats, lists and instants
        [row] = await entries(sessions)
        content = EntryContent(
            chain=row.chain,
            seq=row.seq,
            event_id=row.event_id,
            event_type=row.event_type,
            subject=row.subject,
            district_code=row.district_code,
            data=row.summary,
            prev_hash=row.prev_hash,
            hash_alg=HashAlgorithm(row.hash_alg),
        )
        assert content.hash() == row.hash

    async def test_a_redelivered_event_adds_nothing(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        event = make_event(ChargePosted)
        event_id = await deliver(event)
        await deliver(event, event_id=event_id)
        assert [r.event_id for r in await entries(sessions)] == [event_id]

    async def test_without_an_envelope_id_the_same_event_still_maps_to_one_entry(
        self, sessions, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        event = make_event(ChargePosted)
        for _ in range(2):
            async with UnitOfWork(sessions, MESSAGING, source="test") as uow:
                await on_event(event, uow)
                await uow.commit()
        assert await count(sessions, AuditEntryRow) == 1

    async def test_the_home_point_is_not_kept_in_the_summary(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        event = make_event(BeneficiaryEnrolled)
        await deliver(event)
        [row] = await entries(sessions)
        assert "home_point" not in row.summary
        assert row.summary["beneficiary_id"] == str(event.beneficiary_id)
        assert row.summary["masked_id_number"] == "430***********1234"

    async def test_recording_an_event_publishes_nothing(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_event(ChargePosted))
        assert await outbox(sessions) == []


class TestEnrolmentFollowUp:
    async def test_an_enrolment_opens_one_follow_up_due_at_the_end_of_the_month(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        event = make_event(BeneficiaryEnrolled)
        await deliver(event)
        async with sessions() as s:
            [row] = (await s.scalars(select(FollowUpRow))).all()
        assert (row.beneficiary_id, row.district_code) == (event.beneficiary_id, "430102")
        assert (row.reason, row.status, row.attempts) == ("enrolment", "open", 0)
        assert row.due_on == date(2026, 11, 30)  # enrolled 2026-11-20 (Asia/Shanghai)

    async def test_opening_it_publishes_follow_up_opened(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        event = make_event(BeneficiaryEnrolled)
        await deliver(event)
        async with sessions() as s:
            follow_up = (await s.scalars(select(FollowUpRow))).one()
        [row] = await outbox(sessions)
        assert (row.topic, row.key) == (FollowUpOpened.topic, str(follow_up.id))
        payload = json.loads(row.payload)
        assert payload["beneficiary_id"] == str(event.beneficiary_id)
        assert (payload["reason"], payload["due_on"]) == ("enrolment", "2026-11-30")
        FollowUpOpened.model_validate(payload)

    async def test_the_enrolment_is_also_recorded_in_the_trail(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_event(BeneficiaryEnrolled))
        assert [r.event_type for r in await entries(sessions)] == [BeneficiaryEnrolled.event_type]

    async def test_a_redelivered_enrolment_opens_nothing_more(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        event = make_event(BeneficiaryEnrolled)
        event_id = await deliver(event)
        await deliver(event, event_id=event_id)
        assert await count(sessions, FollowUpRow) == 1
        assert len(await outbox(sessions)) == 1

    async def test_a_republished_enrolment_under_a_new_event_id_opens_nothing_more(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        event = make_event(BeneficiaryEnrolled)
        await deliver(event)
        await deliver(event)  # a new envelope id: the inbox cannot tell, the trigger key can
        assert await count(sessions, FollowUpRow) == 1
        assert len(await outbox(sessions)) == 1
        assert await count(sessions, AuditEntryRow) == 2  # both deliveries happened; both are recorded

    async def test_a_later_enrolment_of_the_same_beneficiary_opens_another(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        first = make_event(BeneficiaryEnrolled)
        await deliver(first)
        await deliver(
            make_event(
                BeneficiaryEnrolled, beneficiary_id=first.beneficiary_id, effective_on=date(2027, 3, 1)
            )
        )
        assert await count(sessions, FollowUpRow) == 2

    async def test_the_enrolment_day_is_the_day_in_china(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        # 2026-11-30 17:00 UTC is 2026-12-01 01:00 in Asia/Shanghai: a December enrolment.
        await deliver(make_event(BeneficiaryEnrolled, enrolled_at=datetime(2026, 11, 30, 17, 0, tzinfo=UTC)))
        async with sessions() as s:
            assert (await s.scalars(select(FollowUpRow.due_on))).one() == date(2026, 12, 31)

    async def test_the_due_days_setting_overrides_the_month_end(
        self, sessions, deliver, make_event, monkeypatch
    ) -> None:  # type: ignore[no-untyped-def]
        monkeypatch.setenv("AUDIT_FOLLOW_UP_DUE_DAYS", "15")
        consumers._settings.cache_clear()
        try:
            await deliver(make_event(BeneficiaryEnrolled))
        finally:
            consumers._settings.cache_clear()
        async with sessions() as s:
            assert (await s.scalars(select(FollowUpRow.due_on))).one() == date(2026, 12, 5)


class TestSpotChecks:
    async def test_an_unverified_visit_opens_a_spot_check(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        event = make_event(VisitCompleted, verified=False, verification_notes=["check-in 850 m from home"])
        await deliver(event)
        async with sessions() as s:
            [row] = (await s.scalars(select(SpotCheckRow))).all()
        assert (row.visit_id, row.provider_id, row.caregiver_id) == (
            event.visit_id,
            event.provider_id,
            event.caregiver_id,
        )
        assert (row.reason, row.status, row.district_code) == ("unverified_visit", "open", "430102")
        assert row.findings == ["check-in 850 m from home"]
        assert await count(sessions, AuditEntryRow) == 1

    async def test_a_verified_visit_opens_none(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_event(VisitCompleted, verified=True))
        assert await count(sessions, SpotCheckRow) == 0
        assert await count(sessions, AuditEntryRow) == 1

    async def test_the_same_unverified_visit_twice_opens_one_check(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        event = make_event(VisitCompleted, verified=False)
        await deliver(event)
        await deliver(event)
        assert await count(sessions, SpotCheckRow) == 1
