"""Periodic follow-up rounds and their coverage over HTTP (changsha-2024 第十九条)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from eldercare.audit.main import create_app
from eldercare.audit.settings import AuditSettings
from eldercare.common.contracts import BeneficiaryEnrolled, BeneficiaryStatusChanged
from eldercare.common.testing.plugin import api_client

ROUNDS = "/v1/follow-up-rounds"
COVERAGE = "/v1/follow-up-coverage"


def officer(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("district_officer", region=region))


@pytest.fixture
def quarterly(settings: AuditSettings) -> AuditSettings:
    return settings.model_copy(update={"follow_up_period_months": 3})


@pytest.fixture
async def qclient(quarterly: AuditSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(quarterly), sessions) as c:
        yield c


@pytest.fixture
async def enrolled(deliver, make_event) -> list[BeneficiaryEnrolled]:  # type: ignore[no-untyped-def]
    """Four beneficiaries enrolled in 430102 (one later suspended), one in 430103."""
    events = [make_event(BeneficiaryEnrolled) for _ in range(4)]
    for e in events:
        await deliver(e)
    await deliver(
        make_event(BeneficiaryStatusChanged, beneficiary_id=events[3].beneficiary_id, status="suspended")
    )
    await deliver(make_event(BeneficiaryEnrolled, district="430103"))
    return events


def body(**kw: Any) -> dict[str, Any]:
    return {"district_code": "430102", "period_start": "2026-10", "assignees": ["staff-1", "staff-2"], **kw}


async def call(client, tokens, follow_up_id: str, reached: bool) -> None:  # type: ignore[no-untyped-def]
    response = await client.post(
        f"/v1/follow-ups/{follow_up_id}/calls",
        json={"reached": reached, "satisfaction": 4 if reached else None},
        headers=dict(tokens.headers("auditor", region="430102")),
    )
    assert response.status_code == 201, response.text


class TestRound:
    async def test_every_active_beneficiary_gets_an_assigned_task_due_at_the_quarters_end(
        self, qclient, tokens, enrolled
    ) -> None:  # type: ignore[no-untyped-def]
        response = await qclient.post(ROUNDS, json=body(), headers=officer(tokens))
        assert response.status_code == 201, response.text
        report = response.json()
        assert (report["opened"], report["already_open"], report["due_on"]) == (3, 0, "2026-12-31")
        tasks = [
            (await qclient.get(f"/v1/follow-ups/{i}", headers=officer(tokens))).json()
            for i in report["follow_up_ids"]
        ]
        assert {t["beneficiary_id"] for t in tasks} == {str(e.beneficiary_id) for e in enrolled[:3]}
        assert {t["assignee"] for t in tasks} == {"staff-1", "staff-2"}
        assert {(t["reason"], t["period"], t["due_on"]) for t in tasks} == {
            ("periodic", "2026-10/3m", "2026-12-31")
        }

    async def test_a_second_run_opens_only_for_the_newly_enrolled(
        self, qclient, tokens, enrolled, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        await qclient.post(ROUNDS, json=body(), headers=officer(tokens))
        await deliver(make_event(BeneficiaryEnrolled))
        again = (await qclient.post(ROUNDS, json=body(), headers=officer(tokens))).json()
        assert (again["opened"], again["already_open"]) == (1, 3)

    async def test_without_the_period_setting_it_is_503_naming_it(self, client, tokens, enrolled) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(ROUNDS, json=body(), headers=officer(tokens))
        assert response.status_code == 503
        assert "AUDIT_FOLLOW_UP_PERIOD_MONTHS" in response.json()["detail"]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"period_start": "2026-11"}, "period_start"),
            ({"period_start": "2027-01"}, "period_start"),
            ({"assignees": []}, "assignees"),
            ({"district_code": "430103"}, "district_code"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(
        self, qclient, tokens, enrolled, overrides, field
    ) -> None:  # type: ignore[no-untyped-def]
        response = await qclient.post(ROUNDS, json=body(**overrides), headers=officer(tokens))
        assert response.status_code == 422, response.text
        assert any(field in e["field"] for e in response.json()["errors"])


class TestCoverage:
    async def test_it_reports_who_was_reached_after_how_many_calls_and_who_was_not(
        self, qclient, tokens, enrolled, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        ids = (await qclient.post(ROUNDS, json=body(), headers=officer(tokens))).json()["follow_up_ids"]
        await call(qclient, tokens, ids[0], True)
        await call(qclient, tokens, ids[1], False)
        await call(qclient, tokens, ids[1], True)
        await call(qclient, tokens, ids[2], False)
        await deliver(make_event(BeneficiaryEnrolled))  # enrolled after the round was opened
        params = {"district_code": "430102", "period_start": "2026-10"}
        response = await qclient.get(COVERAGE, params=params, headers=officer(tokens))
        assert response.status_code == 200, response.text
        c = response.json()
        assert (c["tasks"], c["reached"], c["not_reached"], c["unreached"]) == (3, 2, 1, 1)
        assert c["reached_by_attempts"] == {"1": 1, "2": 1}
        assert c["active_without_task"] == 1
        by_id = {b["follow_up_id"]: b for b in c["beneficiaries"]}
        assert (by_id[ids[1]]["attempts"], by_id[ids[1]]["reached_on_attempt"]) == (2, 2)

    async def test_another_district_gets_404_and_the_city_admin_reads_it(
        self, qclient, tokens, enrolled
    ) -> None:  # type: ignore[no-untyped-def]
        await qclient.post(ROUNDS, json=body(), headers=officer(tokens))
        params = {"district_code": "430102", "period_start": "2026-10"}
        assert (
            await qclient.get(COVERAGE, params=params, headers=officer(tokens, "430103"))
        ).status_code == 404
        city = tokens.headers("city_admin", region="4301")
        assert (await qclient.get(COVERAGE, params=params, headers=city)).json()["tasks"] == 3
