"""Funds recoveries over HTTP and their booking by billing's issued settlement."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select

from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.main import create_app
from eldercare.audit.settings import AuditSettings
from eldercare.common.contracts import SettlementIssued
from eldercare.common.testing.plugin import api_client

URL = "/v1/funds-recoveries"
PROVIDER = uuid4()


def officer(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("district_officer", region=region))


@pytest.fixture
def fining(settings: AuditSettings) -> AuditSettings:
    """Changsha (4301) recovers without a fine; Nanchang (3601) fines; other cities are unset."""
    return settings.model_copy(update={"recovery_fines": {"4301": False, "3601": True}})


@pytest.fixture
async def client(fining: AuditSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(fining), sessions) as c:
        yield c


async def finding(client, tokens, district: str = "430102", **kw: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {
        "district_code": district,
        "provider_id": str(PROVIDER),
        "type": "false_information",
        "source": "fraud_signal",
        "evidence": ["同一护理员同一时段两处签到"],
        "description": "虚报服务骗取补贴",
        "visit_ids": [str(uuid4()), str(uuid4())],
        **kw,
    }
    response = await client.post("/v1/findings", json=body, headers=officer(tokens, district))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def published(sessions) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [json.loads(r.payload) for r in rows if dict(r.headers)["ce_type"] == "audit.recovery.ordered.v1"]


class TestOrderRecovery:
    async def test_a_district_officer_orders_it_on_the_findings_visits_and_billing_is_told(
        self, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens)
        response = await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens))
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["status"], body["visit_ids"], body["fine_rate_percent"]) == (
            "ordered",
            f["visit_ids"],
            None,
        )
        [event] = await published(sessions)
        assert event["recovery_id"] == body["id"]
        assert (event["provider_id"], event["visit_ids"]) == (str(PROVIDER), f["visit_ids"])
        assert event["basis"] == ["changsha-2024-purchased-door-to-door-rules.md 第十八条（四）"]

    async def test_in_a_city_that_fines_the_rate_goes_with_it(self, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens, "360102")
        response = await client.post(
            URL, json={"finding_ids": [f["id"]], "fine_rate_percent": 20}, headers=officer(tokens, "360102")
        )
        assert response.status_code == 201, response.text
        [event] = await published(sessions)
        assert event["fine_rate_percent"] == 20
        assert "nanchang-2019-home-care-regulation.md 第四十四条" in event["basis"]

    async def test_a_city_left_unset_is_503_naming_the_setting(self, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens, "440103")
        response = await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens, "440103"))
        assert response.status_code == 503
        assert "AUDIT_RECOVERY_FINES" in response.json()["detail"]
        assert await published(sessions) == []

    async def test_a_visit_is_recovered_once(self, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens)
        assert (
            await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens))
        ).status_code == 201
        again = await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens))
        assert again.status_code == 409
        assert len(await published(sessions)) == 1

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"fine_rate_percent": 20}, "fine_rate_percent"),
            ({"visit_ids": [str(uuid4())]}, "visit_ids"),
            ({"finding_ids": []}, "finding_ids"),
            ({"finding_ids": [str(uuid4())]}, "finding_ids"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(
        self, client, tokens, sessions, overrides, field
    ) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens)
        response = await client.post(
            URL, json={"finding_ids": [f["id"]], **overrides}, headers=officer(tokens)
        )
        assert response.status_code == 422, response.text
        assert any(field in e["field"] for e in response.json()["errors"])
        assert await published(sessions) == []

    async def test_a_not_per_plan_finding_recovers_nothing(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens, type="not_per_plan")
        response = await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens))
        assert response.status_code == 422

    async def test_only_a_district_officer_orders_and_only_in_the_region(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens)
        auditor = tokens.headers("auditor", region="430102")
        assert (await client.post(URL, json={"finding_ids": [f["id"]]}, headers=auditor)).status_code == 403
        other = await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens, "430103"))
        assert other.status_code == 422


class TestReadAndBook:
    async def test_the_provider_reads_its_own_and_other_tenants_get_404(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens)
        created = (await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens))).json()
        mine = tokens.headers("provider_admin", provider_id=PROVIDER)
        assert [r["id"] for r in (await client.get(URL, headers=mine)).json()["items"]] == [created["id"]]
        other = tokens.headers("provider_admin", provider_id=uuid4())
        assert (await client.get(f"{URL}/{created['id']}", headers=other)).status_code == 404
        assert (
            await client.get(f"{URL}/{created['id']}", headers=officer(tokens, "430103"))
        ).status_code == 404

    async def test_an_issued_settlement_carrying_it_marks_it_booked(
        self, client, tokens, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        f = await finding(client, tokens)
        created = (await client.post(URL, json={"finding_ids": [f["id"]]}, headers=officer(tokens))).json()
        statement = make_event(
            SettlementIssued, provider_id=PROVIDER, recovery_ids=[UUID(created["id"]), uuid4()]
        )
        await deliver(statement)
        await deliver(statement)
        booked = (await client.get(f"{URL}/{created['id']}", headers=officer(tokens))).json()
        assert (booked["status"], booked["statement_id"]) == ("booked", str(statement.statement_id))
        listed = await client.get(URL, params={"status": "booked"}, headers=officer(tokens))
        assert [r["id"] for r in listed.json()["items"]] == [created["id"]]
