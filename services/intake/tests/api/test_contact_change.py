"""PATCH /v1/beneficiaries/{id}/contact: an enrolled person's new contact, shared again with dispatch."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from pydantic import SecretStr

from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts.intake import open_contact
from eldercare.common.id_numbers import make_id_number
from eldercare.common.pii import FieldCipher
from eldercare.common.testing.plugin import api_client
from eldercare.intake.main import create_app
from eldercare.intake.settings import IntakeSettings

from .test_contact_share import KEY, outbox

SHARED = "intake.beneficiary_contact.shared.v1"
AGENT = {
    "name": "李明",
    "relation": "儿子",
    "phone": "13900001111",
    "id_number": make_id_number("430102", date(1970, 5, 4), 113),
}
NEW_PHONE, NEW_ADDRESS, NEW_AGENT_PHONE = "13700009999", "天心区新家路9号", "13911112222"
CHANGE = {
    "phone": NEW_PHONE,
    "address": NEW_ADDRESS,
    "agent": {"name": "李明", "relation": "女婿", "phone": NEW_AGENT_PHONE},
}
PII_READ = ["pii:read"]


@pytest.fixture
def ring() -> FieldCipher:
    return FieldCipher({"s1": KEY})


@pytest.fixture
async def sharing_flow(flow, settings: IntakeSettings, sessions):  # type: ignore[no-untyped-def]
    shared = settings.model_copy(
        update={"contact_share_keys": SecretStr(f"s1:{base64.b64encode(KEY).decode()}")}
    )
    async with api_client(create_app(shared), sessions) as c:
        flow.client = c
        yield flow


async def enrol(flow, seq: int = 1, **overrides: Any) -> str:  # type: ignore[no-untyped-def]
    app = await flow.assessed(seq, level=1, **overrides)
    response = await flow.decide(app["id"])
    assert response.status_code == 201, response.text
    return str(response.json()["beneficiary_id"])


async def patch(flow, beneficiary_id: str, body: Any, role: str = "district_officer", **token: Any):  # type: ignore[no-untyped-def]
    token.setdefault("region", "430102")
    extra = token.pop("extra", {})
    return await flow.client.patch(
        f"/v1/beneficiaries/{beneficiary_id}/contact",
        json=body,
        headers={**flow.tokens.headers(role, **token), **extra},
    )


async def read(flow, beneficiary_id: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    headers = flow.tokens.headers("district_officer", region="430102", scopes=PII_READ)
    beneficiary = (await flow.client.get(f"/v1/beneficiaries/{beneficiary_id}", headers=headers)).json()
    application = await flow.client.get(f"/v1/applications/{beneficiary['application_id']}", headers=headers)
    return {"beneficiary": beneficiary, "application": application.json()}


class TestChange:
    async def test_the_change_is_stored_recorded_by_field_name_and_shared_once(
        self, sharing_flow, sessions, ring
    ) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1, agent=AGENT)
        before = len(await outbox(sessions))
        response = await patch(sharing_flow, beneficiary_id, CHANGE)
        assert response.status_code == 200, response.text
        # The command response is masked (it is stored for replays); the read with pii:read is not.
        assert response.json()["person"]["phone"] == "137****9999"
        stored = await read(sharing_flow, beneficiary_id)
        person, agent = stored["beneficiary"]["person"], stored["application"]["agent"]
        assert (person["phone"], person["address"], person["name"]) == (NEW_PHONE, NEW_ADDRESS, "测试老人01")
        assert (agent["name"], agent["relation"], agent["phone"]) == ("李明", "女婿", NEW_AGENT_PHONE)
        assert agent["id_number"] == AGENT["id_number"]  # the same agent keeps the number
        step = stored["application"]["steps"][-1]
        assert (step["action"], step["by"]) == ("contact_change", "district_officer-430102")
        assert step["comment"] == "fields: phone, address, agent.relation, agent.phone"

        rows = (await outbox(sessions))[before:]
        assert [t for t, _ in rows].count(SHARED) == 1
        payload = json.loads(next(p for t, p in rows if t == SHARED))
        contact = open_contact(ring, UUID(beneficiary_id), payload["sealed"])
        assert (contact.name, contact.phone, contact.address) == ("测试老人01", NEW_PHONE, NEW_ADDRESS)
        assert contact.guardian is not None
        assert (contact.guardian.relation, contact.guardian.phone) == ("女婿", NEW_AGENT_PHONE)
        text = "\n".join(p for _, p in rows)
        for plain in (NEW_PHONE, NEW_ADDRESS, NEW_AGENT_PHONE, "女婿", "李明", "测试老人01"):
            assert plain not in text and json.dumps(plain)[1:-1] not in text

    async def test_a_retry_with_the_same_key_changes_nothing_twice(self, sharing_flow, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1)
        before = len(await outbox(sessions))
        key = {"Idempotency-Key": "contact-change-0001"}
        first = await patch(sharing_flow, beneficiary_id, {"phone": NEW_PHONE}, extra=key)
        again = await patch(sharing_flow, beneficiary_id, {"phone": NEW_PHONE}, extra=key)
        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()
        assert [t for t, _ in (await outbox(sessions))[before:]] == [SHARED]
        steps = (await read(sharing_flow, beneficiary_id))["application"]["steps"]
        assert [s["action"] for s in steps].count("contact_change") == 1

    async def test_a_new_agent_with_their_id_number(self, sharing_flow, ring, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1)
        number = make_id_number("430102", date(1975, 1, 2), 124)
        agent = {"name": "王芳", "relation": "女儿", "phone": "13911113333", "id_number": number}
        response = await patch(sharing_flow, beneficiary_id, {"agent": agent})
        assert response.status_code == 200, response.text
        stored = (await read(sharing_flow, beneficiary_id))["application"]
        assert stored["agent"]["id_number"] == number
        assert stored["steps"][-1]["comment"] == "fields: agent"
        payload = json.loads([p for t, p in await outbox(sessions) if t == SHARED][-1])
        contact = open_contact(ring, UUID(beneficiary_id), payload["sealed"])
        assert contact.guardian is not None and contact.guardian.name == "王芳"

    async def test_the_same_values_change_nothing(self, sharing_flow, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1)
        before = await outbox(sessions)
        response = await patch(sharing_flow, beneficiary_id, {"phone": "13800000001"})
        assert response.status_code == 200, response.text
        assert await outbox(sessions) == before

    @pytest.mark.parametrize(
        ("role", "region"),
        [
            ("community_worker", "430102001001"),
            ("street_officer", "430102001"),
            ("city_admin", "4301"),
            ("city_platform", "4301"),
        ],
    )
    async def test_the_persons_region_may_change_it(self, sharing_flow, role: str, region: str) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1)
        response = await patch(sharing_flow, beneficiary_id, {"address": NEW_ADDRESS}, role, region=region)
        assert response.status_code == 200, response.text

    async def test_without_the_share_ring_the_change_succeeds_and_nothing_is_shared(
        self, flow, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(flow, 1)
        response = await patch(flow, beneficiary_id, {"phone": NEW_PHONE})
        assert response.status_code == 200, response.text
        assert SHARED not in [t for t, _ in await outbox(sessions)]
        assert (await read(flow, beneficiary_id))["beneficiary"]["person"]["phone"] == NEW_PHONE


class TestRefusals:
    async def test_tenancy(self, sharing_flow, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1)
        before = await outbox(sessions)
        body = {"phone": NEW_PHONE}
        assert (await patch(sharing_flow, beneficiary_id, body, region="430103")).status_code == 404
        assert (
            await patch(sharing_flow, beneficiary_id, body, "city_platform", region="4303")
        ).status_code == 404
        provider = "01900000-0000-7000-8000-000000000001"
        admin = await patch(
            sharing_flow, beneficiary_id, body, "provider_admin", region=None, provider_id=provider
        )
        assert admin.status_code == 403
        caregiver = await patch(
            sharing_flow,
            beneficiary_id,
            body,
            "caregiver",
            region=None,
            provider_id=provider,
            caregiver_id="01900000-0000-7000-8000-000000000002",
        )
        assert caregiver.status_code == 403
        anonymous = await sharing_flow.client.patch(f"/v1/beneficiaries/{beneficiary_id}/contact", json=body)
        assert anonymous.status_code == 401
        unknown = await patch(sharing_flow, "01900000-0000-7000-8000-0000000000ff", body)
        assert unknown.status_code == 404
        assert await outbox(sessions) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"phone": "12345"}, "phone"),
            ({"address": ""}, "address"),
            ({"name": "x" * 51}, "name"),
            ({"agent": {"name": "李明", "relation": "儿子", "phone": "999"}}, "agent.phone"),
            ({"agent": {"name": "王芳", "relation": "女儿", "phone": "13911113333"}}, "agent.id_number"),
            (
                {
                    "agent": {
                        "name": "王芳",
                        "relation": "女儿",
                        "phone": "13911113333",
                        "id_number": "430102",
                    }
                },
                "agent.id_number",
            ),
            ({"id_number": "430102197001011234"}, "id_number"),
            ({}, "body"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(self, sharing_flow, sessions, body, field: str) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1)
        before = await outbox(sessions)
        response = await patch(sharing_flow, beneficiary_id, body)
        assert response.status_code == 422, response.text
        assert field in [e.get("field") for e in response.json().get("errors", [])] or (
            response.json().get("field") == field
        ), response.text
        assert await outbox(sessions) == before

    async def test_a_terminated_beneficiary_is_409(self, sharing_flow, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrol(sharing_flow, 1)
        ended = await sharing_flow.client.post(
            f"/v1/beneficiaries/{beneficiary_id}/status-changes",
            json={
                "status": "terminated",
                "reason": "death",
                "effective_on": local_date(utcnow()).isoformat(),
            },
            headers=sharing_flow.tokens.headers("district_officer", region="430102"),
        )
        assert ended.status_code == 201, ended.text
        before = await outbox(sessions)
        response = await patch(sharing_flow, beneficiary_id, {"phone": NEW_PHONE})
        assert response.status_code == 409, response.text
        assert await outbox(sessions) == before
        assert (await read(sharing_flow, beneficiary_id))["beneficiary"]["person"]["phone"] == "13800000001"
