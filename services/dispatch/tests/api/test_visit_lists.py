"""``GET /v1/visits``: the visits each caller may see, narrowed by the filters, never widened."""

from __future__ import annotations

from typing import Any

import pytest

from eldercare.common.clock import local_date, utcnow

from .conftest import OTHER_DISTRICT

pytestmark = pytest.mark.integration


async def listed(world, headers: dict[str, str], **params: Any) -> list[str]:  # type: ignore[no-untyped-def]
    response = await world.client.get("/v1/visits", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [v["id"] for v in response.json()["items"]]


async def two_caregivers_one_plan(world):  # type: ignore[no-untyped-def]
    scene = await world.scene()
    other = await world.caregiver_of(scene.provider["id"])
    theirs = await world.visit(scene.plan, other, hours=3)
    waiting = await world.visit(scene.plan, scene.caregiver, hours=6, caregiver_id=None)
    return scene, other, theirs, waiting


class TestWhoSeesWhat:
    async def test_the_provider_admin_sees_the_provider_s_visits_and_filters_narrow_them(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, other, theirs, waiting = await two_caregivers_one_plan(world)
        admin = world.admin(scene.provider["id"])
        everything = {scene.visit["id"], theirs["id"], waiting["id"]}
        assert set(await listed(world, admin, care_plan_id=scene.plan["id"])) == everything
        assert await listed(world, admin, care_plan_id=scene.plan["id"], caregiver_id=other["id"]) == [
            theirs["id"]
        ]
        assert await listed(world, admin, care_plan_id=scene.plan["id"], unassigned="true") == [waiting["id"]]
        assert set(
            await listed(world, admin, beneficiary_id=scene.plan["beneficiary_id"], status="scheduled")
        ) == (everything)
        assert await listed(world, admin, care_plan_id=scene.plan["id"], status="completed") == []

    async def test_the_local_day_filter_takes_the_visits_starting_on_that_day_in_china(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        admin = world.admin(scene.provider["id"])
        tomorrow = await world.visit(scene.plan, scene.caregiver, hours=24)
        day = local_date(utcnow())
        on_day = await listed(world, admin, care_plan_id=scene.plan["id"], on=day.isoformat())
        assert scene.visit["id"] in on_day and tomorrow["id"] not in on_day

    async def test_a_caregiver_sees_only_the_visits_booked_to_them(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, other, _, _ = await two_caregivers_one_plan(world)
        me = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        assert await listed(world, me, care_plan_id=scene.plan["id"]) == [scene.visit["id"]]
        # Naming a colleague or the planner's queue widens nothing.
        assert await listed(world, me, caregiver_id=other["id"]) == []
        assert await listed(world, me, unassigned="true") == []

    async def test_another_provider_s_admin_and_caregiver_see_none_of_them(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        stranger, stranger_caregiver = await world.staffed_provider()
        assert await listed(world, world.admin(stranger["id"]), care_plan_id=scene.plan["id"]) == []
        headers = world.caregiver(stranger["id"], stranger_caregiver["id"])
        assert await listed(world, headers, caregiver_id=scene.caregiver["id"]) == []

    async def test_government_sees_its_region_only(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        assert await listed(world, world.officer(), care_plan_id=scene.plan["id"]) == [scene.visit["id"]]
        assert await listed(world, world.officer(OTHER_DISTRICT), care_plan_id=scene.plan["id"]) == []
        street_elsewhere = world.tokens.headers("street_officer", region="430102002")
        assert await listed(world, street_elsewhere, care_plan_id=scene.plan["id"]) == []


class TestPagesAndBadInput:
    async def test_pages_follow_the_cursor_without_repeats(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, _, theirs, waiting = await two_caregivers_one_plan(world)
        admin = world.admin(scene.provider["id"])
        seen: list[str] = []
        cursor = None
        for _ in range(5):
            params = {"care_plan_id": scene.plan["id"], "limit": 1, **({"cursor": cursor} if cursor else {})}
            body = (await world.client.get("/v1/visits", params=params, headers=admin)).json()
            seen += [v["id"] for v in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted([scene.visit["id"], theirs["id"], waiting["id"]])
        assert len(seen) == 3

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"status": "done"}, "status"),
            ({"on": "2026-13-01"}, "on"),
            ({"care_plan_id": "not-a-uuid"}, "care_plan_id"),
            ({"unassigned": "perhaps"}, "unassigned"),
            ({"limit": 0}, "limit"),
            ({"cursor": "x" * 65}, "cursor"),
        ],
    )
    async def test_a_bad_parameter_is_a_422_naming_it(self, world, params, field) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await world.client.get(
            "/v1/visits", params=params, headers=world.admin(scene.provider["id"])
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text

    async def test_no_token_is_401_and_a_role_without_visits_is_403(self, world) -> None:  # type: ignore[no-untyped-def]
        assert (await world.client.get("/v1/visits")).status_code == 401
        platform = world.tokens.headers("city_platform", region="430102")
        assert (await world.client.get("/v1/visits", headers=platform)).status_code == 403
