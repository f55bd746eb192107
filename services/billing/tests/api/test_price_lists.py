"""POST /v1/price-lists and GET /v1/price-lists/{id}: roles, regions, validation and idempotency."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import func, select

from eldercare.billing.adapters.models import PriceListRow
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "region_code": DISTRICT,
        "effective_from": "2026-01-01",
        "items": [
            {"service_code": "CS22", "unit": "visit", "unit_price_fen": 5000},
            {"service_code": "CS25", "unit": "hour", "unit_price_fen": 6000},
        ],
        **overrides,
    }


def item(**overrides: Any) -> dict[str, Any]:
    return {"service_code": "CS22", "unit": "visit", "unit_price_fen": 5000, **overrides}


class TestCreatingAPriceList:
    async def test_a_district_officer_enters_the_districts_prices(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/v1/price-lists", json=body(), headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 201
        created = response.json()
        assert created["id"]
        assert (created["region_code"], created["effective_from"]) == (DISTRICT, "2026-01-01")
        assert created["items"] == [
            {"service_code": "CS22", "unit": "visit", "unit_label": "按次", "unit_price_fen": 5000},
            {"service_code": "CS25", "unit": "hour", "unit_label": "按小时", "unit_price_fen": 6000},
        ]
        assert created["created_by"] == f"district_officer-{DISTRICT}"

    async def test_a_city_admin_enters_a_list_for_the_whole_city(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/v1/price-lists",
            json=body(region_code="4301"),
            headers=tokens.headers("city_admin", region="4301"),
        )
        assert response.status_code == 201

    async def test_the_same_prices_may_be_entered_again(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = tokens.headers("district_officer", region=DISTRICT)
        first = await client.post("/v1/price-lists", json=body(), headers=headers)
        second = await client.post("/v1/price-lists", json=body(), headers=headers)
        assert (first.status_code, second.status_code) == (201, 201)
        assert first.json()["id"] != second.json()["id"]

    async def test_an_officer_cannot_price_another_district(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/v1/price-lists", json=body(), headers=tokens.headers("district_officer", region="430103")
        )
        assert response.status_code == 403
        assert response.json()["errors"][0]["field"] == "region_code"

    async def test_a_district_officer_cannot_price_the_whole_city(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        response = await client.post(
            "/v1/price-lists",
            json=body(region_code="4301"),
            headers=tokens.headers("district_officer", region=DISTRICT),
        )
        assert response.status_code == 403

    @pytest.mark.parametrize(
        "role", ["street_officer", "community_worker", "auditor", "provider_admin", "caregiver"]
    )
    async def test_other_roles_may_not_enter_prices(
        self, client: httpx.AsyncClient, tokens: Tokens, role: str
    ) -> None:
        response = await client.post(
            "/v1/price-lists", json=body(), headers=tokens.headers(role, region=DISTRICT, provider_id=uuid4())
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"

    async def test_without_a_token_the_answer_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/price-lists", json=body())
        assert response.status_code == 401


class TestPriceListValidation:
    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            (body(items=[]), "items"),
            ({k: v for k, v in body().items() if k != "items"}, "items"),
            (body(items=[item()] * 201), "items"),
            (body(region_code="430102001"), "region_code"),
            (body(region_code="43a102"), "region_code"),
            (body(region_code=430102), "region_code"),
            (body(effective_from="2026-13-01"), "effective_from"),
            (body(effective_from=None), "effective_from"),
            (body(items=[item(unit="day")]), "items.0.unit"),
            (body(items=[item(unit_price_fen=-1)]), "items.0.unit_price_fen"),
            (body(items=[item(unit_price_fen="5000")]), "items.0.unit_price_fen"),
            (body(items=[item(unit_price_fen=50.5)]), "items.0.unit_price_fen"),
            (body(items=[item(unit_price_fen=10**12)]), "items.0.unit_price_fen"),
            (body(items=[item(service_code="C" * 33)]), "items.0.service_code"),
            (body(items=[item(service_code="CS 22")]), "items.0.service_code"),
            (body(items=[item(discount=10)]), "items.0.discount"),
            (body(currency="CNY"), "currency"),
            (body(items=[item(), item(unit="hour")]), "items.1.service_code"),
        ],
    )
    async def test_bad_input_is_a_422_naming_the_field(
        self, client: httpx.AsyncClient, tokens: Tokens, payload: dict[str, Any], field: str
    ) -> None:
        response = await client.post(
            "/v1/price-lists", json=payload, headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]

    async def test_a_body_that_is_not_json_is_a_422(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        headers = {**tokens.headers("district_officer", region=DISTRICT), "content-type": "application/json"}
        response = await client.post("/v1/price-lists", content=b"{not json", headers=headers)
        assert response.status_code == 422


class TestIdempotentCreation:
    async def test_a_retry_with_the_same_key_replays_the_response_and_writes_once(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions
    ) -> None:
        headers = {
            **tokens.headers("district_officer", region=DISTRICT),
            "Idempotency-Key": "price-list-0001",
        }
        first = await client.post("/v1/price-lists", json=body(), headers=headers)
        again = await client.post("/v1/price-lists", json=body(), headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json() == first.json()
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(PriceListRow)) == 1

    async def test_the_same_key_with_another_body_is_refused(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = {
            **tokens.headers("district_officer", region=DISTRICT),
            "Idempotency-Key": "price-list-0002",
        }
        await client.post("/v1/price-lists", json=body(), headers=headers)
        response = await client.post(
            "/v1/price-lists", json=body(effective_from="2026-02-01"), headers=headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "header.Idempotency-Key"


class TestReadingAPriceList:
    async def create(self, client: httpx.AsyncClient, tokens: Tokens, region: str = DISTRICT) -> str:
        headers = tokens.headers("city_admin", region="43")
        response = await client.post("/v1/price-lists", json=body(region_code=region), headers=headers)
        return str(response.json()["id"])

    async def test_the_district_reads_its_list(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        list_id = await self.create(client, tokens)
        response = await client.get(
            f"/v1/price-lists/{list_id}", headers=tokens.headers("auditor", region=DISTRICT)
        )
        assert response.status_code == 200
        assert response.json()["id"] == list_id

    async def test_a_district_reads_the_city_list_that_applies_to_it(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        list_id = await self.create(client, tokens, region="4301")
        response = await client.get(
            f"/v1/price-lists/{list_id}", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 200

    async def test_another_districts_list_is_not_found(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        list_id = await self.create(client, tokens)
        response = await client.get(
            f"/v1/price-lists/{list_id}", headers=tokens.headers("district_officer", region="430103")
        )
        assert response.status_code == 404

    async def test_an_unknown_id_is_not_found(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await client.get(
            f"/v1/price-lists/{uuid4()}", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 404

    async def test_a_malformed_id_is_a_422(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await client.get(
            "/v1/price-lists/42", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "path.price_list_id"

    async def test_a_caregiver_may_not_read_prices(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await client.get(
            f"/v1/price-lists/{uuid4()}", headers=tokens.headers("caregiver", provider_id=uuid4())
        )
        assert response.status_code == 403
