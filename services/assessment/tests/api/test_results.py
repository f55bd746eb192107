"""POST /v1/assessments/{id}/results: scoring, the outbox event, PII, tenancy and idempotency."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import func, select

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.main import create_app
from eldercare.common.testing.plugin import Tokens, api_client

DISTRICT = "430102"


def url(task_id: object) -> str:
    return f"/v1/assessments/{task_id}/results"


async def outbox_rows(sessions) -> list[Any]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.execute(select(MESSAGING.outbox))).all())


class TestRecordingResults:
    async def test_an_assessor_completes_a_pending_assessment(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        task = await make_task()
        body = result_body(70, diagnoses=["F01", "I10"], risk_events_30d={**result_body()["risk_events_30d"]})
        response = await client.post(
            url(task.id), json=body, headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert response.status_code == 201, response.text
        got = response.json()
        assert got["id"] == str(task.id)
        assert got["application_id"] == str(task.event.application_id)
        assert got["person_id"] == str(task.event.person_id)
        assert (got["status"], got["district_code"]) == ("completed", DISTRICT)
        assert got["total_score"] == 70
        assert got["subtotals"] == {"B.1": 12, "B.2": 15, "B.3": 28, "B.4": 15}
        assert got["preliminary_level"] == {"code": 1, "label": "能力轻度受损（轻度失能）"}
        assert got["final_level"] == {"code": 2, "label": "能力中度受损（中度失能）"}
        assert [a["code"] for a in got["adjustments"]] == ["R2"]
        assert got["rule_settings"]["adjustment_stacking"] == "single"
        assert got["rule_settings"]["risk_event_counting"] == "sum"
        assert got["assessors"] == ["assessor-001", "assessor-002"]
        assert got["submitted_by"] == "assessor-430102"
        assert got["assessed_on"] == "2026-11-20"
        assert got["completed_at"]

    async def test_completion_publishes_assessment_completed_without_health_data(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
    ) -> None:
        task = await make_task()
        body = result_body(
            30, diagnoses=["F20"], risk_events_30d={**result_body()["risk_events_30d"], "fall": 2}
        )
        response = await client.post(
            url(task.id), json=body, headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert response.status_code == 201, response.text
        [row] = await outbox_rows(sessions)
        assert (row.topic, row.key) == ("assessment.assessment", str(task.id))
        assert ["ce_type", "assessment.assessment.completed.v1"] in row.headers
        payload = json.loads(row.payload)
        assert payload["assessment_id"] == str(task.id)
        assert payload["application_id"] == str(task.event.application_id)
        assert payload["person_id"] == str(task.event.person_id)
        assert payload["district_code"] == DISTRICT
        assert payload["reason"] == "initial"
        assert (payload["total_score"], payload["preliminary_level"], payload["final_level"]) == (30, 3, 4)
        assert payload["subtotals"] == response.json()["subtotals"]
        assert payload["adjustments"] == ["R4"]
        assert payload["rule_settings"] == response.json()["rule_settings"]
        assert payload["completed_at"]
        assert payload["valid_until"] is None  # no reassessment interval configured: unknown
        assert "F20" not in row.payload.decode()
        assert "diagnoses" not in payload

    async def test_diagnoses_are_shown_only_to_callers_with_pii_read(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        task = await make_task()
        body = result_body(70, diagnoses=["f01", "I10"])
        plain = await client.post(
            url(task.id), json=body, headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert plain.status_code == 201
        assert plain.json()["diagnoses"] is None
        assert plain.json()["information_provider"]["name"] != "张小明"
        privileged = tokens.headers("district_officer", region=DISTRICT, scopes=["pii:read"])
        read = (await client.get(f"/v1/assessments/{task.id}", headers=privileged)).json()
        assert read["diagnoses"] == ["F01", "I10"]
        assert read["information_provider"] == {
            "name": "张小明",
            "relation": "child",
            "relation_label": "子女",
        }

    async def test_a_completed_assessment_cannot_receive_results_again(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
    ) -> None:
        task = await make_task()
        headers = tokens.headers("assessor", region=DISTRICT)
        assert (await client.post(url(task.id), json=result_body(70), headers=headers)).status_code == 201
        again = await client.post(url(task.id), json=result_body(50), headers=headers)
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"
        assert len(await outbox_rows(sessions)) == 1
        async with sessions() as s:
            assert await s.scalar(select(AssessmentRow.total_score).where(AssessmentRow.id == task.id)) == 70


class TestResultAccess:
    async def test_without_a_token_the_answer_is_401(
        self, client: httpx.AsyncClient, make_task, result_body
    ) -> None:  # type: ignore[no-untyped-def]
        task = await make_task()
        assert (await client.post(url(task.id), json=result_body())).status_code == 401

    async def test_a_district_officer_cannot_record_results(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        task = await make_task()
        headers = tokens.headers("district_officer", region=DISTRICT)
        assert (await client.post(url(task.id), json=result_body(), headers=headers)).status_code == 403

    async def test_an_assessor_of_another_district_gets_404(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
    ) -> None:
        task = await make_task()
        headers = tokens.headers("assessor", region="430103")
        response = await client.post(url(task.id), json=result_body(), headers=headers)
        assert response.status_code == 404
        assert await outbox_rows(sessions) == []

    async def test_a_city_level_assessor_covers_the_district(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        task = await make_task()
        headers = tokens.headers("assessor", region="4301")
        assert (await client.post(url(task.id), json=result_body(), headers=headers)).status_code == 201

    async def test_an_unknown_assessment_is_404(
        self, client: httpx.AsyncClient, tokens: Tokens, result_body
    ) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(
            url("0190f3a0-0000-7000-8000-000000000000"), json=result_body(), headers=headers
        )
        assert response.status_code == 404


class TestResultIdempotency:
    async def test_a_replay_with_the_same_key_and_body_returns_the_same_response_once(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
    ) -> None:
        task = await make_task()
        headers = {**tokens.headers("assessor", region=DISTRICT), "Idempotency-Key": "result-0001"}
        first = await client.post(url(task.id), json=result_body(), headers=headers)
        second = await client.post(url(task.id), json=result_body(), headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json() == first.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert len(await outbox_rows(sessions)) == 1

    async def test_the_same_key_with_another_body_is_refused(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
    ) -> None:
        task = await make_task()
        headers = {**tokens.headers("assessor", region=DISTRICT), "Idempotency-Key": "result-0002"}
        assert (await client.post(url(task.id), json=result_body(70), headers=headers)).status_code == 201
        other = await client.post(url(task.id), json=result_body(50), headers=headers)
        assert other.status_code == 422
        assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(MESSAGING.outbox)) == 1


async def test_a_result_goes_out_valid_for_the_configured_interval(  # type: ignore[no-untyped-def]
    settings, tokens: Tokens, sessions, make_task, result_body
) -> None:
    """Issue #4: results go out with their validity (gbt42195.md §1.7: the local interval)."""
    with_interval = settings.model_copy(update={"reassessment_interval_months": 12})
    async with api_client(create_app(with_interval), sessions) as c:
        task = await make_task()
        body = result_body(70) | {"assessed_on": "2026-02-28"}
        response = await c.post(url(task.id), json=body, headers=tokens.headers("assessor", region=DISTRICT))
        assert response.status_code == 201, response.text
    [row] = await outbox_rows(sessions)
    assert json.loads(row.payload)["valid_until"] == "2027-02-28"
