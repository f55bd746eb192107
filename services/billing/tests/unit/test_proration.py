"""A month's entitlement when the person was entitled for part of it: prorated by days (the default
policy setting) or not at all; nothing rolls over."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from eldercare.billing.domain.entitlements import (
    BeneficiaryStatus,
    Proration,
    StatusChange,
    entitled_days,
    first_active_day,
    month_entitlement_fen,
)

pytestmark = pytest.mark.unit

A, S, T = BeneficiaryStatus.active, BeneficiaryStatus.suspended, BeneficiaryStatus.terminated
AT = datetime(2026, 1, 1, tzinfo=UTC)


def change(status: BeneficiaryStatus, day: date) -> StatusChange:
    return StatusChange(status, day, AT)


ENROLLED_JANUARY = [change(A, date(2026, 1, 1))]


class TestEntitledDays:
    def test_a_whole_month_counts_every_day(self) -> None:
        assert entitled_days(ENROLLED_JANUARY, "2026-03") == 31
        assert entitled_days(ENROLLED_JANUARY, "2026-02") == 28

    def test_an_enrolment_part_way_counts_from_its_effective_day(self) -> None:
        assert entitled_days([change(A, date(2026, 3, 11))], "2026-03") == 21

    def test_a_suspension_and_resumption_leave_out_the_suspended_days(self) -> None:
        changes = [*ENROLLED_JANUARY, change(S, date(2026, 3, 11)), change(A, date(2026, 3, 21))]
        assert entitled_days(changes, "2026-03") == 10 + 11

    def test_a_termination_ends_the_entitled_days(self) -> None:
        assert entitled_days([*ENROLLED_JANUARY, change(T, date(2026, 3, 16))], "2026-03") == 15


class TestMonthEntitlement:
    def test_by_days_prorates_the_monthly_amount_over_the_days_of_the_month(self) -> None:
        assert (
            month_entitlement_fen(31000, [change(A, date(2026, 3, 11))], "2026-03", Proration.by_days)
            == 21000
        )

    def test_by_days_rounds_half_up_to_the_fen(self) -> None:
        # 10,000 x 15 / 31 = 4,838.709... -> 4,839; 100 x 14 / 28 = 50 exactly.
        terminated = [*ENROLLED_JANUARY, change(T, date(2026, 3, 16))]
        assert month_entitlement_fen(10000, terminated, "2026-03", Proration.by_days) == 4839
        assert (
            month_entitlement_fen(
                100, [*ENROLLED_JANUARY, change(T, date(2026, 2, 15))], "2026-02", Proration.by_days
            )
            == 50
        )

    def test_a_whole_month_gets_the_whole_amount(self) -> None:
        assert month_entitlement_fen(20000, ENROLLED_JANUARY, "2026-03", Proration.by_days) == 20000

    def test_without_proration_a_part_month_gets_the_whole_amount(self) -> None:
        assert (
            month_entitlement_fen(31000, [change(A, date(2026, 3, 11))], "2026-03", Proration.none) == 31000
        )


class TestFirstActiveDay:
    def test_an_enrolment_part_way_is_active_from_its_day(self) -> None:
        assert first_active_day([change(A, date(2026, 3, 16))], "2026-03") == date(2026, 3, 16)

    def test_a_month_entitled_throughout_is_active_from_its_first_day(self) -> None:
        assert first_active_day(ENROLLED_JANUARY, "2026-03") == date(2026, 3, 1)

    def test_a_resumption_after_a_suspension_is_where_the_month_becomes_active(self) -> None:
        history = [*ENROLLED_JANUARY, change(S, date(2026, 2, 20)), change(A, date(2026, 3, 5))]
        assert first_active_day(history, "2026-03") == date(2026, 3, 5)

    def test_a_month_never_active_falls_back_to_its_first_day(self) -> None:
        assert first_active_day([*ENROLLED_JANUARY, change(T, date(2026, 2, 1))], "2026-03") == date(
            2026, 3, 1
        )
