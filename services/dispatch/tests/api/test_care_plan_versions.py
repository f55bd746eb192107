"""A change of plan is a new version with a signed agreement (CarePlanChanged); a plan ends by its
provider, by the district or when its agreement runs out, and its visits still ahead are cancelled
(VisitCancelled kind cancelled, reason "plan ended")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import update

from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.models import CarePlanRow
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.application.plan_ends import end_expired_plans

from .test_check_ins_and_outs import problem


def fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(e["field"] for e in problem(response)["errors"])


def version_body(**overrides: Any) -> dict[str, Any]:
    return {
        "service_codes": ["CS15", "CS22", "CS24"],
        "frequency_per_month": 12,
        "agreement": {"signed_on": date.today().isoformat(), "duration_months": 6},
        **overrides,
    }


async def of_visits(outbox, ids) -> list[tuple[str, dict]]:  # type: ignore[no-untyped-def,type-arg]
    return [(t, d) for t, d in await outbox() if d.get("visit_id") in ids]


class TestANewVersion:
    async def test_a_change_is_version_2_published_kept_and_cancels_visits_of_items_gone(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        admin = world.admin(scene.provider["id"])
        vitals = await world.visit(scene.plan, scene.caregiver, service_code="CS25", hours=30)
        home = await world.visit(scene.plan, scene.caregiver, service_code="CS22", hours=33)
        url = f"/v1/care-plans/{scene.plan['id']}"
        response = await world.client.post(f"{url}/versions", json=version_body(), headers=admin)
        assert response.status_code == 201, response.text
        plan = response.json()
        assert (plan["id"], plan["version"], plan["service_codes"], plan["frequency_per_month"]) == (
            scene.plan["id"],
            2,
            ["CS15", "CS22", "CS24"],
            12,
        )
        assert plan["agreement"]["duration_months"] == 6 and plan["changed_at"] is not None
        assert plan["cancelled_visit_ids"] == [vitals["id"]] and plan["unassigned_visit_ids"] == []
        changed = [d for t, d in await outbox() if t == "dispatch.care_plan.changed.v1"]
        assert [(d["care_plan_id"], d["version"], d["service_codes"]) for d in changed] == [
            (scene.plan["id"], 2, ["CS15", "CS22", "CS24"])
        ]
        # VisitScheduled at booking, then VisitCancelled.
        [(event_type, cancelled)] = (await of_visits(outbox, [vitals["id"]]))[1:]
        assert event_type == "dispatch.visit.cancelled.v1"
        assert (cancelled["kind"], cancelled["was_completed"]) == ("cancelled", False)
        assert "CS25 is no longer in the care plan" in cancelled["reason"]
        read = await world.client.get(f"/v1/visits/{home['id']}", headers=admin)
        assert read.json()["status"] == "scheduled"
        versions = (await world.client.get(f"{url}/versions", headers=world.officer())).json()["items"]
        assert [(v["version"], v["service_codes"], v["agreement"]["duration_months"]) for v in versions] == [
            (1, ["CS15", "CS22", "CS25"], 12),
            (2, ["CS15", "CS22", "CS24"], 6),
        ]
        # The new version rules: CS25 can no longer be booked.
        again = await world.client.post(
            "/v1/visits",
            json=world.visit_body(scene.plan, scene.caregiver, service_code="CS25"),
            headers=admin,
        )
        assert again.status_code == 422 and fields(again) == ["service_code"]

    async def test_a_bad_version_is_422_naming_fields_and_changes_nothing(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/care-plans/{scene.plan['id']}/versions"
        admin = world.admin(scene.provider["id"])
        earlier = {"signed_on": (date.today() - timedelta(days=1)).isoformat(), "duration_months": 6}
        response = await world.client.post(
            url, json=version_body(service_codes=["CS15", "CS99"], agreement=earlier), headers=admin
        )
        assert response.status_code == 422
        assert fields(response) == ["agreement.signed_on", "service_codes"]
        response = await world.client.post(url, json=version_body(frequency_per_month=0), headers=admin)
        assert response.status_code == 422 and fields(response) == ["frequency_per_month"]
        plan = (await world.client.get(f"/v1/care-plans/{scene.plan['id']}", headers=admin)).json()
        assert plan["version"] == 1
        assert "dispatch.care_plan.changed.v1" not in [t for t, _ in await outbox()]

    async def test_only_the_plans_provider_admin_changes_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/care-plans/{scene.plan['id']}/versions"
        other = await world.provider()
        assert (
            await world.client.post(url, json=version_body(), headers=world.admin(other["id"]))
        ).status_code == 404
        assert (await world.client.post(url, json=version_body(), headers=world.officer())).status_code == 403
        versions = f"/v1/care-plans/{scene.plan['id']}/versions"
        assert (await world.client.get(versions, headers=world.admin(other["id"]))).status_code == 404
        elsewhere = world.officer(world.other_district)
        assert (await world.client.get(versions, headers=elsewhere)).status_code == 404

    async def test_a_new_sex_preference_sends_a_mans_intimate_visit_back_to_the_planner(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(service_codes=["CS05", "CS14", "CS15", "CS22"])
        man = await world.caregiver_of(provider["id"], sex="male")
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(
            provider["id"], beneficiary.beneficiary_id, service_codes=["CS05", "CS15"]
        )
        bath = await world.visit(plan, man, service_code="CS05", hours=30)
        body = version_body(service_codes=["CS05", "CS15"], preferred_caregiver_sex="female")
        response = await world.client.post(
            f"/v1/care-plans/{plan['id']}/versions", json=body, headers=world.admin(provider["id"])
        )
        assert response.status_code == 201, response.text
        assert response.json()["unassigned_visit_ids"] == [bath["id"]]
        events = await of_visits(outbox, [bath["id"]])
        assert events[-1][0] == "dispatch.visit.unassigned.v1" and events[-1][1]["caregiver_id"] == man["id"]
        read = await world.client.get(f"/v1/visits/{bath['id']}", headers=world.admin(provider["id"]))
        assert (read.json()["caregiver_id"], read.json()["status"]) == (None, "scheduled")


class TestTheEnd:
    async def test_the_provider_ends_a_plan_and_its_visits_ahead_are_cancelled(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        admin = world.admin(scene.provider["id"])
        ahead = await world.visit(scene.plan, scene.caregiver, hours=30)
        url = f"/v1/care-plans/{scene.plan['id']}"
        response = await world.client.post(f"{url}/ends", json={"reason": "家属申请终止服务"}, headers=admin)
        assert response.status_code == 201, response.text
        plan = response.json()
        assert (plan["status"], plan["end_reason"], plan["cancelled_visit_ids"]) == (
            "ended",
            "家属申请终止服务",
            [ahead["id"]],
        )
        [(event_type, data)] = (await of_visits(outbox, [ahead["id"]]))[1:]
        assert (event_type, data["kind"], data["reason"]) == (
            "dispatch.visit.cancelled.v1",
            "cancelled",
            "plan ended",
        )
        # The scene's visit started its slot already: left to the missed-visit sweep, not cancelled.
        read = await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=admin)
        assert read.json()["status"] == "scheduled"
        again = await world.client.post(f"{url}/ends", json={"reason": "again"}, headers=admin)
        assert again.status_code == 409
        change = await world.client.post(f"{url}/versions", json=version_body(), headers=admin)
        assert change.status_code == 409
        booking = await world.client.post(
            "/v1/visits", json=world.visit_body(scene.plan, scene.caregiver, hours=40), headers=admin
        )
        assert booking.status_code == 409
        # A new plan for the beneficiary may now be written (one active plan per provider).
        await world.care_plan(scene.provider["id"], scene.beneficiary.beneficiary_id)

    async def test_the_district_ends_a_plan_other_regions_and_roles_may_not(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/care-plans/{scene.plan['id']}/ends"
        body = {"reason": "服务对象迁出"}
        assert (
            await world.client.post(url, json=body, headers=world.officer(world.other_district))
        ).status_code == 404
        other = await world.provider()
        assert (await world.client.post(url, json=body, headers=world.admin(other["id"]))).status_code == 404
        community = world.tokens.headers("community_worker", region=scene.plan["community_code"])
        assert (await world.client.post(url, json=body, headers=community)).status_code == 403
        cg = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        assert (await world.client.post(url, json=body, headers=cg)).status_code == 403
        assert (
            await world.client.post(url, json={"reason": " "}, headers=world.officer())
        ).status_code == 422
        response = await world.client.post(url, json=body, headers=world.officer())
        assert response.status_code == 201 and response.json()["status"] == "ended"

    async def test_a_plan_whose_agreement_ran_out_is_ended_by_the_sweep(
        self, world, sessions, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        ahead = await world.visit(scene.plan, scene.caregiver, hours=30)
        yesterday = date.today() - timedelta(days=1)
        async with sessions() as s:
            await s.execute(
                update(CarePlanRow)
                .where(CarePlanRow.id == scene.plan["id"])
                .values(agreement_ends_on=yesterday)
            )
            await s.commit()
        from eldercare.common.clock import utcnow

        for _ in range(2):  # a second sweep finds nothing
            async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
                ended = await end_expired_plans(uow, now=utcnow())
                await uow.commit()
        assert ended == []
        plan = (await world.client.get(f"/v1/care-plans/{scene.plan['id']}", headers=world.officer())).json()
        assert plan["status"] == "ended" and plan["end_reason"].startswith("the agreement ended on")
        cancelled = [d for t, d in await of_visits(outbox, [ahead["id"]]) if t.endswith("cancelled.v1")]
        assert [d["reason"] for d in cancelled] == ["plan ended"]
