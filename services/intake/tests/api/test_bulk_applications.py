"""POST /v1/applications/bulk: the city platform submits many applications; one result per item,
no partial records for a failing item, the others go through."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from eldercare.intake.adapters.models import ApplicationRow, PersonRow
from eldercare.intake.adapters.orm import MESSAGING

URL = "/v1/applications/bulk"


async def counts(sessions) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        persons = await s.scalar(select(func.count()).select_from(PersonRow))
        applications = await s.scalar(select(func.count()).select_from(ApplicationRow))
        events = await s.scalar(select(func.count()).select_from(MESSAGING.outbox))
    return int(persons or 0), int(applications or 0), int(events or 0)


def platform(tokens, region: str = "4301", **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {**tokens.headers("city_platform", region=region), **extra}


class TestBulk:
    async def test_every_valid_item_is_submitted_with_its_id_and_reference(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        items = [flow.body(seq, external_ref=f"PLAT-{seq}") for seq in range(1, 6)]
        response = await client.post(URL, json={"items": items}, headers=platform(tokens))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["created"], body["failed"]) == (5, 0)
        assert [(i["index"], i["status"], i["external_ref"]) for i in body["items"]] == [
            (n, 201, f"PLAT-{n + 1}") for n in range(5)
        ]
        assert all(i["application_id"] for i in body["items"])
        assert await counts(sessions) == (5, 5, 5)

    async def test_failing_items_leave_nothing_and_the_others_go_through(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        bad_digit = flow.body(2)
        bad_digit["applicant"]["id_number"] = bad_digit["applicant"]["id_number"][:-1] + (
            "0" if bad_digit["applicant"]["id_number"][-1] != "0" else "1"
        )
        items = [
            flow.body(1),
            bad_digit,  # a wrong check digit: a business rule
            {**flow.body(3), "circumstances": ["rich"]},  # not in the vocabulary: schema
            flow.body(1),  # the same person again in the same batch
            flow.body(4, applicant=flow.applicant(4, community_code="430103001001")),
            flow.body(5),
        ]
        body = (
            await client.post(URL, json={"items": items}, headers=platform(tokens, region="430102"))
        ).json()
        assert [i["status"] for i in body["items"]] == [201, 422, 422, 409, 403, 201]
        assert (body["created"], body["failed"]) == (2, 4)
        assert body["items"][1]["errors"][0]["field"].startswith("items.1.applicant.id_number")
        assert body["items"][2]["errors"][0]["field"] == "items.2.circumstances.0"
        assert await counts(sessions) == (2, 2, 2)

    async def test_more_than_1000_items_are_refused_whole(self, flow, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json={"items": [{}] * 1001}, headers=platform(tokens))
        assert response.status_code in (413, 422)
        assert await counts(sessions) == (0, 0, 0)

    async def test_an_empty_batch_is_422(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json={"items": []}, headers=platform(tokens))
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "items"

    async def test_a_retry_with_the_same_key_replays_without_new_records(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        body = {"items": [flow.body(1), flow.body(2)]}
        headers = platform(tokens, **{"Idempotency-Key": "bulk-0001"})
        first = await client.post(URL, json=body, headers=headers)
        again = await client.post(URL, json=body, headers=headers)
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert again.json() == first.json()
        assert await counts(sessions) == (2, 2, 2)

    @pytest.mark.parametrize(
        ("role", "region"), [("community_worker", "430102001001"), ("district_officer", "430102")]
    )
    async def test_only_the_city_platform_submits_in_bulk(
        self, flow, client, tokens, role: str, region: str
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            URL, json={"items": [flow.body(1)]}, headers=tokens.headers(role, region=region)
        )
        assert response.status_code == 403


def test_the_request_body_of_1000_typical_items_fits_the_size_limit(flow, settings) -> None:  # type: ignore[no-untyped-def]
    items: list[dict[str, Any]] = [flow.body(n % 400 + 1) for n in range(1000)]
    assert len(json.dumps({"items": items}, ensure_ascii=False).encode()) < settings.max_request_bytes
