"""Spot-check samples and results over HTTP (changsha-2024 第十九条), with claim sampling."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import select

from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.main import create_app
from eldercare.audit.settings import AuditSettings
from eldercare.common.contracts import VisitCompleted
from eldercare.common.testing.plugin import api_client

URL = "/v1/spot-check-samples"
AT = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
PROVIDERS = (uuid4(), uuid4())


def auditor(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region=region))


async def published(sessions, event_type: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [json.loads(r.payload) for r in rows if dict(r.headers)["ce_type"] == event_type]


@pytest.fixture
def claim_settings(settings: AuditSettings) -> AuditSettings:
    return settings.model_copy(update={"spot_check_sample_size": 4, "claim_sampling_enabled": True})


@pytest.fixture
async def claim_client(claim_settings: AuditSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(claim_settings), sessions) as c:
        yield c


@pytest.fixture
async def visits(deliver, make_event) -> list[VisitCompleted]:  # type: ignore[no-untyped-def]
    """Ten visits of November in 430102 by two providers, one in December, one in 430103."""
    out = []
    for i in range(10):
        event = make_event(
            VisitCompleted,
            provider_id=PROVIDERS[i % 2],
            checked_in_at=AT + timedelta(hours=3 * i),
            checked_out_at=AT + timedelta(hours=3 * i, minutes=60),
        )
        await deliver(event)
        out.append(event)
    await deliver(
        make_event(
            VisitCompleted,
            checked_in_at=AT + timedelta(days=15),
            checked_out_at=AT + timedelta(days=15, hours=1),
        )
    )
    await deliver(make_event(VisitCompleted, district="430103"))
    return out


def body(**kw: Any) -> dict[str, Any]:
    return {"district_code": "430102", "period": "2026-11", "sample_size": 4, **kw}


class TestDraw:
    async def test_a_seeded_sample_of_the_months_visits_opens_one_spot_check_each(
        self, client, tokens, visits
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json=body(seed="abc123"), headers=auditor(tokens))
        assert response.status_code == 201, response.text
        sample = response.json()
        assert (sample["seed"], sample["population"], sample["sample_size"]) == ("abc123", 10, 4)
        assert sample["basis"] == "changsha-2024-purchased-door-to-door-rules.md 第十九条"
        checks = sample["spot_checks"]
        assert len({c["visit_id"] for c in checks}) == 4
        assert {c["visit_id"] for c in checks} <= {str(v.visit_id) for v in visits}
        assert {(c["reason"], c["status"], c["sample_id"]) for c in checks} == {
            ("sample", "open", sample["id"])
        }
        assert sum(w["population_visits"] for w in sample["weights"]) == 10
        assert sum(w["sampled_visits"] for w in sample["weights"]) == 4
        read = (await client.get(f"{URL}/{sample['id']}", headers=auditor(tokens))).json()
        assert [c["id"] for c in read["spot_checks"]] == sorted(c["id"] for c in checks)

    async def test_without_a_seed_one_is_generated_and_recorded(self, client, tokens, visits) -> None:  # type: ignore[no-untyped-def]
        sample = (await client.post(URL, json=body(), headers=auditor(tokens))).json()
        assert len(sample["seed"]) == 32

    async def test_risk_weighting_shows_each_providers_weight(self, client, tokens, sessions, visits) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            URL, json=body(method="risk_weighted", seed="s"), headers=auditor(tokens)
        )
        assert response.status_code == 201, response.text
        weights = response.json()["weights"]
        assert {w["provider_id"] for w in weights} == {str(p) for p in PROVIDERS}
        assert all(w["weight"] == 1 + w["flags"] + w["complaints"] for w in weights)

    async def test_a_second_sample_of_the_same_month_is_409(self, client, tokens, visits) -> None:  # type: ignore[no-untyped-def]
        assert (await client.post(URL, json=body(), headers=auditor(tokens))).status_code == 201
        assert (await client.post(URL, json=body(), headers=auditor(tokens))).status_code == 409

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"sample_size": 11}, "sample_size"),
            ({"sample_size": 0}, "sample_size"),
            ({"period": "2026-13"}, "period"),
            ({"period": "2099-01"}, "period"),
            ({"method": "gut_feeling"}, "method"),
            ({"district_code": "430103"}, "district_code"),
            ({"seed": "not a seed!"}, "seed"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(self, client, tokens, visits, overrides, field) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json=body(**overrides), headers=auditor(tokens))
        assert response.status_code == 422, response.text
        assert any(field in e["field"] for e in response.json()["errors"])

    async def test_no_size_in_the_request_nor_the_settings_is_503_naming_the_setting(
        self, client, tokens, visits
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json=body(sample_size=None), headers=auditor(tokens))
        assert response.status_code == 503
        assert "AUDIT_SPOT_CHECK_SAMPLE_SIZE" in response.json()["detail"]

    async def test_another_district_cannot_read_it(self, client, tokens, visits) -> None:  # type: ignore[no-untyped-def]
        sample = (await client.post(URL, json=body(), headers=auditor(tokens))).json()
        assert (
            await client.get(f"{URL}/{sample['id']}", headers=auditor(tokens, "430103"))
        ).status_code == 404
        assert (await client.get(URL, headers=auditor(tokens, "430103"))).json()["items"] == []
        provider = tokens.headers("provider_admin", provider_id=PROVIDERS[0])
        assert (await client.get(URL, headers=provider)).status_code == 403


async def record(client, tokens, check_id: str, delivered: bool) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await client.post(  # type: ignore[no-any-return]
        f"/v1/spot-checks/{check_id}/results",
        json={"delivered_as_billed": delivered, "notes": "电话回访并入户核实"},
        headers=auditor(tokens),
    )


class TestResults:
    async def test_a_visit_not_delivered_is_flagged_for_billing(
        self, client, tokens, sessions, visits
    ) -> None:  # type: ignore[no-untyped-def]
        check = (await client.post(URL, json=body(), headers=auditor(tokens))).json()["spot_checks"][0]
        response = await record(client, tokens, check["id"], False)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "failed"
        [event] = await published(sessions, "audit.visit_flag.raised.v1")
        assert (event["visit_id"], event["source"], event["signal"]) == (
            check["visit_id"],
            "spot_check",
            "not_delivered",
        )
        assert (await record(client, tokens, check["id"], True)).status_code == 409

    async def test_without_claim_sampling_the_last_result_publishes_nothing(
        self, client, tokens, sessions, visits
    ) -> None:  # type: ignore[no-untyped-def]
        checks = (await client.post(URL, json=body(), headers=auditor(tokens))).json()["spot_checks"]
        for c in checks:
            assert (await record(client, tokens, c["id"], True)).status_code == 201
        assert await published(sessions, "audit.spot_check.deduction_published.v1") == []

    async def test_with_claim_sampling_the_last_result_publishes_each_providers_deduction(
        self, claim_client, tokens, sessions, visits
    ) -> None:  # type: ignore[no-untyped-def]
        sample = (
            await claim_client.post(URL, json=body(sample_size=None, seed="s7"), headers=auditor(tokens))
        ).json()
        checks = sample["spot_checks"]
        assert len(checks) == 4  # the setting's size
        failed = checks[0]
        for c in checks:
            await record(claim_client, tokens, c["id"], c is not failed)
            done = c is checks[-1]
            assert bool(await published(sessions, "audit.spot_check.deduction_published.v1")) is done
        events = await published(sessions, "audit.spot_check.deduction_published.v1")
        assert {e["provider_id"] for e in events} == {c["provider_id"] for c in checks}
        assert sum(e["sampled"] for e in events) == 4
        assert [e["failed_visit_ids"] for e in events if e["failed"]] == [[failed["visit_id"]]]
        assert {(e["seed"], e["period"], e["sample_id"]) for e in events} == {("s7", "2026-11", sample["id"])}
        read = (await claim_client.get(f"{URL}/{sample['id']}", headers=auditor(tokens))).json()
        assert (read["checked"], read["failed"]) == (4, 1)
        assert read["deductions_published_at"] is not None

    async def test_an_unverified_visits_check_takes_a_result_too(
        self, client, tokens, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_event(VisitCompleted, verified=False))
        [check] = (await client.get("/v1/spot-checks", headers=auditor(tokens))).json()["items"]
        assert (await record(client, tokens, check["id"], True)).json()["status"] == "passed"

    async def test_another_districts_auditor_gets_404(self, client, tokens, visits) -> None:  # type: ignore[no-untyped-def]
        check = (await client.post(URL, json=body(), headers=auditor(tokens))).json()["spot_checks"][0]
        response = await client.post(
            f"/v1/spot-checks/{check['id']}/results",
            json={"delivered_as_billed": True, "notes": "n"},
            headers=auditor(tokens, "430103"),
        )
        assert response.status_code == 404
