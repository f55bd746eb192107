"""GET /v1/spot-checks over the real database."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from eldercare.common.contracts import VisitCompleted

SPOT_CHECKS = "/v1/spot-checks"


@pytest.fixture
def unverified_visit(deliver, make_event):  # type: ignore[no-untyped-def]
    async def run(district: str = "430102") -> VisitCompleted:
        event = make_event(
            VisitCompleted, district=district, verified=False, verification_notes=["too short"]
        )
        await deliver(event)
        return event

    return run


class TestSpotChecks:
    async def test_an_unverified_visit_shows_an_open_spot_check(
        self, client: httpx.AsyncClient, tokens, unverified_visit
    ) -> None:  # type: ignore[no-untyped-def]
        visit = await unverified_visit()
        response = await client.get(SPOT_CHECKS, headers=tokens.headers("auditor", region="430102"))
        assert response.status_code == 200
        [item] = response.json()["items"]
        assert item["visit_id"] == str(visit.visit_id)
        assert (item["reason"], item["status"], item["findings"]) == (
            "unverified_visit",
            "open",
            ["too short"],
        )
        assert item["reason_label"] == "上门服务核验未通过"

    async def test_filters_by_provider_and_visit(
        self, client: httpx.AsyncClient, tokens, unverified_visit
    ) -> None:  # type: ignore[no-untyped-def]
        first, _ = await unverified_visit(), await unverified_visit()
        headers = tokens.headers("district_officer", region="430102")
        by_provider = await client.get(
            SPOT_CHECKS, params={"provider_id": str(first.provider_id)}, headers=headers
        )
        assert [i["visit_id"] for i in by_provider.json()["items"]] == [str(first.visit_id)]
        by_visit = await client.get(SPOT_CHECKS, params={"visit_id": str(uuid4())}, headers=headers)
        assert by_visit.json()["items"] == []

    async def test_another_district_sees_none_and_gets_404_for_one(
        self, client: httpx.AsyncClient, tokens, unverified_visit
    ) -> None:  # type: ignore[no-untyped-def]
        await unverified_visit("430102")
        own = (await client.get(SPOT_CHECKS, headers=tokens.headers("city_admin", region="4301"))).json()
        [item] = own["items"]
        other = tokens.headers("district_officer", region="430103")
        assert (await client.get(SPOT_CHECKS, headers=other)).json()["items"] == []
        assert (await client.get(f"{SPOT_CHECKS}/{item['id']}", headers=other)).status_code == 404
        mine = tokens.headers("auditor", region="430102")
        assert (await client.get(f"{SPOT_CHECKS}/{item['id']}", headers=mine)).json()["id"] == item["id"]

    @pytest.mark.parametrize("role", ["street_officer", "provider_admin"])
    async def test_other_roles_are_forbidden(self, client: httpx.AsyncClient, tokens, role: str) -> None:  # type: ignore[no-untyped-def]
        assert (
            await client.get(SPOT_CHECKS, headers=tokens.headers(role, region="430102"))
        ).status_code == 403

    async def test_no_token_is_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(SPOT_CHECKS)).status_code == 401

    async def test_a_bad_provider_id_is_422_naming_the_field(self, client: httpx.AsyncClient, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(
            SPOT_CHECKS, params={"provider_id": "x"}, headers=tokens.headers("auditor", region="430102")
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["query.provider_id"]
