"""Visits that end otherwise than completed: cancelled when the beneficiary is suspended or
terminated, missed when nobody checked in, and the unassignment of a decertified caregiver's
visits, each published in the transaction of the change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eldercare.common.clock import local_date
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.application.missed import mark_missed_visits

from .test_caregiver_app import world_status_changed
from .test_sanctions import decertified


async def sweep(sessions, now: datetime, grace_minutes: int = 60) -> list:  # type: ignore[no-untyped-def,type-arg]
    async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
        marked = await mark_missed_visits(uow, now=now, grace=timedelta(minutes=grace_minutes))
        await uow.commit()
    return marked


class TestCancelledWithTheBeneficiary:
    async def test_a_suspension_cancels_the_visits_not_started_and_publishes_each(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        later = await world.visit(scene.plan, scene.caregiver, hours=30)
        await world.deliver(world_status_changed(scene.beneficiary.beneficiary_id, "suspended"))
        cancelled = [d for t, d in await outbox() if t == "dispatch.visit.cancelled.v1"]
        assert {d["visit_id"] for d in cancelled} == {scene.visit["id"], later["id"]}
        assert all(d["kind"] == "cancelled" and d["was_completed"] is False for d in cancelled)
        assert "suspended" in cancelled[0]["reason"]
        visit = (await world.client.get(f"/v1/visits/{later['id']}", headers=world.officer())).json()
        assert (visit["status"], visit["status_label"]) == ("cancelled", "已取消")

    async def test_visits_before_the_effective_day_and_visits_in_progress_stay(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        later = await world.visit(scene.plan, scene.caregiver, hours=72)
        event = world_status_changed(scene.beneficiary.beneficiary_id, "terminated")
        event = event.model_copy(update={"effective_on": local_date(datetime.now(UTC)) + timedelta(days=5)})
        await world.deliver(event)
        assert "dispatch.visit.cancelled.v1" not in [t for t, _ in await outbox()]
        visit = (await world.client.get(f"/v1/visits/{later['id']}", headers=world.officer())).json()
        assert visit["status"] == "scheduled"

    async def test_a_termination_ends_the_plan_and_a_suspension_does_not(self, world) -> None:  # type: ignore[no-untyped-def]
        suspended, terminated = await world.scene(), await world.scene()
        await world.deliver(world_status_changed(suspended.beneficiary.beneficiary_id, "suspended"))
        await world.deliver(world_status_changed(terminated.beneficiary.beneficiary_id, "terminated"))
        plans = {}
        for name, scene in (("suspended", suspended), ("terminated", terminated)):
            url = f"/v1/care-plans/{scene.plan['id']}"
            plans[name] = (await world.client.get(url, headers=world.officer())).json()
        assert plans["suspended"]["status"] == "active"
        assert plans["terminated"]["status"] == "ended"

    async def test_a_redelivered_status_change_publishes_nothing_twice(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        event = world_status_changed(scene.beneficiary.beneficiary_id, "suspended")
        await world.deliver(event)
        await world.deliver(event)
        assert [t for t, _ in await outbox()].count("dispatch.visit.cancelled.v1") == 1


class TestMissed:
    async def test_a_visit_nobody_checked_in_to_is_missed_once(self, world, sessions, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        end = datetime.fromisoformat(scene.visit["scheduled_end_at"])
        assert await sweep(sessions, end + timedelta(minutes=59)) == []
        [marked] = await sweep(sessions, end + timedelta(minutes=60))
        assert str(marked.id) == scene.visit["id"]
        assert await sweep(sessions, end + timedelta(hours=5)) == []
        missed = [d for t, d in await outbox() if t == "dispatch.visit.cancelled.v1"]
        assert [(d["visit_id"], d["kind"], d["was_completed"]) for d in missed] == [
            (scene.visit["id"], "missed", False)
        ]
        visit = (await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=world.officer())).json()
        assert visit["status"] == "missed" and "no check-in by" in visit["end_reason"]
        # A missed visit cannot be checked in later.
        assert (await world.check_in(scene)).status_code == 409

    async def test_a_visit_left_to_the_planner_is_missed_by_the_end_of_its_window(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        body = world.visit_body(scene.plan, scene.caregiver, hours=3)
        body.pop("caregiver_id")
        start = datetime.fromisoformat(body["scheduled_start_at"])
        body["window_start_at"] = body["scheduled_start_at"]
        body["window_end_at"] = (start + timedelta(hours=4)).isoformat()
        open_visit = await world._created("/v1/visits", body, world.admin(scene.provider["id"]))
        marked = await sweep(sessions, start + timedelta(hours=4, minutes=30), grace_minutes=0)
        assert open_visit["id"] in [str(v.id) for v in marked]

    async def test_started_and_completed_visits_are_never_missed(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        end = datetime.fromisoformat(scene.visit["scheduled_end_at"])
        assert scene.visit["id"] not in [str(v.id) for v in await sweep(sessions, end + timedelta(days=1))]


class TestUnassignedOnDecertification:
    async def test_each_visit_given_back_to_the_planner_is_published(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        later = await world.visit(scene.plan, scene.caregiver, hours=30)
        await world.deliver(decertified(scene.caregiver["id"]))
        unassigned = [d for t, d in await outbox() if t == "dispatch.visit.unassigned.v1"]
        assert {d["visit_id"] for d in unassigned} == {scene.visit["id"], later["id"]}
        assert all(d["caregiver_id"] == scene.caregiver["id"] for d in unassigned)
        assert "第三十一条" in unassigned[0]["reason"]

    async def test_a_redelivered_decertification_publishes_nothing_more(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.deliver(decertified(scene.caregiver["id"]))
        await world.deliver(decertified(scene.caregiver["id"]))
        assert [t for t, _ in await outbox()].count("dispatch.visit.unassigned.v1") == 1


class TestReschedulingAMissedVisit:
    async def missed(self, world, sessions):  # type: ignore[no-untyped-def]
        scene = await world.scene()
        end = datetime.fromisoformat(scene.visit["scheduled_end_at"])
        await sweep(sessions, end + timedelta(hours=2))
        return scene

    def body(self, scene, hours: float = 3) -> dict:  # type: ignore[no-untyped-def,type-arg]
        start = datetime.now(UTC) + timedelta(hours=hours)
        return {
            "reason": "护理员临时生病，未能上门",
            "caregiver_id": scene.caregiver["id"],
            "scheduled_start_at": start.isoformat(),
            "scheduled_end_at": (start + timedelta(hours=1)).isoformat(),
        }

    async def test_the_provider_gives_a_reason_and_books_it_again_once(self, world, sessions, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await self.missed(world, sessions)
        url = f"/v1/visits/{scene.visit['id']}/reschedulings"
        admin = world.admin(scene.provider["id"])
        response = await world.client.post(url, json=self.body(scene), headers=admin)
        assert response.status_code == 201, response.text
        new = response.json()
        assert (new["status"], new["service_code"], new["caregiver_id"]) == (
            "scheduled",
            "CS22",
            scene.caregiver["id"],
        )
        old = (await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=admin)).json()
        assert (old["status"], old["missed_reason"], old["rescheduled_as"]) == (
            "missed",
            "护理员临时生病，未能上门",
            new["id"],
        )
        assert (await outbox())[-1][0] == "dispatch.visit.scheduled.v1"
        assert (await world.client.post(url, json=self.body(scene, 5), headers=admin)).status_code == 409

    async def test_a_visit_not_missed_is_409_and_another_provider_404(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/visits/{scene.visit['id']}/reschedulings"
        assert (
            await world.client.post(url, json=self.body(scene), headers=world.admin(scene.provider["id"]))
        ).status_code == 409
        other = await world.provider()
        assert (
            await world.client.post(url, json=self.body(scene), headers=world.admin(other["id"]))
        ).status_code == 404

    async def test_a_refused_booking_leaves_the_missed_visit_as_it_was(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        scene = await self.missed(world, sessions)
        body = self.body(scene)
        body["scheduled_end_at"] = body["scheduled_start_at"]  # ends when it starts
        admin = world.admin(scene.provider["id"])
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/reschedulings", json=body, headers=admin
        )
        assert response.status_code == 422
        old = (await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=admin)).json()
        assert (old["missed_reason"], old["rescheduled_as"]) == (None, None)
