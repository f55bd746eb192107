"""Emergency help calls (助急): raised by the line, a caregiver or the city platform, handled by the
provider with the beneficiary's active plan, with response times; scoped lists."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from eldercare.common.testing.plugin import api_test_settings
from eldercare.dispatch.settings import DispatchSettings

from .test_check_ins_and_outs import problem


async def raise_call(world, scene, headers=None, **body):  # type: ignore[no-untyped-def]
    payload = {
        "beneficiary_id": str(scene.beneficiary.beneficiary_id),
        "kind": "fall",
        "source": "phone",
        **body,
    }
    return await world.client.post(
        "/v1/emergencies", json=payload, headers=headers or world.admin(scene.provider["id"])
    )


async def events_of(outbox, emergency_id: str) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    return [(t, d) for t, d in await outbox() if d.get("emergency_id") == emergency_id]


class TestRaising:
    async def test_the_line_raises_a_call_for_the_plans_provider_and_it_is_published(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await raise_call(world, scene)
        assert response.status_code == 201, response.text
        call = response.json()
        assert (call["provider_id"], call["care_plan_id"], call["status"]) == (
            scene.provider["id"],
            scene.plan["id"],
            "open",
        )
        assert call["response_due_at"] is None  # DISPATCH_EMERGENCY_RESPONSE_MINUTES unset
        event_type, data = (await events_of(outbox, call["id"]))[0]
        assert event_type == "dispatch.emergency.raised.v1"
        assert (data["emergency_id"], data["provider_id"], data["kind"], data["source"]) == (
            call["id"],
            scene.provider["id"],
            "fall",
            "phone",
        )

    async def test_the_city_platform_of_the_region_may_raise_one_and_of_another_may_not(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        platform = world.tokens.headers("city_platform", region="4301")
        assert (await raise_call(world, scene, platform, source="platform")).status_code == 201
        elsewhere = world.tokens.headers("city_platform", region="4302")
        assert (await raise_call(world, scene, elsewhere, source="platform")).status_code == 404

    async def test_a_caregiver_raises_as_caregiver_only(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        cg = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        assert (await raise_call(world, scene, cg, source="caregiver")).status_code == 201
        response = await raise_call(world, scene, cg, source="device")
        assert response.status_code == 422 and [e["field"] for e in problem(response)["errors"]] == ["source"]

    async def test_another_provider_cannot_raise_for_the_beneficiary(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        other = await world.provider()
        assert (await raise_call(world, scene, world.admin(other["id"]))).status_code == 404
        assert (await raise_call(world, scene, beneficiary_id=str(uuid4()))).status_code == 404
        assert "dispatch.emergency.raised.v1" not in [t for t, _ in await outbox()]

    async def test_bad_kinds_and_sources_are_422_naming_them(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await raise_call(world, scene, kind="earthquake", source="pigeon")
        assert sorted(e["field"] for e in problem(response)["errors"]) == ["kind", "source"]


class TestHandling:
    async def test_acknowledge_arrive_resolve_with_response_times_and_the_resolution_published(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        call = (await raise_call(world, scene)).json()
        url = f"/v1/emergencies/{call['id']}"
        admin = world.admin(scene.provider["id"])
        cg = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        acked = await world.client.post(f"{url}/acknowledgements", headers=admin)
        assert acked.status_code == 201 and acked.json()["status"] == "acknowledged"
        arrived = (await world.client.post(f"{url}/arrivals", headers=cg)).json()
        assert (arrived["status"], arrived["responder_caregiver_id"]) == ("on_scene", scene.caregiver["id"])
        assert arrived["seconds_to_respond"] >= arrived["seconds_to_acknowledge"] >= 0
        done = await world.client.post(f"{url}/resolutions", json={"outcome": "hospitalised"}, headers=cg)
        assert done.status_code == 201 and done.json()["status"] == "resolved"
        event_type, data = (await outbox())[-1]
        assert event_type == "dispatch.emergency.resolved.v1"
        assert (data["outcome"], data["kind"], data["responded_at"] is not None) == (
            "hospitalised",
            "fall",
            True,
        )
        again = await world.client.post(f"{url}/resolutions", json={"outcome": "false_alarm"}, headers=cg)
        assert again.status_code == 409
        steps = await events_of(outbox, call["id"])
        assert [t for t, _ in steps] == [
            "dispatch.emergency.raised.v1",
            "dispatch.emergency.escalated.v1",  # nobody of the scene has a position: the line at once
            "dispatch.emergency.acknowledged.v1",
            "dispatch.emergency.arrived.v1",
            "dispatch.emergency.resolved.v1",
        ]
        ack, arrival = steps[2][1], steps[3][1]
        assert (ack["caregiver_id"], ack["acknowledged_at"][:19]) == (
            None,
            acked.json()["acknowledged_at"][:19],
        )
        assert (arrival["caregiver_id"], arrival["response_seconds"]) == (
            scene.caregiver["id"],
            arrived["seconds_to_respond"],
        )

    async def test_a_repeated_step_publishes_nothing_more_and_an_arrival_takes_the_call(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        call = (await raise_call(world, scene)).json()
        url = f"/v1/emergencies/{call['id']}"
        cg = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        for _ in range(2):
            assert (await world.client.post(f"{url}/arrivals", headers=cg)).status_code == 201
            assert (await world.client.post(f"{url}/acknowledgements", headers=cg)).status_code == 201
        steps = await events_of(outbox, call["id"])
        assert [t for t, _ in steps][2:] == [
            "dispatch.emergency.acknowledged.v1",
            "dispatch.emergency.arrived.v1",
        ]
        assert steps[2][1]["caregiver_id"] == steps[3][1]["caregiver_id"] == scene.caregiver["id"]

    async def test_government_staff_follow_a_call_but_do_not_respond_to_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        call = (await raise_call(world, scene)).json()
        url = f"/v1/emergencies/{call['id']}"
        assert (await world.client.get(url, headers=world.officer())).status_code == 200
        assert (
            await world.client.post(f"{url}/acknowledgements", headers=world.officer())
        ).status_code == 403
        assert (await world.client.get(url, headers=world.officer(world.other_district))).status_code == 404

    async def test_another_providers_staff_get_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        call = (await raise_call(world, scene)).json()
        other, stranger = await world.staffed_provider()
        url = f"/v1/emergencies/{call['id']}"
        assert (await world.client.get(url, headers=world.admin(other["id"]))).status_code == 404
        headers = world.caregiver(other["id"], stranger["id"])
        assert (await world.client.post(f"{url}/arrivals", headers=headers)).status_code == 404


class TestOpenList:
    async def test_the_provider_and_the_district_list_open_calls_and_resolved_ones_leave(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        call = (await raise_call(world, scene)).json()
        admin = world.admin(scene.provider["id"])
        for headers in (admin, world.officer()):
            items = (await world.client.get("/v1/emergencies", headers=headers)).json()["items"]
            assert call["id"] in [c["id"] for c in items]
        other = await world.provider()
        for headers in (world.admin(other["id"]), world.officer(world.other_district)):
            items = (await world.client.get("/v1/emergencies", headers=headers)).json()["items"]
            assert call["id"] not in [c["id"] for c in items]
        await world.client.post(
            f"/v1/emergencies/{call['id']}/resolutions", json={"outcome": "false_alarm"}, headers=admin
        )
        items = (await world.client.get("/v1/emergencies", headers=admin)).json()["items"]
        assert call["id"] not in [c["id"] for c in items]


class TestOverdue:
    async def test_without_the_response_setting_the_overdue_list_is_503_naming_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await world.client.get(
            "/v1/emergencies", params={"overdue": "true"}, headers=world.admin(scene.provider["id"])
        )
        assert response.status_code == 503
        assert "DISPATCH_EMERGENCY_RESPONSE_MINUTES" in response.json()["detail"]


class TestWithAResponseTime:
    @pytest.fixture
    def settings(self, database_url, tokens):  # type: ignore[no-untyped-def]
        return DispatchSettings(**api_test_settings(database_url, tokens), emergency_response_minutes=30)

    async def test_a_call_shows_its_due_time_and_is_not_overdue_yet(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        call = (await raise_call(world, scene)).json()
        raised = datetime.fromisoformat(call["raised_at"])
        assert datetime.fromisoformat(call["response_due_at"]) == raised + timedelta(minutes=30)
        admin = world.admin(scene.provider["id"])
        response = await world.client.get("/v1/emergencies", params={"overdue": "true"}, headers=admin)
        assert response.status_code == 200 and response.json()["items"] == []


NEAR = {"lat": 28.1950, "lon": 112.9770}  # about 130 m from the home
FARTHER = {"lat": 28.2100, "lon": 112.9900}  # about 2.2 km
ALL_DAY = {"shift_start": "00:00", "shift_end": "23:59", "max_visits_per_day": 8}


class TestNotifyingTheNearestCaregiver:
    async def staffed(self, world):  # type: ignore[no-untyped-def]
        scene = await world.scene()
        # The scene's caregiver has no workday (no known position): never asked first.
        near = await world.caregiver_of(scene.provider["id"], workday={"home": NEAR, **ALL_DAY})
        far = await world.caregiver_of(scene.provider["id"], workday={"home": FARTHER, **ALL_DAY})
        return scene, near, far

    async def test_the_nearest_available_caregiver_is_asked_first_then_the_next_then_the_line(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene, near, far = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        assert call["notified_caregiver_ids"] == [near["id"]] and call["notified_at"] is not None
        url = f"/v1/emergencies/{call['id']}/escalations"
        cannot = world.caregiver(scene.provider["id"], near["id"])
        second = (await world.client.post(url, headers=cannot)).json()
        assert (second["notified_caregiver_ids"], second["escalated_to_line_at"]) == (
            [near["id"], far["id"]],
            None,
        )
        third = (await world.client.post(url, headers=world.admin(scene.provider["id"]))).json()
        assert third["escalated_to_line_at"] is not None
        assert (await world.client.post(url, headers=world.admin(scene.provider["id"]))).status_code == 201
        escalations = [d for t, d in await events_of(outbox, call["id"]) if t.endswith(".escalated.v1")]
        hops = [(d["from_caregiver_id"], d["to_caregiver_id"], d["to_hotline"]) for d in escalations]
        # The first request is in the raising; a fourth call on the line publishes nothing more.
        assert hops == [(near["id"], far["id"], False), (far["id"], None, True)]
        assert escalations[0]["reason"] == "the asked caregiver cannot go"

    async def test_a_caregiver_in_a_visit_or_decertified_is_not_asked(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, near, far = await self.staffed(world)
        visit = await world.visit(scene.plan, near, hours=0)
        headers = world.caregiver(scene.provider["id"], near["id"])
        body = {"location": world.home, "accuracy_m": 10}
        assert (
            await world.client.post(f"/v1/visits/{visit['id']}/check-ins", json=body, headers=headers)
        ).status_code == 201
        call = (await raise_call(world, scene)).json()
        assert call["notified_caregiver_ids"] == [far["id"]]

    async def test_without_anyone_to_ask_the_call_goes_to_the_line_at_once(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        call = (await raise_call(world, scene)).json()
        assert call["notified_caregiver_ids"] == [] and call["escalated_to_line_at"] is not None
        (event_type, data) = (await events_of(outbox, call["id"]))[-1]
        assert event_type == "dispatch.emergency.escalated.v1"
        assert (data["to_hotline"], data["from_caregiver_id"], data["reason"]) == (
            True,
            None,
            "no caregiver available",
        )

    async def test_the_worker_escalates_what_nobody_acknowledged(self, world, sessions, outbox) -> None:  # type: ignore[no-untyped-def]
        from eldercare.common.uow import UnitOfWork
        from eldercare.dispatch.adapters.orm import MESSAGING
        from eldercare.dispatch.application.emergencies import escalate_unacknowledged

        scene, near, far = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        acked = (await raise_call(world, scene)).json()
        await world.client.post(
            f"/v1/emergencies/{acked['id']}/acknowledgements", headers=world.admin(scene.provider["id"])
        )
        async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
            done = await escalate_unacknowledged(uow, after=timedelta(0))
            await uow.commit()
        assert [str(e.id) for e in done] == [call["id"]]
        read = (await world.client.get(f"/v1/emergencies/{call['id']}", headers=world.officer())).json()
        assert read["notified_caregiver_ids"] == [near["id"], far["id"]]
        (event_type, data) = (await events_of(outbox, call["id"]))[-1]
        assert (event_type, data["to_caregiver_id"], data["reason"]) == (
            "dispatch.emergency.escalated.v1",
            far["id"],
            "not acknowledged within 0 minutes",
        )
