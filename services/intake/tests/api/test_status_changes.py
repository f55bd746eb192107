"""POST /v1/beneficiaries/{id}/status-changes: the district bureau suspends, resumes and
terminates enrolments; each change is kept in the history and published to dispatch and billing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from eldercare.common.clock import local_date, utcnow
from eldercare.intake.adapters.orm import MESSAGING

DISTRICT = "430102"
TODAY = local_date(utcnow())


async def status_events(sessions) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [
        json.loads(r.payload)
        for r in rows
        if dict(r.headers)["ce_type"] == "intake.beneficiary.status_changed.v1"
    ]


async def enrolled(flow, seq: int = 1) -> str:  # type: ignore[no-untyped-def]
    app = await flow.assessed(seq, level=2)
    response = await flow.decide(app["id"])
    assert response.status_code == 201, response.text
    return str(response.json()["beneficiary_id"])


async def change(  # type: ignore[no-untyped-def]
    flow, beneficiary_id: str, status: str, reason: str, *, on=TODAY, region: str = DISTRICT, **headers: str
):
    body = {"status": status, "reason": reason, "effective_on": on.isoformat(), "comment": "社区报告"}
    auth = flow.tokens.headers("district_officer", region=region)
    return await flow.client.post(
        f"/v1/beneficiaries/{beneficiary_id}/status-changes", json=body, headers={**auth, **headers}
    )


class TestTransitions:
    async def test_a_hospitalised_beneficiary_is_suspended_and_the_change_is_published(  # type: ignore[no-untyped-def]
        self, flow, sessions
    ) -> None:
        beneficiary_id = await enrolled(flow)
        response = await change(flow, beneficiary_id, "suspended", "hospitalised")
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "suspended"
        [entry] = body["history"]
        assert (entry["from_status"], entry["to_status"], entry["reason"], entry["reason_label"]) == (
            "active",
            "suspended",
            "hospitalised",
            "住院",
        )
        [event] = await status_events(sessions)
        assert event == {
            "beneficiary_id": beneficiary_id,
            "district_code": DISTRICT,
            "status": "suspended",
            "reason": "hospitalised",
            "effective_on": TODAY.isoformat(),
            "changed_at": event["changed_at"],
        }

    async def test_suspend_resume_then_terminate_keeps_the_whole_history(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrolled(flow)
        assert (await change(flow, beneficiary_id, "suspended", "away")).status_code == 201
        assert (await change(flow, beneficiary_id, "active", "resumed")).status_code == 201
        response = await change(flow, beneficiary_id, "terminated", "death")
        assert [(h["to_status"], h["reason"]) for h in response.json()["history"]] == [
            ("suspended", "away"),
            ("active", "resumed"),
            ("terminated", "death"),
        ]
        assert [e["status"] for e in await status_events(sessions)] == ["suspended", "active", "terminated"]
        read = await flow.client.get(
            f"/v1/beneficiaries/{beneficiary_id}",
            headers=flow.tokens.headers("district_officer", region=DISTRICT),
        )
        assert len(read.json()["history"]) == 3

    @pytest.mark.parametrize(
        ("steps", "status", "reason"),
        [
            ([("terminated", "moved_out")], "active", "resumed"),
            ([("terminated", "fraud")], "suspended", "away"),
            ([], "active", "resumed"),
            ([("suspended", "away")], "suspended", "hospitalised"),
        ],
    )
    async def test_a_transition_the_register_does_not_allow_is_409_and_publishes_nothing_more(  # type: ignore[no-untyped-def]
        self, flow, sessions, steps: list[tuple[str, str]], status: str, reason: str
    ) -> None:
        beneficiary_id = await enrolled(flow)
        for step_status, step_reason in steps:
            assert (await change(flow, beneficiary_id, step_status, step_reason)).status_code == 201
        response = await change(flow, beneficiary_id, status, reason)
        assert response.status_code == 409, response.text
        assert response.json()["errors"][0]["field"] == "status"
        assert len(await status_events(sessions)) == len(steps)

    @pytest.mark.parametrize(
        ("status", "reason", "field"),
        [
            ("suspended", "death", "reason"),
            ("terminated", "hospitalised", "reason"),
            ("suspended", "bored", "reason"),
            ("paused", "away", "status"),
        ],
    )
    async def test_a_reason_that_does_not_fit_the_status_is_422_naming_the_field(  # type: ignore[no-untyped-def]
        self, flow, sessions, status: str, reason: str, field: str
    ) -> None:
        beneficiary_id = await enrolled(flow)
        response = await change(flow, beneficiary_id, status, reason)
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]
        assert await status_events(sessions) == []

    async def test_a_change_before_the_enrolment_date_is_422(self, flow) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrolled(flow)
        response = await change(flow, beneficiary_id, "suspended", "away", on=TODAY - timedelta(days=1))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "effective_on"

    async def test_a_suspended_person_cannot_apply_again(self, flow) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrolled(flow)
        assert (await change(flow, beneficiary_id, "suspended", "away")).status_code == 201
        assert (await flow.submit(flow.body(1))).status_code == 409

    async def test_the_same_idempotency_key_replays_the_change_once(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrolled(flow)
        first = await change(flow, beneficiary_id, "suspended", "away", **{"Idempotency-Key": "status-0001"})
        again = await change(flow, beneficiary_id, "suspended", "away", **{"Idempotency-Key": "status-0001"})
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert len(await status_events(sessions)) == 1


class TestTenancyAndRoles:
    async def test_another_districts_officer_gets_404(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary_id = await enrolled(flow)
        response = await change(flow, beneficiary_id, "suspended", "away", region="430103")
        assert response.status_code == 404
        assert await status_events(sessions) == []

    async def test_an_unknown_beneficiary_is_404(self, flow) -> None:  # type: ignore[no-untyped-def]
        response = await change(flow, "01900000-0000-7000-8000-000000000001", "suspended", "away")
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("role", "claims"),
        [
            ("community_worker", {"region": "430102001001"}),
            ("street_officer", {"region": "430102001"}),
            ("city_platform", {}),
            ("caregiver", {"provider_id": "01900000-0000-7000-8000-000000000001"}),
        ],
    )
    async def test_only_the_district_officer_changes_status(  # type: ignore[no-untyped-def]
        self, flow, role: str, claims: dict[str, str]
    ) -> None:
        beneficiary_id = await enrolled(flow)
        body = {"status": "suspended", "reason": "away", "effective_on": TODAY.isoformat()}
        response = await flow.client.post(
            f"/v1/beneficiaries/{beneficiary_id}/status-changes",
            json=body,
            headers=flow.tokens.headers(role, **claims),
        )
        assert response.status_code == 403
