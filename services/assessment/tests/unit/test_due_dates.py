"""The reassessment due date: the same day N months earlier, clamped to the month's end."""

from __future__ import annotations

from datetime import date

import pytest

from eldercare.assessment.application.queries import months_before


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 11, 20), 6, date(2026, 5, 20)),
        (date(2026, 8, 31), 6, date(2026, 2, 28)),
        (date(2028, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 3, 15), 12, date(2025, 3, 15)),
        (date(2026, 1, 10), 1, date(2025, 12, 10)),
    ],
)
def test_months_before(day: date, months: int, expected: date) -> None:
    assert months_before(day, months) == expected


@pytest.mark.parametrize("months", [1, 6, 12, 24])
def test_assessed_by_for_due_is_the_exact_inverse_of_months_after(months: int) -> None:
    """For every report date d and day H: months_after(d) <= H exactly when d <= assessed_by_for_due(H)."""
    from datetime import timedelta

    from eldercare.assessment.application.queries import assessed_by_for_due, months_after

    start = date(2027, 1, 1)
    for offset in range(0, 800, 1):
        due_by = start + timedelta(days=offset)
        bound = assessed_by_for_due(due_by, months)
        assert months_after(bound, months) <= due_by
        assert months_after(bound + timedelta(days=1), months) > due_by
