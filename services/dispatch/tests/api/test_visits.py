"""POST /v1/visits and GET /v1/visits/{id}."""

from __future__ import annotations

import uuid

import pytest

from eldercare.common.contracts import BeneficiaryStatusChanged


def problem_fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json().get("errors") or []]


class TestSchedulingAVisit:
    async def test_a_visit_is_scheduled_and_published(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        visit = scene.visit
        uuid.UUID(visit["id"])
        assert (visit["status"], visit["status_label"]) == ("scheduled", "待服务")
        assert (visit["care_plan_id"], visit["caregiver_id"]) == (scene.plan["id"], scene.caregiver["id"])
        assert visit["beneficiary_id"] == str(scene.beneficiary.beneficiary_id)
        assert (visit["checked_in_at"], visit["verified"], visit["record"]) == (None, None, None)
        types = [t for t, _ in await outbox()]
        assert types == ["dispatch.care_plan.activated.v1", "dispatch.visit.scheduled.v1"]
        data = (await outbox())[-1][1]
        assert (data["visit_id"], data["caregiver_id"], data["service_code"]) == (
            visit["id"],
            scene.caregiver["id"],
            "CS22",
        )
        assert data["district_code"] == "430102"

    async def test_an_overlapping_visit_of_the_same_caregiver_is_a_conflict(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()  # booked from now for an hour
        body = world.visit_body(scene.plan, scene.caregiver, hours=0.5)
        response = await world.client.post("/v1/visits", json=body, headers=world.admin(scene.provider["id"]))
        assert response.status_code == 409
        assert problem_fields(response) == ["scheduled_start_at"]

    async def test_back_to_back_visits_and_other_caregivers_are_fine(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        colleague = await world.caregiver_of(scene.provider["id"])
        await world.visit(scene.plan, colleague, hours=0.5)
        later = world.visit_body(scene.plan, scene.caregiver)
        later["scheduled_start_at"] = scene.visit["scheduled_end_at"]
        later["scheduled_end_at"] = world.visit_body(scene.plan, scene.caregiver, hours=2)[
            "scheduled_start_at"
        ]
        response = await world.client.post(
            "/v1/visits", json=later, headers=world.admin(scene.provider["id"])
        )
        assert response.status_code == 201, response.text

    async def test_a_completed_visit_frees_its_booked_window_after_its_actual_end(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        assert (await world.check_in(scene)).status_code == 201
        assert (await world.check_out(scene)).status_code == 201
        # Booked until an hour from now, but done already: a new booking from 10 minutes on fits.
        response = await world.client.post(
            "/v1/visits",
            json=world.visit_body(scene.plan, scene.caregiver, hours=1 / 6),
            headers=world.admin(scene.provider["id"]),
        )
        assert response.status_code == 201, response.text

    async def test_another_providers_caregiver_is_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        _, stranger = await world.staffed_provider()
        body = world.visit_body(scene.plan, stranger, hours=3)
        response = await world.client.post("/v1/visits", json=body, headers=world.admin(scene.provider["id"]))
        assert response.status_code == 404
        assert problem_fields(response) == ["caregiver_id"]

    async def test_provider_as_admin_cannot_book_on_provider_bs_plan(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        provider_a, caregiver_a = await world.staffed_provider()
        body = world.visit_body(scene.plan, caregiver_a, hours=3)
        assert (
            await world.client.post("/v1/visits", json=body, headers=world.admin(provider_a["id"]))
        ).status_code == 404

    async def test_an_item_outside_the_plan_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        body = world.visit_body(scene.plan, scene.caregiver, hours=3, service_code="CS31")
        response = await world.client.post("/v1/visits", json=body, headers=world.admin(scene.provider["id"]))
        assert (response.status_code, problem_fields(response)) == (422, ["service_code"])

    async def test_a_professional_item_needs_a_certified_caregiver(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary(
            entitlement={"service_categories": ["basic_nursing", "welfare_visit"]}
        )
        plan = await world.care_plan(
            provider["id"], beneficiary.beneficiary_id, service_codes=["CS19", "CS22"]
        )
        helper = await world.caregiver_of(provider["id"], qualifications=[])
        body = world.visit_body(plan, helper, service_code="CS19")
        response = await world.client.post("/v1/visits", json=body, headers=world.admin(provider["id"]))
        assert (response.status_code, problem_fields(response)) == (422, ["caregiver_id"])
        assert "第九条（八）" in response.json()["detail"]
        certified = await world.caregiver_of(provider["id"])
        assert (await world.visit(plan, certified, service_code="CS19"))["service_code"] == "CS19"

    async def test_a_caregiver_with_an_expired_health_certificate_is_not_booked(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        expired = await world.caregiver_of(scene.provider["id"], health_certificate_valid_until="2020-01-01")
        response = await world.client.post(
            "/v1/visits",
            json=world.visit_body(scene.plan, expired),
            headers=world.admin(scene.provider["id"]),
        )
        assert (response.status_code, problem_fields(response)) == (422, ["caregiver_id"])

    async def test_a_suspended_beneficiary_gets_no_new_visit(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        b = scene.beneficiary
        await world.deliver(
            BeneficiaryStatusChanged(
                beneficiary_id=b.beneficiary_id,
                district_code="430102",
                status="suspended",
                reason="住院",
                effective_on=b.effective_on,
                changed_at=b.enrolled_at.replace(year=b.enrolled_at.year + 1),
            )
        )
        body = world.visit_body(scene.plan, scene.caregiver, hours=3)
        assert (
            await world.client.post("/v1/visits", json=body, headers=world.admin(scene.provider["id"]))
        ).status_code == 409

    async def test_times_without_an_offset_and_ends_before_starts_are_422(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        naive = world.visit_body(scene.plan, scene.caregiver, scheduled_start_at="2026-11-23T09:00:00")
        response = await world.client.post(
            "/v1/visits", json=naive, headers=world.admin(scene.provider["id"])
        )
        assert problem_fields(response) == ["scheduled_start_at"]
        backwards = world.visit_body(scene.plan, scene.caregiver, hours=5)
        backwards["scheduled_end_at"] = backwards["scheduled_start_at"]
        response = await world.client.post(
            "/v1/visits", json=backwards, headers=world.admin(scene.provider["id"])
        )
        assert (response.status_code, problem_fields(response)) == (422, ["scheduled_end_at"])

    async def test_missing_and_malformed_fields_are_named(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        body = {"care_plan_id": "x", "service_code": "CS2222", "scheduled_start_at": "soon", "extra": 1}
        response = await world.client.post("/v1/visits", json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 422
        assert sorted(problem_fields(response)) == [
            "care_plan_id",
            "extra",
            "scheduled_end_at",
            "scheduled_start_at",
            "service_code",
        ]

    @pytest.mark.parametrize("role", ["district_officer", "caregiver"])
    async def test_only_provider_admins_schedule(self, world, role) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        headers = world.tokens.headers(
            role, region="430102", provider_id=scene.provider["id"], caregiver_id=scene.caregiver["id"]
        )
        body = world.visit_body(scene.plan, scene.caregiver, hours=3)
        assert (await world.client.post("/v1/visits", json=body, headers=headers)).status_code == 403

    async def test_a_replay_with_the_same_idempotency_key_books_once(self, world, outbox, idem_key) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        body, headers = (
            world.visit_body(scene.plan, scene.caregiver, hours=3),
            {**world.admin(scene.provider["id"]), **idem_key()},
        )
        first = await world.client.post("/v1/visits", json=body, headers=headers)
        again = await world.client.post("/v1/visits", json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert [t for t, _ in await outbox()].count(
            "dispatch.visit.scheduled.v1"
        ) == 2  # the scene's and this one


class TestReadingAVisit:
    async def test_the_provider_the_assigned_caregiver_and_the_district_read_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/visits/{scene.visit['id']}"
        for headers in (
            world.admin(scene.provider["id"]),
            world.caregiver(scene.provider["id"], scene.caregiver["id"]),
            world.officer(),
            world.tokens.headers("street_officer", region="430102001"),
            world.tokens.headers("community_worker", region="430102001001"),
        ):
            response = await world.client.get(url, headers=headers)
            assert response.status_code == 200
            assert response.json() == scene.visit

    async def test_provider_as_admin_gets_404_on_provider_bs_visit(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        other = await world.provider()
        assert (
            await world.client.get(f"/v1/visits/{scene.visit['id']}", headers=world.admin(other["id"]))
        ).status_code == 404

    async def test_another_caregiver_and_another_district_get_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        colleague = await world.caregiver_of(scene.provider["id"])
        url = f"/v1/visits/{scene.visit['id']}"
        assert (
            await world.client.get(url, headers=world.caregiver(scene.provider["id"], colleague["id"]))
        ).status_code == 404
        assert (await world.client.get(url, headers=world.officer("430103"))).status_code == 404

    async def test_staff_of_another_street_or_community_of_the_district_get_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()  # the beneficiary lives in community 430102001001
        url = f"/v1/visits/{scene.visit['id']}"
        for headers in (
            world.tokens.headers("street_officer", region="430102002"),
            world.tokens.headers("community_worker", region="430102001002"),
        ):
            assert (await world.client.get(url, headers=headers)).status_code == 404

    async def test_an_assessor_may_not_read_visits_and_no_token_is_401(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/visits/{scene.visit['id']}"
        assert (
            await world.client.get(url, headers=world.tokens.headers("assessor", region="430102"))
        ).status_code == 403
        assert (await world.client.get(url)).status_code == 401
