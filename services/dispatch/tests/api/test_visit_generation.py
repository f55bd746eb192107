"""Visits generated from care plans' schedules (issue #5): at activation, at a new version, by the
worker's sweep, when a beneficiary is active again and on the provider admin's request; never twice,
never for a suspended beneficiary, an ended plan or a sanctioned provider."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import select

from eldercare.common.clock import DISPLAY_ZONE, local_date, utcnow
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.models import VisitRow
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.adapters.repositories.visit_generation import GenerationRepository
from eldercare.dispatch.adapters.repositories.visits import to_domain
from eldercare.dispatch.application.visit_generation import generate_due
from eldercare.dispatch.domain.plan_schedule import PreferredSlot
from eldercare.dispatch.domain.visit_generation import PlanSpan, planned_visits
from eldercare.dispatch.generation_sweep import generate_all, sweep_generation

from .test_caregiver_app import world_status_changed
from .test_sanctions import sanction
from .test_schedules import WORKDAY, problem_fields
from .test_worker_sweep import FakeRuntime, FakeWorker

EVERY_MORNING = {"slots": [{"weekday": d, "start": "09:00", "end": "11:00"} for d in range(1, 8)]}
TUE_FRI = {
    "slots": [
        {"weekday": 2, "start": "09:00", "end": "11:00"},
        {"weekday": 5, "start": "14:00", "end": "16:00"},
    ]
}


def today() -> date:
    return local_date(utcnow())


def expected(
    schedule: dict[str, Any], frequency: int, codes: tuple[str, ...], days: int = 14
) -> set[tuple[str, datetime]]:
    """What the domain rule asks for in the next ``days`` days (unit-tested on its own)."""
    slots = tuple(
        PreferredSlot(s["weekday"], time.fromisoformat(s["start"]), time.fromisoformat(s["end"]))
        for s in schedule["slots"]
    )
    span = PlanSpan(codes, slots, frequency, 60, today(), today() + timedelta(days=400))
    planned = planned_visits(span, first=today(), last=today() + timedelta(days=days - 1), now=utcnow())
    return {p.key for p in planned}


async def rows(sessions, plan_id: Any) -> list[VisitRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        query = (
            select(VisitRow)
            .where(VisitRow.care_plan_id == UUID(str(plan_id)))
            .order_by(VisitRow.window_start_at)
        )
        return list((await s.scalars(query)).all())


def live(visits: list[VisitRow]) -> list[VisitRow]:
    return [v for v in visits if v.status == "scheduled"]


async def planned_with(world, schedule=TUE_FRI, frequency: int = 8, codes=("CS22", "CS25"), **kw: Any):  # type: ignore[no-untyped-def]
    provider, caregiver = await world.staffed_provider()
    beneficiary = await world.beneficiary()
    plan = await world.care_plan(
        provider["id"],
        beneficiary.beneficiary_id,
        service_codes=list(codes),
        frequency_per_month=frequency,
        schedule=schedule,
        **kw,
    )
    return provider, caregiver, beneficiary, plan


async def sweep(sessions, *, days_later: int = 0, horizon_days: int = 14) -> list:  # type: ignore[no-untyped-def,type-arg]
    async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
        runs = await generate_due(
            uow, now=utcnow() + timedelta(days=days_later), horizon_days=horizon_days, after=None, limit=1000
        )
        await uow.commit()
    return runs


class TestGeneratedAtActivation:
    async def test_a_plan_with_a_schedule_gets_its_visits_for_fourteen_days_in_the_local_windows(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        _, _, _, plan = await planned_with(world)
        visits = await rows(sessions, plan["id"])
        assert {(v.service_code, v.generated_for_at) for v in visits} == expected(
            TUE_FRI, 8, ("CS22", "CS25")
        )
        for v in visits:
            local = v.window_start_at.astimezone(DISPLAY_ZONE)
            window = (
                local.isoweekday(),
                local.strftime("%H:%M"),
                v.window_end_at.astimezone(DISPLAY_ZONE).strftime("%H:%M"),
            )
            assert window in {(2, "09:00", "11:00"), (5, "14:00", "16:00")}
            assert today() <= local.date() < today() + timedelta(days=14)
            assert (v.caregiver_id, v.status, v.scheduled_by) == (None, "scheduled", "dispatch:generation")
            assert (v.scheduled_start_at, v.scheduled_end_at - v.scheduled_start_at) == (
                v.window_start_at,
                timedelta(hours=1),
            )
        # Waiting for the planner: no caregiver, so no VisitScheduled yet (as POST /v1/visits without one).
        assert "dispatch.visit.scheduled.v1" not in [t for t, _ in await outbox()]

    async def test_the_schedule_is_shown_on_the_plan_and_its_version(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world)
        assert plan["schedule"]["slots"][0] == {
            "weekday": 2,
            "weekday_label": "周二",
            "start": "09:00",
            "end": "11:00",
        }
        headers = world.admin(provider["id"])
        read = (await world.client.get(f"/v1/care-plans/{plan['id']}", headers=headers)).json()
        versions = (await world.client.get(f"/v1/care-plans/{plan['id']}/versions", headers=headers)).json()
        assert read["schedule"] == plan["schedule"] == versions["items"][0]["schedule"]

    async def test_a_plan_without_a_schedule_gets_none_and_visits_are_booked_by_hand(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        assert scene.plan["schedule"] is None
        assert [str(v.id) for v in await rows(sessions, scene.plan["id"])] == [scene.visit["id"]]


class TestNeverTwice:
    async def test_a_rerun_the_sweep_and_the_endpoint_create_nothing_more(
        self, world, sessions, settings
    ) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world)
        before = len(await rows(sessions, plan["id"]))
        assert before > 0
        assert sum(len(r.created) for r in await sweep(sessions)) == 0
        assert await generate_all(FakeWorker(FakeRuntime(sessions, asyncio.Event())), settings) == 0
        response = await world.client.post(
            "/v1/visit-generations", json={}, headers=world.admin(provider["id"])
        )
        assert response.status_code == 201, response.text
        assert response.json()["created"] == 0
        assert len(await rows(sessions, plan["id"])) == before

    async def test_a_racing_insert_of_the_same_occasion_is_skipped_without_failing(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        _, _, _, plan = await planned_with(world)
        generated = await rows(sessions, plan["id"])
        first = generated[0]
        async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
            twin = to_domain(first)
            twin.id = UUID(int=first.id.int + 1)
            # Another worker that read before this occasion was written: its insert finds it there.
            assert await GenerationRepository(uow.session).insert_generated(twin) is False
            await uow.commit()
        assert len(await rows(sessions, plan["id"])) == len(generated)

    async def test_rolling_the_horizon_a_week_later_adds_only_the_new_days(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        _, _, _, plan = await planned_with(world)
        await sweep(sessions, days_later=7)
        keys = [(v.service_code, v.generated_for_at) for v in await rows(sessions, plan["id"])]
        assert len(keys) == len(set(keys))
        assert set(keys) == expected(TUE_FRI, 8, ("CS22", "CS25"), days=21)


class TestTheWorker:
    async def test_one_tick_generates_what_is_missing_and_the_loop_stops_when_told(
        self, world, sessions, settings
    ) -> None:  # type: ignore[no-untyped-def]
        _, _, _, plan = await planned_with(world)
        async with sessions() as s, s.begin():  # as if activated before generation existed
            for row in (
                await s.scalars(select(VisitRow).where(VisitRow.care_plan_id == UUID(plan["id"])))
            ).all():
                await s.delete(row)
        stop, ticked = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(
            sweep_generation(FakeWorker(FakeRuntime(sessions, ticked)), settings, stop)
        )
        await asyncio.wait_for(ticked.wait(), timeout=10)
        stop.set()
        await asyncio.wait_for(task, timeout=5)
        keys = {(v.service_code, v.generated_for_at) for v in await rows(sessions, plan["id"])}
        assert keys == expected(TUE_FRI, 8, ("CS22", "CS25"))


class TestSuspensionsAndEnds:
    async def test_a_suspension_cancels_them_and_lifting_it_generates_the_days_ahead_again(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        _, _, beneficiary, plan = await planned_with(world)
        generated = len(await rows(sessions, plan["id"]))
        await world.deliver(world_status_changed(beneficiary.beneficiary_id, "suspended"))
        assert live(await rows(sessions, plan["id"])) == []
        cancelled = [d for t, d in await outbox() if t == "dispatch.visit.cancelled.v1"]
        assert len(cancelled) == generated and "suspended" in cancelled[0]["reason"]
        # While suspended, neither the sweep nor the admin's run brings any back.
        [run] = [r for r in await sweep(sessions) if str(r.care_plan_id) == plan["id"]]
        assert (run.created, run.skipped) == ([], "the beneficiary is suspended")
        await world.deliver(world_status_changed(beneficiary.beneficiary_id, "active"))
        back = live(await rows(sessions, plan["id"]))
        assert {(v.service_code, v.generated_for_at) for v in back} == expected(TUE_FRI, 8, ("CS22", "CS25"))
        assert len(await rows(sessions, plan["id"])) == 2 * generated
        # A redelivered "active" creates nothing more.
        await world.deliver(world_status_changed(beneficiary.beneficiary_id, "active"))
        assert len(await rows(sessions, plan["id"])) == 2 * generated

    async def test_a_termination_ends_the_plan_and_nothing_is_generated_after(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        _, _, beneficiary, plan = await planned_with(world)
        await world.deliver(world_status_changed(beneficiary.beneficiary_id, "terminated"))
        assert live(await rows(sessions, plan["id"])) == []
        await sweep(sessions, days_later=3)
        assert live(await rows(sessions, plan["id"])) == []

    async def test_a_termination_on_a_later_day_keeps_generating_the_days_before_it(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        from eldercare.common.contracts import BeneficiaryStatusChanged

        _, _, beneficiary, plan = await planned_with(world)
        day = today() + timedelta(days=7)
        await world.deliver(
            BeneficiaryStatusChanged(
                beneficiary_id=beneficiary.beneficiary_id,
                district_code="430102",
                status="terminated",
                reason="迁出",
                effective_on=day,
                changed_at=utcnow(),
            )
        )
        before = {(v.service_code, v.generated_for_at) for v in live(await rows(sessions, plan["id"]))}
        assert before == {k for k in expected(TUE_FRI, 8, ("CS22", "CS25")) if local_date(k[1]) < day}
        # The horizon rolls on, but nothing lands on or after the termination's day.
        async with sessions() as s, s.begin():
            for row in (
                await s.scalars(select(VisitRow).where(VisitRow.care_plan_id == UUID(plan["id"])))
            ).all():
                await s.delete(row)
        await sweep(sessions)
        again = {(v.service_code, v.generated_for_at) for v in live(await rows(sessions, plan["id"]))}
        assert again == before and again, "the days before the termination are generated"

    async def test_a_sanctioned_provider_gets_nothing_new(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world)
        before = len(await rows(sessions, plan["id"]))
        await world.deliver(sanction(provider["id"], ["end_contract"]))
        [run] = [r for r in await sweep(sessions, days_later=7) if str(r.care_plan_id) == plan["id"]]
        assert run.created == [] and "第十八条" in str(run.skipped)
        assert len(await rows(sessions, plan["id"])) == before
        response = await world.client.post(
            "/v1/visit-generations", json={}, headers=world.admin(provider["id"])
        )
        assert response.status_code == 409


class TestANewVersion:
    async def test_a_new_schedule_cancels_the_visits_it_no_longer_asks_for_and_generates_the_rest(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world, codes=("CS22",))
        first_ids = sorted(str(v.id) for v in await rows(sessions, plan["id"]))
        thursdays = {"slots": [{"weekday": 4, "start": "14:00", "end": "17:00"}]}
        body = {
            "service_codes": ["CS22"],
            "frequency_per_month": 4,
            "agreement": {"signed_on": today().isoformat(), "duration_months": 12},
            "schedule": thursdays,
        }
        response = await world.client.post(
            f"/v1/care-plans/{plan['id']}/versions", json=body, headers=world.admin(provider["id"])
        )
        assert response.status_code == 201, response.text
        changed = response.json()
        assert sorted(changed["cancelled_visit_ids"]) == first_ids
        reasons = {d["reason"] for t, d in await outbox() if t == "dispatch.visit.cancelled.v1"}
        assert reasons == {"not in the care plan's schedule any more (version 2)"}
        now_live = live(await rows(sessions, plan["id"]))
        assert {(v.service_code, v.generated_for_at) for v in now_live} == expected(thursdays, 4, ("CS22",))
        assert sorted(str(v.id) for v in now_live) == sorted(changed["generated_visit_ids"])
        assert changed["schedule"]["slots"][0]["weekday"] == 4

    async def test_going_back_to_the_first_schedule_generates_its_days_again(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world, codes=("CS22",))
        first_ids = sorted(str(v.id) for v in await rows(sessions, plan["id"]))
        headers = world.admin(provider["id"])
        body = {
            "service_codes": ["CS22"],
            "frequency_per_month": 8,
            "agreement": {"signed_on": today().isoformat(), "duration_months": 12},
        }
        url = f"/v1/care-plans/{plan['id']}/versions"
        dropped = (await world.client.post(url, json=body, headers=headers)).json()
        assert sorted(dropped["cancelled_visit_ids"]) == first_ids
        again = (await world.client.post(url, json=body | {"schedule": TUE_FRI}, headers=headers)).json()
        assert len(again["generated_visit_ids"]) == len(first_ids) > 0

    async def test_an_item_removed_then_added_back_is_generated_again_and_the_others_stay(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world)
        visits = live(await rows(sessions, plan["id"]))
        before = {
            code: sorted(str(v.id) for v in visits if v.service_code == code) for code in ("CS22", "CS25")
        }
        headers = world.admin(provider["id"])
        url = f"/v1/care-plans/{plan['id']}/versions"
        body = {
            "service_codes": ["CS22"],
            "frequency_per_month": 8,
            "agreement": {"signed_on": today().isoformat(), "duration_months": 12},
            "schedule": TUE_FRI,
        }
        removed = (await world.client.post(url, json=body, headers=headers)).json()
        assert sorted(removed["cancelled_visit_ids"]) == before["CS25"]
        assert removed["generated_visit_ids"] == []
        back = (
            await world.client.post(url, json=body | {"service_codes": ["CS22", "CS25"]}, headers=headers)
        ).json()
        assert len(back["generated_visit_ids"]) == len(before["CS25"]) and back["cancelled_visit_ids"] == []
        still = live(await rows(sessions, plan["id"]))
        assert sorted(str(v.id) for v in still if v.service_code == "CS22") == before["CS22"]


class TestTheEndpoint:
    async def test_the_admin_generates_through_a_day_and_gets_counts_per_plan(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world)
        async with sessions() as s, s.begin():  # as if the plan had been activated before the horizon
            for row in (
                await s.scalars(select(VisitRow).where(VisitRow.care_plan_id == UUID(plan["id"])))
            ).all():
                await s.delete(row)
        through = today() + timedelta(days=6)
        response = await world.client.post(
            "/v1/visit-generations",
            json={"through": through.isoformat()},
            headers=world.admin(provider["id"]),
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["through"] == through.isoformat()
        [mine] = [p for p in body["plans"] if p["care_plan_id"] == plan["id"]]
        assert mine["created"] == len(expected(TUE_FRI, 8, ("CS22", "CS25"), days=7)) == body["created"]

    async def test_another_providers_admin_generates_none_of_this_providers_visits(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        _, _, _, plan = await planned_with(world)
        before = len(await rows(sessions, plan["id"]))
        other = await world.provider()
        response = await world.client.post("/v1/visit-generations", json={}, headers=world.admin(other["id"]))
        assert response.status_code == 201
        assert plan["id"] not in [p["care_plan_id"] for p in response.json()["plans"]]
        assert len(await rows(sessions, plan["id"])) == before

    async def test_a_caregiver_or_an_officer_may_not_run_it(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver, _, _ = await planned_with(world)
        for headers in (world.caregiver(provider["id"], caregiver["id"]), world.officer()):
            response = await world.client.post("/v1/visit-generations", json={}, headers=headers)
            assert response.status_code == 403

    async def test_a_day_past_or_beyond_the_horizon_is_422_naming_through(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        headers = world.admin(provider["id"])
        for bad in (today() - timedelta(days=1), today() + timedelta(days=14), "soon"):
            response = await world.client.post(
                "/v1/visit-generations", json={"through": str(bad)}, headers=headers
            )
            assert (response.status_code, problem_fields(response)) == (422, ["through"])


class TestBadSchedules:
    async def test_each_bad_slot_or_frequency_is_422_naming_the_field_and_nothing_is_written(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        headers = world.admin(provider["id"])
        slot = {"weekday": 2, "start": "09:00", "end": "11:00"}
        for schedule, frequency, fields in (
            ({"slots": [slot, slot | {"weekday": 3, "end": "08:00"}]}, 4, ["schedule.slots.1.end"]),
            ({"slots": [slot | {"end": "09:30"}]}, 4, ["schedule.slots.0.end"]),
            ({"slots": [slot, slot | {"end": "12:00"}]}, 4, ["schedule.slots.1.start"]),
            ({"slots": [slot]}, 5, ["frequency_per_month"]),
            ({"slots": [slot | {"weekday": 8}]}, 4, ["schedule.slots.0.weekday"]),
            ({"slots": [slot | {"start": "9h"}]}, 4, ["schedule.slots.0.start"]),
            ({"slots": []}, 4, ["schedule.slots"]),
        ):
            body = world.plan_body(
                beneficiary.beneficiary_id, frequency_per_month=frequency, schedule=schedule
            )
            response = await world.client.post("/v1/care-plans", json=body, headers=headers)
            assert (response.status_code, problem_fields(response)) == (422, fields), schedule
        ok = world.plan_body(beneficiary.beneficiary_id, frequency_per_month=4, schedule={"slots": [slot]})
        assert (await world.client.post("/v1/care-plans", json=ok, headers=headers)).status_code == 201


class TestTheWholeDay:
    async def test_generated_visits_are_planned_shown_to_the_caregiver_and_worked(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        caregiver = await world.caregiver_of(provider["id"], workday=WORKDAY)
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(
            provider["id"], beneficiary.beneficiary_id, service_codes=["CS22"], schedule=EVERY_MORNING
        )
        assert plan["status"] == "active" and plan["agreement"]["signed_on"]
        first = min(live(await rows(sessions, plan["id"])), key=lambda v: v.window_start_at)
        day = local_date(first.window_start_at)
        admin = world.admin(provider["id"])
        body = {"date": day.isoformat(), "district_code": world.district, "seconds": 1}
        planned = await world.client.post("/v1/schedules", json=body, headers=admin)
        assert planned.status_code == 201, planned.text
        routed = [v["visit_id"] for r in planned.json()["routes"] for v in r["visits"]]
        assert str(first.id) in routed
        published = [d for t, d in await outbox() if t == "dispatch.visit.scheduled.v1"]
        assert [(d["visit_id"], d["caregiver_id"]) for d in published] == [(str(first.id), caregiver["id"])]

        me = world.caregiver(provider["id"], caregiver["id"])
        mine = await world.client.get(
            f"/v1/caregivers/{caregiver['id']}/visits", params={"on": day.isoformat()}, headers=me
        )
        assert mine.status_code == 200, mine.text
        [shown] = mine.json()["items"]
        assert shown["id"] == str(first.id) and shown["plan_items"] == ["CS22"]
        url = f"/v1/visits/{first.id}"
        checked_in = await world.client.post(
            f"{url}/check-ins", json={"location": world.home, "accuracy_m": 10}, headers=me
        )
        assert checked_in.status_code == 201, checked_in.text
        record = {"notes": "上门探访", "items_done": ["CS22"]}
        out = await world.client.post(
            f"{url}/check-outs", json={"location": world.home, "record": record}, headers=me
        )
        assert out.status_code == 201, out.text
        assert out.json()["status"] == "completed"
        completed = [d for t, d in await outbox() if t == "dispatch.visit.completed.v1"]
        assert [d["visit_id"] for d in completed] == [str(first.id)]
