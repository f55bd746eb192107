"""The whole process of Changsha 第十一条 through the API: submitted -> reviewed -> assessed (the
AssessmentCompleted consumer) -> approved, with the events it leaves in the outbox."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from eldercare.intake.adapters.orm import MESSAGING

DISTRICT = "430102"
MONTHLY_AMOUNT_FEN = 30000


async def outbox(sessions) -> list[tuple[str, dict[str, Any], bytes]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [(dict(r.headers)["ce_type"], json.loads(r.payload), r.payload) for r in rows]


class TestApplicationToEnrolment:
    async def test_an_application_goes_from_submission_to_an_enrolled_beneficiary(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1)
        submitted = await flow.submitted(1)
        assert submitted["status"] == "submitted"
        assert (
            submitted["applicant"]["id_number"]
            == body["applicant"]["id_number"][:3] + "*" * 11 + body["applicant"]["id_number"][-4:]
        )

        reviewed = await flow.review(submitted["id"], "pass")
        assert reviewed.status_code == 201, reviewed.text
        assert reviewed.json()["status"] == "assessment_requested"

        await flow.assess(submitted, level=1)
        read = await client.get(
            f"/v1/applications/{submitted['id']}", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert read.json()["status"] == "assessed"
        assert read.json()["assessment"]["final_level"] == 1

        decided = await flow.decide(submitted["id"], "approve")
        assert decided.status_code == 201, decided.text
        app = decided.json()
        assert app["status"] == "enrolled"
        assert app["decision"]["policy"] == {"pack_id": "changsha-2024", "version": "2024.1"}
        assert app["beneficiary_id"]

        beneficiary = await client.get(
            f"/v1/beneficiaries/{app['beneficiary_id']}",
            headers=tokens.headers("district_officer", region=DISTRICT),
        )
        assert beneficiary.status_code == 200, beneficiary.text
        assert beneficiary.json()["monthly_amount_fen"] == MONTHLY_AMOUNT_FEN

        events = await outbox(sessions)
        assert [t for t, _, _ in events] == [
            "intake.application.submitted.v1",
            "intake.application.assessment_requested.v1",
            "intake.application.decided.v1",
            "intake.beneficiary.enrolled.v1",
        ]
        for _, _, raw in events:
            text = raw.decode()
            assert body["applicant"]["id_number"] not in text
            assert body["applicant"]["phone"] not in text
            assert body["applicant"]["address"] not in text
