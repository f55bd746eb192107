"""Sanctions on the aggregates: a decertified caregiver (wuhai-2017-home-care-measures.md 第三十一条),
a provider suspended from new work (changsha-2024-purchased-door-to-door-rules.md 第十八条) and the
visits a decertified caregiver leaves behind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from eldercare.common.credit_codes import parse_credit_code
from eldercare.dispatch.domain.errors import ProviderSuspended, RuleViolations
from eldercare.dispatch.domain.providers import Decertification, Provider, Suspension
from eldercare.dispatch.domain.visits import VisitStatus

from .test_visit_lifecycle import HOME, T0, caregiver, check_location, schedule

DECERTIFICATION = Decertification(basis="wuhai-2017-home-care-measures.md 第三十一条", decertified_at=T0)


def provider() -> Provider:
    return Provider.register(
        name="芙蓉区颐养服务中心",
        credit_code=parse_credit_code("521101080000000195"),
        district_code="430102",
        address="芙蓉区",
        phone="073188880000",
        service_codes=["CS22"],
        has_food_licence=False,
        registered_by="officer",
    )


def suspension(*measures: str) -> Suspension:
    return Suspension(sanction_id=uuid4(), measures=measures, basis=("第十八条",), imposed_at=T0)


class TestDecertification:
    def test_a_second_decertification_changes_nothing(self) -> None:
        c = caregiver()
        assert c.decertify(DECERTIFICATION) is True
        later = Decertification(basis="again", decertified_at=T0 + timedelta(days=1))
        assert c.decertify(later) is False
        assert c.decertification == DECERTIFICATION

    def test_a_decertified_caregiver_cannot_be_booked_citing_the_article(self) -> None:
        c = caregiver()
        c.decertify(DECERTIFICATION)
        with pytest.raises(RuleViolations) as exc:
            schedule(c=c)
        assert [e["field"] for e in exc.value.errors] == ["caregiver_id"]
        assert "wuhai-2017-home-care-measures.md 第三十一条" in exc.value.detail


class TestProviderSuspension:
    def test_a_suspended_provider_refuses_new_work_naming_the_sanction(self) -> None:
        p = provider()
        p.registered_before_conditions = True  # the 第七条 facts: test_provider_conditions.py
        p.ensure_may_take_new_work(T0.date())
        s = suspension("end_contract")
        assert p.suspend_from_new_work(s) is True
        with pytest.raises(ProviderSuspended) as exc:
            p.ensure_may_take_new_work(T0.date())
        assert str(s.sanction_id) in exc.value.detail

    def test_the_first_sanction_stays_on_record(self) -> None:
        p = provider()
        first = suspension("end_contract")
        p.suspend_from_new_work(first)
        assert p.suspend_from_new_work(suspension("blacklist")) is False
        assert p.suspension == first


class TestUnassigning:
    def test_a_booked_visit_loses_its_caregiver_and_keeps_its_slot_as_window(self) -> None:
        v = schedule()
        slot = (v.scheduled_start_at, v.scheduled_end_at)
        assert v.unassign(by="dispatch:decertification") is True
        assert v.is_unassigned
        assert (v.window_start_at, v.window_end_at) == slot

    def test_a_started_visit_keeps_its_caregiver(self) -> None:
        v = schedule()
        v.start(location=check_location(HOME, 10, HOME, 200), now=datetime(2026, 11, 23, 1, 5, tzinfo=UTC))
        assert v.unassign(by="dispatch:decertification") is False
        assert v.status == VisitStatus.in_progress and v.caregiver_id is not None
