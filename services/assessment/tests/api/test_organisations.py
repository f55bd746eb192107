"""Assessment organisations, their assessors, assignment of tasks and per-assessor tenancy (issue #4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import func, select

from eldercare.assessment.adapters.models import AssessorRow, OrganisationRow
from eldercare.assessment.main import create_app
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.credit_codes import check_character, organisation_check_character
from eldercare.common.testing.plugin import Tokens, api_client

DISTRICT = "430102"
OTHER_DISTRICT = "430103"
NO_EVENTS = {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0}
ORG_ADMIN = "assessment_org_admin"


def credit_code(serial: int) -> str:
    """A well-formed 统一社会信用代码 (52 = 民政 / 民办非企业单位), check character computed."""
    body = f"MJ{serial:06d}"
    first17 = f"524301{DISTRICT[4:]}{body}{organisation_check_character(body)}"
    return first17 + check_character(first17)


def officer(tokens: Tokens, region: str = DISTRICT) -> dict[str, str]:
    return tokens.headers("district_officer", region=region)


def assessor(tokens: Tokens, subject: str, region: str | None = None) -> dict[str, str]:
    return tokens.headers("assessor", subject=subject, region=region)


def org_admin(tokens: Tokens, organisation_id: str) -> dict[str, str]:
    return tokens.headers(ORG_ADMIN, provider_id=organisation_id)


async def register(
    client: httpx.AsyncClient, tokens: Tokens, serial: int = 1, regions: list[str] | None = None
) -> dict[str, Any]:
    body = {
        "name": f"长沙市第{serial}评估中心",
        "credit_code": credit_code(serial),
        "qualification": "老年人能力评估机构备案",
        "regions": regions or [DISTRICT],
    }
    response = await client.post("/v1/assessment-organisations", json=body, headers=officer(tokens))
    assert response.status_code == 201, response.text
    return response.json()


async def add_assessor(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    org_id: str,
    subject: str,
    *,
    medical: bool = False,
    expires_on: date = date(2030, 1, 1),
) -> httpx.Response:
    body = {
        "subject": subject,
        "name": f"评估员{subject}",
        "certificate_number": f"PG-{subject}",
        "certificate_expires_on": expires_on.isoformat(),
        "medical_background": medical,
    }
    return await client.post(f"/v1/assessment-organisations/{org_id}/assessors", json=body, headers=headers)


async def staffed(
    client: httpx.AsyncClient, tokens: Tokens, serial: int = 1
) -> tuple[dict[str, Any], list[str]]:
    """An organisation serving DISTRICT with a doctor (a-doc) and a social worker (a-sw)."""
    org = await register(client, tokens, serial)
    admin = org_admin(tokens, org["id"])
    ids = []
    for subject, medical in ((f"a-doc-{serial}", True), (f"a-sw-{serial}", False)):
        response = await add_assessor(client, admin, org["id"], subject, medical=medical)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return org, ids


async def assign(
    client: httpx.AsyncClient, tokens: Tokens, task_id: UUID, org_id: str, ids: list[str]
) -> httpx.Response:
    return await client.post(
        f"/v1/assessments/{task_id}/assignments",
        json={"organisation_id": org_id, "assessor_ids": ids},
        headers=officer(tokens),
    )


class TestOrganisations:
    async def test_a_district_officer_registers_an_organisation_and_its_admin_adds_assessors(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        org, _ = await staffed(client, tokens)
        assert (org["credit_code_needs_manual_check"], org["regions"]) == (False, [DISTRICT])
        listed = await client.get(
            f"/v1/assessment-organisations/{org['id']}/assessors", headers=officer(tokens)
        )
        got = {a["subject"]: a["medical_background"] for a in listed.json()}
        assert got == {"a-doc-1": True, "a-sw-1": False}

    async def test_a_malformed_credit_code_is_a_422_naming_it(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions
    ) -> None:
        body = {"name": "x", "credit_code": "52430102MJ12345I", "qualification": "q", "regions": [DISTRICT]}
        response = await client.post("/v1/assessment-organisations", json=body, headers=officer(tokens))
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["credit_code"]
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(OrganisationRow)) == 0

    async def test_an_officer_cannot_register_for_a_region_outside_theirs(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        body = {"name": "x", "credit_code": credit_code(9), "qualification": "q", "regions": [OTHER_DISTRICT]}
        response = await client.post("/v1/assessment-organisations", json=body, headers=officer(tokens))
        assert response.status_code == 403
        assert response.json()["errors"][0]["field"] == "regions.0"

    async def test_another_organisations_admin_and_another_district_see_nothing(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, sessions
    ) -> None:
        org, _ = await staffed(client, tokens, 1)
        other, _ = await staffed(client, tokens, 2)
        stranger = org_admin(tokens, other["id"])
        url = f"/v1/assessment-organisations/{org['id']}"
        assert (await client.get(url, headers=stranger)).status_code == 404
        assert (await add_assessor(client, stranger, org["id"], "intruder")).status_code == 404
        assert (await client.get(url, headers=officer(tokens, OTHER_DISTRICT))).status_code == 404
        listed = (await client.get("/v1/assessment-organisations", headers=stranger)).json()
        assert [o["id"] for o in listed["items"]] == [other["id"]]
        async with sessions() as s:
            assert await s.scalar(select(func.count()).where(AssessorRow.subject == "intruder")) == 0

    async def test_an_assessor_login_is_registered_once(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        org, _ = await staffed(client, tokens)
        again = await add_assessor(client, org_admin(tokens, org["id"]), org["id"], "a-doc-1")
        assert again.status_code == 409


class TestAssignment:
    async def test_a_task_is_assigned_to_an_organisation_and_two_assessors(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        org, ids = await staffed(client, tokens)
        task = await make_task()
        response = await assign(client, tokens, task.id, org["id"], ids)
        assert response.status_code == 201, response.text
        got = response.json()
        assert got["organisation_id"] == org["id"]
        assert [a["subject"] for a in got["assigned_assessors"]] == ["a-doc-1", "a-sw-1"]

    async def test_two_assessors_without_a_medical_background_are_refused(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        org, ids = await staffed(client, tokens)
        third = await add_assessor(client, org_admin(tokens, org["id"]), org["id"], "a-sw-2")
        task = await make_task()
        response = await assign(client, tokens, task.id, org["id"], [ids[1], third.json()["id"]])
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "assessor_ids"

    async def test_the_medical_background_rule_is_a_setting(  # type: ignore[no-untyped-def]
        self, settings: AssessmentSettings, tokens: Tokens, sessions, make_task
    ) -> None:
        relaxed = settings.model_copy(update={"require_medical_assessor": False})
        async with api_client(create_app(relaxed), sessions) as c:
            org, ids = await staffed(c, tokens)
            third = await add_assessor(c, org_admin(tokens, org["id"]), org["id"], "a-sw-2")
            task = await make_task()
            response = await assign(c, tokens, task.id, org["id"], [ids[1], third.json()["id"]])
        assert response.status_code == 201, response.text

    async def test_an_expired_certificate_or_an_inactive_assessor_is_named(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        org, ids = await staffed(client, tokens)
        admin = org_admin(tokens, org["id"])
        expired = await add_assessor(
            client, admin, org["id"], "a-old", medical=True, expires_on=date.today() - timedelta(days=2)
        )
        task = await make_task()
        response = await assign(client, tokens, task.id, org["id"], [expired.json()["id"], ids[1]])
        assert response.status_code == 409
        assert response.json()["errors"][0]["field"] == "assessor_ids.0"
        assert "expired" in response.json()["errors"][0]["message"]
        url = f"/v1/assessment-organisations/{org['id']}/assessors/{ids[0]}/deactivations"
        assert (await client.post(url, headers=admin)).status_code == 201
        inactive = await assign(client, tokens, task.id, org["id"], ids)
        assert inactive.status_code == 409
        assert inactive.json()["errors"][0]["field"] == "assessor_ids.0"

    async def test_an_organisation_not_serving_the_district_or_anothers_assessor_is_refused(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        org, ids = await staffed(client, tokens, 1)
        _, other_ids = await staffed(client, tokens, 2)
        mixed = await assign(client, tokens, (await make_task()).id, org["id"], [ids[0], other_ids[1]])
        assert mixed.status_code == 409
        assert mixed.json()["errors"][0]["field"] == "assessor_ids.1"
        task_elsewhere = await make_task(district=OTHER_DISTRICT)
        officer_elsewhere = tokens.headers("district_officer", region=OTHER_DISTRICT)
        response = await client.post(
            f"/v1/assessments/{task_elsewhere.id}/assignments",
            json={"organisation_id": org["id"], "assessor_ids": ids},
            headers=officer_elsewhere,
        )
        # The organisation serves 430102 only: the other district's officer cannot even see it.
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "organisation_id"

    async def test_another_districts_officer_cannot_assign(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        org, ids = await staffed(client, tokens)
        task = await make_task()
        response = await client.post(
            f"/v1/assessments/{task.id}/assignments",
            json={"organisation_id": org["id"], "assessor_ids": ids},
            headers=officer(tokens, OTHER_DISTRICT),
        )
        assert response.status_code == 404


@pytest.fixture
def form(items_for_total: Callable[[int], dict[str, int]]) -> dict[str, Any]:
    return {
        "assessed_on": "2026-11-20",
        "risk_events_30d": dict(NO_EVENTS),
        "information_provider": {"name": "李小红", "relation": "child"},
        "diagnoses": [],
        "coma": False,
        "items": items_for_total(70),
    }


class TestPerAssessorTenancy:
    async def test_only_the_assigned_assessors_see_the_task_besides_their_organisation_and_district(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task
    ) -> None:
        org, ids = await staffed(client, tokens, 1)
        other, _ = await staffed(client, tokens, 2)
        task = await make_task()
        assert (await assign(client, tokens, task.id, org["id"], ids)).status_code == 201
        url = f"/v1/assessments/{task.id}"
        allowed = [
            assessor(tokens, "a-doc-1"),
            assessor(tokens, "a-sw-1"),
            org_admin(tokens, org["id"]),
            officer(tokens),
        ]
        denied = [
            assessor(tokens, "a-doc-2"),
            assessor(tokens, "a-doc-2", region=DISTRICT),  # a region does not open an assigned task
            org_admin(tokens, other["id"]),
            officer(tokens, OTHER_DISTRICT),
        ]
        assert [(await client.get(url, headers=h)).status_code for h in allowed] == [200] * 4
        assert [(await client.get(url, headers=h)).status_code for h in denied] == [404] * 4
        mine = (await client.get("/v1/assessments", headers=assessor(tokens, "a-sw-1"))).json()["items"]
        theirs = (await client.get("/v1/assessments", headers=assessor(tokens, "a-doc-2"))).json()["items"]
        assert ([a["id"] for a in mine], theirs) == ([str(task.id)], [])

    async def test_only_the_two_assigned_assessors_edit_and_sign(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, form
    ) -> None:
        org, ids = await staffed(client, tokens, 1)
        task = await make_task()
        await assign(client, tokens, task.id, org["id"], ids)
        outsider = assessor(tokens, "someone-else", region=DISTRICT)
        draft_url = f"/v1/assessments/{task.id}/draft"
        assert (await client.put(draft_url, json=form, headers=outsider)).status_code == 404
        doc, sw = assessor(tokens, "a-doc-1"), assessor(tokens, "a-sw-1")
        assert (await client.put(draft_url, json=form, headers=doc)).status_code == 200
        sign_url = f"/v1/assessments/{task.id}/signatures"
        assert (await client.post(sign_url, json={"signer": "assessor"}, headers=outsider)).status_code == 404
        for headers, signer in ((doc, "assessor"), (sw, "assessor"), (sw, "information_provider")):
            response = await client.post(sign_url, json={"signer": signer}, headers=headers)
            assert response.status_code == 201, response.text
        assert response.json()["status"] == "completed"
        assert response.json()["assessors"] == ["a-doc-1", "a-sw-1"]

    async def test_a_one_shot_result_must_name_the_assigned_assessors(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
    ) -> None:
        org, ids = await staffed(client, tokens, 1)
        task = await make_task()
        await assign(client, tokens, task.id, org["id"], ids)
        url = f"/v1/assessments/{task.id}/results"
        doc = assessor(tokens, "a-doc-1")
        wrong = await client.post(url, json=result_body(70), headers=doc)
        assert wrong.status_code == 422
        assert wrong.json()["errors"][0]["field"] == "assessors"
        right = await client.post(url, json=result_body(70, assessors=["a-sw-1", "a-doc-1"]), headers=doc)
        assert right.status_code == 201, right.text

    async def test_a_deactivated_assessor_can_no_longer_sign(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, make_task, form
    ) -> None:
        org, ids = await staffed(client, tokens, 1)
        task = await make_task()
        await assign(client, tokens, task.id, org["id"], ids)
        doc = assessor(tokens, "a-doc-1")
        await client.put(f"/v1/assessments/{task.id}/draft", json=form, headers=doc)
        url = f"/v1/assessment-organisations/{org['id']}/assessors/{ids[0]}/deactivations"
        await client.post(url, headers=org_admin(tokens, org["id"]))
        response = await client.post(
            f"/v1/assessments/{task.id}/signatures", json={"signer": "assessor"}, headers=doc
        )
        assert response.status_code == 409
        assert "not active" in response.json()["detail"]

    async def test_unassigned_tasks_can_be_closed_to_region_assessors(  # type: ignore[no-untyped-def]
        self, settings: AssessmentSettings, tokens: Tokens, sessions, make_task
    ) -> None:
        closed = settings.model_copy(update={"unassigned_tasks_open_to_region": False})
        task = await make_task()
        regional = assessor(tokens, "a-any", region=DISTRICT)
        async with api_client(create_app(settings), sessions) as c:
            open_read = await c.get(f"/v1/assessments/{task.id}", headers=regional)
        async with api_client(create_app(closed), sessions) as c:
            closed_read = await c.get(f"/v1/assessments/{task.id}", headers=regional)
            listed = (await c.get("/v1/assessments", headers=regional)).json()["items"]
        assert (open_read.status_code, closed_read.status_code, listed) == (200, 404, [])
