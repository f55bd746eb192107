"""POST /v1/care-plans and GET /v1/care-plans/{id}."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from eldercare.dispatch.adapters.models import CarePlanRow


def field_messages(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


class TestCreatingACarePlan:
    async def test_a_plan_is_active_at_once_and_published(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        uuid.UUID(plan["id"])
        assert (plan["status"], plan["status_label"]) == ("active", "执行中")
        assert plan["service_codes"] == ["CS15", "CS22", "CS25"]
        assert (
            plan["agreement"]["duration_months"] == 12
            and plan["agreement"]["ends_on"] > plan["agreement"]["signed_on"]
        )
        [(event_type, data)] = await outbox()
        assert event_type == "dispatch.care_plan.activated.v1"
        assert data["care_plan_id"] == plan["id"]
        assert (data["beneficiary_id"], data["provider_id"]) == (
            str(beneficiary.beneficiary_id),
            provider["id"],
        )
        assert (data["district_code"], data["service_codes"]) == ("430102", ["CS15", "CS22", "CS25"])

    async def test_an_unknown_beneficiary_is_404_so_the_caller_retries(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        response = await world.client.post(
            "/v1/care-plans", json=world.plan_body(uuid.uuid4()), headers=world.admin(provider["id"])
        )
        assert response.status_code == 404
        assert response.json()["detail"] == "beneficiary not known to dispatch yet"
        assert await outbox() == []

    async def test_emergency_help_is_mandatory_when_required(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary(entitlement={"emergency_help_required": True})
        body = world.plan_body(beneficiary.beneficiary_id, service_codes=["CS22", "CS25"])
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 422
        [(field, message)] = field_messages(response)
        assert field == "service_codes" and "第十三条" in message
        assert await outbox() == []

    async def test_meal_items_need_the_providers_food_licence(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(service_codes=["CS01", "CS22"])
        beneficiary = await world.beneficiary()
        body = world.plan_body(beneficiary.beneficiary_id, service_codes=["CS01", "CS22"])
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 422
        assert "第七条（六）" in field_messages(response)[0][1]
        licensed = await world.provider(service_codes=["CS01", "CS22"], has_food_licence=True)
        plan = await world.care_plan(
            licensed["id"], beneficiary.beneficiary_id, service_codes=["CS01", "CS22"]
        )
        assert plan["service_codes"] == ["CS01", "CS22"]

    async def test_a_provider_of_another_district_cannot_plan(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(district_code="430103")
        beneficiary = await world.beneficiary()
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert response.status_code == 422
        assert field_messages(response) == [("beneficiary_id", "the provider does not serve district 430102")]

    async def test_items_outside_the_entitled_categories_are_422(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary(entitlement={"service_categories": ["welfare_visit"]})
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert response.status_code == 422
        assert field_messages(response) == [
            ("service_codes", "outside the beneficiary's entitled categories: CS15, CS25")
        ]

    async def test_a_suspended_beneficiary_gets_no_plan(self, world, deliver) -> None:  # type: ignore[no-untyped-def]
        from datetime import date, timedelta

        from eldercare.common.contracts import BeneficiaryStatusChanged

        provider = await world.provider()
        beneficiary = await world.beneficiary()
        await deliver(
            BeneficiaryStatusChanged(
                beneficiary_id=beneficiary.beneficiary_id,
                district_code="430102",
                status="suspended",
                reason="住院",
                effective_on=date(2026, 12, 1),
                changed_at=beneficiary.enrolled_at + timedelta(days=1),
            )
        )
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert response.status_code == 409

    async def test_a_second_active_plan_of_the_same_provider_is_a_conflict(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert response.status_code == 409
        other = await world.provider()
        assert (await world.care_plan(other["id"], beneficiary.beneficiary_id))["status"] == "active"

    async def test_bad_fields_are_named(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        body = world.plan_body(
            "not-a-uuid",
            service_codes=[],
            frequency_per_month=0,
            agreement={"signed_on": "2026-13-01"},
            note="x",
        )
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 422
        assert sorted(f for f, _ in field_messages(response)) == [
            "agreement.duration_months",
            "agreement.signed_on",
            "beneficiary_id",
            "frequency_per_month",
            "note",
            "service_codes",
        ]

    @pytest.mark.parametrize(
        ("role", "claims"),
        [("district_officer", {"region": "430102"}), ("caregiver", {"provider_id": uuid.uuid4()})],
    )
    async def test_other_roles_may_not_write_plans(self, world, role, claims) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/care-plans", json=world.plan_body(uuid.uuid4()), headers=world.tokens.headers(role, **claims)
        )
        assert response.status_code == 403

    async def test_without_a_token_it_is_401(self, world) -> None:  # type: ignore[no-untyped-def]
        assert (
            await world.client.post("/v1/care-plans", json=world.plan_body(uuid.uuid4()))
        ).status_code == 401

    async def test_a_replay_with_the_same_idempotency_key_creates_one_plan_and_one_event(
        self, world, sessions, outbox, idem_key
    ) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        body, headers = (
            world.plan_body(beneficiary.beneficiary_id),
            {**world.admin(provider["id"]), **idem_key()},
        )
        first = await world.client.post("/v1/care-plans", json=body, headers=headers)
        again = await world.client.post("/v1/care-plans", json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(CarePlanRow)) == 1
        assert len(await outbox()) == 1


class TestReadingACarePlan:
    async def test_the_own_provider_and_government_covering_the_district_read_it(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        plan = await world.care_plan(provider["id"], (await world.beneficiary()).beneficiary_id)
        url = f"/v1/care-plans/{plan['id']}"
        assert (await world.client.get(url, headers=world.admin(provider["id"]))).json() == plan
        assert (await world.client.get(url, headers=world.officer())).status_code == 200
        assert (
            await world.client.get(url, headers=world.tokens.headers("auditor", region="4301"))
        ).status_code == 200

    async def test_provider_as_admin_gets_404_on_provider_bs_plan(self, world) -> None:  # type: ignore[no-untyped-def]
        provider_a, provider_b = await world.provider(), await world.provider()
        plan_b = await world.care_plan(provider_b["id"], (await world.beneficiary()).beneficiary_id)
        response = await world.client.get(
            f"/v1/care-plans/{plan_b['id']}", headers=world.admin(provider_a["id"])
        )
        assert response.status_code == 404

    async def test_an_officer_of_another_district_gets_404(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        plan = await world.care_plan(provider["id"], (await world.beneficiary()).beneficiary_id)
        assert (
            await world.client.get(f"/v1/care-plans/{plan['id']}", headers=world.officer("430103"))
        ).status_code == 404

    async def test_a_caregiver_may_not_read_plans(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        plan = await world.care_plan(provider["id"], (await world.beneficiary()).beneficiary_id)
        headers = world.caregiver(provider["id"], caregiver["id"])
        assert (await world.client.get(f"/v1/care-plans/{plan['id']}", headers=headers)).status_code == 403

    async def test_street_staff_see_plans_of_their_own_street_only(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        plan = await world.care_plan(provider["id"], (await world.beneficiary()).beneficiary_id)
        assert plan["community_code"] == "430102001001"
        url = f"/v1/care-plans/{plan['id']}"
        own, other = (world.tokens.headers("street_officer", region=r) for r in ("430102001", "430102002"))
        assert (await world.client.get(url, headers=own)).status_code == 200
        assert (await world.client.get(url, headers=other)).status_code == 404
