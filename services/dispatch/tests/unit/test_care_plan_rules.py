"""The care plan aggregate: Changsha rules 第六条, 第七条（六）, 第十二条 to 第十四条 and 附件2."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from eldercare.common.credit_codes import parse_credit_code
from eldercare.dispatch.domain.beneficiaries import Beneficiary, BeneficiaryStatus
from eldercare.dispatch.domain.care_plans import Agreement, CarePlan, CarePlanStatus, add_months
from eldercare.dispatch.domain.errors import BeneficiaryNotActive, RuleViolations
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.providers import Provider

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def beneficiary(**overrides: Any) -> Beneficiary:
    fields: dict[str, Any] = {
        "id": uuid4(),
        "district_code": "430102",
        "community_code": "430102001001",
        "home_point": Point(28.1941, 112.9761),
        "service_categories": ("daily_living", "welfare_visit", "health_management"),
        "emergency_help_required": False,
        "status": BeneficiaryStatus.active,
        "enrolled_at": NOW,
        "status_changed_at": NOW,
        **overrides,
    }
    return Beneficiary(**fields)


def provider(**overrides: Any) -> Provider:
    fields: dict[str, Any] = {
        "name": "颐养服务中心",
        "credit_code": parse_credit_code("521101080000000195"),
        "district_code": "430102",
        "address": "芙蓉区",
        "phone": "073188880000",
        "service_codes": ["CS01", "CS13", "CS14", "CS15", "CS18", "CS22", "CS25"],
        "has_food_licence": False,
        "registered_by": "officer",
        **overrides,
    }
    p = Provider.register(**fields)
    # These rules are the plan's; the 第七条 facts (tests/unit/test_provider_conditions.py) are left
    # to the transition, where the declared food licence stands for a missing （六） fact.
    p.registered_before_conditions = True
    return p


def activate(
    codes: list[str], *, b: Beneficiary | None = None, p: Provider | None = None, **kw: Any
) -> CarePlan:
    return CarePlan.activate(
        beneficiary=b or beneficiary(),
        provider=p or provider(),
        service_codes=codes,
        frequency_per_month=8,
        agreement=kw.pop("agreement", Agreement(signed_on=TODAY, duration_months=12)),
        today=kw.pop("today", TODAY),
        now=NOW,
        by="admin",
    )


def violations(exc: pytest.ExceptionInfo[RuleViolations]) -> list[tuple[str, str]]:
    return [(e["field"], e["message"]) for e in exc.value.errors or []]


class TestActivatingACarePlan:
    def test_a_plan_within_every_rule_is_active_at_once(self) -> None:
        b = beneficiary()
        plan = activate(["CS25", "CS22", "CS22"], b=b)
        assert plan.status == CarePlanStatus.active
        assert plan.service_codes == ("CS22", "CS25")
        assert (plan.beneficiary_id, plan.district_code, plan.activated_at) == (b.id, "430102", NOW)

    def test_a_provider_of_another_district_cannot_plan(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            activate(["CS22"], p=provider(district_code="430103"))
        assert violations(exc) == [("beneficiary_id", "the provider does not serve district 430102")]

    def test_codes_outside_the_catalog_are_refused(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            activate(["CS22", "CS40"])
        assert violations(exc) == [("service_codes", "not in the service catalog: CS40")]

    def test_codes_the_provider_does_not_offer_are_refused(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            activate(["CS22", "CS24"])
        assert violations(exc) == [("service_codes", "the provider does not offer: CS24")]

    def test_codes_outside_the_entitled_categories_are_refused(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            activate(["CS18", "CS22"])  # basic nursing is not among the entitled categories
        assert violations(exc) == [("service_codes", "outside the beneficiary's entitled categories: CS18")]

    def test_emergency_help_is_mandatory_when_the_entitlement_requires_it(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            activate(["CS22", "CS25"], b=beneficiary(emergency_help_required=True))
        [(field, message)] = violations(exc)
        assert field == "service_codes" and "CS14 or CS15" in message and "第十三条" in message

    @pytest.mark.parametrize("code", ["CS14", "CS15"])
    def test_either_emergency_item_satisfies_article_13(self, code: str) -> None:
        plan = activate(["CS22", code], b=beneficiary(emergency_help_required=True))
        assert code in plan.service_codes

    def test_mandatory_emergency_help_is_entitled_even_without_daily_living_care(self) -> None:
        b = beneficiary(emergency_help_required=True, service_categories=("welfare_visit",))
        assert activate(["CS15", "CS22"], b=b).service_codes == ("CS15", "CS22")

    def test_emergency_help_is_optional_otherwise(self) -> None:
        assert activate(["CS22"]).service_codes == ("CS22",)

    def test_meal_items_need_the_providers_food_licence(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            activate(["CS01"])
        [(field, message)] = violations(exc)
        assert field == "service_codes" and "CS01" in message and "第七条（六）" in message

    def test_a_licensed_provider_may_plan_meals(self) -> None:
        assert activate(["CS01"], p=provider(has_food_licence=True)).service_codes == ("CS01",)

    def test_outings_need_the_familys_consent_in_the_agreement(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            activate(["CS13"])
        assert violations(exc)[0][0] == "agreement.family_consent_obtained"
        consented = Agreement(signed_on=TODAY, duration_months=12, family_consent_obtained=True)
        assert activate(["CS13"], agreement=consented).service_codes == ("CS13",)

    def test_an_agreement_that_has_already_ended_is_refused(self) -> None:
        old = Agreement(signed_on=date(2025, 1, 10), duration_months=6)
        with pytest.raises(RuleViolations) as exc:
            activate(["CS22"], agreement=old)
        assert violations(exc) == [("agreement.duration_months", "the agreement ended on 2025-07-09")]

    def test_every_broken_rule_is_reported_at_once(self) -> None:
        b = beneficiary(emergency_help_required=True)
        with pytest.raises(RuleViolations) as exc:
            activate(["CS01", "CS24"], b=b, p=provider(district_code="430103"))
        fields = [field for field, _ in violations(exc)]
        assert fields == ["beneficiary_id", "service_codes", "service_codes", "service_codes"]

    @pytest.mark.parametrize("status", [BeneficiaryStatus.suspended, BeneficiaryStatus.terminated])
    def test_an_inactive_beneficiary_gets_no_plan(self, status: BeneficiaryStatus) -> None:
        with pytest.raises(BeneficiaryNotActive):
            activate(["CS22"], b=beneficiary(status=status))


class TestAgreement:
    def test_twelve_months_from_the_signing_day_end_the_day_before(self) -> None:
        assert Agreement(signed_on=date(2026, 11, 20), duration_months=12).ends_on == date(2027, 11, 19)

    def test_a_month_from_the_31st_ends_at_the_end_of_a_short_month(self) -> None:
        assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
        assert Agreement(signed_on=date(2027, 1, 31), duration_months=1).ends_on == date(2027, 2, 27)

    def test_months_carry_into_the_next_year(self) -> None:
        assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
