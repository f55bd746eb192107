"""The caregiver app (issue #5): the day's schedule, accept, decline, set off, and offline-safe
check-ins and check-outs (client-generated ids, the phone's clock)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from eldercare.common.clock import local_date

from .test_check_ins_and_outs import problem


def me(world, scene):  # type: ignore[no-untyped-def]
    return world.caregiver(scene.provider["id"], scene.caregiver["id"])


def today() -> str:
    return local_date(datetime.now(UTC)).isoformat()


class TestMySchedule:
    async def test_a_caregiver_sees_their_day_in_time_order_with_the_home_and_the_items(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        later = await world.visit(scene.plan, scene.caregiver, hours=2)
        colleague = await world.caregiver_of(scene.provider["id"])
        await world.visit(scene.plan, colleague, hours=4)  # not theirs
        response = await world.client.get(
            f"/v1/caregivers/{scene.caregiver['id']}/visits", params={"on": today()}, headers=me(world, scene)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        ids = [v["id"] for v in body["items"]]
        # Visits late in the local evening may fall on the next day; the two of this test are an
        # hour and two hours out, so the order is checked on what is there.
        assert [i for i in [scene.visit["id"], later["id"]] if i in ids] == ids
        first = body["items"][0]
        assert first["home"] == {"community_code": "430102001001", "location": world.home}
        assert first["plan_items"] == ["CS15", "CS22", "CS25"]

    async def test_another_caregivers_schedule_is_404_and_their_admin_may_read_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        colleague = await world.caregiver_of(scene.provider["id"])
        url = f"/v1/caregivers/{scene.caregiver['id']}/visits"
        other = world.caregiver(scene.provider["id"], colleague["id"])
        assert (await world.client.get(url, params={"on": today()}, headers=other)).status_code == 404
        stranger_provider, _ = await world.staffed_provider()
        headers = world.admin(stranger_provider["id"])
        assert (await world.client.get(url, params={"on": today()}, headers=headers)).status_code == 404
        own_admin = world.admin(scene.provider["id"])
        assert (await world.client.get(url, params={"on": today()}, headers=own_admin)).status_code == 200

    async def test_a_bad_date_is_422_naming_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await world.client.get(
            f"/v1/caregivers/{scene.caregiver['id']}/visits",
            params={"on": "tomorrow"},
            headers=me(world, scene),
        )
        assert response.status_code == 422
        assert [e["field"] for e in problem(response)["errors"]] == ["query.on"]


class TestAcceptDeclineSetOff:
    async def test_accept_and_set_off_are_recorded_once(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/visits/{scene.visit['id']}"
        first = await world.client.post(f"{url}/acceptances", json={}, headers=me(world, scene))
        assert first.status_code == 201, first.text
        again = await world.client.post(f"{url}/acceptances", json={}, headers=me(world, scene))
        assert again.json()["accepted_at"] == first.json()["accepted_at"] is not None
        trip = await world.client.post(f"{url}/trips", json={}, headers=me(world, scene))
        assert trip.status_code == 201 and trip.json()["trip_started_at"] is not None

    async def test_declining_returns_the_visit_to_the_planner_and_publishes_it(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/declines", json={"reason": "发烧请假"}, headers=me(world, scene)
        )
        assert response.status_code == 201, response.text
        assert (response.json()["caregiver_id"], response.json()["status"]) == (None, "scheduled")
        event_type, data = (await outbox())[-1]
        assert event_type == "dispatch.visit.unassigned.v1"
        assert (data["visit_id"], data["caregiver_id"]) == (scene.visit["id"], scene.caregiver["id"])
        assert "发烧请假" in data["reason"]
        # No longer theirs: a second decline is a 404.
        again = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/declines", json={"reason": "x"}, headers=me(world, scene)
        )
        assert again.status_code == 404

    async def test_a_decline_needs_a_reason(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/declines", json={"reason": "  "}, headers=me(world, scene)
        )
        assert response.status_code == 422
        assert [e["field"] for e in problem(response)["errors"]] == ["reason"]

    async def test_a_started_visit_cannot_be_declined(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/declines", json={"reason": "x"}, headers=me(world, scene)
        )
        assert response.status_code == 409
        assert "dispatch.visit.unassigned.v1" not in [t for t, _ in await outbox()]

    async def test_another_caregiver_or_an_admin_cannot_act_on_the_visit(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        colleague = await world.caregiver_of(scene.provider["id"])
        url = f"/v1/visits/{scene.visit['id']}"
        other = world.caregiver(scene.provider["id"], colleague["id"])
        for path, body in [("acceptances", {}), ("trips", {}), ("declines", {"reason": "x"})]:
            assert (await world.client.post(f"{url}/{path}", json=body, headers=other)).status_code == 404
            admin = world.admin(scene.provider["id"])
            assert (await world.client.post(f"{url}/{path}", json=body, headers=admin)).status_code == 403


class TestOfflineCalls:
    async def test_a_retried_check_in_with_the_same_client_id_changes_nothing(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        body = {"location": world.home, "accuracy_m": 10, "client_id": str(uuid.uuid4())}
        url = f"/v1/visits/{scene.visit['id']}/check-ins"
        first = await world.client.post(url, json=body, headers=me(world, scene))
        again = await world.client.post(url, json=body, headers=me(world, scene))
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json()["checked_in_at"] == first.json()["checked_in_at"]
        assert [t for t, _ in await outbox()].count("dispatch.visit.checked_in.v1") == 1

    async def test_a_client_id_reused_for_another_call_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        client_id = str(uuid.uuid4())
        url = f"/v1/visits/{scene.visit['id']}"
        await world.client.post(f"{url}/acceptances", json={"client_id": client_id}, headers=me(world, scene))
        body = {"location": world.home, "accuracy_m": 10, "client_id": client_id}
        response = await world.client.post(f"{url}/check-ins", json=body, headers=me(world, scene))
        assert response.status_code == 422
        assert [e["field"] for e in problem(response)["errors"]] == ["client_id"]

    async def test_the_phones_clock_is_recorded_and_a_large_skew_flagged_but_the_server_time_rules(
        self, world
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        device = datetime.now(UTC) - timedelta(minutes=30)
        body = {"location": world.home, "accuracy_m": 10, "device_time": device.isoformat()}
        visit = (
            await world.client.post(
                f"/v1/visits/{scene.visit['id']}/check-ins", json=body, headers=me(world, scene)
            )
        ).json()
        assert datetime.fromisoformat(visit["check_in_device_at"]) == device
        assert datetime.fromisoformat(visit["checked_in_at"]) > device + timedelta(minutes=29)
        assert [(f["code"], f["action"]) for f in visit["flags"]] == [("clock_skew", "note")]
        done = (await world.check_out(scene)).json()
        assert done["verified"] is True  # a skew is noted, not held

    async def test_a_check_out_of_a_cancelled_visit_is_409(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.deliver(
            world_status_changed(scene.beneficiary.beneficiary_id, "suspended")  # cancels the visit
        )
        response = await world.check_out(scene)
        assert response.status_code == 409
        assert "cancelled" in problem(response)["detail"]


def world_status_changed(beneficiary_id, status: str):  # type: ignore[no-untyped-def]
    from eldercare.common.contracts import BeneficiaryStatusChanged

    now = datetime.now(UTC)
    return BeneficiaryStatusChanged(
        beneficiary_id=beneficiary_id,
        district_code="430102",
        status=status,
        reason="住院",
        effective_on=local_date(now),
        changed_at=now,
    )


class TestOutOfOrderSync:
    async def test_an_acceptance_or_trip_synced_after_the_check_in_changes_nothing(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        url = f"/v1/visits/{scene.visit['id']}"
        for path in ("acceptances", "trips"):
            response = await world.client.post(f"{url}/{path}", json={}, headers=me(world, scene))
            assert response.status_code == 201, response.text
            assert response.json()["status"] == "in_progress"

    async def test_a_cancelled_visit_cannot_be_accepted(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.deliver(world_status_changed(scene.beneficiary.beneficiary_id, "suspended"))
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/acceptances", json={}, headers=me(world, scene)
        )
        assert response.status_code == 409
