"""POST /v1/eligibility-checks: the Changsha pack answered for a described person, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from eldercare.common.clock import local_date, utcnow
from eldercare.common.testing.plugin import api_client
from eldercare.intake.api.eligibility import EXAMPLES
from eldercare.intake.main import create_app

URL = "/v1/eligibility-checks"


def check(**overrides: Any) -> dict[str, Any]:
    return {
        "policy": "changsha",
        "as_of": "2026-11-23",
        "person": {
            "birth_date": "1944-03-08",
            "hukou_region": "430102",
            "residence_region": "430102",
            "lives_at_hukou": True,
        },
        "circumstances": ["subsistence_allowance"],
        "assessment_level": 1,
        "receives_extreme_poverty_care": False,
        "receiving_since": None,
        **overrides,
    }


@pytest.fixture
def headers(tokens) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("city_platform"))


class TestEligibilityCheck:
    async def test_an_eligible_person_gets_the_entitlement_and_its_basis(self, client, headers) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json=check(), headers=headers)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert answer["eligible"] is True and answer["unmet"] == []
        assert answer["policy"]["pack_id"] == "changsha-2024" and answer["policy"]["version"] == "2024.1"
        [entitlement] = answer["entitlements"]
        assert entitlement["monthly_amount_fen"] == 30000 and entitlement["missing_settings"] == []
        assert ("第五条", "（一）") in [(c["article"], c["item"]) for c in answer["basis"]]

    async def test_level_0_is_not_eligible_and_lists_the_items_of_article_5(self, client, headers) -> None:  # type: ignore[no-untyped-def]
        answer = (await client.post(URL, json=check(assessment_level=0), headers=headers)).json()
        assert answer["eligible"] is False and answer["entitlements"] == []
        assert [u["basis"]["item"] for u in answer["unmet"]] == ["（一）", "（二）", "（三）", "（四）"]

    @pytest.mark.parametrize(("birth_date", "eligible"), [("1926-11-23", True), ("1926-11-24", False)])
    async def test_a_centenarian_qualifies_from_the_100th_birthday(
        self, client, headers, birth_date: str, eligible: bool
    ) -> None:  # type: ignore[no-untyped-def]
        person = {"birth_date": birth_date, "hukou_region": "430102", "residence_region": "430102"}
        body = check(person=person, circumstances=[], assessment_level=None)
        assert (await client.post(URL, json=body, headers=headers)).json()["eligible"] is eligible

    @pytest.mark.parametrize(
        ("since", "eligible"), [(None, False), ("2024-07-31", True), ("2024-08-01", False)]
    )
    async def test_article_21_excludes_care_recipients_unless_receiving_both_before_august_2024(
        self, client, headers, since: str | None, eligible: bool
    ) -> None:  # type: ignore[no-untyped-def]
        body = check(
            circumstances=["extreme_poverty_at_home"],
            receives_extreme_poverty_care=True,
            receiving_since=since,
        )
        assert (await client.post(URL, json=body, headers=headers)).json()["eligible"] is eligible

    async def test_an_unset_amount_is_null_and_named_in_a_check(self, settings, sessions, headers) -> None:  # type: ignore[no-untyped-def]
        async with api_client(
            create_app(settings.model_copy(update={"policy_settings": {}})), sessions
        ) as client:
            answer = (await client.post(URL, json=check(), headers=headers)).json()
        [entitlement] = answer["entitlements"]
        assert entitlement["monthly_amount_fen"] is None
        assert entitlement["missing_settings"] == ["policy_settings.changsha-2024.monthly_service_amount_fen"]

    async def test_the_date_defaults_to_today_in_shanghai(self, client, headers) -> None:  # type: ignore[no-untyped-def]
        answer = (await client.post(URL, json=check(as_of=None), headers=headers)).json()
        assert answer["as_of"] == local_date(utcnow()).isoformat()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"policy": "shenzhen"}, "policy"),
            ({"policy": "440300"}, "policy"),
            ({"as_of": "2024-07-31"}, "as_of"),
            ({"assessment_level": 5}, "assessment_level"),
            ({"assessment_level": "1"}, "assessment_level"),
            ({"circumstances": ["rich"]}, "circumstances.0"),
            (
                {
                    "person": {
                        "birth_date": "1944-03-08",
                        "hukou_region": "4301",
                        "residence_region": "430102",
                    }
                },
                "person.hukou_region",
            ),
            (
                {
                    "person": {
                        "birth_date": "2030-01-01",
                        "hukou_region": "430102",
                        "residence_region": "430102",
                    }
                },
                "person.birth_date",
            ),
            ({"person": {"hukou_region": "430102", "residence_region": "430102"}}, "person.birth_date"),
            ({"extra": True}, "extra"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(
        self, client, headers, changes: dict[str, Any], field: str
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json=check(**changes), headers=headers)
        assert response.status_code == 422, response.text
        assert field in [e["field"] for e in response.json()["errors"]]

    @pytest.mark.parametrize(
        ("role", "claims"),
        [
            ("community_worker", {"region": "430102001001"}),
            ("district_officer", {"region": "430102"}),
            ("auditor", {"region": "4301"}),
        ],
    )
    async def test_government_roles_may_check(
        self, client, tokens, role: str, claims: dict[str, str]
    ) -> None:  # type: ignore[no-untyped-def]
        assert (
            await client.post(URL, json=check(), headers=tokens.headers(role, **claims))
        ).status_code == 200

    @pytest.mark.parametrize(
        ("role", "claims"),
        [
            ("caregiver", {"provider_id": "01900000-0000-7000-8000-000000000001"}),
            ("assessor", {"region": "430102"}),
        ],
    )
    async def test_other_roles_are_403(self, client, tokens, role: str, claims: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        assert (
            await client.post(URL, json=check(), headers=tokens.headers(role, **claims))
        ).status_code == 403

    async def test_no_token_is_401(self, client) -> None:  # type: ignore[no-untyped-def]
        assert (await client.post(URL, json=check())).status_code == 401


def city_check(policy: str, region: str, **overrides: Any) -> dict[str, Any]:
    person = {
        "birth_date": "1941-11-23",
        "hukou_region": region,
        "residence_region": region + "001001",
        "lives_at_hukou": True,
    }
    return check(policy=policy, person=person, **overrides)


class TestEveryCity:
    @pytest.mark.parametrize(
        ("policy", "region", "circumstances", "level", "pack_id", "article", "item"),
        [
            ("changsha", "430102", ["subsistence_allowance"], 1, "changsha-2024", "第五条", "（一）"),
            ("430300", "430302", ["economically_disadvantaged"], 0, "xiangtan-2025", "第八条", "（三）"),
            ("huzhou", "330502", ["economically_disadvantaged"], 2, "huzhou-2022", "第二十条", "（一）"),
            ("360100", "360102", ["lost_only_child"], 0, "nanchang-2019", "第二十条", "（二）"),
            ("wuhai", "150302", ["three_min"], 0, "wuhai-2017", "第八条", None),
        ],
    )
    async def test_each_city_answers_by_key_or_code_citing_its_own_seed(  # type: ignore[no-untyped-def]
        self, client, headers, policy, region, circumstances, level, pack_id, article, item
    ) -> None:
        body = city_check(policy, region, circumstances=circumstances, assessment_level=level)
        answer = (await client.post(URL, json=body, headers=headers)).json()
        assert answer["eligible"] is True, answer["unmet"]
        assert answer["policy"]["pack_id"] == pack_id
        assert (article, item) in [(c["article"], c["item"]) for c in answer["basis"]]
        assert answer["entitlements"][0]["kind"] == "purchased_home_care"

    async def test_unset_amounts_of_another_city_are_null_and_named(self, client, headers) -> None:  # type: ignore[no-untyped-def]
        body = city_check("wuhai", "150302", circumstances=["three_min"], assessment_level=None)
        [entitlement] = (await client.post(URL, json=body, headers=headers)).json()["entitlements"]
        assert entitlement["monthly_amount_fen"] is None
        assert entitlement["missing_settings"] == ["policy_settings.wuhai-2017.monthly_service_subsidy_fen"]

    async def test_other_benefits_are_listed_with_their_clause_when_not_eligible(
        self, client, headers
    ) -> None:  # type: ignore[no-untyped-def]
        body = city_check("nanchang", "360102", circumstances=[], assessment_level=0)
        answer = (await client.post(URL, json=body, headers=headers)).json()
        assert answer["eligible"] is False
        kinds = {e["kind"]: e for e in answer["entitlements"]}
        assert set(kinds) == {
            "health_check",
            "accident_insurance",
            "old_age_allowance",
            "free_home_care_hours",
        }
        assert kinds["free_home_care_hours"]["monthly_hours_min"] == 2
        assert (
            kinds["old_age_allowance"]["basis"][0]["article"],
            kinds["old_age_allowance"]["basis"][0]["item"],
        ) == (
            "第二十条",
            "（七）",
        )

    async def test_registration_outside_the_city_is_explained(self, client, headers) -> None:  # type: ignore[no-untyped-def]
        body = city_check("xiangtan", "430302", circumstances=["economically_disadvantaged"])
        body["person"]["hukou_region"] = "430102"
        answer = (await client.post(URL, json=body, headers=headers)).json()
        assert answer["eligible"] is False and answer["entitlements"] == []
        assert [u["rule"] for u in answer["unmet"]] == ["xiangtan_hukou"]

    @pytest.mark.parametrize(("since", "eligible"), [("2024-07-31", True), ("2024-08-01", False)])
    async def test_changsha_keeps_those_served_under_the_2019_policy(  # type: ignore[no-untyped-def]
        self, client, headers, since: str, eligible: bool
    ) -> None:
        body = check(circumstances=[], assessment_level=0, earlier_service_since=since)
        assert (await client.post(URL, json=body, headers=headers)).json()["eligible"] is eligible


@pytest.mark.parametrize("name", sorted(EXAMPLES))
async def test_every_openapi_example_is_a_person_the_pack_finds_eligible(client, headers, name: str) -> None:  # type: ignore[no-untyped-def]
    answer = (await client.post(URL, json=EXAMPLES[name]["value"], headers=headers)).json()
    assert answer["eligible"] is True, answer["unmet"]


async def test_the_openapi_page_carries_the_examples(client) -> None:  # type: ignore[no-untyped-def]
    spec = (await client.get("/openapi.json")).json()
    body = spec["paths"]["/v1/eligibility-checks"]["post"]["requestBody"]["content"]["application/json"]
    assert set(body["examples"]) == set(EXAMPLES)
