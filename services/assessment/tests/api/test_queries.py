"""GET /v1/assessments and /v1/assessments/{id}: filters, pagination and region scoping."""

from __future__ import annotations

import httpx
import pytest

from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"


class TestListingAssessments:
    async def test_an_assessor_finds_the_task_of_an_application(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        task = await make_task()
        await make_task()
        url = f"/v1/assessments?application_id={task.event.application_id}"
        response = await client.get(url, headers=tokens.headers("assessor", region=DISTRICT))
        assert response.status_code == 200
        page = response.json()
        assert [i["id"] for i in page["items"]] == [str(task.id)]
        item = page["items"][0]
        assert (item["status"], item["status_label"], item["reason"]) == ("pending", "待评估", "initial")
        assert item["masked_id_number"] == "430***********1234"
        assert page["next_cursor"] is None

    async def test_the_status_filter_separates_pending_from_completed(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        done, open_ = await make_task(), await make_task()
        headers = tokens.headers("assessor", region=DISTRICT)
        await client.post(f"/v1/assessments/{done.id}/results", json=result_body(), headers=headers)
        pending = (await client.get("/v1/assessments?status=pending", headers=headers)).json()
        completed = (await client.get("/v1/assessments?status=completed", headers=headers)).json()
        assert [i["id"] for i in pending["items"]] == [str(open_.id)]
        assert [i["id"] for i in completed["items"]] == [str(done.id)]

    async def test_another_districts_tasks_are_not_listed(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        mine = await make_task(DISTRICT)
        await make_task("430103")
        response = await client.get(
            "/v1/assessments", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert [i["id"] for i in response.json()["items"]] == [str(mine.id)]

    async def test_a_reader_without_a_region_sees_nothing(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        await make_task()
        response = await client.get("/v1/assessments", headers=tokens.headers("assessor"))
        assert response.json()["items"] == []

    async def test_pages_follow_the_cursor_without_gaps_or_repeats(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        made = [str((await make_task()).id) for _ in range(5)]
        headers = tokens.headers("assessor", region=DISTRICT)
        seen: list[str] = []
        url = "/v1/assessments?limit=2"
        while True:
            page = (await client.get(url, headers=headers)).json()
            seen += [i["id"] for i in page["items"]]
            if page["next_cursor"] is None:
                break
            url = f"/v1/assessments?limit=2&cursor={page['next_cursor']}"
        assert seen == made

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("status=done", "query.status"),
            ("application_id=42", "query.application_id"),
            ("limit=0", "query.limit"),
            ("limit=201", "query.limit"),
            ("cursor=%21%21%21", "query.cursor"),
        ],
    )
    async def test_a_bad_query_parameter_is_named(
        self, client: httpx.AsyncClient, tokens: Tokens, query: str, field: str
    ) -> None:
        response = await client.get(
            f"/v1/assessments?{query}", headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert response.status_code == 422
        assert field in [e["field"] for e in response.json()["errors"]]

    @pytest.mark.parametrize("role", ["caregiver", "street_officer", "provider_admin"])
    async def test_other_roles_may_not_list(
        self, client: httpx.AsyncClient, tokens: Tokens, role: str
    ) -> None:
        response = await client.get("/v1/assessments", headers=tokens.headers(role, region=DISTRICT))
        assert response.status_code == 403

    async def test_listing_needs_a_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/v1/assessments")).status_code == 401


class TestReadingOneAssessment:
    async def test_a_district_officer_reads_a_task_of_the_district(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        task = await make_task()
        response = await client.get(
            f"/v1/assessments/{task.id}", headers=tokens.headers("district_officer", region=DISTRICT)
        )
        assert response.status_code == 200
        got = response.json()
        assert (got["id"], got["person_id"]) == (str(task.id), str(task.event.person_id))
        assert got["total_score"] is None and got["final_level"] is None

    async def test_another_districts_task_is_404(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        task = await make_task("430103")
        response = await client.get(
            f"/v1/assessments/{task.id}", headers=tokens.headers("assessor", region=DISTRICT)
        )
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_a_caregiver_may_not_read_assessments(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        task = await make_task()
        response = await client.get(
            f"/v1/assessments/{task.id}", headers=tokens.headers("caregiver", region=DISTRICT)
        )
        assert response.status_code == 403
