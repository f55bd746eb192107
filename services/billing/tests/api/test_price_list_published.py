"""POST /v1/price-lists publishes PriceListPublished through the outbox, in the transaction that
stores the list, once per list (issue #5: dispatch checks care plans at these prices)."""

from __future__ import annotations

from typing import Any

import httpx

from eldercare.common.contracts import PriceListPublished
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
BODY: dict[str, Any] = {
    "region_code": DISTRICT,
    "effective_from": "2026-01-01",
    "items": [
        {"service_code": "CS22", "unit": "visit", "unit_price_fen": 5000},
        {"service_code": "CS25", "unit": "hour", "unit_price_fen": 6000},
    ],
}


async def test_a_new_list_is_published_once_with_its_prices(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, published
) -> None:
    headers = {**tokens.headers("district_officer", region=DISTRICT), "Idempotency-Key": "pl-pub-1"}
    first = await client.post("/v1/price-lists", json=BODY, headers=headers)
    again = await client.post("/v1/price-lists", json=BODY, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    [(kind, data)] = await published("billing.price_list.")
    assert kind == PriceListPublished.event_type
    event = PriceListPublished.model_validate(data)
    assert str(event.price_list_id) == first.json()["id"]
    assert (event.region_code, event.effective_from.isoformat()) == (DISTRICT, "2026-01-01")
    assert [(i.service_code, i.unit, i.unit_price_fen) for i in event.items] == [
        ("CS22", "visit", 5000),
        ("CS25", "hour", 6000),
    ]


async def test_a_refused_list_publishes_nothing(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, published
) -> None:
    # A district officer of another district: 403, nothing stored, nothing published.
    response = await client.post(
        "/v1/price-lists", json=BODY, headers=tokens.headers("district_officer", region="430103")
    )
    assert response.status_code == 403
    duplicate = {**BODY, "items": [BODY["items"][0], BODY["items"][0]]}
    response = await client.post(
        "/v1/price-lists", json=duplicate, headers=tokens.headers("district_officer", region=DISTRICT)
    )
    assert response.status_code == 422
    assert await published("billing.price_list.") == []
