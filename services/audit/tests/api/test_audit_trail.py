"""GET /v1/audit-trail and /v1/audit-trail/verification over the real database: one chain per
district (revision 0014), the legacy chain from before it."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.domain.trail import GENESIS_HASH, EntryContent
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
        # Each district has a chain of its own (revision 0014): 430102's entries are 1, 2, 3.
        assert [(i["chain"], i["seq"]) for i in items] == [("430102", 1), ("430102", 2), ("430102", 3)]
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
        assert [(i["seq"], i["district_code"]) for i in response.json()["items"]] == [(1, "430103")]

    async def test_a_city_admin_sees_every_district_of_the_city(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(TRAIL, headers=tokens.headers("city_admin", region="4301"))
        # In recording order across the chains.
        assert [(i["chain"], i["seq"]) for i in response.json()["items"]] == [
            ("430102", 1),
            ("430102", 2),
            ("430103", 1),
            ("430102", 3),
        ]

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
        assert [i["district_code"] for i in by_type.json()["items"]] == ["430103", "430102"]

    async def test_pages_follow_the_chain_with_a_cursor(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers("auditor", region="4301")
        seen: list[str] = []
        cursor = None
        for _ in range(5):
            params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
            page = (await client.get(TRAIL, params=params, headers=headers)).json()
            seen += [i["event_id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == 4 and len(set(seen)) == 4

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


def chain_result(chain: str, entries: int, first_broken_seq: int | None = None) -> dict[str, object]:
    return {
        "chain": chain,
        "entries": entries,
        "valid": first_broken_seq is None,
        "first_broken_seq": first_broken_seq,
    }


class TestVerification:
    async def test_an_empty_trail_is_valid(self, client: httpx.AsyncClient, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(VERIFY, headers=tokens.headers("auditor", region="430102"))
        assert response.status_code == 200
        body = response.json()
        assert (body["entries"], body["valid"], body["first_broken_seq"]) == (0, True, None)
        # The legacy chain (the single chain before revision 0014) exists from the migration, empty.
        assert body["chains"] == [chain_result("legacy", 0)]

    async def test_every_chain_of_the_region_is_verified_on_its_own(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(VERIFY, headers=tokens.headers("city_admin", region="4301"))
        assert response.json() == {
            "entries": 4,
            "valid": True,
            "first_broken_chain": None,
            "first_broken_seq": None,
            "chains": [chain_result("430102", 3), chain_result("430103", 1), chain_result("legacy", 0)],
        }

    async def test_a_district_auditor_verifies_its_own_chain_and_not_anothers(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers("auditor", region="430103")
        mine = await client.get(VERIFY, headers=headers)
        assert [c["chain"] for c in mine.json()["chains"]] == ["430103", "legacy"]
        one = await client.get(VERIFY, params={"chain": "430103"}, headers=headers)
        assert one.json()["chains"] == [chain_result("430103", 1)]
        other = await client.get(VERIFY, params={"chain": "430102"}, headers=headers)
        assert other.status_code == 404
        assert other.headers["content-type"] == "application/problem+json"

    async def test_a_malformed_chain_is_422_naming_it(self, client: httpx.AsyncClient, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(
            VERIFY, params={"chain": "x; drop"}, headers=tokens.headers("auditor", region="430102")
        )
        assert response.status_code == 422
        assert "query.chain" in [e["field"] for e in response.json()["errors"]]

    async def test_a_row_changed_in_the_database_breaks_its_chain_only(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await superuser_tamper(
                s,
                "UPDATE audit_entries SET summary = jsonb_set(summary, '{amount_fen}', '1') "
                "WHERE chain = '430102' AND seq = 3",
            )
        response = await client.get(VERIFY, headers=tokens.headers("city_admin", region="4301"))
        body = response.json()
        assert (body["valid"], body["first_broken_chain"], body["first_broken_seq"]) == (False, "430102", 3)
        assert body["chains"][:2] == [chain_result("430102", 3, 3), chain_result("430103", 1)]
        # The other district's tamper test: its chain is untouched and verifies alone.
        other = await client.get(
            VERIFY, params={"chain": "430103"}, headers=tokens.headers("auditor", region="430103")
        )
        assert other.json()["valid"] is True

    async def test_a_row_changed_in_the_other_districts_chain_is_found_there(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await superuser_tamper(
                s, "UPDATE audit_entries SET subject = 'someone else' WHERE chain = '430103' AND seq = 1"
            )
        headers = tokens.headers("auditor", region="430103")
        response = await client.get(VERIFY, params={"chain": "430103"}, headers=headers)
        assert response.json()["chains"] == [chain_result("430103", 1, 1)]
        fine = await client.get(
            VERIFY, params={"chain": "430102"}, headers=tokens.headers("auditor", region="430102")
        )
        assert fine.json()["valid"] is True

    async def test_a_row_moved_to_another_chain_is_found(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await superuser_tamper(
                s, "UPDATE audit_entries SET chain = '430103', seq = 2 WHERE chain = '430102' AND seq = 3"
            )
        body = (await client.get(VERIFY, headers=tokens.headers("city_admin", region="4301"))).json()
        assert body["chains"][:2] == [chain_result("430102", 2, 3), chain_result("430103", 2, 2)]

    async def test_a_deleted_row_is_found(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await superuser_tamper(s, "DELETE FROM audit_entries WHERE chain = '430102' AND seq = 2")
        response = await client.get(
            VERIFY, params={"chain": "430102"}, headers=tokens.headers("auditor", region="430102")
        )
        assert response.json()["chains"] == [chain_result("430102", 2, 3)]

    async def test_a_deleted_last_row_is_found_through_the_chain_head(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        async with sessions() as s, s.begin():
            await superuser_tamper(s, "DELETE FROM audit_entries WHERE chain = '430102' AND seq = 3")
        response = await client.get(
            VERIFY, params={"chain": "430102"}, headers=tokens.headers("auditor", region="430102")
        )
        assert response.json()["chains"] == [chain_result("430102", 2, 3)]

    async def test_legacy_rows_from_before_per_tenant_chains_still_verify(
        self, client: httpx.AsyncClient, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        # Two entries as the single global chain wrote them before revision 0014 (SHA-256, no chain
        # in the hashed content), inserted with the legacy head moved to the last one.
        first = EntryContent(
            seq=1,
            event_id=uuid4(),
            event_type="t",
            subject="s",
            district_code="430102",
            data={},
            prev_hash=GENESIS_HASH,
        )
        second = replace(first, seq=2, event_id=uuid4(), district_code="430103", prev_hash=first.hash())
        async with sessions() as s, s.begin():
            for c in (first, second):
                await s.execute(
                    text(
                        "INSERT INTO audit_entries (id, chain, seq, event_id, event_type, subject,"
                        " district_code, occurred_at, recorded_at, summary, prev_hash, hash, hash_alg)"
                        " VALUES (:id, 'legacy', :seq, :event_id, 't', 's', :district, now(), now(), '{}',"
                        " :prev, :hash, 'sha256')"
                    ),
                    {
                        "id": uuid4(),
                        "seq": c.seq,
                        "event_id": c.event_id,
                        "district": c.district_code,
                        "prev": c.prev_hash,
                        "hash": c.hash(),
                    },
                )
            await s.execute(
                text("UPDATE audit_chain_heads SET last_seq = 2, last_hash = :h WHERE chain = 'legacy'"),
                {"h": second.hash()},
            )
        headers = tokens.headers("auditor", region="430102")
        response = await client.get(VERIFY, params={"chain": "legacy"}, headers=headers)
        assert response.json()["chains"] == [chain_result("legacy", 2)]
        async with sessions() as s, s.begin():
            await superuser_tamper(
                s, "UPDATE audit_entries SET subject = 'x' WHERE chain = 'legacy' AND seq = 1"
            )
        response = await client.get(VERIFY, params={"chain": "legacy"}, headers=headers)
        assert response.json()["chains"] == [chain_result("legacy", 2, 1)]

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
            "UPDATE audit_entries SET chain = '430109'",
            "DELETE FROM audit_entries WHERE seq = 1",
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
    async def test_yesterdays_heads_are_published_once_per_chain(
        self, client: httpx.AsyncClient, tokens, sessions, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        # The four entries were recorded today; move them into yesterday past the trigger.
        async with sessions() as s, s.begin():
            await superuser_tamper(s, "UPDATE audit_entries SET recorded_at = recorded_at - interval '1 day'")
        yesterday = (local_date(utcnow()) - timedelta(days=1)).isoformat()
        headers = tokens.headers("auditor", region="430102")
        response = await client.post(HEADS, json={"day": yesterday}, headers=headers)
        assert response.status_code == 201, response.text
        heads = response.json()["heads"]
        assert [(h["chain"], h["last_seq"], h["hash_alg"], h["entries_on_day"]) for h in heads] == [
            ("430102", 3, "sm3", 3),
            ("430103", 1, "sm3", 1),
        ]
        trail = await client.get(TRAIL, headers=tokens.headers("city_admin", region="4301"))
        items = trail.json()["items"]
        assert heads[0]["last_hash"] == items[-1]["hash"]
        assert heads[1]["last_hash"] == next(i["hash"] for i in items if i["chain"] == "430103")
        again = await client.post(HEADS, json={"day": yesterday}, headers=headers)
        assert again.json() == response.json()
        async with sessions() as s:
            rows = (await s.execute(text("SELECT headers, payload FROM outbox"))).all()
        published = [r for r in rows if dict(r.headers)["ce_type"] == "audit.trail.head_published.v1"]
        assert sorted(json.loads(r.payload)["chain"] for r in published) == ["430102", "430103"]

    async def test_a_day_without_entries_is_404(
        self, client: httpx.AsyncClient, tokens, two_districts
    ) -> None:  # type: ignore[no-untyped-def]
        long_ago = (local_date(utcnow()) - timedelta(days=30)).isoformat()
        response = await client.post(
            HEADS, json={"day": long_ago}, headers=tokens.headers("auditor", region="430102")
        )
        assert response.status_code == 404

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
