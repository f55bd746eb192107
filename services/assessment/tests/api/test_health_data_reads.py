"""Unmasked reads of health data are logged and announced (PersonalDataAccessed, field names only)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from eldercare.assessment.adapters.models import HealthDataReadRow
from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
PII_EVENT = "assessment.pii_access.recorded.v1"


async def access_events(sessions) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox))).all()
    return [json.loads(r.payload) for r in rows if ["ce_type", PII_EVENT] in r.headers]


async def reads(sessions) -> list[HealthDataReadRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(HealthDataReadRow))).all())


async def completed(client: httpx.AsyncClient, tokens: Tokens, make_task, result_body) -> Any:  # type: ignore[no-untyped-def]
    task = await make_task()
    body = result_body(70, diagnoses=["F01", "I10"])
    response = await client.post(
        f"/v1/assessments/{task.id}/results", json=body, headers=tokens.headers("assessor", region=DISTRICT)
    )
    assert response.status_code == 201, response.text
    return task


async def test_an_unmasked_read_is_logged_and_announced_with_field_names_only(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
) -> None:
    task = await completed(client, tokens, make_task, result_body)
    headers = {
        **tokens.headers("district_officer", region=DISTRICT, scopes=["pii:read"]),
        "X-Access-Reason": "%E5%A4%8D%E6%A0%B8%E5%BE%85%E9%81%87",  # 复核待遇
    }
    response = await client.get(f"/v1/assessments/{task.id}", headers=headers)
    assert response.status_code == 200
    assert response.json()["diagnoses"] == ["F01", "I10"]
    [row] = await reads(sessions)
    assert (row.subject, row.resource, row.assessment_id) == (
        "district_officer-430102",
        "assessment",
        task.id,
    )
    assert row.fields == ["diagnoses", "psychiatric_specialist_diagnosis", "information_provider.name"]
    assert row.reason == "复核待遇"
    [event] = await access_events(sessions)
    assert (event["access_id"], event["resource_id"]) == (str(row.id), str(task.id))
    assert (event["fields"], event["reason"], event["district_code"]) == (row.fields, "复核待遇", DISTRICT)
    assert "F01" not in json.dumps(event) and "张小明" not in json.dumps(event)


async def test_a_masked_read_logs_nothing(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
) -> None:
    task = await completed(client, tokens, make_task, result_body)
    headers = tokens.headers("district_officer", region=DISTRICT)
    assert (await client.get(f"/v1/assessments/{task.id}", headers=headers)).json()["diagnoses"] is None
    assert (await client.get("/v1/assessments", headers=headers)).status_code == 200
    assert (await reads(sessions), await access_events(sessions)) == ([], [])


async def test_a_list_and_the_printable_report_log_each_assessment_shown(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
) -> None:
    first = await completed(client, tokens, make_task, result_body)
    await completed(client, tokens, make_task, result_body)
    headers = tokens.headers("district_officer", region=DISTRICT, scopes=["pii:read"])
    listed = await client.get("/v1/assessments?limit=1", headers=headers)
    assert len(listed.json()["items"]) == 1
    assert (await client.get(f"/v1/assessments/{first.id}/report.html", headers=headers)).status_code == 200
    logged = await reads(sessions)
    assert [(r.resource, r.assessment_id) for r in logged] == [("assessment", first.id), ("report", first.id)]
    assert len(await access_events(sessions)) == 2


async def test_reading_a_draft_logs_the_sections_it_shows(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task
) -> None:
    task = await make_task()
    assessor = tokens.headers("assessor", region=DISTRICT)
    form = {"person": {"name": "李阿婆"}, "diagnoses": [{"icd10": "I10"}], "items": {"B.1.1": 4}}
    assert (
        await client.put(f"/v1/assessments/{task.id}/draft", json=form, headers=assessor)
    ).status_code == 200
    assert (await client.get(f"/v1/assessments/{task.id}/draft", headers=assessor)).status_code == 200
    [row] = await reads(sessions)
    assert (row.resource, row.fields) == ("draft", ["person", "diagnoses"])


async def test_a_result_answered_in_clear_is_logged_too(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
) -> None:
    task = await make_task()
    headers = tokens.headers("assessor", region=DISTRICT, scopes=["pii:read"])
    response = await client.post(
        f"/v1/assessments/{task.id}/results", json=result_body(70, diagnoses=["F01"]), headers=headers
    )
    assert response.json()["diagnoses"] == ["F01"]
    [row] = await reads(sessions)
    assert (row.resource, row.assessment_id, row.subject) == ("assessment", task.id, "assessor-430102")
