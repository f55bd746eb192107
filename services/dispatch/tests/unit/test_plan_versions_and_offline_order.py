"""Care plan versions, the end of a plan and the intimate-care sex rule (domain), and the device
order of the caregiver app's calls (domain/offline.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from eldercare.dispatch.domain.care_plans import Agreement, CarePlanStatus
from eldercare.dispatch.domain.catalog import CATALOG, INTIMATE_CODES
from eldercare.dispatch.domain.errors import CarePlanNotActive, RuleViolations
from eldercare.dispatch.domain.offline import CaregiverAction, clock_skew, timeline
from eldercare.dispatch.domain.providers import Sex

from .test_care_plan_rules import NOW, TODAY, activate, beneficiary, provider


def change(plan, codes, *, signed_on=TODAY, sex=None):  # type: ignore[no-untyped-def]
    plan.change(
        beneficiary=beneficiary(),
        provider=provider(service_codes=["CS05", "CS14", "CS15", "CS22", "CS25"]),
        service_codes=codes,
        frequency_per_month=4,
        agreement=Agreement(signed_on=signed_on, duration_months=6),
        preferred_caregiver_sex=sex,
        today=TODAY,
        now=NOW + timedelta(hours=1),
        by="admin",
    )


class TestVersions:
    def test_a_change_is_the_next_version_with_its_agreement(self) -> None:
        plan = activate(["CS22", "CS25"])
        change(plan, ["CS22", "CS05"], sex=Sex.female)
        assert (plan.version, plan.service_codes, plan.agreement.duration_months) == (2, ("CS05", "CS22"), 6)
        assert plan.changed_by == "admin" and plan.changed_at == NOW + timedelta(hours=1)
        assert plan.required_sex("CS05") == Sex.female and plan.required_sex("CS22") is None

    def test_an_agreement_signed_before_the_current_one_is_refused_and_nothing_changes(self) -> None:
        plan = activate(["CS22"])
        with pytest.raises(RuleViolations) as e:
            change(plan, ["CS25"], signed_on=TODAY - timedelta(days=1))
        assert [x["field"] for x in e.value.errors or []] == ["agreement.signed_on"]
        assert (plan.version, plan.service_codes) == (1, ("CS22",))

    def test_a_sex_preference_without_intimate_care_is_refused(self) -> None:
        plan = activate(["CS22"])
        with pytest.raises(RuleViolations) as e:
            change(plan, ["CS22"], sex=Sex.male)
        assert [x["field"] for x in e.value.errors or []] == ["preferred_caregiver_sex"]

    def test_an_ended_plan_neither_changes_nor_ends_again(self) -> None:
        plan = activate(["CS22"])
        plan.end(reason="moved away", now=NOW, by="officer")
        assert (plan.status, plan.is_active, plan.end_reason) == (CarePlanStatus.ended, False, "moved away")
        with pytest.raises(CarePlanNotActive):
            change(plan, ["CS22"])
        with pytest.raises(CarePlanNotActive):
            plan.end(reason="again", now=NOW, by="officer")


def test_intimate_care_is_bathing_personal_hygiene_and_toileting_only() -> None:
    assert {"CS05", "CS06", "CS07", "CS08", "CS09", "CS10", "CS18"} == INTIMATE_CODES
    assert {CATALOG[c].group for c in INTIMATE_CODES} <= {
        CATALOG["CS05"].group,
        CATALOG["CS06"].group,
        CATALOG["CS18"].group,
    }


T = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def action(
    kind: str, acted_min: float, received_min: float, sent_min: float | None = None
) -> CaregiverAction:
    device = T + timedelta(minutes=acted_min)
    received = T + timedelta(minutes=received_min)
    sent = None if sent_min is None else T + timedelta(minutes=sent_min)
    return CaregiverAction(
        uuid4(), uuid4(), uuid4(), kind, device, received, clock_skew(device, sent, received), sent
    )


class TestOfflineOrder:
    def test_the_clock_error_is_the_sent_time_against_the_arrival(self) -> None:
        waited = action("check_in", 0, 40, sent_min=40)  # queued 40 min, clock right
        assert waited.clock_skew_seconds == 0 and waited.acted_at == T and waited.queued_seconds == 2400
        fast = action("check_in", 10, 0, sent_min=10)  # clock 10 min ahead, sent at once
        assert fast.clock_skew_seconds == 600 and fast.acted_at == T and fast.queued_seconds == 0
        blind = action("check_in", 0, 40)  # no sent time: the wait reads as clock error
        assert blind.clock_skew_seconds == -2400 and blind.acted_at == T

    def test_calls_are_ordered_by_when_they_were_made_and_late_ones_marked(self) -> None:
        check_in = action("check_in", 30, 31, sent_min=31)
        accept = action("acceptance", 0, 35, sent_min=35)
        trip = action("trip", 10, 35.5, sent_min=35.5)
        entries = timeline([check_in, trip, accept])
        assert [(e.action.kind, e.out_of_order) for e in entries] == [
            ("acceptance", True),
            ("trip", True),
            ("check_in", False),
        ]

    def test_a_call_without_device_time_takes_its_arrival(self) -> None:
        a = CaregiverAction(uuid4(), uuid4(), uuid4(), "trip", None, T, None)
        assert a.acted_at == T and a.queued_seconds == 0
