"""POST /v1/schedules (the district-day planner) and visits left to it (POST /v1/visits without a
caregiver)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from eldercare.common.clock import DISPLAY_ZONE, local_date, utcnow

NEAR_HOME = {"lat": 28.1990, "lon": 112.9800}
WORKDAY = {"home": NEAR_HOME, "shift_start": "08:00", "shift_end": "17:00", "max_visits_per_day": 3}


def problem_fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json().get("errors") or []]


def day() -> date:
    return local_date(utcnow()) + timedelta(days=1)


def at(hour: float) -> str:
    """An instant of tomorrow, local time, as ISO 8601 with its +08:00 offset."""
    midnight = datetime.combine(day(), datetime.min.time(), DISPLAY_ZONE)
    return (midnight + timedelta(hours=hour)).isoformat()


async def setting(world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A provider with a certified and an uncertified caregiver (both with workdays), a plan with a
    professional item (CS19) and three visits left to the planner tomorrow."""
    provider = await world.provider()
    certified = await world.caregiver_of(provider["id"], workday=WORKDAY)
    plain = await world.caregiver_of(provider["id"], qualifications=[], workday=WORKDAY)
    beneficiary = await world.beneficiary(
        entitlement={"service_categories": ["daily_living", "welfare_visit", "basic_nursing"]}
    )
    plan = await world.care_plan(
        provider["id"], beneficiary.beneficiary_id, service_codes=["CS15", "CS19", "CS22"]
    )
    admin = world.admin(provider["id"])

    async def unassigned(
        code: str, start: float, end: float, window: tuple[float, float] | None = None
    ) -> Any:
        body = {
            "care_plan_id": plan["id"],
            "service_code": code,
            "scheduled_start_at": at(start),
            "scheduled_end_at": at(end),
        }
        if window:
            body |= {"window_start_at": at(window[0]), "window_end_at": at(window[1])}
        response = await world.client.post("/v1/visits", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return response.json()

    visits = {
        "flexible": await unassigned("CS22", 9, 10, window=(8, 12)),
        "nursing": await unassigned("CS19", 9, 10),
        "night": await unassigned("CS22", 21, 22),
    }
    return {"provider": provider, "certified": certified, "plain": plain, "plan": plan, "visits": visits}


class TestVisitsLeftToThePlanner:
    async def test_a_visit_without_a_caregiver_is_stored_unassigned_and_not_yet_published(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        flexible = s["visits"]["flexible"]
        assert (flexible["caregiver_id"], flexible["status"]) == (None, "scheduled")
        window = [datetime.fromisoformat(flexible[k]) for k in ("window_start_at", "window_end_at")]
        assert window == [datetime.fromisoformat(at(8)), datetime.fromisoformat(at(12))]
        types = [t for t, _ in await outbox()]
        assert "dispatch.visit.scheduled.v1" not in types

    async def test_no_caregiver_can_check_in_to_an_unassigned_visit(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        visit = s["visits"]["nursing"]
        headers = world.caregiver(s["provider"]["id"], s["certified"]["id"])
        body = {"location": world.home, "accuracy_m": 10}
        response = await world.client.post(f"/v1/visits/{visit['id']}/check-ins", json=body, headers=headers)
        assert response.status_code == 404

    async def test_a_half_given_or_misplaced_window_is_422_naming_the_field(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        admin = world.admin(s["provider"]["id"])
        base = {
            "care_plan_id": s["plan"]["id"],
            "service_code": "CS22",
            "scheduled_start_at": at(9),
            "scheduled_end_at": at(10),
        }
        half = await world.client.post("/v1/visits", json=base | {"window_start_at": at(8)}, headers=admin)
        assert (half.status_code, problem_fields(half)) == (422, ["window_end_at"])
        outside = base | {"window_start_at": at(9.5), "window_end_at": at(12)}
        response = await world.client.post("/v1/visits", json=outside, headers=admin)
        assert (response.status_code, problem_fields(response)) == (422, ["window_start_at"])
        with_caregiver = base | {
            "caregiver_id": s["plain"]["id"],
            "window_start_at": at(8),
            "window_end_at": at(12),
        }
        response = await world.client.post("/v1/visits", json=with_caregiver, headers=admin)
        assert (response.status_code, problem_fields(response)) == (422, ["window_start_at"])

    async def test_a_workday_ending_before_it_starts_or_off_the_globe_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        admin = world.admin(provider["id"])
        body = {
            "name": "李护理员",
            "phone": "13900002222",
            "health_certificate_valid_until": (date.today() + timedelta(days=30)).isoformat(),
        }
        backwards = body | {"workday": WORKDAY | {"shift_start": "17:00", "shift_end": "08:00"}}
        response = await world.client.post("/v1/caregivers", json=backwards, headers=admin)
        assert (response.status_code, problem_fields(response)) == (422, ["workday.shift_end"])
        weekday = body | {"workday": WORKDAY | {"days_off": [8]}}
        response = await world.client.post("/v1/caregivers", json=weekday, headers=admin)
        assert response.status_code == 422
        assert [f.rsplit(".", 1)[0] for f in problem_fields(response)] == ["workday.days_off"]
        off = body | {"workday": WORKDAY | {"home": {"lat": 91, "lon": 112.98}}}
        response = await world.client.post("/v1/caregivers", json=off, headers=admin)
        assert response.status_code == 422
        assert problem_fields(response) == ["workday.home.lat"]


class TestPlanningADistrictDay:
    async def test_the_day_is_planned_within_shifts_windows_and_qualifications(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        headers = world.admin(s["provider"]["id"])
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
        response = await world.client.post("/v1/schedules", json=body, headers=headers)
        assert response.status_code == 201, response.text
        plan = response.json()
        assert plan["caregivers_available"] == 2
        routed = {v["visit_id"]: (r["caregiver_id"], v) for r in plan["routes"] for v in r["visits"]}
        flexible, nursing, night = (s["visits"][k]["id"] for k in ("flexible", "nursing", "night"))
        assert set(routed) == {flexible, nursing}
        assert [u["visit_id"] for u in plan["unassigned"]] == [night]
        # 第九条（八）: the professional item goes to the certified caregiver.
        assert routed[nursing][0] == s["certified"]["id"]
        start = datetime.fromisoformat(routed[flexible][1]["scheduled_start_at"])
        end = datetime.fromisoformat(routed[flexible][1]["scheduled_end_at"])
        assert datetime.fromisoformat(at(8)) <= start and end <= datetime.fromisoformat(at(12))
        assert end - start == timedelta(hours=1)

        stored = await world.client.get(f"/v1/visits/{nursing}", headers=headers)
        assert stored.json()["caregiver_id"] == s["certified"]["id"]
        published = [d["visit_id"] for t, d in await outbox() if t == "dispatch.visit.scheduled.v1"]
        assert sorted(published) == sorted([flexible, nursing])

    async def test_a_visit_never_lands_on_time_the_caregiver_is_already_booked(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        headers = world.admin(s["provider"]["id"])
        booked = {
            "care_plan_id": s["plan"]["id"],
            "caregiver_id": s["certified"]["id"],
            "service_code": "CS22",
            "scheduled_start_at": at(9.5),
            "scheduled_end_at": at(10.5),
        }
        assert (await world.client.post("/v1/visits", json=booked, headers=headers)).status_code == 201
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 0.5}
        plan = (await world.client.post("/v1/schedules", json=body, headers=headers)).json()
        # Only the certified caregiver may do CS19 at 09:00-10:00, and they are booked from 09:30.
        nursing = s["visits"]["nursing"]["id"]
        assert nursing in [u["visit_id"] for u in plan["unassigned"]]
        for route in plan["routes"]:
            if route["caregiver_id"] == s["certified"]["id"]:
                for v in route["visits"]:
                    start, end = (
                        datetime.fromisoformat(v[k]) for k in ("scheduled_start_at", "scheduled_end_at")
                    )
                    assert end <= datetime.fromisoformat(at(9.5)) or start >= datetime.fromisoformat(at(10.5))

    async def test_a_caregiver_is_never_planned_on_a_day_off(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        off = await world.caregiver_of(
            s["provider"]["id"], workday=WORKDAY | {"days_off": [day().isoweekday()]}
        )
        assert off["workday"]["days_off"] == [day().isoweekday()]
        headers = world.admin(s["provider"]["id"])
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 0.5}
        plan = (await world.client.post("/v1/schedules", json=body, headers=headers)).json()
        assert plan["caregivers_available"] == 2
        assert off["id"] not in [r["caregiver_id"] for r in plan["routes"]]

    async def test_a_second_run_finds_nothing_left_to_plan_but_the_impossible(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        headers = world.admin(s["provider"]["id"])
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 0.5}
        assert (await world.client.post("/v1/schedules", json=body, headers=headers)).status_code == 201
        again = (await world.client.post("/v1/schedules", json=body, headers=headers)).json()
        assert again["routes"] == []
        assert [u["visit_id"] for u in again["unassigned"]] == [s["visits"]["night"]["id"]]

    async def test_another_providers_admin_plans_none_of_these_visits(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await setting(world)
        other = await world.provider()
        await world.caregiver_of(other["id"], workday=WORKDAY)
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 0.5}
        response = await world.client.post("/v1/schedules", json=body, headers=world.admin(other["id"]))
        assert response.status_code == 201
        assert (response.json()["routes"], response.json()["unassigned"]) == ([], [])
        mine = await world.client.get(
            f"/v1/visits/{s['visits']['flexible']['id']}", headers=world.admin(s["provider"]["id"])
        )
        assert mine.json()["caregiver_id"] is None

    async def test_only_a_provider_admin_may_plan(self, world) -> None:  # type: ignore[no-untyped-def]
        body = {"date": day().isoformat(), "district_code": world.district}
        response = await world.client.post("/v1/schedules", json=body, headers=world.officer())
        assert response.status_code == 403

    async def test_a_district_the_provider_does_not_serve_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        body = {"date": day().isoformat(), "district_code": world.other_district}
        response = await world.client.post("/v1/schedules", json=body, headers=world.admin(provider["id"]))
        assert (response.status_code, problem_fields(response)) == (422, ["district_code"])

    async def test_bad_budget_and_date_are_422_naming_the_field(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        headers = world.admin(provider["id"])
        for bad, field in (
            ({"seconds": 0}, "seconds"),
            ({"seconds": 31}, "seconds"),
            ({"date": "tomorrow"}, "date"),
        ):
            body = {"date": day().isoformat(), "district_code": world.district} | bad
            response = await world.client.post("/v1/schedules", json=body, headers=headers)
            assert (response.status_code, problem_fields(response)) == (422, [field])
