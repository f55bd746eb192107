"""Issue #5: every path that ends a care plan publishes CarePlanEnded exactly once, in the
transaction that ends it (the route by the provider or the district, the worker's sweep when the
agreement ran out, an intake termination); a termination effective on a later day leaves the plan
in force until the worker's sweep ends it on that local day, unless a newer change reverses it."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import update

from eldercare.common.clock import DISPLAY_ZONE, local_date, utcnow
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import REGISTRY, BeneficiaryStatusChanged
from eldercare.common.testing.records import kafka_record
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.models import BeneficiaryRow, CarePlanRow
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.application.plan_ends import end_due_plans
from eldercare.dispatch.consumers import SUBSCRIPTIONS
from eldercare.dispatch.worker import sweep_missed

from .test_check_ins_and_outs import problem
from .test_worker_sweep import FakeRuntime, FakeWorker

ENDED = "dispatch.care_plan.ended.v1"


async def ended_events(outbox, plan_id: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [d for t, d in await outbox() if t == ENDED and d["care_plan_id"] == plan_id]


async def sweep(sessions, now: datetime) -> list:  # type: ignore[no-untyped-def,type-arg]
    async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
        ended = await end_due_plans(uow, now=now)
        await uow.commit()
    return ended


def local_instant(day: date, at: time = time(0, 5)) -> datetime:
    """An instant on a local (Asia/Shanghai) day, as the worker's clock would read it."""
    return datetime.combine(day, at, tzinfo=DISPLAY_ZONE).astimezone(UTC)


def status_changed(
    beneficiary_id, status: str, effective_on: date, changed_at: datetime
) -> BeneficiaryStatusChanged:  # type: ignore[no-untyped-def]
    return BeneficiaryStatusChanged(
        beneficiary_id=beneficiary_id,
        district_code="430102",
        status=status,  # type: ignore[arg-type]
        reason="迁出本市",
        effective_on=effective_on,
        changed_at=changed_at,
    )


async def plan_of(world, scene) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await world.client.get(f"/v1/care-plans/{scene.plan['id']}", headers=world.officer())
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


