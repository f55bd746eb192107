"""The emergency call's steps and its response times."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from eldercare.dispatch.application.emergencies import responsible_plan
from eldercare.dispatch.domain.emergencies import (
    Candidate,
    Emergency,
    EmergencyStateConflict,
    EmergencyStatus,
    nearest_first,
)
from eldercare.dispatch.domain.geo import Point

from .test_visit_lifecycle import T0, plan


def emergency() -> Emergency:
    return Emergency(
        beneficiary_id=uuid4(),
        provider_id=uuid4(),
        care_plan_id=uuid4(),
        district_code="430102",
        community_code="430102001001",
        kind="fall",
        source="device",
        raised_by="line",
        raised_at=T0,
    )


class TestEmergency:
    def test_steps_record_their_instants_and_response_times(self) -> None:
        e = emergency()
        e.acknowledge(by="line", now=T0 + timedelta(seconds=40))
        e.arrive(by="cg", caregiver_id=None, now=T0 + timedelta(minutes=12))
        e.resolve(by="cg", outcome="hospitalised", now=T0 + timedelta(hours=1))
        assert e.status == EmergencyStatus.resolved
        assert (e.seconds_to(e.acknowledged_at), e.seconds_to(e.responded_at)) == (40, 720)

    def test_arriving_implies_the_call_was_taken(self) -> None:
        e = emergency()
        e.arrive(by="cg", caregiver_id=None, now=T0 + timedelta(minutes=5))
        assert e.acknowledged_at == T0 + timedelta(minutes=5)

    def test_a_resolved_call_takes_no_more_steps(self) -> None:
        e = emergency()
        e.resolve(by="x", outcome="false_alarm", now=T0)
        with pytest.raises(EmergencyStateConflict):
            e.acknowledge(by="x", now=T0)
        with pytest.raises(EmergencyStateConflict):
            e.resolve(by="x", outcome="false_alarm", now=T0)

    def test_overdue_against_the_response_setting(self) -> None:
        e = emergency()
        assert e.is_overdue(T0 + timedelta(minutes=31), 30) and not e.is_overdue(
            T0 + timedelta(minutes=29), 30
        )
        assert e.response_due_at(None) is None


class TestResponsibleProvider:
    def test_the_plan_with_emergency_help_answers_else_the_oldest(self) -> None:
        without = plan(service_codes=("CS22",))
        with_help = plan(service_codes=("CS14", "CS22"))
        assert responsible_plan([without, with_help]) is with_help
        assert responsible_plan([without]) is without
        assert responsible_plan([]) is None


class TestEscalation:
    def test_callers_are_asked_nearest_first_and_in_turn_then_the_line(self) -> None:
        home = Point(28.1941, 112.9761)
        a, b, c, d = uuid4(), uuid4(), uuid4(), uuid4()
        order = nearest_first(
            [
                Candidate(a, Point(28.2100, 112.9900), True),
                Candidate(b, Point(28.1950, 112.9770), True),
                Candidate(c, Point(28.1942, 112.9761), False),  # busy
                Candidate(d, None, True),  # position unknown
            ],
            home,
        )
        assert order == [b, a]
        e = emergency()
        assert e.escalate(order, now=T0) == b
        assert e.escalate(order, now=T0 + timedelta(minutes=5)) == a
        assert e.escalate(order, now=T0 + timedelta(minutes=10)) is None
        assert (e.notified_caregiver_ids, e.escalated_to_line_at) == ((b, a), T0 + timedelta(minutes=10))
