"""Drafts, the three Annex C signatures, immutability, corrections and the reassessment due list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.main import create_app
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.testing.plugin import Tokens, api_client

DISTRICT = "430102"
OTHER_DISTRICT = "430103"
NO_EVENTS = {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0}


@pytest.fixture
def form(items_for_total: Callable[[int], dict[str, int]]) -> Callable[..., dict[str, Any]]:
    def build(total: int = 70, **overrides: Any) -> dict[str, Any]:
        return {
            "assessment_number": "CS-2026-0001",
            "assessed_on": "2026-11-20",
            "person": {"name": "李阿婆", "gender": "female", "id_number": "430102194501011234"},
            "risk_events_30d": dict(NO_EVENTS),
            "information_provider": {"name": "李小红", "relation": "child"},
            "diagnoses": [{"icd10": "F01", "by_psychiatrist": False}],
            "medication": [{"name": "多奈哌齐", "route": "口服", "dose": "5mg", "frequency": "每日一次"}],
            "health_problems": {"A.5.5": "轻度"},
            "coma": False,
            "items": items_for_total(total),
            "place": "长沙市芙蓉区某社区",
            **overrides,
        }

    return build


def _headers(tokens: Tokens, who: str, region: str) -> dict[str, str]:
    """An assessor named ``who`` (the JWT subject is what the signature records)."""
    return tokens.headers("assessor", region=region, subject=who)


async def sign(
    client: httpx.AsyncClient, task_id: object, signer: str, headers: dict[str, str]
) -> httpx.Response:
    return await client.post(
        f"/v1/assessments/{task_id}/signatures", json={"signer": signer}, headers=headers
    )


async def test_a_saved_draft_is_resumed_with_what_is_still_missing(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    partial = form()
    partial["items"] = {"B.1.1": 4, "B.3.9": "stupor"}
    partial["coma"] = None
    headers = _headers(tokens, "assessor-001", DISTRICT)
    saved = await client.put(f"/v1/assessments/{task.id}/draft", json=partial, headers=headers)
    assert saved.status_code == 200, saved.text
    resumed = await client.get(f"/v1/assessments/{task.id}/draft", headers=headers)
    assert resumed.status_code == 200
    got = resumed.json()
    assert got["form"]["items"] == {"B.1.1": 4, "B.3.9": "stupor"}
    assert got["form"]["person"]["name"] == "李阿婆"
    assert got["saved_by"] == "assessor-001"
    assert (
        "coma" in got["missing"] and "items.B.1.2" in got["missing"] and "items.B.1.1" not in got["missing"]
    )


async def test_the_draft_is_encrypted_at_rest(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, form
) -> None:
    task = await make_task()
    headers = _headers(tokens, "assessor-001", DISTRICT)
    assert (
        await client.put(f"/v1/assessments/{task.id}/draft", json=form(), headers=headers)
    ).status_code == 200
    async with sessions() as s:
        sealed = await s.scalar(select(AssessmentRow.draft_sealed).where(AssessmentRow.id == task.id))
    assert sealed is not None
    assert "430102194501011234" not in sealed and "F01" not in sealed and "李阿婆" not in sealed


async def test_two_assessors_and_the_provider_sign_and_the_last_signature_completes_it(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, form
) -> None:
    task = await make_task()
    first, second = _headers(tokens, "assessor-001", DISTRICT), _headers(tokens, "assessor-002", DISTRICT)
    await client.put(f"/v1/assessments/{task.id}/draft", json=form(70), headers=first)
    one = await sign(client, task.id, "assessor", first)
    assert one.status_code == 201, one.text
    assert one.json()["status"] == "pending"
    assert (await sign(client, task.id, "assessor", first)).status_code == 409  # the same assessor twice
    assert (await sign(client, task.id, "information_provider", first)).json()["status"] == "pending"
    done = await sign(client, task.id, "assessor", second)
    assert done.status_code == 201, done.text
    got = done.json()
    assert got["status"] == "completed"
    assert (got["total_score"], got["final_level"]["code"]) == (70, 2)  # F01 dementia raises 1 -> 2
    assert got["assessors"] == ["assessor-001", "assessor-002"]
    assert [s["kind"] for s in got["signatures"]] == ["assessor", "information_provider", "assessor"]
    assert got["signatures"][1]["signer"] != "李小红"  # masked without pii:read
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox))).all()
    assert len(rows) == 1
    assert ["ce_type", "assessment.assessment.completed.v1"] in rows[0].headers


async def test_an_incomplete_form_cannot_be_signed_and_the_422_names_every_gap(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    headers = _headers(tokens, "assessor-001", DISTRICT)
    partial = form(assessed_on=None)
    del partial["items"]["B.4.5"]
    await client.put(f"/v1/assessments/{task.id}/draft", json=partial, headers=headers)
    response = await sign(client, task.id, "assessor", headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["assessed_on", "items.B.4.5"]


async def test_an_unknown_icd10_code_in_the_draft_blocks_signing(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    headers = _headers(tokens, "assessor-001", DISTRICT)
    await client.put(
        f"/v1/assessments/{task.id}/draft", json=form(diagnoses=[{"icd10": "U99"}]), headers=headers
    )
    response = await sign(client, task.id, "assessor", headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["diagnoses.0.icd10"]


async def test_changing_the_draft_voids_the_signatures_given(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    headers = _headers(tokens, "assessor-001", DISTRICT)
    await client.put(f"/v1/assessments/{task.id}/draft", json=form(70), headers=headers)
    await sign(client, task.id, "assessor", headers)
    await client.put(f"/v1/assessments/{task.id}/draft", json=form(60), headers=headers)
    read = (await client.get(f"/v1/assessments/{task.id}", headers=headers)).json()
    assert read["signatures"] == []


async def signed(
    client: httpx.AsyncClient, tokens: Tokens, task_id: object, body: dict[str, Any]
) -> dict[str, Any]:
    first, second = _headers(tokens, "assessor-001", DISTRICT), _headers(tokens, "assessor-002", DISTRICT)
    await client.put(f"/v1/assessments/{task_id}/draft", json=body, headers=first)
    await sign(client, task_id, "assessor", first)
    await sign(client, task_id, "information_provider", first)
    done = await sign(client, task_id, "assessor", second)
    assert done.status_code == 201, done.text
    return done.json()


async def test_a_signed_assessment_is_immutable(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    await signed(client, tokens, task.id, form())
    headers = _headers(tokens, "assessor-003", DISTRICT)
    assert (
        await client.put(f"/v1/assessments/{task.id}/draft", json=form(50), headers=headers)
    ).status_code == 409
    assert (await sign(client, task.id, "assessor", headers)).status_code == 409


async def test_a_correction_is_a_new_assessment_that_supersedes_the_signed_one(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    original = await signed(client, tokens, task.id, form(70))
    officer = tokens.headers("district_officer", region=DISTRICT)
    created = await client.post(f"/v1/assessments/{task.id}/corrections", headers=officer)
    assert created.status_code == 201, created.text
    successor = created.json()
    assert (successor["status"], successor["supersedes_id"], successor["has_draft"]) == (
        "pending",
        str(task.id),
        True,
    )
    again = await client.post(f"/v1/assessments/{task.id}/corrections", headers=officer)
    assert again.status_code == 409
    kept = (await client.get(f"/v1/assessments/{task.id}", headers=officer)).json()
    assert (kept["status"], kept["superseded_by_id"]) == ("completed", successor["id"])
    assert kept["total_score"] == original["total_score"]
    corrected = await signed(client, tokens, successor["id"], form(60))
    assert (corrected["total_score"], corrected["supersedes_id"]) == (60, str(task.id))


async def test_a_pending_assessment_cannot_be_corrected(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task
) -> None:
    task = await make_task()
    officer = tokens.headers("district_officer", region=DISTRICT)
    assert (await client.post(f"/v1/assessments/{task.id}/corrections", headers=officer)).status_code == 409


async def test_another_districts_assessor_sees_no_draft_and_cannot_sign_or_correct(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    await client.put(
        f"/v1/assessments/{task.id}/draft", json=form(), headers=_headers(tokens, "a-1", DISTRICT)
    )
    stranger = _headers(tokens, "a-9", OTHER_DISTRICT)
    assert (await client.get(f"/v1/assessments/{task.id}/draft", headers=stranger)).status_code == 404
    assert (
        await client.put(f"/v1/assessments/{task.id}/draft", json=form(), headers=stranger)
    ).status_code == 404
    assert (await sign(client, task.id, "assessor", stranger)).status_code == 404
    officer = tokens.headers("district_officer", region=OTHER_DISTRICT)
    assert (await client.post(f"/v1/assessments/{task.id}/corrections", headers=officer)).status_code == 404


async def test_a_bad_draft_field_is_a_422_naming_it(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    body = form()
    body["health_problems"] = {"A.5.11": "有"}  # coma has its own field
    response = await client.put(
        f"/v1/assessments/{task.id}/draft", json=body, headers=_headers(tokens, "a-1", DISTRICT)
    )
    assert response.status_code == 422
    assert any(e["field"].startswith("health_problems") for e in response.json()["errors"])


async def test_the_due_list_shows_signed_reports_older_than_the_interval(  # type: ignore[no-untyped-def]
    settings: AssessmentSettings, tokens: Tokens, sessions, make_task, form
) -> None:
    with_interval = settings.model_copy(update={"reassessment_interval_months": 6})
    async with api_client(create_app(with_interval), sessions) as c:
        task = await make_task()
        await signed(c, tokens, task.id, form(assessed_on="2026-05-20"))
        officer = tokens.headers("district_officer", region=DISTRICT)
        before = (await c.get("/v1/reassessments-due?on=2026-11-19", headers=officer)).json()
        due = (await c.get("/v1/reassessments-due?on=2026-11-20", headers=officer)).json()
        elsewhere = tokens.headers("district_officer", region=OTHER_DISTRICT)
        other = (await c.get("/v1/reassessments-due?on=2026-11-20", headers=elsewhere)).json()
        await c.post(f"/v1/assessments/{task.id}/corrections", headers=officer)
        superseded = (await c.get("/v1/reassessments-due?on=2026-11-20", headers=officer)).json()
    assert (before["interval_months"], before["items"]) == (6, [])
    assert [a["id"] for a in due["items"]] == [str(task.id)]
    assert other["items"] == []
    assert superseded["items"] == []


async def test_the_due_list_refuses_to_guess_an_unset_interval(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    response = await client.get(
        "/v1/reassessments-due", headers=tokens.headers("district_officer", region=DISTRICT)
    )
    assert response.status_code == 503
    assert response.json()["type"].endswith("/setting-not-configured")
    assert "ASSESSMENT_REASSESSMENT_INTERVAL_MONTHS" in response.json()["detail"]


async def test_the_printable_report_follows_annex_c_with_the_fired_reasons_checked(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, form
) -> None:
    task = await make_task()
    await signed(client, tokens, task.id, form(70, place="<b>芙蓉区</b>"))
    officer = tokens.headers("district_officer", region=DISTRICT)
    response = await client.get(f"/v1/assessments/{task.id}/report.html", headers=officer)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    for heading in (
        "C.1 一级指标分级",
        "C.1.3 精神状态",
        "C.2 初步等级得分",
        "C.3",
        "C.4",
        "C.5",
        "评估员签名",
    ):
        assert heading in html
    assert "70 分（满分 90）" in html
    assert "☑ 确诊为痴呆" in html.replace("</span> ", " ").replace('<span class="box">', "")
    assert "☐ 处于昏迷状态者" in html.replace("</span> ", " ").replace('<span class="box">', "")
    assert "能力中度受损（中度失能）" in html  # the final level
    assert "assessor-001、assessor-002" in html
    assert "&lt;b&gt;芙蓉区&lt;/b&gt;" in html and "<b>芙蓉区</b>" not in html
    assert "李小红" not in html  # the provider's name is masked without pii:read


async def test_a_pending_assessment_has_no_report_and_another_district_gets_404(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task
) -> None:
    task = await make_task()
    officer = tokens.headers("district_officer", region=DISTRICT)
    assert (await client.get(f"/v1/assessments/{task.id}/report.html", headers=officer)).status_code == 409
    stranger = tokens.headers("district_officer", region=OTHER_DISTRICT)
    assert (await client.get(f"/v1/assessments/{task.id}/report.html", headers=stranger)).status_code == 404
