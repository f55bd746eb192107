"""POST /v1/assessments: a district officer orders a reassessment of a person."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select

from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "person_id": str(uuid4()),
        "district_code": DISTRICT,
        "community_code": "430102001001",
        "reason": "routine",
        **overrides,
    }


async def count(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(AssessmentRow)) or 0)


class TestOrderingReassessments:
    async def test_a_district_officer_orders_a_pending_reassessment(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        sent = body(reason="dispute")
        headers = tokens.headers("district_officer", region=DISTRICT)
        response = await client.post("/v1/assessments", json=sent, headers=headers)
        assert response.status_code == 201, response.text
        got = response.json()
        assert got["id"]
        assert (got["person_id"], got["district_code"]) == (sent["person_id"], DISTRICT)
        assert (got["reason"], got["reason_label"]) == ("dispute", "因对评估结果有疑问进行的复评")
        assert (got["status"], got["application_id"]) == ("pending", None)
        assert got["requested_by"] == "district_officer-430102"
        read = await client.get(
            f"/v1/assessments/{got['id']}", headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert read.json()["status"] == "pending"

    async def test_a_second_open_task_for_the_same_person_is_a_conflict(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions
    ) -> None:
        sent = body()
        headers = tokens.headers("district_officer", region=DISTRICT)
        assert (await client.post("/v1/assessments", json=sent, headers=headers)).status_code == 201
        again = await client.post("/v1/assessments", json={**sent, "reason": "immediate"}, headers=headers)
        assert again.status_code == 409
        assert await count(sessions) == 1

    async def test_a_reassessment_can_be_completed_and_publishes_without_application(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, result_body
    ) -> None:
        created = await client.post(
            "/v1/assessments", json=body(), headers=tokens.headers("district_officer", region=DISTRICT)
        )
        url = f"/v1/assessments/{created.json()['id']}/results"
        done = await client.post(
            url, json=result_body(50), headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert done.status_code == 201
        assert (done.json()["reason"], done.json()["final_level"]["code"]) == ("routine", 2)

    async def test_a_replayed_request_creates_one_task(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions
    ) -> None:
        sent = body()
        headers = {**tokens.headers("district_officer", region=DISTRICT), "Idempotency-Key": "reassess-0001"}
        first = await client.post("/v1/assessments", json=sent, headers=headers)
        second = await client.post("/v1/assessments", json=sent, headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json() == first.json()
        assert await count(sessions) == 1


class TestReassessmentAccess:
    async def test_an_assessor_may_not_order_reassessments(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/v1/assessments", json=body(), headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert response.status_code == 403

    async def test_ordering_needs_a_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.post("/v1/assessments", json=body())).status_code == 401

    async def test_an_officer_of_another_district_is_refused(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions
    ) -> None:
        headers = tokens.headers("district_officer", region="430103")
        response = await client.post("/v1/assessments", json=body(), headers=headers)
        assert response.status_code == 403
        assert response.json()["errors"][0]["field"] == "district_code"
        assert await count(sessions) == 0


class TestReassessmentValidation:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"reason": "initial"}, "reason"),
            ({"reason": "x" * 1000}, "reason"),
            ({"person_id": "not-a-uuid"}, "person_id"),
            ({"district_code": "4301"}, "district_code"),
            ({"community_code": "430102001"}, "community_code"),
            ({"community_code": "430103001001"}, "community_code"),
            ({"extra": 1}, "extra"),
        ],
    )
    async def test_a_bad_field_is_named(
        self, client: httpx.AsyncClient, tokens: Tokens, overrides: dict[str, Any], field: str
    ) -> None:
        headers = tokens.headers("district_officer", region=DISTRICT)
        response = await client.post("/v1/assessments", json=body(**overrides), headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]
