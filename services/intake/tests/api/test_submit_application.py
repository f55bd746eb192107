"""POST /v1/applications: the community worker submits the 附件1 form (Changsha 第十一条)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from eldercare.common.id_numbers import make_id_number
from eldercare.intake.adapters.models import ApplicationRow, PersonRow
from eldercare.intake.adapters.orm import MESSAGING

COMMUNITY = "430102001001"


async def count(sessions, table: Any) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(table)) or 0)


def assert_problem(response: Any, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


class TestSubmitApplication:
    async def test_a_community_worker_submits_an_application_and_gets_it_masked(self, flow) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1)
        response = await flow.submit(body)
        assert response.status_code == 201, response.text
        app = response.json()
        number = body["applicant"]["id_number"]
        assert app["id"] and app["status"] == "submitted"
        assert (app["policy"], app["district_code"], app["community_code"]) == (
            "changsha",
            "430102",
            COMMUNITY,
        )
        assert app["applicant"]["id_number"] == f"430{'*' * 11}{number[-4:]}"
        assert app["applicant"]["phone"] == "138****0001"
        assert app["applicant"]["address"] != body["applicant"]["address"]
        assert app["applicant"]["name"] == body["applicant"]["name"]
        assert app["circumstances"] == ["subsistence_allowance"] and app["circumstance_labels"] == ["低保"]
        assert (app["assessment"], app["decision"], app["beneficiary_id"]) == (None, None, None)
        assert [(s["action"], s["by"]) for s in app["steps"]] == [
            ("submitted", f"community_worker-{COMMUNITY}")
        ]
        assert app["version"] == 1 and app["created_at"]

    async def test_submission_publishes_application_submitted(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.submitted(1)
        async with sessions() as s:
            [row] = (await s.execute(select(MESSAGING.outbox))).all()
        payload = json.loads(row.payload)
        assert (row.topic, row.key) == ("intake.application", app["id"])
        assert payload["application_id"] == app["id"]
        assert (payload["district_code"], payload["community_code"]) == ("430102", COMMUNITY)
        assert payload["circumstances"] == ["subsistence_allowance"]

    async def test_a_legacy_15_digit_number_is_stored_as_18(self, flow) -> None:  # type: ignore[no-untyped-def]
        applicant = flow.applicant(1, born=date(1949, 12, 31), sex="female", id_number="110105491231002")
        response = await flow.submit(flow.body(1, applicant=applicant))
        assert response.status_code == 201, response.text
        assert response.json()["applicant"]["id_number"] == "110***********002X"

    async def test_an_agent_is_accepted_and_masked(self, flow) -> None:  # type: ignore[no-untyped-def]
        agent = {
            "name": "李四",
            "relation": "儿子",
            "phone": "13900001111",
            "id_number": "11010519491231002X",
        }
        response = await flow.submit(flow.body(1, agent=agent))
        assert response.status_code == 201, response.text
        assert response.json()["agent"] == {
            **agent,
            "phone": "139****1111",
            "id_number": "110***********002X",
        }

    async def test_duplicate_circumstances_are_kept_once(self, flow) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1, circumstances=["near_subsistence", "near_subsistence", "living_alone"])
        assert (await flow.submit(body)).json()["circumstances"] == ["near_subsistence", "living_alone"]


class TestDuplicates:
    async def test_a_second_application_for_the_same_person_is_a_conflict(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        await flow.submitted(1)
        again = await flow.submit(flow.body(1, circumstances=["model_worker_city"]))
        assert again.status_code == 409, again.text
        assert await count(sessions, ApplicationRow) == 1

    async def test_the_same_person_may_apply_again_after_a_return_and_is_not_duplicated(
        self, flow, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        first = await flow.submitted(1)
        assert (await flow.review(first["id"], "return")).status_code == 201
        again = await flow.submit(flow.body(1, applicant=flow.applicant(1, phone="13900009999")))
        assert again.status_code == 201, again.text
        assert again.json()["applicant"]["person_id"] == first["applicant"]["person_id"]
        assert again.json()["applicant"]["phone"] == "139****9999"
        assert await count(sessions, PersonRow) == 1

    async def test_an_enrolled_person_cannot_apply_again(self, flow) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=1)
        assert (await flow.decide(app["id"])).status_code == 201
        assert (await flow.submit(flow.body(1))).status_code == 409


class TestSubmissionTenancy:
    async def test_no_token_is_401(self, client, flow) -> None:  # type: ignore[no-untyped-def]
        response = await client.post("/v1/applications", json=flow.body(1))
        assert response.status_code == 401

    @pytest.mark.parametrize(
        ("role", "claims"),
        [
            ("street_officer", {"region": "430102001"}),
            ("district_officer", {"region": "430102"}),
            (
                "caregiver",
                {
                    "provider_id": "01900000-0000-7000-8000-000000000001",
                    "caregiver_id": "01900000-0000-7000-8000-000000000002",
                },
            ),
            ("assessor", {"region": "430102"}),
        ],
    )
    async def test_only_a_community_worker_may_submit(
        self, client, tokens, flow, role: str, claims: dict[str, str]
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            "/v1/applications", json=flow.body(1), headers=tokens.headers(role, **claims)
        )
        assert response.status_code == 403

    async def test_a_worker_cannot_submit_for_another_community(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        response = await flow.submit(flow.body(1), region="430102001002")
        assert_problem(response, 403, "applicant.community_code")
        assert await count(sessions, ApplicationRow) == 0


class TestSubmissionValidation:
    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"id_number": "110101190001010015"}, "applicant.id_number"),  # wrong check digit
            (
                {"id_number": make_id_number("430102", date(1950, 1, 1), 123)[:10] + "0230123X"},
                "applicant.id_number",
            ),
            ({"id_number": "43010219500101123"}, "applicant.id_number"),  # 17 characters
            ({"id_number": "4301021950010112345"}, "applicant.id_number"),  # 19 characters
            ({"sex": "female"}, "applicant.sex"),
            ({"birth_date": "1944-03-09"}, "applicant.birth_date"),
            ({"birth_date": "1944-02-30"}, "applicant.birth_date"),
            ({"name": "张" * 51}, "applicant.name"),
            ({"name": "   "}, "applicant.name"),
            ({"phone": "12345"}, "applicant.phone"),
            ({"address": "路" * 201}, "applicant.address"),
            ({"hukou_region": "43010"}, "applicant.hukou_region"),
            ({"community_code": "4301020010"}, "applicant.community_code"),
            ({"home_point": {"lat": 95, "lon": 112.97}}, "applicant.home_point.lat"),
            ({"sex": "m"}, "applicant.sex"),
            ({"nickname": "老张"}, "applicant.nickname"),
        ],
        ids=[
            "wrong-check-digit",
            "impossible-date-in-number",
            "too-short",
            "too-long",
            "sex-mismatch",
            "birth-mismatch",
            "impossible-birth-date",
            "name-over-50",
            "blank-name",
            "bad-phone",
            "address-over-200",
            "hukou-5-digits",
            "community-10-digits",
            "latitude-out-of-range",
            "unknown-sex",
            "unknown-field",
        ],
    )
    async def test_bad_applicant_data_is_a_422_naming_the_field(
        self, flow, sessions, changes: dict[str, Any], field: str
    ) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1)
        body["applicant"].update(changes)
        assert_problem(await flow.submit(body), 422, field)
        assert await count(sessions, ApplicationRow) == 0

    async def test_a_community_code_that_does_not_start_with_a_district_is_refused(self, flow) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1, applicant=flow.applicant(1, community_code="430100001001"))
        assert_problem(await flow.submit(body, region="4301"), 422, "applicant.community_code")

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"circumstances": ["subsistence_allowance", "rich"]}, "circumstances.1"),
            ({"circumstances": ["rich"]}, "circumstances.0"),
            ({"circumstances": ["living_alone"] * 21}, "circumstances"),
            ({"declaration_accepted": False}, "declaration_accepted"),
            ({"declaration_accepted": "yes"}, "declaration_accepted"),
            ({"guardian": "neighbour"}, "guardian"),
            ({"policy": "Changsha!"}, "policy"),
            ({"policy": "shenzhen"}, "policy"),
            ({"external_ref": "x" * 65}, "external_ref"),
            (
                {
                    "agent": {
                        "name": "李四",
                        "relation": "儿子",
                        "phone": "13900001111",
                        "id_number": "110101190001010015",
                    }
                },
                "agent.id_number",
            ),
            ({"agent": {"name": "李四"}}, "agent.relation"),
            ({"extra": 1}, "extra"),
        ],
    )
    async def test_bad_application_data_is_a_422_naming_the_field(
        self, flow, changes: dict[str, Any], field: str
    ) -> None:  # type: ignore[no-untyped-def]
        assert_problem(await flow.submit(flow.body(1, **changes)), 422, field)

    async def test_a_missing_applicant_is_named(self, flow) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1)
        del body["applicant"]
        assert_problem(await flow.submit(body), 422, "applicant")

    async def test_malformed_json_is_a_422_not_a_500(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        headers = {**tokens.headers("community_worker", region=COMMUNITY), "content-type": "application/json"}
        response = await client.post("/v1/applications", content=b'{"policy": ', headers=headers)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"


class TestIdempotentSubmission:
    async def test_a_replay_with_the_same_key_returns_the_same_application_and_writes_nothing(
        self, flow, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        body = flow.body(1)
        first = await flow.submit(body, **{"Idempotency-Key": "submit-0001"})
        replay = await flow.submit(body, **{"Idempotency-Key": "submit-0001"})
        assert (first.status_code, replay.status_code) == (201, 201)
        assert replay.json() == first.json()
        assert replay.headers["idempotent-replayed"] == "true"
        assert await count(sessions, ApplicationRow) == 1
        assert await count(sessions, MESSAGING.outbox) == 1

    async def test_the_same_key_with_another_body_is_refused(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        await flow.submit(flow.body(1), **{"Idempotency-Key": "submit-0002"})
        other = await flow.submit(flow.body(2), **{"Idempotency-Key": "submit-0002"})
        assert_problem(other, 422, "header.Idempotency-Key")
        assert await count(sessions, ApplicationRow) == 1


async def test_the_policy_may_be_named_by_the_citys_gbt_2260_code(flow) -> None:  # type: ignore[no-untyped-def]
    assert (await flow.submitted(1, policy="430100"))["policy"] == "changsha"
