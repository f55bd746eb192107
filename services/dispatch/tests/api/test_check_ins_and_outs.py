"""POST /v1/visits/{id}/check-ins and /check-outs: the caregiver's phone."""

from __future__ import annotations

from datetime import datetime

FAR = {"lat": 28.2282, "lon": 112.9388}  # Changsha city centre, about 5.3 km from the home


def problem(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()  # type: ignore[no-any-return]


class TestCheckingIn:
    async def test_the_assigned_caregiver_checks_in_at_the_home(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await world.check_in(scene, accuracy_m=12)
        assert response.status_code == 201, response.text
        visit = response.json()
        assert (visit["status"], visit["status_label"]) == ("in_progress", "服务中")
        assert (visit["location_ok"], visit["distance_m"]) == (True, 0.0)
        assert visit["check_in"] == {
            "location": world.home,
            "accuracy_m": 12.0,
            "distance_m": 0.0,
            "location_ok": True,
        }
        event_type, data = (await outbox())[-1]
        assert event_type == "dispatch.visit.checked_in.v1"
        assert (data["visit_id"], data["location_ok"], data["distance_m"]) == (visit["id"], True, 0.0)
        assert datetime.fromisoformat(data["checked_in_at"]) == datetime.fromisoformat(visit["checked_in_at"])

    async def test_the_check_in_time_is_the_servers(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        before = datetime.now().astimezone()
        visit = (await world.check_in(scene)).json()
        assert before <= datetime.fromisoformat(visit["checked_in_at"]) <= datetime.now().astimezone()

    async def test_a_far_away_check_in_is_recorded_with_its_distance_and_flagged(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        visit = (await world.check_in(scene, location=FAR)).json()
        assert visit["status"] == "in_progress"
        assert visit["location_ok"] is False and 5200 < visit["distance_m"] < 5300
        assert (await outbox())[-1][1]["location_ok"] is False

    async def test_checking_in_twice_is_a_conflict(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        response = await world.check_in(scene)
        assert response.status_code == 409
        assert [t for t, _ in await outbox()].count("dispatch.visit.checked_in.v1") == 1

    async def test_caregiver_b_checking_in_on_caregiver_as_visit_gets_404(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        colleague = await world.caregiver_of(scene.provider["id"])
        response = await world.check_in(scene, headers=world.caregiver(scene.provider["id"], colleague["id"]))
        assert response.status_code == 404
        other_provider, stranger = await world.staffed_provider()
        response = await world.check_in(scene, headers=world.caregiver(other_provider["id"], stranger["id"]))
        assert response.status_code == 404
        assert "dispatch.visit.checked_in.v1" not in [t for t, _ in await outbox()]

    async def test_a_caregiver_in_another_home_must_check_out_first(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        later = await world.visit(scene.plan, scene.caregiver, hours=2)
        await world.check_in(scene)
        headers = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        body = {"location": world.home, "accuracy_m": 10}
        response = await world.client.post(f"/v1/visits/{later['id']}/check-ins", json=body, headers=headers)
        assert response.status_code == 409

    async def test_only_caregivers_check_in(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        assert (await world.check_in(scene, headers=world.admin(scene.provider["id"]))).status_code == 403
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/check-ins", json={"location": world.home, "accuracy_m": 10}
        )
        assert response.status_code == 401

    async def test_bad_locations_are_422_naming_the_field(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        headers = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        url = f"/v1/visits/{scene.visit['id']}/check-ins"
        response = await world.client.post(
            url, json={"location": {"lat": 91, "lon": "east"}}, headers=headers
        )
        assert response.status_code == 422
        assert sorted(e["field"] for e in problem(response)["errors"]) == [
            "accuracy_m",
            "location.lat",
            "location.lon",
        ]
        response = await world.client.post(
            url, json={"location": world.home, "accuracy_m": -1}, headers=headers
        )
        assert [e["field"] for e in problem(response)["errors"]] == ["accuracy_m"]

    async def test_a_retried_check_in_with_the_same_key_replays_the_answer(
        self, world, outbox, idem_key
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        headers = {**world.caregiver(scene.provider["id"], scene.caregiver["id"]), **idem_key()}
        url = f"/v1/visits/{scene.visit['id']}/check-ins"
        body = {"location": world.home, "accuracy_m": 10}
        first = await world.client.post(url, json=body, headers=headers)
        again = await world.client.post(url, json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert [t for t, _ in await outbox()].count("dispatch.visit.checked_in.v1") == 1


class TestCheckingOut:
    async def test_a_visit_at_the_home_completes_verified_and_is_published(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        response = await world.check_out(scene, accuracy_m=8)
        assert response.status_code == 201, response.text
        visit = response.json()
        assert (visit["status"], visit["status_label"], visit["verified"]) == ("completed", "已完成", True)
        # Checked out at once: noted as short (the default action for too_short), still verified.
        short = "check-out: 0 min is under 50% of the booked 60 min"
        assert (visit["duration_minutes"], visit["verification_notes"]) == (0, [short])
        assert [(f["code"], f["action"]) for f in visit["flags"]] == [("too_short", "note")]
        assert visit["review"] is None
        assert visit["record"] == {
            "notes": "上门探访，老人状态良好",
            "items_done": ["CS22"],
            "vital_signs_recorded": False,
            "extra_items": [],
        }
        assert visit["check_out"]["location_ok"] is True
        event_type, data = (await outbox())[-1]
        assert event_type == "dispatch.visit.completed.v1"
        assert (data["visit_id"], data["care_plan_id"], data["service_code"]) == (
            visit["id"],
            scene.plan["id"],
            "CS22",
        )
        assert (data["verified"], data["duration_minutes"], data["verification_notes"]) == (True, 0, [short])

    async def test_the_completed_event_carries_the_photo_hashes_of_check_in_and_check_out(
        self, world, outbox
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        taken = "2026-11-23T01:00:00+00:00"
        door, meal = "a" * 64, "b" * 64
        in_photos = [{"sha256": door, "taken_at": taken, "location": world.home}]
        response = await world.check_in(scene, photos=in_photos)
        assert response.status_code == 201, response.text
        # The same photo at check-out as at check-in is carried once.
        out_photos = [{"sha256": meal, "taken_at": taken}, {"sha256": door, "taken_at": taken}]
        response = await world.check_out(scene, photos=out_photos)
        assert response.status_code == 201, response.text
        event_type, data = (await outbox())[-1]
        assert event_type == "dispatch.visit.completed.v1"
        assert data["photo_sha256s"] == [door, meal]
        # Hashes only: neither when nor where a photo was taken leaves dispatch.
        assert "taken_at" not in str(data) and str(world.home["lat"]) not in str(data)

    async def test_a_visit_without_photos_publishes_no_hashes(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        await world.check_out(scene)
        _, data = (await outbox())[-1]
        assert data["photo_sha256s"] == []

    async def test_every_transition_leaves_one_outbox_row_in_order(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        await world.check_out(scene)
        assert [t for t, _ in await outbox()] == [
            "dispatch.care_plan.activated.v1",
            "dispatch.visit.scheduled.v1",
            "dispatch.visit.checked_in.v1",
            "dispatch.visit.completed.v1",
        ]
        assert {data.get("visit_id") for _, data in (await outbox())[1:]} == {scene.visit["id"]}

    async def test_a_far_away_check_in_leaves_the_visit_unverified(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene, location=FAR)
        visit = (await world.check_out(scene)).json()
        assert (visit["status"], visit["verified"]) == ("completed", False)
        note = visit["verification_notes"][0]
        assert note.startswith("check-in: ") and "geofence 200 m" in note
        first = visit["flags"][0]
        assert (first["code"], first["action"], first["stage"]) == (
            "outside_geofence",
            "hold",
            "check_in",
        )
        assert visit["review"]["status"] == "pending"
        data = (await outbox())[-1][1]
        assert (data["verified"], data["verification_notes"]) == (False, visit["verification_notes"])

    async def test_a_far_away_check_out_leaves_the_visit_unverified(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        visit = (await world.check_out(scene, location=FAR)).json()
        assert (visit["verified"], visit["location_ok"]) == (False, False)
        assert visit["verification_notes"][0].startswith("check-out: ")
        assert visit["flags"][0]["code"] == "outside_geofence"

    async def test_checking_out_before_checking_in_or_twice_is_a_conflict(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        assert (await world.check_out(scene)).status_code == 409
        await world.check_in(scene)
        assert (await world.check_out(scene)).status_code == 201
        assert (await world.check_out(scene)).status_code == 409

    async def test_items_done_outside_the_plan_are_refused_and_the_visit_stays_open(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        response = await world.check_out(scene, record={"notes": "", "items_done": ["CS22", "CS31"]})
        assert response.status_code == 422
        assert [e["field"] for e in problem(response)["errors"]] == ["record.items_done"]
        visit = (await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=world.officer())).json()
        assert visit["status"] == "in_progress"

    async def test_a_malformed_record_is_422_naming_the_field(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        response = await world.check_out(scene, record={"notes": "x" * 2001, "items_done": []})
        assert sorted(e["field"] for e in problem(response)["errors"]) == [
            "record.items_done",
            "record.notes",
        ]

    async def test_another_caregiver_cannot_check_out(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        colleague = await world.caregiver_of(scene.provider["id"])
        body = {"location": world.home, "record": {"notes": "", "items_done": ["CS22"]}}
        headers = world.caregiver(scene.provider["id"], colleague["id"])
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/check-outs", json=body, headers=headers
        )
        assert response.status_code == 404


class TestExtraItems:
    async def test_an_item_beyond_the_plan_with_a_reason_is_recorded_and_held_for_review(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        record = {
            "notes": "",
            "items_done": ["CS22"],
            "extra_items": [{"code": "CS31", "reason": "老人情绪低落，陪聊半小时"}],
        }
        visit = (await world.check_out(scene, record=record)).json()
        assert visit["record"]["extra_items"] == record["extra_items"]
        assert (visit["verified"], visit["review"]["status"]) == (False, "pending")
        assert "extra_item" in [f["code"] for f in visit["flags"]]

    async def test_an_extra_item_without_a_reason_or_already_in_the_plan_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        no_reason = {"notes": "", "items_done": ["CS22"], "extra_items": [{"code": "CS31", "reason": " "}]}
        response = await world.check_out(scene, record=no_reason)
        assert [e["field"] for e in problem(response)["errors"]] == ["record.extra_items.0.reason"]
        planned = {"notes": "", "items_done": ["CS22"], "extra_items": [{"code": "CS25", "reason": "x"}]}
        response = await world.check_out(scene, record=planned)
        assert [e["field"] for e in problem(response)["errors"]] == ["record.extra_items"]
