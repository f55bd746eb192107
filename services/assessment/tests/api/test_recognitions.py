"""Mutual recognition (Xiangtan 第七条): a recognised external result closes a pending task."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.main import create_app
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.credit_codes import check_character, organisation_check_character
from eldercare.common.testing.plugin import Tokens, api_client

DISTRICT = "430102"
TODAY = date.today()


def credit_code(serial: int, region: str = "430102") -> str:
    body = f"MJ{serial:06d}"
    first17 = f"52{region}{body}{organisation_check_character(body)}"
    return first17 + check_character(first17)


def external(**overrides: Any) -> dict[str, Any]:
    return {
        "instrument": "GB/T 42195-2022",
        "total_score": 60,
        "subtotals": {"B.1": 20, "B.2": 10, "B.3": 20, "B.4": 10},
        "preliminary_level": 2,
        "final_level": 3,
        "adjustments": ["R2"],
        "assessed_on": (TODAY - timedelta(days=30)).isoformat(),
        "valid_until": (TODAY + timedelta(days=150)).isoformat(),
        "issuer_name": "湘潭市老年人能力评估中心",
        "issuer_credit_code": credit_code(7, "430302"),
        "issuer_region": "430302",
        "document_ref": "XT-PG-2026-0815",
        **overrides,
    }


def officer(tokens: Tokens, region: str = DISTRICT) -> dict[str, str]:
    return tokens.headers("district_officer", region=region)


async def recognise(
    client: httpx.AsyncClient, tokens: Tokens, task_id: object, body: dict[str, Any], region: str = DISTRICT
):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/v1/assessments/{task_id}/recognitions", json=body, headers=officer(tokens, region)
    )


async def register_issuer(client: httpx.AsyncClient, tokens: Tokens) -> str:
    code = credit_code(3)
    body = {"name": "芙蓉区评估中心", "credit_code": code, "qualification": "备案", "regions": [DISTRICT]}
    assert (
        await client.post("/v1/assessment-organisations", json=body, headers=officer(tokens))
    ).status_code == 201
    return code


async def test_a_registered_organisations_result_closes_the_task_with_its_provenance(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task
) -> None:
    code = await register_issuer(client, tokens)
    task = await make_task()
    response = await recognise(
        client, tokens, task.id, external(issuer_credit_code=code, issuer_region=DISTRICT)
    )
    assert response.status_code == 201, response.text
    got = response.json()
    assert (got["status"], got["total_score"], got["final_level"]["code"]) == ("completed", 60, 3)
    assert got["recognition"]["basis"] == "xiangtan-2025-home-care-provisions.md 第七条"
    assert (got["recognition"]["document_ref"], got["recognition"]["issuer_name"]) == (
        "XT-PG-2026-0815",
        "芙蓉区评估中心",
    )
    async with sessions() as s:
        [row] = (await s.execute(select(MESSAGING.outbox))).all()
    payload = json.loads(row.payload)
    assert ["ce_type", "assessment.assessment.completed.v1"] in row.headers
    assert (payload["final_level"], payload["adjustments"]) == (3, ["R2"])
    assert payload["rule_settings"]["source"] == "mutual_recognition"


async def test_an_issuer_neither_registered_nor_in_a_recognised_region_is_refused(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, settings: AssessmentSettings, tokens: Tokens, sessions, make_task
) -> None:
    task = await make_task()
    refused = await recognise(client, tokens, task.id, external())
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["field"] == "issuer_credit_code"
    xiangtan = settings.model_copy(update={"recognised_regions": ["4303"]})
    async with api_client(create_app(xiangtan), sessions) as c:
        accepted = await recognise(c, tokens, task.id, external())
    assert accepted.status_code == 201, accepted.text


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"instrument": "长期护理失能等级评估标准（试行）"}, "instrument"),
        ({"valid_until": (TODAY - timedelta(days=1)).isoformat()}, "valid_until"),
    ],
)
async def test_an_unrecognised_instrument_or_an_expired_result_is_refused(  # type: ignore[no-untyped-def]
    settings: AssessmentSettings, tokens: Tokens, sessions, make_task, overrides: dict[str, Any], field: str
) -> None:
    lenient = settings.model_copy(update={"recognised_regions": ["4303"]})
    async with api_client(create_app(lenient), sessions) as c:
        task = await make_task()
        response = await recognise(c, tokens, task.id, external(**overrides))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == field


async def test_another_instrument_is_never_converted_even_when_recognised(  # type: ignore[no-untyped-def]
    settings: AssessmentSettings, tokens: Tokens, sessions, make_task
) -> None:
    ltc = "长期护理失能等级评估标准（试行）"
    both = settings.model_copy(
        update={"recognised_regions": ["4303"], "recognised_instruments": ["GB/T 42195-2022", ltc]}
    )
    async with api_client(create_app(both), sessions) as c:
        task = await make_task()
        response = await recognise(c, tokens, task.id, external(instrument=ltc))
    assert response.status_code == 409
    assert "never converted" in response.json()["detail"]


async def test_figures_that_disagree_with_the_standard_are_a_422_naming_them(  # type: ignore[no-untyped-def]
    settings: AssessmentSettings, tokens: Tokens, sessions, make_task
) -> None:
    lenient = settings.model_copy(update={"recognised_regions": ["4303"]})
    async with api_client(create_app(lenient), sessions) as c:
        task = await make_task()
        wrong_sum = await recognise(c, tokens, task.id, external(total_score=61))
        wrong_band = await recognise(
            c, tokens, task.id, external(preliminary_level=1, final_level=1, adjustments=[])
        )
    assert [e["field"] for e in wrong_sum.json()["errors"]] == ["total_score"]
    assert [e["field"] for e in wrong_band.json()["errors"]] == ["preliminary_level"]


async def test_without_a_stated_validity_the_local_interval_applies_or_503(  # type: ignore[no-untyped-def]
    settings: AssessmentSettings, tokens: Tokens, sessions, make_task
) -> None:
    unset = settings.model_copy(update={"recognised_regions": ["4303"]})
    six = unset.model_copy(update={"reassessment_interval_months": 6})
    task = await make_task()
    body = external(valid_until=None)
    async with api_client(create_app(unset), sessions) as c:
        refused = await recognise(c, tokens, task.id, body)
    async with api_client(create_app(six), sessions) as c:
        accepted = await recognise(c, tokens, task.id, body)
    assert refused.status_code == 503
    assert "ASSESSMENT_REASSESSMENT_INTERVAL_MONTHS" in refused.json()["detail"]
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["recognition"]["valid_until"] > TODAY.isoformat()


async def test_another_district_gets_404_and_a_completed_task_409(  # type: ignore[no-untyped-def]
    settings: AssessmentSettings, tokens: Tokens, sessions, make_task
) -> None:
    lenient = settings.model_copy(update={"recognised_regions": ["4303"]})
    async with api_client(create_app(lenient), sessions) as c:
        task = await make_task()
        assert (await recognise(c, tokens, task.id, external(), region="430103")).status_code == 404
        assert (await recognise(c, tokens, task.id, external())).status_code == 201
        assert (await recognise(c, tokens, task.id, external())).status_code == 409
