"""The 第七条 conditions of a provider as tracked facts (changsha-2024-purchased-door-to-door-rules.md
第七条; issue #5 registry): a condition missing, not met or expired on the day refuses new work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from eldercare.common.credit_codes import parse_credit_code
from eldercare.common.errors import InvalidInput
from eldercare.dispatch.domain.errors import ProviderConditionsFailed, ProviderSuspended
from eldercare.dispatch.domain.providers import (
    GENERAL_CONDITIONS,
    Caregiver,
    ConditionCode,
    ConditionFact,
    ConditionStatus,
    EmploymentContract,
    Evidence,
    Provider,
    Suspension,
)

DAY = date(2026, 11, 23)
AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def provider(**overrides: Any) -> Provider:
    fields: dict[str, Any] = {
        "name": "芙蓉区颐养服务中心",
        "credit_code": parse_credit_code("521101080000000195"),
        "district_code": "430102",
        "address": "芙蓉区",
        "phone": "073188880000",
        "service_codes": ["CS01", "CS22"],
        "has_food_licence": False,
        "registered_by": "officer",
        **overrides,
    }
    return Provider.register(**fields)


def fact(
    code: ConditionCode, status: ConditionStatus = ConditionStatus.met, valid_until: date | None = None
) -> ConditionFact:
    return ConditionFact(
        code=code,
        status=status,
        valid_until=valid_until,
        evidence=Evidence(document_ref=f"{code.value}-1", recorded_by="officer", recorded_at=AT),
    )


def complete(p: Provider, *, food: bool = False) -> Provider:
    for code in GENERAL_CONDITIONS:
        p.record_condition(fact(code), DAY)
    if food:
        p.record_condition(fact(ConditionCode.food_licence), DAY)
    return p


class TestConditions:
    def test_a_new_provider_with_no_facts_fails_every_general_condition_as_missing(self) -> None:
        failures = provider().condition_failures(DAY)
        assert [(f.code, f.reason) for f in failures] == [(c, "missing") for c in GENERAL_CONDITIONS]
        with pytest.raises(ProviderConditionsFailed) as exc:
            provider().ensure_may_take_new_work(DAY)
        assert "第七条（三）" in exc.value.detail
        assert exc.value.status == 409
        assert {c["code"] for c in exc.value.extra["failed_conditions"]} == {
            c.value for c in GENERAL_CONDITIONS
        }

    def test_every_condition_met_takes_new_work(self) -> None:
        p = complete(provider())
        p.ensure_may_take_new_work(DAY)
        assert p.eligible_for_new_work(DAY)

    def test_a_condition_not_met_refuses_naming_it(self) -> None:
        p = complete(provider())
        p.record_condition(fact(ConditionCode.good_standing, ConditionStatus.not_met), DAY)
        assert [(f.code, f.reason) for f in p.condition_failures(DAY)] == [
            (ConditionCode.good_standing, "not_met")
        ]
        with pytest.raises(ProviderConditionsFailed, match="good_standing"):
            p.ensure_may_take_new_work(DAY)

    def test_a_fact_holds_through_its_last_day_and_fails_the_day_after(self) -> None:
        p = complete(provider())
        p.record_condition(fact(ConditionCode.help_line_24h, valid_until=DAY), DAY)
        assert p.eligible_for_new_work(DAY)
        later = DAY + timedelta(days=1)
        [failure] = p.condition_failures(later)
        assert (failure.code, failure.reason, failure.valid_until) == (
            ConditionCode.help_line_24h,
            "expired",
            DAY,
        )
        assert "expired on 2026-11-23" in failure.describe()
        assert not p.eligible_for_new_work(later)

    def test_a_renewal_replaces_the_expired_fact(self) -> None:
        p = complete(provider())
        p.record_condition(fact(ConditionCode.help_line_24h, valid_until=DAY), DAY)
        p.record_condition(fact(ConditionCode.help_line_24h, valid_until=DAY + timedelta(days=365)), DAY)
        assert p.eligible_for_new_work(DAY + timedelta(days=30))

    def test_a_fact_already_expired_when_recorded_is_refused(self) -> None:
        with pytest.raises(InvalidInput) as exc:
            complete(provider()).record_condition(
                fact(ConditionCode.staffing, valid_until=DAY - timedelta(days=1)), DAY
            )
        assert exc.value.errors == [
            {"field": "valid_until", "message": "is in the past: record the renewed document instead"}
        ]

    def test_the_suspension_is_named_before_the_conditions(self) -> None:
        p = provider()
        p.suspend_from_new_work(
            Suspension(sanction_id=p.id, measures=("blacklist",), basis=(), imposed_at=AT)
        )
        with pytest.raises(ProviderSuspended):
            p.ensure_may_take_new_work(DAY)


class TestFoodLicence:
    """第七条（六）: asked only of work with a meal item (CS01-CS04)."""

    def test_meal_work_needs_the_food_licence_fact_other_work_does_not(self) -> None:
        p = complete(provider())
        p.ensure_may_take_new_work(DAY, ["CS22"])
        with pytest.raises(ProviderConditionsFailed, match="food_licence"):
            p.ensure_may_take_new_work(DAY, ["CS01"])
        assert not p.food_licence_holds(DAY)
        assert p.eligible_for_new_work(DAY)

    def test_the_declared_flag_alone_is_not_evidence_for_a_new_provider(self) -> None:
        p = complete(provider(has_food_licence=True))
        assert not p.food_licence_holds(DAY)
        p.record_condition(fact(ConditionCode.food_licence, valid_until=DAY), DAY)
        assert p.food_licence_holds(DAY)
        assert not p.food_licence_holds(DAY + timedelta(days=1))

    def test_a_provider_without_meal_items_records_no_food_licence(self) -> None:
        with pytest.raises(InvalidInput, match="meal items only"):
            provider(service_codes=["CS22"]).record_condition(fact(ConditionCode.food_licence), DAY)


class TestTransition:
    """Providers registered before the facts were tracked (migration 0020)."""

    def test_missing_facts_do_not_stop_them_but_a_failing_fact_does(self) -> None:
        p = provider()
        p.registered_before_conditions = True
        assert p.eligible_for_new_work(DAY)
        p.record_condition(fact(ConditionCode.registration, valid_until=DAY), DAY)
        assert not p.eligible_for_new_work(DAY + timedelta(days=1))

    def test_their_declared_food_licence_stands_for_a_missing_fact(self) -> None:
        p = provider(has_food_licence=True)
        p.registered_before_conditions = True
        assert p.food_licence_holds(DAY)
        p.has_food_licence = False
        with pytest.raises(ProviderConditionsFailed, match="food_licence"):
            p.ensure_may_take_new_work(DAY, ["CS01"])


class TestDistricts:
    def test_the_registering_district_and_the_contracted_ones_are_served(self) -> None:
        p = provider(contracted_district_codes=["430103", "430102", "430103"])
        assert p.contracted_district_codes == ("430103",)
        assert p.serves_district("430102") and p.serves_district("430103")
        assert not p.serves_district("430104")


class TestCaregiverContract:
    def caregiver(self, contract: EmploymentContract | None) -> Caregiver:
        return Caregiver(
            provider_id=provider().id,
            name="王护理员",
            phone="13900001111",
            qualifications=(),
            health_certificate_valid_until=DAY + timedelta(days=30),
            contract=contract,
        )

    def test_a_caregiver_serves_only_within_the_contract(self) -> None:
        c = self.caregiver(EmploymentContract(DAY, DAY + timedelta(days=9)))
        assert not c.fit_for_duty_on(DAY - timedelta(days=1))
        assert c.fit_for_duty_on(DAY) and c.fit_for_duty_on(DAY + timedelta(days=9))
        assert not c.fit_for_duty_on(DAY + timedelta(days=10))

    def test_no_contract_recorded_is_not_checked(self) -> None:
        assert self.caregiver(None).fit_for_duty_on(DAY)

    def test_a_contract_ending_before_it_starts_is_refused(self) -> None:
        with pytest.raises(InvalidInput):
            EmploymentContract(DAY, DAY - timedelta(days=1))


class TestHoldThrough:
    def test_the_earliest_expiry_of_the_facts_the_work_needs(self) -> None:
        p = complete(provider())
        assert p.conditions_hold_through() is None
        p.record_condition(fact(ConditionCode.staffing, valid_until=DAY + timedelta(days=9)), DAY)
        p.record_condition(fact(ConditionCode.registration, valid_until=DAY + timedelta(days=30)), DAY)
        assert p.conditions_hold_through() == DAY + timedelta(days=9)
        p.record_condition(fact(ConditionCode.food_licence, valid_until=DAY + timedelta(days=3)), DAY)
        assert p.conditions_hold_through(["CS22"]) == DAY + timedelta(days=9)
        assert p.conditions_hold_through(["CS01"]) == DAY + timedelta(days=3)
