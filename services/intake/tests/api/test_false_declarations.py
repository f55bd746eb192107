"""POST /v1/applications/{id}/false-declarations: a reviewer finds the material false; the
application is rejected citing the clause and the person stays flagged (乌海 第三十二条)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from eldercare.intake.adapters.models import PersonRow
from eldercare.intake.adapters.orm import MESSAGING

STREET, DISTRICT = "430102001", "430102"


async def decided_events(sessions) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [
        json.loads(r.payload) for r in rows if dict(r.headers)["ce_type"] == "intake.application.decided.v1"
    ]


async def flag(flow, application_id: str, role: str = "street_officer", region: str = STREET, **body: Any):  # type: ignore[no-untyped-def]
    return await flow.client.post(
        f"/v1/applications/{application_id}/false-declarations",
        json={"comment": "低保证明系伪造", **body},
        headers=flow.tokens.headers(role, region=region),
    )


class TestFalseDeclaration:
    async def test_the_street_rejects_a_submitted_application_and_flags_the_person(
        self, flow, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await flag(flow, app["id"])
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "rejected"
        assert body["steps"][-1]["action"] == "false_declaration"
        assert [(c["source"], c["article"]) for c in body["decision"]["basis"]] == [
            ("wuhai-2017-home-care-measures.md", "第三十二条")
        ]
        assert body["applicant"]["false_declaration_at"] is not None
        async with sessions() as s:
            row = await s.get(PersonRow, body["applicant"]["person_id"])
        assert row is not None and row.false_declaration_at is not None
        [event] = await decided_events(sessions)
        assert event["decision"] == "rejected" and event["basis"][0]["article"] == "第三十二条"

    async def test_the_district_may_flag_an_assessed_application(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=2)
        response = await flag(flow, app["id"], role="district_officer", region=DISTRICT)
        assert response.status_code == 201 and response.json()["status"] == "rejected"

    async def test_the_flag_outlives_the_application(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        assert (await flag(flow, app["id"])).status_code == 201
        again = await flow.submitted(1)
        assert again["applicant"]["false_declaration_at"] is not None

    async def test_an_enrolled_application_is_409(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=2)
        assert (await flow.decide(app["id"])).status_code == 201
        response = await flag(flow, app["id"], role="district_officer", region=DISTRICT)
        assert response.status_code == 409
        assert [e["decision"] for e in await decided_events(sessions)] == ["approved"]

    @pytest.mark.parametrize("comment", ["", "   "])
    async def test_a_reason_is_required(self, flow, sessions, comment: str) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await flag(flow, app["id"], comment=comment)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "comment"
        assert await decided_events(sessions) == []

    async def test_another_streets_officer_gets_404(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        assert (await flag(flow, app["id"], region="430102002")).status_code == 404
        assert await decided_events(sessions) == []

    @pytest.mark.parametrize(("role", "region"), [("community_worker", "430102001001"), ("auditor", "4301")])
    async def test_only_reviewers_may_flag(self, flow, role: str, region: str) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        assert (await flag(flow, app["id"], role=role, region=region)).status_code == 403
