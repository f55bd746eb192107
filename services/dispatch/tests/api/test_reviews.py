"""The review queue of held visit records: listed per tenant, accepted or rejected with a comment."""

from __future__ import annotations

from .test_check_ins_and_outs import FAR, problem


async def held_visit(world):  # type: ignore[no-untyped-def]
    """A visit checked in far from the home: completed, verified false, pending review."""
    scene = await world.scene()
    await world.check_in(scene, location=FAR)
    visit = (await world.check_out(scene)).json()
    assert (visit["verified"], visit["review"]["status"]) == (False, "pending")
    return scene, visit


class TestQueue:
    async def test_the_provider_admin_and_the_district_officer_see_the_held_visit(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, visit = await held_visit(world)
        for headers in (world.admin(scene.provider["id"]), world.officer()):
            response = await world.client.get("/v1/visit-reviews", headers=headers)
            assert response.status_code == 200, response.text
            assert visit["id"] in [v["id"] for v in response.json()["items"]]

    async def test_another_provider_and_another_district_see_nothing_of_it(self, world) -> None:  # type: ignore[no-untyped-def]
        _, visit = await held_visit(world)
        other = await world.provider()
        for headers in (world.admin(other["id"]), world.officer(world.other_district)):
            items = (await world.client.get("/v1/visit-reviews", headers=headers)).json()["items"]
            assert visit["id"] not in [v["id"] for v in items]

    async def test_a_verified_visit_is_not_in_the_queue_and_caregivers_may_not_list_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        await world.check_out(scene)
        items = (
            await world.client.get("/v1/visit-reviews", headers=world.admin(scene.provider["id"]))
        ).json()
        assert scene.visit["id"] not in [v["id"] for v in items["items"]]
        headers = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        assert (await world.client.get("/v1/visit-reviews", headers=headers)).status_code == 403


class TestResolving:
    async def test_acceptance_verifies_and_publishes_the_resolution(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene, visit = await held_visit(world)
        response = await world.client.post(
            f"/v1/visits/{visit['id']}/reviews",
            json={"outcome": "accepted", "comment": "老人搬到女儿家，地址已核实"},
            headers=world.admin(scene.provider["id"]),
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["status"], body["verified"], body["review"]["status"]) == ("completed", True, "accepted")
        event_type, data = (await outbox())[-1]
        assert event_type == "dispatch.visit.verification_resolved.v1"
        assert (data["visit_id"], data["outcome"]) == (visit["id"], "accepted")
        queue = (
            await world.client.get("/v1/visit-reviews", headers=world.admin(scene.provider["id"]))
        ).json()
        assert visit["id"] not in [v["id"] for v in queue["items"]]

    async def test_rejection_voids_the_visit_and_publishes_the_voiding(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        _, visit = await held_visit(world)
        response = await world.client.post(
            f"/v1/visits/{visit['id']}/reviews",
            json={"outcome": "rejected", "comment": "签到地点不在服务对象家中"},
            headers=world.officer(),
        )
        assert response.status_code == 201, response.text
        assert (response.json()["status"], response.json()["status_label"]) == ("voided", "已作废")
        (t1, resolved), (t2, cancelled) = (await outbox())[-2:]
        assert (t1, resolved["outcome"]) == ("dispatch.visit.verification_resolved.v1", "rejected")
        assert (t2, cancelled["kind"], cancelled["was_completed"]) == (
            "dispatch.visit.cancelled.v1",
            "voided",
            True,
        )

    async def test_a_review_without_a_comment_is_422_and_changes_nothing(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene, visit = await held_visit(world)
        before = len(await outbox())
        response = await world.client.post(
            f"/v1/visits/{visit['id']}/reviews",
            json={"outcome": "rejected"},
            headers=world.admin(scene.provider["id"]),
        )
        assert response.status_code == 422
        assert [e["field"] for e in problem(response)["errors"]] == ["comment"]
        assert len(await outbox()) == before

    async def test_a_second_review_is_409_and_another_tenant_gets_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, visit = await held_visit(world)
        url = f"/v1/visits/{visit['id']}/reviews"
        other = await world.provider()
        response = await world.client.post(
            url, json={"outcome": "accepted", "comment": "核实无误"}, headers=world.admin(other["id"])
        )
        assert response.status_code == 404
        response = await world.client.post(
            url,
            json={"outcome": "accepted", "comment": "核实无误"},
            headers=world.officer(world.other_district),
        )
        assert response.status_code == 404
        admin = world.admin(scene.provider["id"])
        assert (
            await world.client.post(url, json={"outcome": "accepted", "comment": "核实无误"}, headers=admin)
        ).status_code == 201
        assert (
            await world.client.post(url, json={"outcome": "accepted", "comment": "核实无误"}, headers=admin)
        ).status_code == 409

    async def test_a_bad_outcome_is_422_naming_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, visit = await held_visit(world)
        response = await world.client.post(
            f"/v1/visits/{visit['id']}/reviews",
            json={"outcome": "maybe"},
            headers=world.admin(scene.provider["id"]),
        )
        assert [e["field"] for e in problem(response)["errors"]] == ["outcome"]
