"""Complaint rules: deadline by severity (a setting), handling states, escalation and the rolling
365-day decertification count (wuhai-2017 第三十一条)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from eldercare.audit.domain.complaint import (
    Complainant,
    ComplainantRelation,
    Complaint,
    ComplaintCategory,
    ComplaintSeverity,
    ComplaintSource,
    ComplaintStatus,
    ComplaintSubject,
    complaint_record,
    handling_deadline,
)
from eldercare.audit.domain.errors import ComplaintClosed, ComplaintSettingMissing, InvalidComplaint

T0 = datetime(2026, 1, 10, 8, 0, tzinfo=UTC)


def complaint(received_at: datetime = T0, caregiver=None, substantiated: bool | None = None) -> Complaint:  # type: ignore[no-untyped-def]
    c = Complaint(
        district_code="430102",
        source=ComplaintSource.hotline,
        category=ComplaintCategory.caregiver_conduct,
        severity=ComplaintSeverity.high,
        subject=ComplaintSubject(caregiver_id=caregiver or uuid4()),
        complainant=Complainant(ComplainantRelation.family, "张三", "13800001234"),
        description="服务人员态度恶劣",
        received_by="auditor-1",
        received_at=received_at,
        due_at=received_at + timedelta(days=3),
    )
    if substantiated is not None:
        c.record_outcome(substantiated=substantiated, summary="查实", reply="已处理", at=received_at)
    return c


class TestDeadline:
    def test_the_deadline_is_the_days_set_for_the_severity(self) -> None:
        due = handling_deadline(T0, ComplaintSeverity.urgent, {ComplaintSeverity.urgent: 1})
        assert due == T0 + timedelta(days=1)

    def test_a_severity_without_a_setting_is_refused_naming_the_setting(self) -> None:
        with pytest.raises(ComplaintSettingMissing, match="AUDIT_COMPLAINT_HANDLING_DAYS") as err:
            handling_deadline(T0, ComplaintSeverity.low, {ComplaintSeverity.urgent: 1})
        assert err.value.field == "severity"


class TestHandling:
    def test_a_complaint_must_name_a_subject(self) -> None:
        with pytest.raises(InvalidComplaint):
            ComplaintSubject()

    def test_assignment_then_a_note_moves_it_to_investigating(self) -> None:
        c = complaint()
        c.assign("officer-2")
        assert (c.status, c.assignee) == (ComplaintStatus.assigned, "officer-2")
        c.add_note("电话核实", by="officer-2", at=T0)
        assert c.status is ComplaintStatus.investigating and len(c.notes) == 1

    def test_an_outcome_closes_it_and_a_closed_complaint_takes_nothing_more(self) -> None:
        c = complaint(substantiated=True)
        assert c.status is ComplaintStatus.closed and c.substantiated is True
        with pytest.raises(ComplaintClosed):
            c.add_note("late", by="x", at=T0)
        with pytest.raises(ComplaintClosed):
            c.record_outcome(substantiated=False, summary="s", reply="r", at=T0)

    def test_only_an_open_complaint_past_its_deadline_is_escalated_and_only_once(self) -> None:
        c = complaint()
        assert not c.escalate(T0 + timedelta(days=3))  # exactly at the deadline: not yet overdue
        later = T0 + timedelta(days=3, seconds=1)
        assert c.escalate(later) and c.escalated_at == later
        assert not c.escalate(later + timedelta(days=1))
        closed = complaint(substantiated=False)
        assert not closed.escalate(later)


class TestDecertificationRecord:
    def test_three_substantiated_within_365_days_reach_the_threshold(self) -> None:
        cg = uuid4()
        found = [complaint(T0 + timedelta(days=d), cg, True) for d in (0, 100, 364)]
        record = complaint_record(cg, found, T0 + timedelta(days=364))
        assert record.count == 3 and record.reaches_threshold
        assert record.oldest_drops_out_at == T0 + timedelta(days=365)

    def test_a_complaint_received_365_days_ago_no_longer_counts(self) -> None:
        cg = uuid4()
        found = [complaint(T0 + timedelta(days=d), cg, True) for d in (0, 100, 365)]
        record = complaint_record(cg, found, T0 + timedelta(days=365))
        assert record.count == 2 and not record.reaches_threshold
        assert record.oldest_drops_out_at == T0 + timedelta(days=465)

    def test_unsubstantiated_and_other_caregivers_complaints_do_not_count(self) -> None:
        cg = uuid4()
        found = [complaint(T0, cg, True), complaint(T0, cg, False), complaint(T0, uuid4(), True)]
        assert complaint_record(cg, found, T0).count == 1
