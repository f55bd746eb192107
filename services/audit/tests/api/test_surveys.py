"""Surveys on a versioned questionnaire (changsha-2024 第十九条 满意度测评) over HTTP."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from eldercare.audit.adapters.orm import MESSAGING
from eldercare.common.contracts import BeneficiaryEnrolled, VisitCompleted

URL = "/v1/survey-responses"
GOOD = {
    "delivered_as_recorded": True,
    "on_time": True,
    "complete": True,
    "respectful": True,
    "sold_or_asked": False,
    "overall_satisfaction": 5,
}


def auditor(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region=region))


async def published(sessions, event_type: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [json.loads(r.payload) for r in rows if dict(r.headers)["ce_type"] == event_type]


@pytest.fixture
async def visit(deliver, make_event) -> VisitCompleted:  # type: ignore[no-untyped-def]
    event = make_event(VisitCompleted)
    await deliver(event)
    return event  # type: ignore[no-any-return]


def body(visit: VisitCompleted, **kw: Any) -> dict[str, Any]:
    return {
        "questionnaire_version": "2026.1",
        "visit_id": str(visit.visit_id),
        "outcome": "reached",
        "answers": GOOD,
        **kw,
    }


class TestQuestionnaire:
    async def test_the_current_version_asks_the_issues_questions(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        q = (await client.get("/v1/questionnaires/2026.1", headers=auditor(tokens))).json()
        assert q["current"] is True
        assert {x["code"] for x in q["questions"]} >= set(GOOD)
        assert (await client.get("/v1/questionnaires/1999.9", headers=auditor(tokens))).status_code == 404


class TestRecord:
    async def test_a_satisfied_beneficiary_is_recorded_and_opens_nothing(
        self, client, tokens, sessions, visit
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json=body(visit), headers=auditor(tokens))
        assert response.status_code == 201, response.text
        r = response.json()
        assert (r["satisfaction"], r["provider_id"], r["finding_ids"], r["flag_id"]) == (
            5,
            str(visit.provider_id),
            [],
            None,
        )
        assert await published(sessions, "audit.visit_flag.raised.v1") == []

    async def test_not_delivered_opens_a_finding_and_flags_the_visit(
        self, client, tokens, sessions, visit
    ) -> None:  # type: ignore[no-untyped-def]
        answers = GOOD | {"delivered_as_recorded": False, "overall_satisfaction": 1}
        r = (await client.post(URL, json=body(visit, answers=answers), headers=auditor(tokens))).json()
        [finding_id] = r["finding_ids"]
        finding = (await client.get(f"/v1/findings/{finding_id}", headers=auditor(tokens))).json()
        assert (finding["type"], finding["source"], finding["source_id"]) == (
            "not_per_plan",
            "survey",
            r["id"],
        )
        assert finding["visit_ids"] == [str(visit.visit_id)]
        [event] = await published(sessions, "audit.visit_flag.raised.v1")
        assert (event["visit_id"], event["source"], event["signal"]) == (
            str(visit.visit_id),
            "survey",
            "not_delivered",
        )
        assert event["flag_id"] == r["flag_id"]
        confirmed = await client.post(
            f"/v1/visit-flags/{r['flag_id']}/resolutions",
            json={"outcome": "confirmed", "notes": "入户核实属实"},
            headers=auditor(tokens),
        )
        assert confirmed.json()["finding_id"] == finding_id  # the survey's finding, not a second one
        findings = (await client.get("/v1/findings", headers=auditor(tokens))).json()["items"]
        assert [f["id"] for f in findings] == [finding_id]

    async def test_something_sold_opens_a_selling_finding(self, client, tokens, visit) -> None:  # type: ignore[no-untyped-def]
        answers = GOOD | {"sold_or_asked": True, "sold_or_asked_details": "保健品"}
        r = (await client.post(URL, json=body(visit, answers=answers), headers=auditor(tokens))).json()
        [finding_id] = r["finding_ids"]
        finding = (await client.get(f"/v1/findings/{finding_id}", headers=auditor(tokens))).json()
        assert finding["type"] == "selling_or_fraud"
        assert "保健品" in finding["description"]

    async def test_a_call_nobody_answered_is_recorded_without_answers(self, client, tokens, visit) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            URL, json=body(visit, outcome="no_answer", answers={}), headers=auditor(tokens)
        )
        assert response.status_code == 201
        assert (response.json()["outcome_label"], response.json()["satisfaction"]) == ("无人接听", None)

    async def test_a_beneficiary_may_be_surveyed_without_a_visit(
        self, client, tokens, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        enrolled = make_event(BeneficiaryEnrolled)
        await deliver(enrolled)
        payload = {
            "questionnaire_version": "2026.1",
            "beneficiary_id": str(enrolled.beneficiary_id),
            "outcome": "refused",
        }
        response = await client.post(URL, json=payload, headers=auditor(tokens))
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"questionnaire_version": "1999.9"}, "questionnaire_version"),
            ({"answers": GOOD | {"overall_satisfaction": 6}}, "answers.overall_satisfaction"),
            ({"answers": GOOD | {"overall_satisfaction": True}}, "answers.overall_satisfaction"),
            ({"answers": GOOD | {"on_time": "yes"}}, "answers.on_time"),
            ({"answers": {k: v for k, v in GOOD.items() if k != "complete"}}, "answers.complete"),
            ({"answers": GOOD | {"mood": 3}}, "answers.mood"),
            ({"outcome": "wrong_number"}, "answers"),
            ({"outcome": "hung_up"}, "outcome"),
            ({"visit_id": str(uuid4())}, "visit_id"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(
        self, client, tokens, sessions, visit, overrides, field
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json=body(visit, **overrides), headers=auditor(tokens))
        assert response.status_code == 422, response.text
        assert any(e["field"].endswith(field) for e in response.json()["errors"])
        assert (await client.get(URL, headers=auditor(tokens))).json()["items"] == []

    async def test_another_districts_visit_is_unknown_and_its_responses_unseen(
        self, client, tokens, visit
    ) -> None:  # type: ignore[no-untyped-def]
        other = await client.post(URL, json=body(visit), headers=auditor(tokens, "430103"))
        assert other.status_code == 422
        created = (await client.post(URL, json=body(visit), headers=auditor(tokens))).json()
        assert (
            await client.get(f"{URL}/{created['id']}", headers=auditor(tokens, "430103"))
        ).status_code == 404
        assert (await client.get(URL, headers=auditor(tokens, "430103"))).json()["items"] == []
        provider = tokens.headers("provider_admin", provider_id=visit.provider_id)
        assert (await client.get(URL, headers=provider)).status_code == 403
