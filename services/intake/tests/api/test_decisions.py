"""POST /v1/applications/{id}/decisions: the district bureau's decision (审定) and the enrolment."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import func, select

from eldercare.common.clock import local_date, utcnow
from eldercare.common.testing.plugin import api_client
from eldercare.intake.adapters.models import BeneficiaryRow
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.main import create_app

DISTRICT = "430102"


async def events(sessions) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [(dict(r.headers)["ce_type"], json.loads(r.payload)) for r in rows]


async def beneficiaries(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(BeneficiaryRow)) or 0)


class TestApproval:
    async def test_an_approval_enrols_the_person_from_the_decision_date(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=2)
        response = await flow.decide(app["id"])
        assert response.status_code == 201, response.text
        decided = response.json()
        today = local_date(utcnow())
        assert decided["status"] == "enrolled" and decided["beneficiary_id"]
        assert decided["decision"]["outcome"] == "approved"
        assert decided["decision"]["effective_on"] == today.isoformat()
        assert ("第五条", "（一）") in [(c["article"], c["item"]) for c in decided["decision"]["basis"]]
        async with sessions() as s:
            row = (await s.scalars(select(BeneficiaryRow))).one()
        assert str(row.id) == decided["beneficiary_id"]
        assert (row.status, row.effective_on, row.assessment_level, row.monthly_amount_fen) == (
            "active",
            today,
            2,
            30000,
        )
        assert (row.pack_id, row.pack_version, row.emergency_help_required) == (
            "changsha-2024",
            "2024.1",
            False,
        )

    async def test_an_approval_publishes_the_decision_and_the_enrolment(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1, guardian="civil_affairs_bureau")
        decided = (await flow.decide(app["id"])).json()
        (k1, decision), (k2, enrolled) = (await events(sessions))[-2:]
        assert (k1, k2) == ("intake.application.decided.v1", "intake.beneficiary.enrolled.v1")
        assert decision["decision"] == "approved"
        assert decision["policy"] == {"pack_id": "changsha-2024", "version": "2024.1"}
        assert enrolled["beneficiary_id"] == decided["beneficiary_id"]
        assert enrolled["masked_id_number"] == app["applicant"]["id_number"]
        assert enrolled["home_point"] == {"lat": 28.19, "lon": 112.97}
        assert enrolled["assessment_level"] == 1
        assert enrolled["entitlement"]["monthly_amount_fen"] == 30000
        assert enrolled["entitlement"]["emergency_help_required"] is True  # 第十三条: the bureau is guardian

    async def test_an_ineligible_approval_is_422_listing_the_unmet_clauses(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=0)
        response = await flow.decide(app["id"])
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"].endswith("/not-eligible")
        assert [(u["basis"]["article"], u["basis"]["item"]) for u in problem["unmet"]] == [
            ("第五条", "（一）"),
            ("第五条", "（二）"),
            ("第五条", "（三）"),
            ("第五条", "（四）"),
        ]
        assert await beneficiaries(sessions) == 0
        assert (await flow.decide(app["id"], "reject", comment="未达失能等级")).json()["status"] == "rejected"

    async def test_a_household_registration_outside_changsha_is_not_approved(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=3, applicant=flow.applicant(1, hukou_region="440103"))
        response = await flow.decide(app["id"])
        assert response.status_code == 422
        assert [u["rule"] for u in response.json()["unmet"]] == ["changsha_hukou"]

    async def test_an_unset_amount_is_422_naming_the_setting(self, flow, settings, sessions, tokens) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        unset = create_app(settings.model_copy(update={"policy_settings": {}}))
        async with api_client(unset, sessions) as client:
            response = await client.post(
                f"/v1/applications/{app['id']}/decisions",
                json={"outcome": "approve", "comment": "ok"},
                headers=tokens.headers("district_officer", region=DISTRICT),
            )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "policy_settings.changsha-2024.monthly_service_amount_fen",
                "message": response.json()["detail"],
            }
        ]
        assert await beneficiaries(sessions) == 0


class TestRejection:
    async def test_a_rejection_publishes_the_decision_and_enrols_nobody(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        response = await flow.decide(app["id"], "reject", comment="材料不实")
        assert response.status_code == 201
        assert (response.json()["status"], response.json()["beneficiary_id"]) == ("rejected", None)
        kind, payload = (await events(sessions))[-1]
        assert (kind, payload["decision"]) == ("intake.application.decided.v1", "rejected")
        assert payload["basis"][0]["article"] == "第十一条"
        assert await beneficiaries(sessions) == 0

    async def test_a_rejection_without_a_reason_is_refused(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        assert (await flow.decide(app["id"], "reject", comment=None)).status_code == 422


class TestDecisionRules:
    async def test_an_application_not_yet_assessed_cannot_be_decided(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        assert (await flow.review(app["id"])).status_code == 201
        assert (await flow.decide(app["id"])).status_code == 409

    async def test_a_decided_application_cannot_be_decided_again(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        assert (await flow.decide(app["id"])).status_code == 201
        assert (await flow.decide(app["id"])).status_code == 409
        assert await beneficiaries(sessions) == 1

    @pytest.mark.parametrize("days", [1, -30])
    async def test_a_decision_date_in_the_future_or_before_the_application_is_refused(
        self, flow, days: int
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        as_of = (local_date(utcnow()) + timedelta(days=days)).isoformat()
        response = await flow.decide(app["id"], as_of=as_of)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "as_of"

    async def test_a_district_officer_of_another_district_gets_404(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        assert (await flow.decide(app["id"], region="430103")).status_code == 404

    @pytest.mark.parametrize("role", ["street_officer", "city_admin", "assessor"])
    async def test_other_roles_may_not_decide(self, flow, client, tokens, role: str) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        response = await client.post(
            f"/v1/applications/{app['id']}/decisions",
            json={"outcome": "approve"},
            headers=tokens.headers(role, region="430102001"),
        )
        assert response.status_code == 403

    async def test_an_unknown_outcome_or_date_is_422(self, flow) -> None:  # type: ignore[no-untyped-def]
        response = await flow.decide(str(uuid4()), "accept", as_of="2026-13-01")
        assert response.status_code == 422
        assert {e["field"] for e in response.json()["errors"]} == {"outcome", "as_of"}


class TestIdempotentDecision:
    async def test_a_replayed_approval_returns_the_same_beneficiary_and_enrols_once(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        headers = {**tokens.headers("district_officer", region=DISTRICT), "Idempotency-Key": "decide-0001"}
        url, body = (
            f"/v1/applications/{app['id']}/decisions",
            {"outcome": "approve", "comment": "ok", "as_of": None},
        )
        first = await client.post(url, json=body, headers=headers)
        replay = await client.post(url, json=body, headers=headers)
        assert (first.status_code, replay.status_code) == (201, 201)
        assert replay.json()["beneficiary_id"] == first.json()["beneficiary_id"]
        assert await beneficiaries(sessions) == 1
        assert [k for k, _ in await events(sessions)].count("intake.beneficiary.enrolled.v1") == 1
