"""Caregivers' sex and languages (issue #5 registry) and a care plan's preferred caregiver sex for
intimate care (CS05-CS10, CS18, service-catalog.md): a hard rule of every booking, by hand, by the
day planner and by the re-planner."""

from __future__ import annotations

from typing import Any

from .test_check_ins_and_outs import problem
from .test_schedules import at, day

NEAR = {"lat": 28.1945, "lon": 112.9765}  # about 60 m from the beneficiary's home
FAR = {"lat": 28.2200, "lon": 112.9761}  # about 2.9 km
WORKDAY = {"shift_start": "08:00", "shift_end": "17:00", "max_visits_per_day": 4}
CODES = ["CS05", "CS15", "CS18", "CS22"]


async def nursed(world):  # type: ignore[no-untyped-def]
    """A beneficiary entitled to basic nursing too (CS18 toileting care)."""
    categories = ["daily_living", "welfare_visit", "basic_nursing"]
    return await world.beneficiary(entitlement={"service_categories": categories})


def fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(e["field"] for e in problem(response)["errors"])


async def staffed(world) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A provider offering bathing (CS05) and toileting care (CS18) with a man living next door to
    the beneficiary and a woman 3 km away, both certified, same shift."""
    provider = await world.provider(service_codes=["CS05", "CS14", "CS15", "CS18", "CS22"])
    man = await world.caregiver_of(provider["id"], sex="male", workday={"home": NEAR, **WORKDAY})
    woman = await world.caregiver_of(provider["id"], sex="female", workday={"home": FAR, **WORKDAY})
    return {"provider": provider, "man": man, "woman": woman, "admin": world.admin(provider["id"])}


async def left_to_planner(world, s, plan, code: str, start: float) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {
        "care_plan_id": plan["id"],
        "service_code": code,
        "scheduled_start_at": at(start),
        "scheduled_end_at": at(start + 1),
        "window_start_at": at(8),
        "window_end_at": at(16),
    }
    response = await world.client.post("/v1/visits", json=body, headers=s["admin"])
    assert response.status_code == 201, response.text
    return response.json()


async def plan_day(world, s) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
    response = await world.client.post("/v1/schedules", json=body, headers=s["admin"])
    assert response.status_code == 201, response.text
    out: dict[str, str | None] = {u["visit_id"]: None for u in response.json()["unassigned"]}
    for route in response.json()["routes"]:
        out |= {v["visit_id"]: route["caregiver_id"] for v in route["visits"]}
    return out


class TestTheRegistry:
    async def test_a_caregiver_records_sex_and_languages(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        cg = await world.caregiver_of(provider["id"], sex="female", languages=["zh", "hsn", "zh"])
        assert (cg["sex"], cg["languages"]) == ("female", ["zh", "hsn"])
        read = await world.client.get(f"/v1/caregivers/{cg['id']}", headers=world.admin(provider["id"]))
        assert (read.json()["sex"], read.json()["languages"]) == ("female", ["zh", "hsn"])
        unset = await world.caregiver_of(provider["id"])
        assert (unset["sex"], unset["languages"]) == (None, [])

    async def test_an_unknown_sex_or_a_malformed_language_is_422_naming_it(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        response = await world.client.post(
            "/v1/caregivers",
            json={
                "name": "王护理员",
                "phone": "13900001111",
                "health_certificate_valid_until": "2030-01-01",
                "sex": "x",
                "languages": ["Chinese!"],
            },
            headers=world.admin(provider["id"]),
        )
        assert response.status_code == 422 and fields(response) == ["languages.0", "sex"]


class TestTheCarePlansPreference:
    async def test_a_plan_with_intimate_care_records_the_preference(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await staffed(world)
        beneficiary = await nursed(world)
        plan = await world.care_plan(
            s["provider"]["id"],
            beneficiary.beneficiary_id,
            service_codes=CODES,
            preferred_caregiver_sex="female",
        )
        assert plan["preferred_caregiver_sex"] == "female"
        read = await world.client.get(f"/v1/care-plans/{plan['id']}", headers=s["admin"])
        assert read.json()["preferred_caregiver_sex"] == "female"

    async def test_a_preference_without_intimate_care_or_of_an_unknown_sex_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await staffed(world)
        beneficiary = await nursed(world)
        for codes, sex in ((["CS15", "CS22"], "female"), (CODES, "any")):
            body = world.plan_body(
                beneficiary.beneficiary_id, service_codes=codes, preferred_caregiver_sex=sex
            )
            response = await world.client.post("/v1/care-plans", json=body, headers=s["admin"])
            assert response.status_code == 422 and fields(response) == ["preferred_caregiver_sex"]

    async def test_a_male_caregiver_booked_by_hand_for_intimate_care_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await staffed(world)
        beneficiary = await nursed(world)
        plan = await world.care_plan(
            s["provider"]["id"],
            beneficiary.beneficiary_id,
            service_codes=CODES,
            preferred_caregiver_sex="female",
        )
        bath = world.visit_body(plan, s["man"], service_code="CS05", hours=30)
        response = await world.client.post("/v1/visits", json=bath, headers=s["admin"])
        assert response.status_code == 422 and fields(response) == ["caregiver_id"]
        # Not intimate care: the preference does not bind a home visit (CS22).
        await world.visit(plan, s["man"], service_code="CS22", hours=30)
        await world.visit(plan, s["woman"], service_code="CS05", hours=32)


class TestThePlanner:
    async def test_a_female_only_plan_never_gets_the_nearer_male_caregiver_for_intimate_care(
        self, world
    ) -> None:  # type: ignore[no-untyped-def]
        s = await staffed(world)
        wants = await nursed(world)
        plan = await world.care_plan(
            s["provider"]["id"], wants.beneficiary_id, service_codes=CODES, preferred_caregiver_sex="female"
        )
        bath = await left_to_planner(world, s, plan, "CS05", 9)
        toilet = await left_to_planner(world, s, plan, "CS18", 13)
        planned = await plan_day(world, s)
        assert planned[bath["id"]] == planned[toilet["id"]] == s["woman"]["id"]

    async def test_the_control_without_a_preference_the_man_next_door_gets_it(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await staffed(world)
        free = await nursed(world)
        control = await world.care_plan(s["provider"]["id"], free.beneficiary_id, service_codes=CODES)
        bath = await left_to_planner(world, s, control, "CS05", 9)
        assert (await plan_day(world, s))[bath["id"]] == s["man"]["id"]

    async def test_with_nobody_of_that_sex_the_intimate_visit_stays_unassigned(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(service_codes=["CS05", "CS14", "CS15", "CS18", "CS22"])
        man = await world.caregiver_of(provider["id"], sex="male", workday={"home": NEAR, **WORKDAY})
        unrecorded = await world.caregiver_of(provider["id"], workday={"home": NEAR, **WORKDAY})
        s = {"provider": provider, "man": man, "admin": world.admin(provider["id"])}
        beneficiary = await nursed(world)
        plan = await world.care_plan(
            provider["id"], beneficiary.beneficiary_id, service_codes=CODES, preferred_caregiver_sex="female"
        )
        bath = await left_to_planner(world, s, plan, "CS05", 9)
        visit = await left_to_planner(world, s, plan, "CS22", 10)
        planned = await plan_day(world, s)
        assert planned[bath["id"]] is None
        assert planned[visit["id"]] in (man["id"], unrecorded["id"])

    async def test_a_replan_moves_the_womans_intimate_visit_to_no_man(self, world) -> None:  # type: ignore[no-untyped-def]
        s = await staffed(world)
        beneficiary = await nursed(world)
        plan = await world.care_plan(
            s["provider"]["id"],
            beneficiary.beneficiary_id,
            service_codes=CODES,
            preferred_caregiver_sex="female",
        )
        bath = await left_to_planner(world, s, plan, "CS05", 9)
        assert (await plan_day(world, s))[bath["id"]] == s["woman"]["id"]
        body = {
            "date": day().isoformat(),
            "district_code": world.district,
            "unavailable_caregiver_ids": [s["woman"]["id"]],
            "seconds": 1,
        }
        response = await world.client.post("/v1/schedules/replans", json=body, headers=s["admin"])
        assert response.status_code == 201, response.text
        assert bath["id"] in [u["visit_id"] for u in response.json()["unassigned"]]
        read = await world.client.get(f"/v1/visits/{bath['id']}", headers=s["admin"])
        assert read.json()["caregiver_id"] is None