class TestEndedByHand:
    async def test_the_provider_ends_a_plan_once_with_cause_provider(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        ahead = await world.visit(scene.plan, scene.caregiver, hours=30)
        admin = world.admin(scene.provider["id"])
        url = f"/v1/care-plans/{scene.plan['id']}/ends"
        response = await world.client.post(url, json={"reason": "家属申请终止服务"}, headers=admin)
        assert response.status_code == 201, response.text
        again = await world.client.post(url, json={"reason": "again"}, headers=admin)
        assert again.status_code == 409
        [event] = await ended_events(outbox, scene.plan["id"])
        assert (event["cause"], event["reason"], event["version"], event["cancelled_visits"]) == (
            "provider",
            "家属申请终止服务",
            1,
            1,
        )
        assert datetime.fromisoformat(event["ended_at"]) == datetime.fromisoformat(
            response.json()["ended_at"]
        )
        assert (event["beneficiary_id"], event["provider_id"], event["district_code"]) == (
            str(scene.beneficiary.beneficiary_id),
            scene.provider["id"],
            "430102",
        )
        # The cancellation of the visit ahead is in the same transaction, published before the end.
        types = [t for t, d in await outbox() if d.get("visit_id") == ahead["id"] or t == ENDED]
        assert types[-2:] == ["dispatch.visit.cancelled.v1", ENDED]

    async def test_a_district_officer_ends_a_plan_with_cause_district(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/care-plans/{scene.plan['id']}/ends"
        response = await world.client.post(url, json={"reason": "服务对象迁出"}, headers=world.officer())
        assert response.status_code == 201, response.text
        [event] = await ended_events(outbox, scene.plan["id"])
        assert (event["cause"], event["cancelled_visits"]) == ("district", 0)

    async def test_a_refused_end_publishes_nothing(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/care-plans/{scene.plan['id']}/ends"
        other = await world.provider()
        assert (
            await world.client.post(url, json={"reason": "x"}, headers=world.admin(other["id"]))
        ).status_code == 404
        assert (
            await world.client.post(url, json={"reason": "x"}, headers=world.officer(world.other_district))
        ).status_code == 404
        assert await ended_events(outbox, scene.plan["id"]) == []


class TestEndedByTheAgreement:
    async def test_the_sweep_ends_an_expired_plan_once_with_cause_agreement_expired(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.visit(scene.plan, scene.caregiver, hours=30)
        yesterday = local_date(utcnow()) - timedelta(days=1)
        async with sessions() as s:
            await s.execute(
                update(CarePlanRow)
                .where(CarePlanRow.id == scene.plan["id"])
                .values(agreement_ends_on=yesterday)
            )
            await s.commit()
        first = await sweep(sessions, utcnow())
        second = await sweep(sessions, utcnow())
        assert scene.plan["id"] in [str(p.id) for p in first] and second == []
        [event] = await ended_events(outbox, scene.plan["id"])
        # (The test moved only the stored last day; the reason reads the agreement's own.)
        assert (event["cause"], event["cancelled_visits"]) == ("agreement_expired", 1)
        assert event["reason"].startswith("the agreement ended on ")


class TestEndedByAnIntakeTermination:
    async def test_a_termination_effective_today_ends_the_plan_once_even_when_redelivered(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.visit(scene.plan, scene.caregiver, hours=30)
        today = local_date(utcnow())
        event = status_changed(scene.beneficiary.beneficiary_id, "terminated", today, utcnow())
        await world.deliver(event)
        await world.deliver(event)  # a redelivery (the handler itself, past the inbox) ends nothing
        [ended] = await ended_events(outbox, scene.plan["id"])
        # Both visits not started were cancelled by the termination in the same transaction.
        assert (ended["cause"], ended["cancelled_visits"]) == ("beneficiary_terminated", 2)
        assert ended["reason"] == f"beneficiary terminated from {today.isoformat()}: 迁出本市"
        plan = await plan_of(world, scene)
        assert (plan["status"], plan["end_reason"]) == ("ended", ended["reason"])

    async def test_a_suspension_ends_no_plan(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        today = local_date(utcnow())
        await world.deliver(status_changed(scene.beneficiary.beneficiary_id, "suspended", today, utcnow()))
        assert await ended_events(outbox, scene.plan["id"]) == []
        assert (await plan_of(world, scene))["status"] == "active"


class TestATerminationOnALaterDay:
    async def test_the_plan_stays_until_the_day_and_the_sweep_ends_it_then_once(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        day = local_date(utcnow()) + timedelta(days=3)
        await world.deliver(status_changed(scene.beneficiary.beneficiary_id, "terminated", day, utcnow()))
        assert (await plan_of(world, scene))["status"] == "active"
        assert await ended_events(outbox, scene.plan["id"]) == []
        # Before the day the sweep leaves it, however late in the evening.
        assert await sweep(sessions, utcnow()) == []
        assert await sweep(sessions, local_instant(day - timedelta(days=1), time(23, 59))) == []
        # On the local day it ends, once.
        on_the_day = local_instant(day)
        assert [str(p.id) for p in await sweep(sessions, on_the_day)] == [scene.plan["id"]]
        assert await sweep(sessions, on_the_day + timedelta(minutes=1)) == []
        [event] = await ended_events(outbox, scene.plan["id"])
        assert (event["cause"], event["reason"]) == (
            "beneficiary_terminated",
            f"beneficiary terminated from {day.isoformat()}: 迁出本市",
        )
        plan = await plan_of(world, scene)
        assert (plan["status"], plan["end_reason"]) == ("ended", event["reason"])

    async def test_meanwhile_visits_before_the_day_are_booked_and_none_on_or_after_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        day = local_date(utcnow()) + timedelta(days=3)
        await world.deliver(status_changed(scene.beneficiary.beneficiary_id, "terminated", day, utcnow()))
        admin = world.admin(scene.provider["id"])
        before = world.visit_body(scene.plan, scene.caregiver, hours=30)
        assert local_date(datetime.fromisoformat(before["scheduled_start_at"])) < day
        assert (await world.client.post("/v1/visits", json=before, headers=admin)).status_code == 201
        for body in (
            world.visit_body(scene.plan, scene.caregiver, hours=24 * 4),
            {**world.visit_body(scene.plan, scene.caregiver, hours=24 * 4), "caregiver_id": None},
        ):
            response = await world.client.post("/v1/visits", json=body, headers=admin)
            assert response.status_code == 409, response.text
            [error] = problem(response)["errors"]
            assert error["field"] == "scheduled_start_at" and day.isoformat() in error["message"]
        # Still terminated for anything new: no new plan for the beneficiary.
        other = await world.provider()
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(scene.beneficiary.beneficiary_id),
            headers=world.admin(other["id"]),
        )
        assert response.status_code == 409

    async def test_a_newer_change_back_to_active_cancels_the_pending_end(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        day = local_date(utcnow()) + timedelta(days=3)
        decided = utcnow()
        termination = status_changed(scene.beneficiary.beneficiary_id, "terminated", day, decided)
        await world.deliver(termination)
        revoked = status_changed(
            scene.beneficiary.beneficiary_id, "active", local_date(utcnow()), decided + timedelta(hours=1)
        )
        await world.deliver(revoked)
        await world.deliver(termination)  # the older termination replayed: ignored
        assert await sweep(sessions, local_instant(day + timedelta(days=1))) == []
        assert await ended_events(outbox, scene.plan["id"]) == []
        assert (await plan_of(world, scene))["status"] == "active"
        booking = world.visit_body(scene.plan, scene.caregiver, hours=24 * 4)
        response = await world.client.post(
            "/v1/visits", json=booking, headers=world.admin(scene.provider["id"])
        )
        assert response.status_code == 201, response.text

    async def test_a_reversal_older_than_the_termination_does_not_cancel_it(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        day = local_date(utcnow()) + timedelta(days=3)
        decided = utcnow()
        await world.deliver(status_changed(scene.beneficiary.beneficiary_id, "terminated", day, decided))
        stale = status_changed(
            scene.beneficiary.beneficiary_id, "active", local_date(utcnow()), decided - timedelta(hours=1)
        )
        await world.deliver(stale)
        assert len(await sweep(sessions, local_instant(day))) >= 1
        [event] = await ended_events(outbox, scene.plan["id"])
        assert event["cause"] == "beneficiary_terminated"


class SecondCommit(asyncio.Event):
    """Set at the tick's second commit: the missed-visit step commits first, the plan ends second."""

    commits = 0

    def set(self) -> None:
        self.commits += 1
        if self.commits == 2:
            super().set()


class TestTheWorkersTick:
    async def test_one_tick_of_the_worker_ends_a_plan_whose_termination_day_has_come(
        self, world, sessions, settings, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        day = local_date(utcnow()) + timedelta(days=3)
        await world.deliver(status_changed(scene.beneficiary.beneficiary_id, "terminated", day, utcnow()))
        # Move the termination's day to today instead of waiting for the clock.
        async with sessions() as s, s.begin():
            await s.execute(
                update(BeneficiaryRow)
                .where(BeneficiaryRow.id == scene.beneficiary.beneficiary_id)
                .values(termination_effective_on=local_date(utcnow()))
            )
        stop, ticked = asyncio.Event(), SecondCommit()
        hourly = settings.model_copy(update={"missed_sweep_seconds": 3600})
        task = asyncio.create_task(sweep_missed(FakeWorker(FakeRuntime(sessions, ticked)), hourly, stop))
        await asyncio.wait_for(ticked.wait(), timeout=10)
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        [event] = await ended_events(outbox, scene.plan["id"])
        assert event["cause"] == "beneficiary_terminated"


class TestThroughTheConsumerRunner:
    async def test_a_redelivered_termination_is_skipped_by_the_inbox_and_ends_the_plan_once(
        self, world, sessions, settings, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        event = status_changed(scene.beneficiary.beneficiary_id, "terminated", local_date(utcnow()), utcnow())
        envelope = REGISTRY.envelope(event, source="intake")
        runner = ConsumerRunner(settings, SUBSCRIPTIONS[0], sessions, MESSAGING, producer=None)  # type: ignore[arg-type]
        record = kafka_record(envelope, offset=7)
        assert await runner.handle_record(record) == "handled"
        assert await runner.handle_record(record) == "duplicate"
        [ended] = await ended_events(outbox, scene.plan["id"])
        assert ended["cause"] == "beneficiary_terminated"
