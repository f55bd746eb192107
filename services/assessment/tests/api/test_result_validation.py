"""Bad result bodies are 422 problem+json naming the field, and change nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
NO_EVENTS = {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0}


def fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


class TestScoreSheetValidation:
    @pytest.mark.parametrize(("code", "value"), [("B.2.4", 4), ("B.4.4", 4), ("B.3.9", 3), ("B.1.1", -1)])
    async def test_a_score_outside_the_items_range_names_the_item(  # type: ignore[no-untyped-def]
        self,
        client: httpx.AsyncClient,
        tokens: Tokens,
        sessions,
        make_task,
        result_body,
        code: str,
        value: int,
    ) -> None:
        task = await make_task()
        body = result_body()
        body["items"][code] = value
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(f"/v1/assessments/{task.id}/results", json=body, headers=headers)
        assert fields(response) == [f"items.{code}"]
        async with sessions() as s:
            assert (
                await s.scalar(select(AssessmentRow.status).where(AssessmentRow.id == task.id)) == "pending"
            )

    @pytest.mark.parametrize("value", ["4", 3.5, True, None])
    async def test_a_score_that_is_not_a_whole_number_names_the_item(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body, value: Any
    ) -> None:
        task = await make_task()
        body = result_body()
        body["items"]["B.1.2"] = value
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(f"/v1/assessments/{task.id}/results", json=body, headers=headers)
        assert fields(response) == ["items.B.1.2"]

    async def test_a_missing_and_an_unknown_item_are_both_named(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        task = await make_task()
        body = result_body()
        del body["items"]["B.3.9"]
        body["items"]["B.5.1"] = 1
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(f"/v1/assessments/{task.id}/results", json=body, headers=headers)
        assert sorted(fields(response)) == ["items.B.3.9", "items.B.5.1"]

    async def test_an_item_given_twice_is_refused(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        task = await make_task()
        raw = json.dumps(result_body()).replace('{"items": {', '{"items": {"B.1.1": 4, ', 1)
        assert raw.count('"B.1.1"') == 2
        headers = {**tokens.headers("assessor", region=DISTRICT), "content-type": "application/json"}
        response = await client.post(f"/v1/assessments/{task.id}/results", content=raw, headers=headers)
        assert fields(response) == ["items.B.1.1"]


class TestOtherResultFields:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"assessors": ["assessor-001"]}, "assessors"),
            ({"assessors": ["assessor-001", "assessor-002", "assessor-003"]}, "assessors"),
            ({"assessors": ["assessor-001", "bad id!"]}, "assessors.1"),
            ({"information_provider": {"name": "x" * 51, "relation": "child"}}, "information_provider.name"),
            (
                {"information_provider": {"name": "张", "relation": "neighbour"}},
                "information_provider.relation",
            ),
            ({"diagnoses": ["memory problems"]}, "diagnoses.0"),
            ({"diagnoses": ["I10"] * 51}, "diagnoses"),
            ({"risk_events_30d": {**NO_EVENTS, "fall": 4}}, "risk_events_30d.fall"),
            ({"risk_events_30d": {"fall": 0}}, "risk_events_30d.wandering"),
            ({"coma": "yes"}, "coma"),
            ({"assessed_on": "20-11-2026"}, "assessed_on"),
            ({"assessed_on": "2999-01-01"}, "assessed_on"),
            ({"signature": "x"}, "signature"),
        ],
    )
    async def test_a_bad_field_is_named(  # type: ignore[no-untyped-def]
        self,
        client: httpx.AsyncClient,
        tokens: Tokens,
        make_task,
        result_body,
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        task = await make_task()
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(
            f"/v1/assessments/{task.id}/results", json=result_body(**overrides), headers=headers
        )
        assert field in fields(response)

    async def test_the_same_assessor_twice_is_refused(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        task = await make_task()
        body = result_body(assessors=["assessor-001", "assessor-001"])
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(f"/v1/assessments/{task.id}/results", json=body, headers=headers)
        assert fields(response) == ["assessors"]

    @pytest.mark.parametrize(
        "missing", ["items", "coma", "risk_events_30d", "assessors", "information_provider"]
    )
    async def test_a_missing_required_field_is_named(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body, missing: str
    ) -> None:
        task = await make_task()
        body = result_body()
        del body[missing]
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(f"/v1/assessments/{task.id}/results", json=body, headers=headers)
        assert fields(response) == [missing]

    @pytest.mark.parametrize(
        ("content", "status"),
        # FastAPI itself answers 400 when it cannot parse a body at all (nesting beyond recursion).
        [(b"{not json", 422), (b"[]", 422), (b"\xff\xfe", 422), (b"[" * 5000 + b"]" * 5000, 400)],
    )
    async def test_a_body_that_is_not_a_json_object_is_a_client_error(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, content: bytes, status: int
    ) -> None:
        task = await make_task()
        headers = {**tokens.headers("assessor", region=DISTRICT), "content-type": "application/json"}
        response = await client.post(f"/v1/assessments/{task.id}/results", content=content, headers=headers)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_malformed_assessment_id_is_a_422(
        self, client: httpx.AsyncClient, tokens: Tokens, result_body
    ) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers("assessor", region=DISTRICT)
        response = await client.post(
            "/v1/assessments/not-a-uuid/results", json=result_body(), headers=headers
        )
        assert fields(response) == ["path.assessment_id"]


class TestSelfHarmName:
    """A.2.14.4 is ``suicide_self_harm`` (issue #4); the older ``self_harm`` is refused (no client
    sends it any more)."""

    async def post(self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body, events):  # type: ignore[no-untyped-def]
        task = await make_task()
        return await client.post(
            f"/v1/assessments/{task.id}/results",
            json=result_body(70, risk_events_30d=events),
            headers=tokens.headers("assessor", region=DISTRICT),
        )

    async def test_the_issue_name_counts_and_is_answered(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        response = await self.post(
            client, tokens, make_task, result_body, {**NO_EVENTS, "suicide_self_harm": 2}
        )
        assert response.status_code == 201, response.text
        assert response.json()["risk_events_30d"]["suicide_self_harm"] == 2
        assert [a["code"] for a in response.json()["adjustments"]] == ["R4"]

    async def test_the_older_name_is_a_422_naming_both_fields(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        legacy = {"fall": 0, "wandering": 0, "choking": 0, "self_harm": 2, "other": 0}
        response = await self.post(client, tokens, make_task, result_body, legacy)
        assert sorted(fields(response)) == ["risk_events_30d.self_harm", "risk_events_30d.suicide_self_harm"]
