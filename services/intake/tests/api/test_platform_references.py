"""The city platform's status query by its own reference: unique per client, scoped to the client."""

from __future__ import annotations

from typing import Any

URL = "/v1/applications/bulk"


def platform(tokens, subject: str = "platform-a") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return tokens.headers("city_platform", region="4301", subject=subject)


async def submit(flow, client, tokens, *items: dict[str, Any], subject: str = "platform-a") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(URL, json={"items": list(items)}, headers=platform(tokens, subject))
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestStatusByReference:
    async def test_the_client_finds_its_application_by_its_reference_masked(
        self, flow, client, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1, external_ref="CITY/2026/0001")
        result = await submit(flow, client, tokens, body)
        response = await client.get("/v1/applications/by-reference/CITY/2026/0001", headers=platform(tokens))
        assert response.status_code == 200, response.text
        found = response.json()
        assert (found["id"], found["external_ref"], found["status"]) == (
            result["items"][0]["application_id"],
            "CITY/2026/0001",
            "submitted",
        )
        assert found["applicant"]["id_number"] != body["applicant"]["id_number"]
        assert found["applicant"]["phone"] != body["applicant"]["phone"]

    async def test_the_status_follows_the_process(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        result = await submit(flow, client, tokens, flow.body(1, external_ref="R-1"))
        await flow.review(result["items"][0]["application_id"])
        response = await client.get("/v1/applications/by-reference/R-1", headers=platform(tokens))
        assert response.json()["status"] == "assessment_requested"

    async def test_another_client_does_not_find_it(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        await submit(flow, client, tokens, flow.body(1, external_ref="R-1"))
        other = await client.get("/v1/applications/by-reference/R-1", headers=platform(tokens, "platform-b"))
        assert other.status_code == 404

    async def test_a_reference_is_unique_per_client(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        await submit(flow, client, tokens, flow.body(1, external_ref="R-1"))
        again = await submit(flow, client, tokens, flow.body(2, external_ref="R-1"))
        assert again["items"][0]["status"] == 409
        assert again["items"][0]["errors"][0]["field"] == "items.0.external_ref"
        other = await submit(flow, client, tokens, flow.body(2, external_ref="R-1"), subject="platform-b")
        assert other["items"][0]["status"] == 201

    async def test_government_and_provider_roles_are_403(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        for role, region in (("district_officer", "430102"), ("community_worker", "430102001001")):
            response = await client.get(
                "/v1/applications/by-reference/R-1", headers=tokens.headers(role, region=region)
            )
            assert response.status_code == 403

    async def test_a_bad_reference_is_422(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.get("/v1/applications/by-reference/" + "x" * 65, headers=platform(tokens))
        assert response.status_code == 422
