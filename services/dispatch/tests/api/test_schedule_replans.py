"""POST /v1/schedules/replans: a caregiver drops out or visits are added during the day; only the
affected routes change, started visits stay pinned, every change is an event. And continuity of
care through the planner, from the visits completed before (DISPATCH_CONTINUITY_WEIGHT_SECONDS)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from eldercare.common.clock import DISPLAY_ZONE, local_date, utcnow

NEAR_HOME = {"lat": 28.1950, "lon": 112.9770}
WORKDAY = {"home": NEAR_HOME, "shift_start": "08:00", "shift_end": "17:00", "max_visits_per_day": 3}


def problem_fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json().get("errors") or []]


def day() -> date:
    return local_date(utcnow()) + timedelta(days=1)


def at(hour: float) -> str:
    midnight = datetime.combine(day(), datetime.min.time(), DISPLAY_ZONE)
    return (midnight + timedelta(hours=hour)).isoformat()


async def setting(world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Tomorrow: "sick" holds 09:00 and 14:00, "helper" 11:00; both may do every item."""
    provider = await world.provider()
    sick = await world.caregiver_of(provider["id"], workday=WORKDAY)
    helper = await world.caregiver_of(provider["id"], workday=WORKDAY)
    beneficiary = await world.beneficiary()
    plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
    admin = world.admin(provider["id"])

    async def book(
        caregiver: dict[str, Any] | None, start: float, window: tuple[float, float] | None = None
    ) -> Any:
        body: dict[str, Any] = {
            "care_plan_id": plan["id"],
            "service_code": "CS22",
            "scheduled_start_at": at(start),
            "scheduled_end_at": at(start + 1),
        }
        if caregiver is not None:
            body["caregiver_id"] = caregiver["id"]
        if window:
            body |= {"window_start_at": at(window[0]), "window_end_at": at(window[1])}
        response = await world.client.post("/v1/visits", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return response.json()

    visits = {
        "morning": await book(sick, 9),
        "afternoon": await book(sick, 14),
        "helper": await book(helper, 11),
    }
    return {
        "provider": provider,
        "sick": sick,
        "helper": helper,
        "plan": plan,
        "visits": visits,
        "book": book,
    }


def body(world, **kw: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"date": day().isoformat(), "district_code": world.district, "seconds": 1, **kw}


class TestReplan:
    async def test_a_caregiver_off_sick_hands_their_visits_to_the_other(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        headers = world.admin(s["provider"]["id"])
        ids = {k: v["id"] for k, v in s["visits"].items()}
        response = await world.client.post(
            "/v1/schedules/replans",
            json=body(world, unavailable_caregiver_ids=[s["sick"]["id"]]),
            headers=headers,
        )
        assert response.status_code == 201, response.text
        replan = response.json()
        assert sorted(replan["moved"]) == sorted([ids["morning"], ids["afternoon"]])
        assert replan["unassigned"] == [] and replan["retimed"] == []
        assert replan["kept"] == 1  # the helper's own visit, same caregiver and time
        [route] = replan["routes"]
        assert route["caregiver_id"] == s["helper"]["id"]
        for key in ("morning", "afternoon"):
            stored = (await world.client.get(f"/v1/visits/{ids[key]}", headers=headers)).json()
            assert stored["caregiver_id"] == s["helper"]["id"]
            assert datetime.fromisoformat(stored["scheduled_start_at"]) == datetime.fromisoformat(
                s["visits"][key]["scheduled_start_at"]
            )
        events = await outbox()
        unassigned = [d for t, d in events if t == "dispatch.visit.unassigned.v1"]
        assert sorted(d["visit_id"] for d in unassigned) == sorted([ids["morning"], ids["afternoon"]])
        assert {d["caregiver_id"] for d in unassigned} == {s["sick"]["id"]}
        assert {d["reason"] for d in unassigned} == {"caregiver unavailable"}
        rescheduled = [d for t, d in events[-4:] if t == "dispatch.visit.scheduled.v1"]
        assert {d["caregiver_id"] for d in rescheduled} == {s["helper"]["id"]}

    async def test_a_started_visit_stays_with_its_caregiver(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        morning = s["visits"]["morning"]
        checkin = {"location": world.home, "accuracy_m": 10}
        started = await world.client.post(
            f"/v1/visits/{morning['id']}/check-ins",
            json=checkin,
            headers=world.caregiver(s["provider"]["id"], s["sick"]["id"]),
        )
        assert started.status_code in (200, 201), started.text
        headers = world.admin(s["provider"]["id"])
        replan = (
            await world.client.post(
                "/v1/schedules/replans",
                json=body(world, unavailable_caregiver_ids=[s["sick"]["id"]]),
                headers=headers,
            )
        ).json()
        assert replan["moved"] == [s["visits"]["afternoon"]["id"]]
        assert replan["pinned"] >= 1
        stored = (await world.client.get(f"/v1/visits/{morning['id']}", headers=headers)).json()
        assert (stored["caregiver_id"], stored["status"]) == (s["sick"]["id"], "in_progress")

    async def test_a_visit_added_during_the_day_is_placed_without_moving_the_others(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        urgent = await s["book"](None, 12, window=(12, 16))
        headers = world.admin(s["provider"]["id"])
        replan = (await world.client.post("/v1/schedules/replans", json=body(world), headers=headers)).json()
        assert replan["moved"] == [urgent["id"]]
        assert replan["kept"] == 3 and replan["unassigned"] == []
        stored = (await world.client.get(f"/v1/visits/{urgent['id']}", headers=headers)).json()
        assert stored["caregiver_id"] in (s["sick"]["id"], s["helper"]["id"])

    async def test_a_visit_nobody_can_take_waits_for_the_planner_with_a_reason(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        # The helper is booked 11:00-12:00; a second visit at 11:00 sharp fits nobody once "sick" is out.
        clash = await s["book"](s["sick"], 11)
        headers = world.admin(s["provider"]["id"])
        replan = (
            await world.client.post(
                "/v1/schedules/replans",
                json=body(world, unavailable_caregiver_ids=[s["sick"]["id"]]),
                headers=headers,
            )
        ).json()
        assert [u["visit_id"] for u in replan["unassigned"]] == [clash["id"]]
        stored = (await world.client.get(f"/v1/visits/{clash['id']}", headers=headers)).json()
        assert stored["caregiver_id"] is None
        unassigned = [d["visit_id"] for t, d in await outbox() if t == "dispatch.visit.unassigned.v1"]
        assert clash["id"] in unassigned


class TestReplanAccess:
    async def test_another_providers_caregiver_is_422_and_nothing_changes(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        other = await world.provider()
        response = await world.client.post(
            "/v1/schedules/replans",
            json=body(world, unavailable_caregiver_ids=[s["sick"]["id"]]),
            headers=world.admin(other["id"]),
        )
        assert (response.status_code, problem_fields(response)) == (422, ["unavailable_caregiver_ids"])
        mine = await world.client.get(
            f"/v1/visits/{s['visits']['morning']['id']}", headers=world.admin(s["provider"]["id"])
        )
        assert mine.json()["caregiver_id"] == s["sick"]["id"]

    async def test_another_provider_re_plans_none_of_these_visits(self, world) -> None:  # type: ignore[no-untyped-def]
        await setting(world)
        other = await world.provider()
        response = await world.client.post(
            "/v1/schedules/replans", json=body(world), headers=world.admin(other["id"])
        )
        assert response.status_code == 201
        assert (response.json()["routes"], response.json()["kept"]) == ([], 0)

    async def test_only_a_provider_admin_may_re_plan(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        for headers in (world.officer(), world.caregiver(s["provider"]["id"], s["sick"]["id"])):
            response = await world.client.post("/v1/schedules/replans", json=body(world), headers=headers)
            assert response.status_code == 403

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"seconds": 0}, "seconds"),
            ({"seconds": 31}, "seconds"),
            ({"unavailable_caregiver_ids": ["nobody"]}, "unavailable_caregiver_ids.0"),
            ({"district_code": "43"}, "district_code"),
            ({"mode": "all"}, "mode"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(self, world, bad, field) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        response = await world.client.post(
            "/v1/schedules/replans", json=body(world) | bad, headers=world.admin(provider["id"])
        )
        assert (response.status_code, problem_fields(response)) == (422, [field])

    async def test_an_unknown_caregiver_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        response = await world.client.post(
            "/v1/schedules/replans",
            json=body(world, unavailable_caregiver_ids=[str(uuid.uuid4())]),
            headers=world.admin(provider["id"]),
        )
        assert (response.status_code, problem_fields(response)) == (422, ["unavailable_caregiver_ids"])


def metres_north(metres: float) -> dict[str, float]:
    return {"lat": 28.1941 + metres / 111_195, "lon": 112.9761}


class TestContinuityOfCare:
    """The caregiver who completed the beneficiary's visits before gets the next one when the detour
    is worth less than DISPATCH_CONTINUITY_WEIGHT_SECONDS; with the weight 0, the nearer one does."""

    async def day_with_history(self, world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        workday = WORKDAY | {"max_visits_per_day": 5}
        # 200 m and 1,000 m from the beneficiary's home: about 380 s more e-bike travel from "previous".
        closer = await world.caregiver_of(provider["id"], workday=workday | {"home": metres_north(200)})
        previous = await world.caregiver_of(provider["id"], workday=workday | {"home": metres_north(1000)})
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        done = await world.visit(plan, previous)
        phone = world.caregiver(provider["id"], previous["id"])
        checkin = {"location": world.home, "accuracy_m": 10}
        url = f"/v1/visits/{done['id']}"
        assert (await world.client.post(f"{url}/check-ins", json=checkin, headers=phone)).status_code < 300
        record = {"notes": "上门探访", "items_done": ["CS22"]}
        checkout = {"location": world.home, "record": record}
        out = await world.client.post(f"{url}/check-outs", json=checkout, headers=phone)
        assert out.status_code < 300, out.text
        admin = world.admin(provider["id"])
        next_visit = {
            "care_plan_id": plan["id"],
            "service_code": "CS22",
            "scheduled_start_at": at(9),
            "scheduled_end_at": at(10),
            "window_start_at": at(8),
            "window_end_at": at(12),
        }
        created = await world.client.post("/v1/visits", json=next_visit, headers=admin)
        assert created.status_code == 201, created.text
        return {"admin": admin, "closer": closer, "previous": previous, "visit": created.json()}

    async def planned_to(self, world, s: dict[str, Any]) -> str:  # type: ignore[no-untyped-def]
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
        response = await world.client.post("/v1/schedules", json=body, headers=s["admin"])
        assert response.status_code == 201, response.text
        [route] = response.json()["routes"]
        assert [v["visit_id"] for v in route["visits"]] == [s["visit"]["id"]]
        return str(route["caregiver_id"])

    async def test_with_the_default_weight_the_previous_caregiver_gets_the_visit(
        self, world, settings
    ) -> None:  # type: ignore[no-untyped-def]
        assert settings.continuity_weight_seconds == 600  # the default reaches the planner
        s = await self.day_with_history(world)
        assert await self.planned_to(world, s) == s["previous"]["id"]

    async def test_with_the_weight_off_the_nearer_caregiver_gets_it(self, world, settings) -> None:  # type: ignore[no-untyped-def]
        settings.continuity_weight_seconds = 0  # the app's own settings object: read per request
        s = await self.day_with_history(world)
        assert await self.planned_to(world, s) == s["closer"]["id"]
