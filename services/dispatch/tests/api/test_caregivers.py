"""POST /v1/caregivers and GET /v1/caregivers/{id}."""

from __future__ import annotations

import uuid

import pytest


def caregiver_body(**overrides):  # type: ignore[no-untyped-def]
    return {
        "name": "李护理员",
        "phone": "13912345678",
        "qualifications": ["certified_elderly_care_worker", "nurse"],
        "health_certificate_valid_until": "2027-06-30",
        **overrides,
    }


class TestRegisteringACaregiver:
    async def test_a_provider_admin_registers_a_caregiver_of_the_own_provider(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        response = await world.client.post(
            "/v1/caregivers", json=caregiver_body(), headers=world.admin(provider["id"])
        )
        assert response.status_code == 201, response.text
        caregiver = response.json()
        uuid.UUID(caregiver["id"])
        assert caregiver["provider_id"] == provider["id"]
        assert caregiver["qualifications"] == [
            {"code": "certified_elderly_care_worker", "label": "养老护理员"},
            {"code": "nurse", "label": "护士"},
        ]
        assert (caregiver["certified"], caregiver["health_certificate_valid_until"]) == (True, "2027-06-30")

    async def test_the_phone_is_masked_without_pii_read(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        caregiver = await world.caregiver_of(provider["id"], phone="13912345678")
        assert caregiver["phone"] == "139****5678"

    async def test_the_phone_is_shown_with_pii_read(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        caregiver = await world.caregiver_of(provider["id"], phone="13912345678")
        headers = world.admin(provider["id"], scopes=["pii:read"])
        response = await world.client.get(f"/v1/caregivers/{caregiver['id']}", headers=headers)
        assert response.json()["phone"] == "13912345678"

    async def test_a_caregiver_without_qualifications_is_not_certified(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        assert (await world.caregiver_of(provider["id"], qualifications=[]))["certified"] is False

    async def test_bad_fields_are_named(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        body = caregiver_body(
            qualifications=["wizard"], health_certificate_valid_until="2027-02-30", phone="x" * 30, name=""
        )
        response = await world.client.post("/v1/caregivers", json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 422
        assert sorted(e["field"] for e in response.json()["errors"]) == [
            "health_certificate_valid_until",
            "name",
            "phone",
            "qualifications.0",
        ]

    async def test_a_provider_dispatch_does_not_know_is_404(self, world) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/caregivers", json=caregiver_body(), headers=world.admin(uuid.uuid4())
        )
        assert response.status_code == 404

    async def test_a_provider_admin_token_without_a_provider_is_forbidden(self, world) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/caregivers", json=caregiver_body(), headers=world.tokens.headers("provider_admin")
        )
        assert response.status_code == 403

    @pytest.mark.parametrize("role", ["district_officer", "caregiver"])
    async def test_other_roles_may_not_register_caregivers(self, world, role) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        headers = world.tokens.headers(role, region="430102", provider_id=provider["id"])
        assert (
            await world.client.post("/v1/caregivers", json=caregiver_body(), headers=headers)
        ).status_code == 403

    async def test_without_a_token_it_is_401(self, world) -> None:  # type: ignore[no-untyped-def]
        assert (await world.client.post("/v1/caregivers", json=caregiver_body())).status_code == 401


class TestReadingACaregiver:
    async def test_the_own_provider_and_the_caregiver_read_it(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        url = f"/v1/caregivers/{caregiver['id']}"
        assert (await world.client.get(url, headers=world.admin(provider["id"]))).json() == caregiver
        assert (
            await world.client.get(url, headers=world.caregiver(provider["id"], caregiver["id"]))
        ).status_code == 200

    async def test_another_provider_gets_404(self, world) -> None:  # type: ignore[no-untyped-def]
        _, caregiver = await world.staffed_provider()
        other = await world.provider()
        response = await world.client.get(
            f"/v1/caregivers/{caregiver['id']}", headers=world.admin(other["id"])
        )
        assert response.status_code == 404

    async def test_a_colleague_caregiver_gets_404(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        colleague = await world.caregiver_of(provider["id"])
        headers = world.caregiver(provider["id"], colleague["id"])
        assert (
            await world.client.get(f"/v1/caregivers/{caregiver['id']}", headers=headers)
        ).status_code == 404

    async def test_government_roles_may_not_read_caregivers(self, world) -> None:  # type: ignore[no-untyped-def]
        _, caregiver = await world.staffed_provider()
        assert (
            await world.client.get(f"/v1/caregivers/{caregiver['id']}", headers=world.officer())
        ).status_code == 403
