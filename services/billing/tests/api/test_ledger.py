"""GET /v1/accounts, /v1/settlements and /v1/charges: what each tenant sees, filters and paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
PERIOD = "2026-03"


@dataclass
class Ledger:
    beneficiary_id: UUID
    provider_a: UUID
    provider_b: UUID
    visits_a: list[UUID]
    visit_b: UUID
    held_visit: UUID


@pytest.fixture
async def ledger(deliver, events, make_price_list) -> Ledger:  # type: ignore[no-untyped-def]
    """One beneficiary (12,000 fen a month) served by two providers in March 2026: A twice, B once,
    and one unverified visit by A."""
    await make_price_list()
    enrolled = events.enrolled(monthly_amount_fen=12000)
    await deliver(enrolled)
    a, b = uuid4(), uuid4()
    visits = [events.completed(enrolled.beneficiary_id, a) for _ in range(2)]
    visits.append(events.completed(enrolled.beneficiary_id, b))
    held = events.completed(
        enrolled.beneficiary_id, a, verified=False, verification_notes=["no check-out photo"]
    )
    for visit in [*visits, held]:
        await deliver(visit)
    return Ledger(
        enrolled.beneficiary_id, a, b, [v.visit_id for v in visits[:2]], visits[2].visit_id, held.visit_id
    )


async def get(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> Any:
    response = await client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


class TestAccounts:
    async def test_the_district_reads_the_months_account_with_its_charges(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = f"/v1/accounts?beneficiary_id={ledger.beneficiary_id}&period={PERIOD}"
        page = await get(client, url, tokens.headers("district_officer", region=DISTRICT))
        assert page["next_cursor"] is None
        [account] = page["items"]
        assert (account["beneficiary_id"], account["period"]) == (str(ledger.beneficiary_id), PERIOD)
        assert (account["entitlement_fen"], account["used_fen"], account["remaining_fen"]) == (
            12000,
            12000,
            0,
        )
        assert (account["beneficiary_pays_fen"], account["charge_count"]) == (3000, 3)
        charges = account["charges"]
        assert [(c["status"], c["covered_fen"], c["beneficiary_pays_fen"]) for c in charges] == [
            ("posted", 5000, 0),
            ("posted", 5000, 0),
            ("posted", 2000, 3000),
            ("held", None, None),
        ]
        held = charges[3]
        assert (held["status_label"], held["reason"], held["reason_label"]) == (
            "暂缓计费",
            "unverified",
            "服务未通过核验",
        )
        assert held["notes"] == ["no check-out photo"]

    async def test_another_district_sees_no_account(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = f"/v1/accounts?beneficiary_id={ledger.beneficiary_id}"
        assert (await get(client, url, tokens.headers("district_officer", region="430103")))["items"] == []

    async def test_the_city_sees_its_districts_accounts(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = f"/v1/accounts?beneficiary_id={ledger.beneficiary_id}"
        assert len((await get(client, url, tokens.headers("city_admin", region="4301")))["items"]) == 1

    async def test_another_period_has_no_account_yet(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = f"/v1/accounts?beneficiary_id={ledger.beneficiary_id}&period=2026-04"
        assert (await get(client, url, tokens.headers("auditor", region=DISTRICT)))["items"] == []

    @pytest.mark.parametrize("role", ["provider_admin", "caregiver", "street_officer", "assessor"])
    async def test_roles_outside_the_bureau_may_not_read_accounts(
        self, client: httpx.AsyncClient, tokens: Tokens, role: str
    ) -> None:
        response = await client.get(
            "/v1/accounts", headers=tokens.headers(role, region=DISTRICT, provider_id=uuid4())
        )
        assert response.status_code == 403

    async def test_without_a_token_the_answer_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/v1/accounts")).status_code == 401

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("period=2026-3", "query.period"),
            ("period=2026-13", "query.period"),
            ("period=" + "9" * 300, "query.period"),
            ("beneficiary_id=nope", "query.beneficiary_id"),
            ("limit=0", "query.limit"),
            ("limit=201", "query.limit"),
            ("cursor=%%%", "query.cursor"),
        ],
    )
    async def test_bad_query_parameters_are_a_422_naming_them(
        self, client: httpx.AsyncClient, tokens: Tokens, query: str, field: str
    ) -> None:
        response = await client.get(
            f"/v1/accounts?{query}", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]


class TestSettlements:
    async def test_a_provider_reads_its_running_settlement(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = f"/v1/settlements?provider_id={ledger.provider_a}&period={PERIOD}"
        page = await get(client, url, tokens.headers("provider_admin", provider_id=ledger.provider_a))
        [item] = page["items"]
        assert (item["provider_id"], item["period"], item["district_code"]) == (
            str(ledger.provider_a),
            PERIOD,
            DISTRICT,
        )
        assert (item["status"], item["status_label"]) == ("open", "本月累计中")
        assert (item["total_fen"], item["charge_count"], item["gross_fen"]) == (10000, 2, 10000)
        assert item["id"]

    async def test_a_provider_lists_only_its_own_settlements(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        headers = tokens.headers("provider_admin", provider_id=ledger.provider_b)
        all_mine = (await get(client, "/v1/settlements", headers))["items"]
        asked_for_a = (await get(client, f"/v1/settlements?provider_id={ledger.provider_a}", headers))[
            "items"
        ]
        assert [(s["provider_id"], s["total_fen"]) for s in all_mine] == [(str(ledger.provider_b), 2000)]
        assert asked_for_a == []

    async def test_provider_b_cannot_read_provider_as_settlement(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        own = tokens.headers("provider_admin", provider_id=ledger.provider_a)
        [settlement] = (await get(client, f"/v1/settlements?provider_id={ledger.provider_a}", own))["items"]
        url = f"/v1/settlements/{settlement['id']}"
        assert (await client.get(url, headers=own)).json() == settlement
        other = await client.get(url, headers=tokens.headers("provider_admin", provider_id=ledger.provider_b))
        assert other.status_code == 404
        assert other.headers["content-type"] == "application/problem+json"

    async def test_the_district_reads_every_providers_settlement(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        headers = tokens.headers("district_officer", region=DISTRICT)
        items = (await get(client, f"/v1/settlements?period={PERIOD}", headers))["items"]
        assert sorted(s["total_fen"] for s in items) == [2000, 10000]
        one = await client.get(f"/v1/settlements/{items[0]['id']}", headers=headers)
        assert one.status_code == 200

    async def test_another_district_can_neither_list_nor_read_them(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        own = tokens.headers("district_officer", region=DISTRICT)
        [first, *_] = (await get(client, "/v1/settlements", own))["items"]
        other = tokens.headers("district_officer", region="430103")
        assert (await get(client, "/v1/settlements", other))["items"] == []
        assert (await client.get(f"/v1/settlements/{first['id']}", headers=other)).status_code == 404

    async def test_pages_follow_the_cursor(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        headers = tokens.headers("auditor", region=DISTRICT)
        first = await get(client, "/v1/settlements?limit=1", headers)
        second = await get(client, f"/v1/settlements?limit=1&cursor={first['next_cursor']}", headers)
        assert first["next_cursor"] and second["next_cursor"] is None
        assert {first["items"][0]["id"], second["items"][0]["id"]} == {
            s["id"] for s in (await get(client, "/v1/settlements", headers))["items"]
        }

    async def test_a_caregiver_may_not_read_settlements(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        headers = tokens.headers("caregiver", provider_id=ledger.provider_a, caregiver_id=uuid4())
        assert (await client.get("/v1/settlements", headers=headers)).status_code == 403
        assert (await client.get(f"/v1/settlements/{uuid4()}", headers=headers)).status_code == 403

    async def test_an_unknown_settlement_is_not_found(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = tokens.headers("district_officer", region=DISTRICT)
        assert (await client.get(f"/v1/settlements/{uuid4()}", headers=headers)).status_code == 404


class TestCharges:
    async def test_the_charge_of_a_visit_is_found_by_its_visit_id(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = f"/v1/charges?visit_id={ledger.visit_b}"
        [charge] = (await get(client, url, tokens.headers("district_officer", region=DISTRICT)))["items"]
        assert (charge["visit_id"], charge["provider_id"]) == (str(ledger.visit_b), str(ledger.provider_b))
        assert (charge["status"], charge["status_label"], charge["unit"], charge["unit_price_fen"]) == (
            "posted",
            "已记账",
            "visit",
            5000,
        )
        assert (charge["amount_fen"], charge["covered_fen"], charge["beneficiary_pays_fen"]) == (
            5000,
            2000,
            3000,
        )
        assert (charge["period"], charge["visit_on"], charge["service_code"]) == (
            PERIOD,
            "2026-03-10",
            "CS22",
        )

    async def test_a_provider_sees_its_own_charges_only(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        headers = tokens.headers("provider_admin", provider_id=ledger.provider_b)
        assert (await get(client, f"/v1/charges?visit_id={ledger.visits_a[0]}", headers))["items"] == []
        assert [c["visit_id"] for c in (await get(client, "/v1/charges", headers))["items"]] == [
            str(ledger.visit_b)
        ]

    async def test_provider_b_cannot_read_provider_as_charge(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        own = tokens.headers("provider_admin", provider_id=ledger.provider_a)
        [charge] = (await get(client, f"/v1/charges?visit_id={ledger.visits_a[0]}", own))["items"]
        assert (await client.get(f"/v1/charges/{charge['id']}", headers=own)).status_code == 200
        other = tokens.headers("provider_admin", provider_id=ledger.provider_b)
        assert (await client.get(f"/v1/charges/{charge['id']}", headers=other)).status_code == 404

    async def test_the_status_filter_finds_held_charges(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = "/v1/charges?status=held"
        items = (await get(client, url, tokens.headers("auditor", region=DISTRICT)))["items"]
        assert [c["visit_id"] for c in items] == [str(ledger.held_visit)]

    async def test_another_district_sees_no_charge(
        self, client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger
    ) -> None:
        url = f"/v1/charges?visit_id={ledger.visit_b}"
        assert (await get(client, url, tokens.headers("district_officer", region="430103")))["items"] == []

    async def test_an_unknown_status_is_a_422(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await client.get(
            "/v1/charges?status=paid", headers=tokens.headers("auditor", region=DISTRICT)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "query.status"

    async def test_a_community_worker_may_not_read_charges(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = tokens.headers("community_worker", region=f"{DISTRICT}001001")
        assert (await client.get("/v1/charges", headers=headers)).status_code == 403
