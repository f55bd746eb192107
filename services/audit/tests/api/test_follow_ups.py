"""GET /v1/follow-ups and POST /v1/follow-ups/{id}/calls over the real database."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select

from eldercare.audit.adapters.models import FollowUpCallRow
from eldercare.common.contracts import BeneficiaryEnrolled

FOLLOW_UPS = "/v1/follow-ups"


@pytest.fixture
def enrol(deliver, make_event):  # type: ignore[no-untyped-def]
    """Deliver an enrolment; returns the event."""

    async def run(district: str = "430102") -> BeneficiaryEnrolled:
        event = make_event(BeneficiaryEnrolled, district=district)
        await deliver(event)
        return event

    return run


@pytest.fixture
async def follow_up(client: httpx.AsyncClient, tokens, enrol) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The follow-up opened by an enrolment in 430102, as an auditor of 430102 reads it."""
    event = await enrol()
    response = await client.get(
        FOLLOW_UPS, params={"beneficiary_id": str(event.beneficiary_id)}, headers=auditor(tokens)
    )
    [item] = response.json()["items"]
    return dict(item)


def auditor(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region=region))


def calls_url(follow_up_id: object) -> str:
    return f"{FOLLOW_UPS}/{follow_up_id}/calls"


class TestListFollowUps:
    async def test_an_enrolment_shows_one_open_follow_up(
        self, client: httpx.AsyncClient, tokens, enrol
    ) -> None:  # type: ignore[no-untyped-def]
        event = await enrol()
        response = await client.get(
            FOLLOW_UPS, params={"beneficiary_id": str(event.beneficiary_id)}, headers=auditor(tokens)
        )
        assert response.status_code == 200
        [item] = response.json()["items"]
        assert item["beneficiary_id"] == str(event.beneficiary_id)
        assert (item["status"], item["status_label"]) == ("open", "待回访")
        assert (item["reason"], item["due_on"], item["attempts"]) == ("enrolment", "2026-11-30", 0)
        assert item["calls"] == [] and item["id"]

    async def test_filters_by_beneficiary_and_status(self, client: httpx.AsyncClient, tokens, enrol) -> None:  # type: ignore[no-untyped-def]
        first, _ = await enrol(), await enrol()
        everyone = await client.get(FOLLOW_UPS, headers=auditor(tokens))
        assert len(everyone.json()["items"]) == 2
        one = await client.get(
            FOLLOW_UPS, params={"beneficiary_id": str(first.beneficiary_id)}, headers=auditor(tokens)
        )
        assert [i["beneficiary_id"] for i in one.json()["items"]] == [str(first.beneficiary_id)]
        done = await client.get(FOLLOW_UPS, params={"status": "completed"}, headers=auditor(tokens))
        assert done.json()["items"] == []

    async def test_a_district_officer_of_another_district_sees_none_of_its_follow_ups(
        self, client: httpx.AsyncClient, tokens, enrol
    ) -> None:  # type: ignore[no-untyped-def]
        await enrol("430102")
        other = await client.get(FOLLOW_UPS, headers=tokens.headers("district_officer", region="430103"))
        assert other.json()["items"] == []
        own = await client.get(FOLLOW_UPS, headers=tokens.headers("district_officer", region="430102"))
        assert len(own.json()["items"]) == 1

    async def test_another_districts_follow_up_is_not_found(
        self, client: httpx.AsyncClient, tokens, follow_up
    ) -> None:  # type: ignore[no-untyped-def]
        url = f"{FOLLOW_UPS}/{follow_up['id']}"
        assert (await client.get(url, headers=auditor(tokens))).json()["id"] == follow_up["id"]
        assert (await client.get(url, headers=auditor(tokens, "430103"))).status_code == 404

    @pytest.mark.parametrize("role", ["city_admin", "street_officer", "caregiver"])
    async def test_other_roles_are_forbidden(self, client: httpx.AsyncClient, tokens, role: str) -> None:  # type: ignore[no-untyped-def]
        assert (
            await client.get(FOLLOW_UPS, headers=tokens.headers(role, region="430102"))
        ).status_code == 403

    async def test_no_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(FOLLOW_UPS)).status_code == 401

    @pytest.mark.parametrize(
        ("params", "field"),
        [({"beneficiary_id": "nope"}, "query.beneficiary_id"), ({"status": "lost"}, "query.status")],
    )
    async def test_bad_filters_are_422_naming_the_field(
        self, client: httpx.AsyncClient, tokens, params, field
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(FOLLOW_UPS, params=params, headers=auditor(tokens))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == [field]


class TestCalls:
    async def test_a_reached_call_completes_the_follow_up(
        self, client: httpx.AsyncClient, tokens, follow_up
    ) -> None:  # type: ignore[no-untyped-def]
        body = {"reached": True, "satisfaction": 5, "notes": "服务准时，老人满意"}
        response = await client.post(calls_url(follow_up["id"]), json=body, headers=auditor(tokens))
        assert response.status_code == 201
        done = response.json()
        assert (done["id"], done["status"], done["attempts"], done["satisfaction"]) == (
            follow_up["id"],
            "completed",
            1,
            5,
        )
        [call] = done["calls"]
        assert (call["reached"], call["satisfaction_label"], call["notes"]) == (
            True,
            "非常满意",
            "服务准时，老人满意",
        )
        assert call["id"]

    async def test_unanswered_calls_count_attempts_and_the_third_escalates(
        self, client: httpx.AsyncClient, tokens, follow_up
    ) -> None:  # type: ignore[no-untyped-def]
        statuses = []
        for _ in range(3):
            response = await client.post(
                calls_url(follow_up["id"]), json={"reached": False}, headers=auditor(tokens)
            )
            statuses.append((response.json()["status"], response.json()["attempts"]))
        assert statuses == [("unreached", 1), ("unreached", 2), ("escalated", 3)]

    async def test_a_closed_follow_up_refuses_another_call(
        self, client: httpx.AsyncClient, tokens, follow_up
    ) -> None:  # type: ignore[no-untyped-def]
        url = calls_url(follow_up["id"])
        await client.post(url, json={"reached": True, "satisfaction": 4}, headers=auditor(tokens))
        again = await client.post(url, json={"reached": True, "satisfaction": 4}, headers=auditor(tokens))
        assert again.status_code == 409
        assert again.headers["content-type"] == "application/problem+json"

    async def test_an_auditor_of_another_district_gets_404_and_changes_nothing(
        self, client: httpx.AsyncClient, tokens, sessions, follow_up
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            calls_url(follow_up["id"]), json={"reached": False}, headers=auditor(tokens, "430103")
        )
        assert response.status_code == 404
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(FollowUpCallRow)) == 0

    async def test_an_unknown_follow_up_is_404(self, client: httpx.AsyncClient, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(calls_url(uuid4()), json={"reached": False}, headers=auditor(tokens))
        assert response.status_code == 404

    @pytest.mark.parametrize("role", ["district_officer", "city_admin", "community_worker"])
    async def test_only_auditors_make_calls(
        self, client: httpx.AsyncClient, tokens, follow_up, role: str
    ) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers(role, region="430102")
        assert (
            await client.post(calls_url(follow_up["id"]), json={"reached": False}, headers=headers)
        ).status_code == 403

    async def test_a_call_without_a_token_is_401(self, client: httpx.AsyncClient, follow_up) -> None:  # type: ignore[no-untyped-def]
        assert (await client.post(calls_url(follow_up["id"]), json={"reached": False})).status_code == 401

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "reached"),
            ({"reached": "yes"}, "reached"),
            ({"reached": True, "satisfaction": 6}, "satisfaction"),
            ({"reached": True, "satisfaction": 0}, "satisfaction"),
            ({"reached": True, "satisfaction": "5"}, "satisfaction"),
            ({"reached": True, "satisfaction": 3, "notes": "长" * 2001}, "notes"),
            ({"reached": True, "satisfaction": 3, "score": 3}, "score"),
            ({"reached": True}, "satisfaction"),
            ({"reached": False, "satisfaction": 3}, "satisfaction"),
        ],
    )
    async def test_bad_bodies_are_422_naming_the_field(
        self, client: httpx.AsyncClient, tokens, follow_up, body, field
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(calls_url(follow_up["id"]), json=body, headers=auditor(tokens))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]

    async def test_malformed_json_is_422(self, client: httpx.AsyncClient, tokens, follow_up) -> None:  # type: ignore[no-untyped-def]
        headers = {**auditor(tokens), "content-type": "application/json"}
        response = await client.post(calls_url(follow_up["id"]), content=b'{"reached": tru', headers=headers)
        assert response.status_code == 422

    async def test_a_bad_follow_up_id_is_422(self, client: httpx.AsyncClient, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(calls_url("123"), json={"reached": False}, headers=auditor(tokens))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["path.follow_up_id"]


class TestCallIdempotency:
    async def test_a_replay_with_the_same_key_answers_the_same_and_records_one_call(
        self, client: httpx.AsyncClient, tokens, sessions, follow_up
    ) -> None:  # type: ignore[no-untyped-def]
        headers = {**auditor(tokens), "Idempotency-Key": "call-0001-abcdef"}
        first = await client.post(calls_url(follow_up["id"]), json={"reached": False}, headers=headers)
        again = await client.post(calls_url(follow_up["id"]), json={"reached": False}, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        assert again.headers.get("idempotent-replayed") == "true"
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(FollowUpCallRow)) == 1

    async def test_the_same_key_with_another_body_is_refused(
        self, client: httpx.AsyncClient, tokens, follow_up
    ) -> None:  # type: ignore[no-untyped-def]
        headers = {**auditor(tokens), "Idempotency-Key": "call-0002-abcdef"}
        await client.post(calls_url(follow_up["id"]), json={"reached": False}, headers=headers)
        other = await client.post(
            calls_url(follow_up["id"]), json={"reached": True, "satisfaction": 2}, headers=headers
        )
        assert other.status_code == 422
        assert other.json()["errors"][0]["field"] == "header.Idempotency-Key"
