"""GET /v1/audit-trail and /v1/audit-trail/verification over the real database."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from eldercare.common.contracts import BeneficiaryEnrolled, ChargePosted, VisitCompleted

TRAIL = "/v1/audit-trail"
VERIFY = "/v1/audit-trail/verification"


@pytest.fixture
async def two_districts(deliver, make_event):  # type: ignore[no-untyped-def]
    """Three events in 430102 and one in 430103, in that order."""
    events = [
        make_event(BeneficiaryEnrolled),
        make_event(VisitCompleted),
        make_event(ChargePosted, district="430103"),
        make_event(ChargePosted),
    ]
    for event in events:
        await deliver(event)
    return events


class TestListTrail:
    async def test_an_auditor_sees_the_districts_entries_in_chain_order(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, headers=tokens.headers("auditor", region="430102"))
        assert response.status_code == 200
        items = response.json()["items"]
        assert [i["seq"] for i in items] == [1, 2, 4]
        assert [i["event_type"] for i in items] == [
            BeneficiaryEnrolled.event_type,
            VisitCompleted.event_type,
            ChargePosted.event_type,
        ]
        first = items[0]
        assert first["subject"] == str(two_districts[0].beneficiary_id)
        assert first["prev_hash"] == "0" * 64 and len(first["hash"]) == 64
        assert "home_point" not in first["summary"]
        assert response.json()["next_cursor"] is None

    async def test_a_district_officer_of_another_district_sees_nothing_of_it(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, headers=tokens.headers("district_officer", region="430103"))
        assert [(i["seq"], i["district_code"]) for i in response.json()["items"]] == [(3, "430103")]

    async def test_a_city_admin_sees_every_district_of_the_city(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, headers=tokens.headers("city_admin", region="4301"))
        assert [i["seq"] for i in response.json()["items"]] == [1, 2, 3, 4]

    async def test_a_caller_without_a_region_sees_nothing(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, headers=tokens.headers("auditor"))
        assert response.json()["items"] == []

    async def test_filters_by_subject_and_event_type(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers("auditor", region="4301")
        subject = str(two_districts[1].visit_id)
        by_subject = await client.get(TRAIL, params={"subject": subject}, headers=headers)
        assert [i["seq"] for i in by_subject.json()["items"]] == [2]
        by_type = await client.get(TRAIL, params={"event_type": ChargePosted.event_type}, headers=headers)
        assert [i["seq"] for i in by_type.json()["items"]] == [3, 4]

    async def test_pages_follow_the_chain_with_a_cursor(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers("auditor", region="4301")
        seen: list[int] = []
        cursor = None
        for _ in range(5):
            params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(TRAIL, params=params, headers=headers)).json()
            seen += [i["seq"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [1, 2, 3, 4]

    @pytest.mark.parametrize("role", ["street_officer", "community_worker", "provider_admin", "caregiver"])
    async def test_other_roles_are_forbidden(self, client: httpx.AsyncClient, tokens, role: str) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, headers=tokens.headers(role, region="430102"))
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"

    async def test_no_token_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(TRAIL)
        assert response.status_code == 401

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"limit": 0}, "query.limit"),
            ({"limit": 201}, "query.limit"),
            ({"limit": "many"}, "query.limit"),
            ({"cursor": "not-a-cursor"}, "query.cursor"),
            ({"subject": "x" * 201}, "query.subject"),
            ({"event_type": "t" * 201}, "query.event_type"),
        ],
    )
    async def test_bad_query_parameters_are_422_naming_the_field(
        self, client: httpx.AsyncClient, tokens, params, field
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, params=params, headers=tokens.headers("auditor", region="430102"))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]


class TestVerification:
    async def test_an_empty_trail_is_valid(self, client: httpx.AsyncClient, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(VERIFY, headers=tokens.headers("auditor", region="430102"))
        assert response.status_code == 200
        assert response.json() == {"entries": 0, "valid": True, "first_broken_seq": None}

    async def test_an_untouched_trail_is_valid(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(VERIFY, headers=tokens.headers("city_admin", region="4301"))
        assert response.json() == {"entries": 4, "valid": True, "first_broken_seq": None}

    async def test_a_row_changed_in_the_database_is_found(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await s.execute(
                text(
                    "UPDATE audit_entries SET summary = jsonb_set(summary, '{amount_fen}', '1') WHERE seq = 3"
                )
            )
        response = await client.get(VERIFY, headers=tokens.headers("auditor", region="430102"))
        assert response.json() == {"entries": 4, "valid": False, "first_broken_seq": 3}

    async def test_a_deleted_row_is_found(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await s.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
        response = await client.get(VERIFY, headers=tokens.headers("auditor", region="430102"))
        assert response.json() == {"entries": 3, "valid": False, "first_broken_seq": 3}

    async def test_a_deleted_last_row_is_found_through_the_chain_head(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await s.execute(text("DELETE FROM audit_entries WHERE seq = 4"))
        response = await client.get(VERIFY, headers=tokens.headers("auditor", region="430102"))
        assert response.json() == {"entries": 3, "valid": False, "first_broken_seq": 4}

    @pytest.mark.parametrize("role", ["district_officer", "street_officer", "provider_admin"])
    async def test_only_auditors_and_city_admins_may_verify(
        self, client: httpx.AsyncClient, tokens, role: str
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(VERIFY, headers=tokens.headers(role, region="430102"))
        assert response.status_code == 403

    async def test_verification_without_a_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(VERIFY)).status_code == 401
