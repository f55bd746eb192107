"""Periods of the follow-up round and its coverage (changsha-2024 第十九条 全覆盖回访)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from eldercare.audit.domain.errors import InvalidPeriod
from eldercare.audit.domain.follow_up import (
    FollowUp,
    FollowUpPeriod,
    FollowUpReason,
    assign_round_robin,
    coverage,
)

AT = datetime(2026, 11, 1, tzinfo=UTC)


class TestPeriod:
    def test_a_quarter_runs_to_the_end_of_its_third_month(self) -> None:
        q = FollowUpPeriod.parse("2026-10", 3)
        assert (q.key, q.first_day, q.last_day) == ("2026-10/3m", date(2026, 10, 1), date(2026, 12, 31))

    def test_a_month_ends_on_its_last_day(self) -> None:
        assert FollowUpPeriod.parse("2028-02", 1).last_day == date(2028, 2, 29)

    def test_a_quarter_cannot_start_in_november(self) -> None:
        with pytest.raises(InvalidPeriod) as e:
            FollowUpPeriod.parse("2026-11", 3)
        assert e.value.field == "period_start"


def test_calls_are_spread_evenly_over_the_staff() -> None:
    ids = [UUID(int=i) for i in range(5)]
    assert assign_round_robin(ids, ["a", "b"]) == {
        ids[0]: "a",
        ids[1]: "b",
        ids[2]: "a",
        ids[3]: "b",
        ids[4]: "a",
    }


def follow_up(*calls: bool) -> FollowUp:
    f = FollowUp(uuid4(), "430102", FollowUpReason.periodic, "k", date(2026, 12, 31), AT)
    for reached in calls:
        f.record_call(
            reached=reached, satisfaction=5 if reached else None, notes=None, by="a", at=AT, max_unreached=3
        )
    return f


def test_coverage_counts_who_was_reached_and_after_how_many_calls() -> None:
    c = coverage(
        [
            follow_up(True),
            follow_up(False, True),
            follow_up(False, False, True),
            follow_up(False, True),
            follow_up(False),
            follow_up(False, False, False),
            follow_up(),
        ]
    )
    assert (c.tasks, c.reached, c.not_reached) == (7, 4, 3)
    assert (c.unreached, c.escalated, c.not_called) == (1, 1, 1)
    assert c.reached_by_attempts == {1: 1, 2: 2, 3: 1}
