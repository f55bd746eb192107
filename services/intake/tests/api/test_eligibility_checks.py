"""POST /v1/eligibility-checks: the Changsha pack answered for a described person, nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from eldercare.common.clock import local_date, utcnow
from eldercare.common.testing.plugin import api_client
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
            ({"policy": "wuhai"}, "policy"),
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
