"""Reads: GET applications and beneficiaries, region-scoped, masked unless the caller holds pii:read
(and then logged in pii_access_log)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote
from uuid import uuid4

import pytest
from sqlalchemy import select

from eldercare.intake.adapters.models import PiiAccessRow

DISTRICT, STREET, COMMUNITY = "430102", "430102001", "430102001001"
PROVIDER, CAREGIVER = str(uuid4()), str(uuid4())

FOREIGN_ROLES = [
    ("provider_admin", {"provider_id": PROVIDER}),
    ("caregiver", {"provider_id": PROVIDER, "caregiver_id": CAREGIVER}),
    ("assessor", {"region": DISTRICT}),
    ("city_platform", {}),
]


async def access_log(sessions) -> list[PiiAccessRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(PiiAccessRow))).all())


async def enrolled(flow) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    app = await flow.assessed(1, level=1)
    response = await flow.decide(app["id"])
    assert response.status_code == 201
    return dict(response.json())


class TestGetApplication:
    @pytest.mark.parametrize(
        ("role", "region"),
        [
            ("community_worker", COMMUNITY),
            ("street_officer", STREET),
            ("district_officer", DISTRICT),
            ("city_admin", "4301"),
            ("auditor", DISTRICT),
        ],
    )
    async def test_government_staff_covering_the_community_read_it_masked(
        self, flow, client, tokens, sessions, role: str, region: str
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await client.get(
            f"/v1/applications/{app['id']}", headers=tokens.headers(role, region=region)
        )
        assert response.status_code == 200, response.text
        assert response.json() == app
        assert await access_log(sessions) == []

    @pytest.mark.parametrize(
        ("role", "region"),
        [
            ("community_worker", "430102001002"),
            ("street_officer", "430102002"),
            ("district_officer", "430103"),
            ("city_admin", "4302"),
        ],
    )
    async def test_staff_of_another_region_get_404(
        self, flow, client, tokens, role: str, region: str
    ) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        response = await client.get(
            f"/v1/applications/{app['id']}", headers=tokens.headers(role, region=region)
        )
        assert response.status_code == 404

    async def test_pii_read_shows_the_data_in_clear_and_logs_the_access_with_its_reason(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1)
        app = await flow.submitted(1)
        headers = {
            **tokens.headers("district_officer", region=DISTRICT, scopes=["pii:read"]),
            "X-Access-Reason": quote("回访核实联系方式"),
        }
        response = await client.get(f"/v1/applications/{app['id']}", headers=headers)
        shown = response.json()["applicant"]
        assert (shown["id_number"], shown["phone"], shown["address"]) == (
            body["applicant"]["id_number"],
            body["applicant"]["phone"],
            body["applicant"]["address"],
        )
        [entry] = await access_log(sessions)
        assert (entry.subject, entry.resource, str(entry.resource_id)) == (
            f"district_officer-{DISTRICT}",
            "application",
            app["id"],
        )
        assert (str(entry.person_id), entry.fields, entry.reason) == (
            app["applicant"]["person_id"],
            ["id_number", "phone", "address"],
            "回访核实联系方式",
        )
        assert entry.accessed_at is not None

    async def test_an_oversized_access_reason_is_422(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        headers = {
            **tokens.headers("district_officer", region=DISTRICT, scopes=["pii:read"]),
            "X-Access-Reason": "x" * 201,
        }
        response = await client.get(f"/v1/applications/{app['id']}", headers=headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "header.X-Access-Reason"

    async def test_a_refused_read_logs_nothing(self, flow, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        headers = tokens.headers("district_officer", region="430103", scopes=["pii:read"])
        assert (await client.get(f"/v1/applications/{app['id']}", headers=headers)).status_code == 404
        assert await access_log(sessions) == []

    async def test_commands_answer_masked_even_with_pii_read(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        # The command response is stored for Idempotency-Key replays: it never holds PII in clear.
        body = flow.body(1)
        headers = tokens.headers("community_worker", region=COMMUNITY, scopes=["pii:read"])
        response = await client.post("/v1/applications", json=body, headers=headers)
        assert response.json()["applicant"]["id_number"] != body["applicant"]["id_number"]

    async def test_an_unknown_application_is_404(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(
            f"/v1/applications/{uuid4()}", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 404


class TestListApplications:
    async def test_the_list_holds_only_the_callers_region_and_filters_by_status(
        self, flow, client, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        mine = await flow.submitted(1)
        neighbour = await flow.submitted(2, applicant=flow.applicant(2, community_code="430102002001"))
        await flow.submit(
            flow.body(3, applicant=flow.applicant(3, community_code="430102002001")), region="430102002001"
        )
        assert (await flow.review(neighbour["id"], region="430102002")).status_code == 201

        street = tokens.headers("street_officer", region=STREET)
        assert [a["id"] for a in (await client.get("/v1/applications", headers=street)).json()["items"]] == [
            mine["id"]
        ]
        district = tokens.headers("district_officer", region=DISTRICT)
        listed = (await client.get("/v1/applications?status=assessment_requested", headers=district)).json()
        assert [a["id"] for a in listed["items"]] == [neighbour["id"]]

    async def test_pages_follow_the_cursor_without_gaps_or_repeats(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        ids = [(await flow.submitted(seq))["id"] for seq in range(1, 6)]
        headers, seen, url = (
            tokens.headers("district_officer", region=DISTRICT),
            [],
            "/v1/applications?limit=2",
        )
        while True:
            page = (await client.get(url, headers=headers)).json()
            seen += [a["id"] for a in page["items"]]
            if not page["next_cursor"]:
                break
            url = f"/v1/applications?limit=2&cursor={page['next_cursor']}"
        assert seen == ids

    @pytest.mark.parametrize("query", ["status=done", "limit=0", "limit=201", "cursor=%%%"])
    async def test_bad_query_parameters_are_422(self, client, tokens, query: str) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(
            f"/v1/applications?{query}", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"].startswith("query.")

    async def test_listing_with_pii_read_logs_each_person_shown(self, flow, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        await flow.submitted(1)
        await flow.submitted(2)
        headers = tokens.headers("city_admin", region="4301", scopes=["pii:read"])
        assert len((await client.get("/v1/applications", headers=headers)).json()["items"]) == 2
        assert len(await access_log(sessions)) == 2


class TestBeneficiaries:
    async def test_a_beneficiary_is_read_with_the_entitlement_by_its_district(
        self, flow, client, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        app = await enrolled(flow)
        response = await client.get(
            f"/v1/beneficiaries/{app['beneficiary_id']}",
            headers=tokens.headers("district_officer", region=DISTRICT),
        )
        assert response.status_code == 200, response.text
        b = response.json()
        assert (b["id"], b["application_id"], b["status"]) == (app["beneficiary_id"], app["id"], "active")
        assert (b["monthly_amount_fen"], b["assessment_level"]) == (30000, 1)
        assert b["policy"] == {"pack_id": "changsha-2024", "version": "2024.1"}
        assert b["person"]["id_number"] == app["applicant"]["id_number"]  # masked
        assert [c["article"] for c in b["basis"]] == ["第四条", "第十三条"]

    async def test_another_districts_beneficiary_is_404(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        app = await enrolled(flow)
        response = await client.get(
            f"/v1/beneficiaries/{app['beneficiary_id']}",
            headers=tokens.headers("district_officer", region="430103"),
        )
        assert response.status_code == 404

    async def test_the_beneficiary_list_is_region_scoped(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        app = await enrolled(flow)
        mine = (
            await client.get("/v1/beneficiaries", headers=tokens.headers("auditor", region=DISTRICT))
        ).json()
        theirs = (
            await client.get("/v1/beneficiaries", headers=tokens.headers("auditor", region="430103"))
        ).json()
        assert [b["id"] for b in mine["items"]] == [app["beneficiary_id"]]
        assert theirs == {"items": [], "next_cursor": None}

    async def test_pii_read_of_a_beneficiary_is_logged(self, flow, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await enrolled(flow)
        headers = tokens.headers("city_admin", region="4301", scopes=["pii:read"])
        response = await client.get(f"/v1/beneficiaries/{app['beneficiary_id']}", headers=headers)
        assert "*" not in response.json()["person"]["id_number"]
        [entry] = await access_log(sessions)
        assert (entry.resource, str(entry.resource_id), entry.reason) == (
            "beneficiary",
            app["beneficiary_id"],
            None,
        )


class TestForeignRoles:
    @pytest.mark.parametrize(("role", "claims"), FOREIGN_ROLES)
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/v1/applications"),
            ("GET", "/v1/applications/{id}"),
            ("GET", "/v1/beneficiaries"),
            ("GET", "/v1/beneficiaries/{id}"),
            ("POST", "/v1/applications"),
            ("POST", "/v1/applications/{id}/reviews"),
            ("POST", "/v1/applications/{id}/decisions"),
        ],
    )
    async def test_provider_caregiver_assessor_and_platform_tokens_are_403(
        self, client, tokens, role: str, claims: dict[str, str], method: str, path: str
    ) -> None:  # type: ignore[no-untyped-def]
        url = path.format(id=uuid4())
        response = await client.request(
            method, url, json={} if method == "POST" else None, headers=tokens.headers(role, **claims)
        )
        assert response.status_code == 403

    @pytest.mark.parametrize("path", ["/v1/applications", f"/v1/applications/{uuid4()}", "/v1/beneficiaries"])
    async def test_no_token_is_401(self, client, path: str) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
