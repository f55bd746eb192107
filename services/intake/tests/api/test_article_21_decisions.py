"""长沙 第二十一条 in real decisions: the exclusion, its exception for those receiving both since
before 2024-08-01, and those served under the 2019 policy, from the dates on the application."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eldercare.common.clock import local_date, utcnow

CARE = ["extreme_poverty_at_home", "receives_extreme_poverty_care"]


class TestArticle21Decisions:
    @pytest.mark.parametrize(
        ("since", "approved"), [(None, False), ("2024-07-31", True), ("2024-08-01", False)]
    )
    async def test_a_recipient_of_extreme_poverty_care_is_approved_only_if_receiving_both_before_august_2024(  # type: ignore[no-untyped-def]
        self, flow, since: str | None, approved: bool
    ) -> None:
        app = await flow.assessed(1, level=2, circumstances=CARE, receiving_since=since)
        assert app["receiving_since"] == since
        response = await flow.decide(app["id"])
        assert (response.status_code == 201) is approved, response.text
        if not approved:
            assert [u["rule"] for u in response.json()["unmet"]] == ["art21-extreme-poverty-care"]

    @pytest.mark.parametrize(("since", "approved"), [("2019-06-01", True), ("2024-08-01", False)])
    async def test_a_person_served_under_the_2019_policy_keeps_the_service_without_article_5(  # type: ignore[no-untyped-def]
        self, flow, since: str, approved: bool
    ) -> None:
        app = await flow.assessed(1, level=0, circumstances=[], earlier_service_since=since)
        response = await flow.decide(app["id"])
        assert (response.status_code == 201) is approved, response.text
        if approved:
            basis = [(c["article"], c["item"]) for c in response.json()["decision"]["basis"]]
            assert ("第二十一条", "第二款") in basis

    @pytest.mark.parametrize("field", ["receiving_since", "earlier_service_since"])
    async def test_a_date_in_the_future_is_422_naming_the_field(self, flow, field: str) -> None:  # type: ignore[no-untyped-def]
        tomorrow = (local_date(utcnow()) + timedelta(days=1)).isoformat()
        response = await flow.submit(flow.body(1, **{field: tomorrow}))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field
