"""The OpenAPI document describes billing's routes with their responses."""

from __future__ import annotations

import httpx


async def test_the_document_names_every_route_and_the_created_response(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/openapi.json")).json()
    assert set(doc["paths"]) >= {
        "/v1/price-lists",
        "/v1/price-lists/{price_list_id}",
        "/v1/accounts",
        "/v1/settlements",
        "/v1/settlements/{settlement_id}",
        "/v1/charges",
        "/v1/charges/{charge_id}",
    }
    created = doc["paths"]["/v1/price-lists"]["post"]["responses"]["201"]
    assert created["content"]["application/json"]["schema"]["$ref"].endswith("/PriceListRead")
