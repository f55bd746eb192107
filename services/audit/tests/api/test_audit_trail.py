"""GET /v1/audit-trail and /v1/audit-trail/verification over the real database."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import BeneficiaryEnrolled, ChargePosted, VisitCompleted

TRAIL = "/v1/audit-trail"
HEADS = "/v1/audit-trail/daily-heads"
VERIFY = "/v1/audit-trail/verification"


async def superuser_tamper(session: AsyncSession, statement: str) -> None:
    """What only a superuser can do past the append-only trigger: switch triggers off for the
    transaction (session_replication_role) and rewrite the table."""
    await session.execute(text("SET LOCAL session_replication_role = replica"))
    await session.execute(text(statement))


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
            await superuser_tamper(
                s, "UPDATE audit_entries SET summary = jsonb_set(summary, '{amount_fen}', '1') WHERE seq = 3"
            )
        response = await client.get(VERIFY, headers=tokens.headers("auditor", region="430102"))
        assert response.json() == {"entries": 4, "valid": False, "first_broken_seq": 3}

    async def test_a_deleted_row_is_found(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await superuser_tamper(s, "DELETE FROM audit_entries WHERE seq = 2")
        response = await client.get(VERIFY, headers=tokens.headers("auditor", region="430102"))
        assert response.json() == {"entries": 3, "valid": False, "first_broken_seq": 3}

    async def test_a_deleted_last_row_is_found_through_the_chain_head(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await superuser_tamper(s, "DELETE FROM audit_entries WHERE seq = 4")
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


class TestAppendOnly:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE audit_entries SET summary = '{}'::jsonb WHERE seq = 2",
            "DELETE FROM audit_entries WHERE seq = 4",
            "TRUNCATE audit_entries",
        ],
    )
    async def test_the_database_refuses_to_change_or_remove_an_entry(
        self, sessions, two_districts, statement: str
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s:
            with pytest.raises(DBAPIError, match="append-only"):
                await s.execute(text(statement))
            await s.rollback()
        async with sessions() as s:
            assert await s.scalar(text("SELECT count(*) FROM audit_entries")) == 4

    async def test_new_entries_record_sm3(self, client: httpx.AsyncClient, tokens, two_districts) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, headers=tokens.headers("city_admin", region="4301"))
        assert {i["hash_alg"] for i in response.json()["items"]} == {"sm3"}


class TestDailyHeads:
    async def test_yesterdays_head_is_published_once(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        # The four entries were recorded today; move them into yesterday past the trigger.
        async with sessions() as s, s.begin():
            await superuser_tamper(s, "UPDATE audit_entries SET recorded_at = recorded_at - interval '1 day'")
        yesterday = (local_date(utcnow()) - timedelta(days=1)).isoformat()
        headers = tokens.headers("auditor", region="430102")
        response = await client.post(HEADS, json={"day": yesterday}, headers=headers)
        assert response.status_code == 201, response.text
        head = response.json()
        assert (head["last_seq"], head["hash_alg"], head["entries_on_day"]) == (4, "sm3", 4)
        trail = await client.get(TRAIL, headers=tokens.headers("city_admin", region="4301"))
        assert head["last_hash"] == trail.json()["items"][-1]["hash"]
        again = await client.post(HEADS, json={"day": yesterday}, headers=headers)
        assert again.json() == head
        async with sessions() as s:
            rows = (await s.execute(text("SELECT headers FROM outbox"))).all()
        published = [dict(r.headers)["ce_type"] for r in rows]
        assert published.count("audit.trail.head_published.v1") == 1

    async def test_today_is_not_over_so_its_head_is_409(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        today = local_date(utcnow()).isoformat()
        response = await client.post(
            HEADS, json={"day": today}, headers=tokens.headers("auditor", region="430102")
        )
        assert response.status_code == 409

    async def test_a_malformed_day_is_422_naming_it(self, client: httpx.AsyncClient, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            HEADS, json={"day": "yesterday"}, headers=tokens.headers("auditor", region="430102")
        )
        assert response.status_code == 422 and "day" in response.json()["errors"][0]["field"]
