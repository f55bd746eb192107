"""Follow-up calls (回访): the due date and the call rules, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from eldercare.audit.domain.errors import FollowUpClosed, InvalidCall
from eldercare.audit.domain.follow_up import (
    SATISFACTION_LABELS,
    STATUS_LABELS,
    FollowUp,
    FollowUpReason,
    FollowUpStatus,
    due_on,
)

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def follow_up() -> FollowUp:
    return FollowUp(
        beneficiary_id=uuid4(),
        district_code="430102",
        reason=FollowUpReason.enrolment,
        trigger_key="enrolment:2026-12-01",
        due_on=date(2026, 11, 30),
        opened_at=AT,
    )


def call(f: FollowUp, reached: bool, satisfaction: int | None = None, max_unreached: int = 3) -> None:
    f.record_call(
        reached=reached,
        satisfaction=satisfaction,
        notes=None,
        by="auditor-1",
        at=AT,
        max_unreached=max_unreached,
    )


class TestDueOn:
    @pytest.mark.parametrize(
        ("enrolled", "due"),
        [
            (date(2026, 11, 20), date(2026, 11, 30)),
            (date(2026, 12, 1), date(2026, 12, 31)),
            (date(2028, 2, 3), date(2028, 2, 29)),
            (date(2027, 2, 28), date(2027, 2, 28)),
        ],
    )
    def test_without_a_setting_the_call_is_due_at_the_end_of_the_enrolment_month(
        self, enrolled: date, due: date
    ) -> None:
        assert due_on(enrolled, None) == due

    def test_the_setting_fixes_a_number_of_days_after_enrolment(self) -> None:
        assert due_on(date(2026, 11, 20), 15) == date(2026, 12, 5)

    def test_zero_days_means_due_on_the_enrolment_day(self) -> None:
        assert due_on(date(2026, 11, 20), 0) == date(2026, 11, 20)


class TestRecordCall:
    def test_a_new_follow_up_is_open_with_no_attempts(self) -> None:
        f = follow_up()
        assert (f.status, f.attempts, f.satisfaction) == (FollowUpStatus.open, 0, None)

    def test_reaching_the_beneficiary_completes_it_with_the_satisfaction_score(self) -> None:
        f = follow_up()
        call(f, reached=True, satisfaction=4)
        assert (f.status, f.attempts, f.satisfaction) == (FollowUpStatus.completed, 1, 4)
        assert f.calls[0].called_by == "auditor-1"

    def test_an_unanswered_call_leaves_it_unreached_and_counts_the_attempt(self) -> None:
        f = follow_up()
        call(f, reached=False)
        assert (f.status, f.attempts) == (FollowUpStatus.unreached, 1)

    def test_the_third_unanswered_call_escalates_it(self) -> None:
        f = follow_up()
        call(f, reached=False)
        call(f, reached=False)
        assert f.status is FollowUpStatus.unreached
        call(f, reached=False)
        assert (f.status, f.attempts) == (FollowUpStatus.escalated, 3)

    def test_the_escalation_threshold_is_a_parameter(self) -> None:
        f = follow_up()
        call(f, reached=False, max_unreached=1)
        assert f.status is FollowUpStatus.escalated

    def test_reached_after_misses_completes_it(self) -> None:
        f = follow_up()
        call(f, reached=False)
        call(f, reached=True, satisfaction=5)
        assert (f.status, f.attempts, f.satisfaction) == (FollowUpStatus.completed, 2, 5)

    @pytest.mark.parametrize("closing", [True, False])
    def test_a_closed_follow_up_takes_no_more_calls(self, closing: bool) -> None:
        f = follow_up()
        if closing:
            call(f, reached=True, satisfaction=3)
        else:
            for _ in range(3):
                call(f, reached=False)
        with pytest.raises(FollowUpClosed):
            call(f, reached=True, satisfaction=3)
        assert f.attempts == (1 if closing else 3)

    def test_a_reached_call_needs_a_satisfaction_score(self) -> None:
        f = follow_up()
        with pytest.raises(InvalidCall) as raised:
            call(f, reached=True)
        assert raised.value.field == "satisfaction"
        assert f.attempts == 0

    def test_an_unanswered_call_cannot_carry_a_satisfaction_score(self) -> None:
        f = follow_up()
        with pytest.raises(InvalidCall):
            call(f, reached=False, satisfaction=2)
        assert f.status is FollowUpStatus.open


def test_every_status_and_score_has_a_chinese_label() -> None:
    assert set(STATUS_LABELS) == set(FollowUpStatus)
    assert sorted(SATISFACTION_LABELS) == [1, 2, 3, 4, 5]
