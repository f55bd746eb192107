"""POST /v1/providers and GET /v1/providers/{id}."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from eldercare.dispatch.adapters.models import ProviderRow


def fields(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


class TestRegisteringAProvider:
    async def test_a_district_officer_registers_a_provider_of_the_district(self, world) -> None:  # type: ignore[no-untyped-def]
        body = world.provider_body(credit_code="521101080000000195", service_codes=["CS22", "CS14", "CS22"])
        response = await world.client.post("/v1/providers", json=body, headers=world.officer())
        assert response.status_code == 201, response.text
        provider = response.json()
        uuid.UUID(provider["id"])
        assert provider["credit_code"] == "521101080000000195"
        assert provider["credit_code_needs_manual_check"] is False
        assert provider["service_codes"] == ["CS14", "CS22"]
        assert (provider["district_code"], provider["status"], provider["status_label"]) == (
            "430102",
            "active",
            "服务中",
        )

    async def test_a_city_admin_registers_a_provider_of_any_district_of_the_city(self, world) -> None:  # type: ignore[no-untyped-def]
        body = world.provider_body(district_code="430103")
        response = await world.client.post(
            "/v1/providers", json=body, headers=world.tokens.headers("city_admin", region="4301")
        )
        assert response.status_code == 201, response.text

    async def test_a_check_character_mismatch_is_accepted_and_flagged_for_manual_check(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(credit_code="91350100M0001TGQXM")
        assert provider["credit_code_needs_manual_check"] is True

    @pytest.mark.parametrize(
        "code", ["52110108000000019", "52110108000000019S", "5211O1080000000195", "52110108000000019!"]
    )
    async def test_a_malformed_credit_code_is_422_on_the_field(self, world, code) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/providers", json=world.provider_body(credit_code=code), headers=world.officer()
        )
        assert fields(response) == ["credit_code"]

    async def test_a_second_provider_with_the_same_credit_code_is_a_conflict(self, world) -> None:  # type: ignore[no-untyped-def]
        await world.provider(credit_code="91110108000000027Y")
        body = world.provider_body(credit_code="91110108000000027y")
        response = await world.client.post("/v1/providers", json=body, headers=world.officer())
        assert response.status_code == 409
        assert response.json()["errors"] == [
            {"field": "credit_code", "message": "a provider with this credit code is already registered"}
        ]

    async def test_service_codes_outside_the_catalog_are_422(self, world) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/providers", json=world.provider_body(service_codes=["CS33"]), headers=world.officer()
        )
        assert fields(response) == ["service_codes"]

    async def test_missing_malformed_and_oversized_fields_are_named(self, world) -> None:  # type: ignore[no-untyped-def]
        body = world.provider_body(
            name="长" * 101, district_code="4301", phone="call me", service_codes=["cs1"]
        )
        del body["address"]
        response = await world.client.post("/v1/providers", json=body, headers=world.officer())
        assert sorted(fields(response)) == ["address", "district_code", "name", "phone", "service_codes.0"]

    async def test_unknown_fields_and_unbounded_lists_are_refused(self, world) -> None:  # type: ignore[no-untyped-def]
        body = world.provider_body(service_codes=["CS22"] * 33, blacklisted=False)
        response = await world.client.post("/v1/providers", json=body, headers=world.officer())
        assert sorted(fields(response)) == ["blacklisted", "service_codes"]

    async def test_a_body_that_is_not_json_is_422(self, world) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/providers",
            content=b"{not json",
            headers={**world.officer(), "content-type": "application/json"},
        )
        assert response.status_code == 422

    async def test_an_officer_of_another_district_is_forbidden(self, world) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/providers", json=world.provider_body(), headers=world.officer("430103")
        )
        assert response.status_code == 403
        assert response.json()["errors"][0]["field"] == "district_code"

    @pytest.mark.parametrize(
        ("role", "claims"),
        [("street_officer", {"region": "430102001"}), ("provider_admin", {"provider_id": uuid.uuid4()})],
    )
    async def test_other_roles_may_not_register_providers(self, world, role, claims) -> None:  # type: ignore[no-untyped-def]
        response = await world.client.post(
            "/v1/providers", json=world.provider_body(), headers=world.tokens.headers(role, **claims)
        )
        assert response.status_code == 403

    async def test_without_a_token_it_is_401(self, world) -> None:  # type: ignore[no-untyped-def]
        assert (await world.client.post("/v1/providers", json=world.provider_body())).status_code == 401

    async def test_a_replay_with_the_same_idempotency_key_returns_the_first_answer_and_writes_once(
        self, world, sessions, idem_key
    ) -> None:  # type: ignore[no-untyped-def]
        body, headers = world.provider_body(), {**world.officer(), **idem_key()}
        first = await world.client.post("/v1/providers", json=body, headers=headers)
        again = await world.client.post("/v1/providers", json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again.headers["idempotent-replayed"] == "true"
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(ProviderRow)) == 1

    async def test_the_same_idempotency_key_with_another_body_is_refused(self, world, idem_key) -> None:  # type: ignore[no-untyped-def]
        headers = {**world.officer(), **idem_key()}
        await world.client.post("/v1/providers", json=world.provider_body(), headers=headers)
        response = await world.client.post("/v1/providers", json=world.provider_body(), headers=headers)
        assert response.status_code == 422


class TestReadingAProvider:
    async def test_an_officer_covering_the_district_reads_it(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        response = await world.client.get(
            f"/v1/providers/{provider['id']}", headers=world.tokens.headers("auditor", region="4301")
        )
        assert response.status_code == 200
        assert response.json() == provider

    async def test_the_providers_own_staff_read_it(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        url = f"/v1/providers/{provider['id']}"
        assert (await world.client.get(url, headers=world.admin(provider["id"]))).status_code == 200
        assert (
            await world.client.get(url, headers=world.caregiver(provider["id"], caregiver["id"]))
        ).status_code == 200

    async def test_another_district_and_another_provider_get_404(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        url = f"/v1/providers/{provider['id']}"
        assert (await world.client.get(url, headers=world.officer("430103"))).status_code == 404
        assert (await world.client.get(url, headers=world.admin(uuid.uuid4()))).status_code == 404

    async def test_an_assessor_may_not_read_providers(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        response = await world.client.get(
            f"/v1/providers/{provider['id']}", headers=world.tokens.headers("assessor", region="430102")
        )
        assert response.status_code == 403

    async def test_an_unknown_id_is_404_and_a_malformed_one_422(self, world) -> None:  # type: ignore[no-untyped-def]
        assert (
            await world.client.get(f"/v1/providers/{uuid.uuid4()}", headers=world.officer())
        ).status_code == 404
        response = await world.client.get("/v1/providers/not-a-uuid", headers=world.officer())
        assert fields(response) == ["path.provider_id"]
