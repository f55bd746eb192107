"""POST /v1/applications/{id}/reviews: the street office's preliminary review (初审, 第十一条)."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from eldercare.intake.adapters.orm import MESSAGING


async def events(sessions) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [(dict(r.headers)["ce_type"], json.loads(r.payload)) for r in rows]


class TestReview:
    async def test_a_pass_requests_an_assessment_with_a_masked_number(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await flow.review(app["id"], "pass")
        assert response.status_code == 201, response.text
        reviewed = response.json()
        assert (reviewed["id"], reviewed["status"]) == (app["id"], "assessment_requested")
        assert reviewed["steps"][-1] | {"at": None} == {
            "action": "review",
            "by": "street_officer-430102001",
            "at": None,
            "outcome": "pass",
            "comment": "材料齐全",
        }
        [_, (kind, payload)] = await events(sessions)
        assert kind == "intake.application.assessment_requested.v1"
        assert payload["application_id"] == app["id"]
        assert payload["person_id"] == app["applicant"]["person_id"]
        assert (payload["district_code"], payload["community_code"]) == ("430102", "430102001001")
        assert payload["masked_id_number"] == app["applicant"]["id_number"]
        assert payload["reason"] == "initial"

    @pytest.mark.parametrize(("outcome", "status"), [("return", "returned"), ("reject", "rejected")])
    async def test_a_return_or_rejection_closes_without_an_event(
        self, flow, sessions, outcome: str, status: str
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await flow.review(app["id"], outcome)
        assert response.status_code == 201
        assert response.json()["status"] == status
        assert [k for k, _ in await events(sessions)] == ["intake.application.submitted.v1"]

    async def test_a_return_without_a_reason_is_refused(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await client.post(
            f"/v1/applications/{app['id']}/reviews",
            json={"outcome": "return"},
            headers=tokens.headers("street_officer", region="430102001"),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "comment"

    async def test_only_a_submitted_application_can_be_reviewed(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        assert (await flow.review(app["id"], "pass")).status_code == 201
        again = await flow.review(app["id"], "reject")
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"


class TestReviewTenancy:
    async def test_a_street_officer_of_another_street_gets_404(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await flow.review(app["id"], "pass", region="430102002")
        assert response.status_code == 404
        assert (await flow.review(app["id"], "pass")).json()["status"] == "assessment_requested"

    async def test_an_unknown_application_is_404(self, flow) -> None:  # type: ignore[no-untyped-def]
        assert (await flow.review(str(uuid4()), "pass")).status_code == 404

    @pytest.mark.parametrize(
        ("role", "claims"),
        [
            ("community_worker", {"region": "430102001001"}),
            ("district_officer", {"region": "430102"}),
            ("provider_admin", {"provider_id": str(uuid4())}),
        ],
    )
    async def test_other_roles_may_not_review(
        self, flow, client, tokens, role: str, claims: dict[str, str]
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await client.post(
            f"/v1/applications/{app['id']}/reviews",
            json={"outcome": "pass"},
            headers=tokens.headers(role, **claims),
        )
        assert response.status_code == 403

    async def test_an_unknown_outcome_is_422(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await client.post(
            f"/v1/applications/{app['id']}/reviews",
            json={"outcome": "maybe", "comment": "x" * 501},
            headers=tokens.headers("street_officer", region="430102001"),
        )
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {"outcome", "comment"}

    async def test_a_malformed_id_in_the_path_is_422(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            "/v1/applications/not-a-uuid/reviews",
            json={"outcome": "pass"},
            headers=tokens.headers("street_officer", region="430102001"),
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "path.application_id"


class TestIdempotentReview:
    async def test_a_replayed_review_returns_the_first_answer_and_requests_one_assessment(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        headers = {**tokens.headers("street_officer", region="430102001"), "Idempotency-Key": "review-0001"}
        url, body = f"/v1/applications/{app['id']}/reviews", {"outcome": "pass", "comment": "ok"}
        first = await client.post(url, json=body, headers=headers)
        replay = await client.post(url, json=body, headers=headers)
        assert (first.status_code, replay.status_code) == (201, 201)
        assert replay.json() == first.json()
        kinds = [k for k, _ in await events(sessions)]
        assert kinds.count("intake.application.assessment_requested.v1") == 1
