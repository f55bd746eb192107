"""The beneficiary's status on a day, from dated changes that may arrive in any order."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from eldercare.billing.domain.entitlements import BeneficiaryStatus, Entitlement, StatusChange, status_on

pytestmark = pytest.mark.unit

A = BeneficiaryStatus.active
S = BeneficiaryStatus.suspended
T = BeneficiaryStatus.terminated


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 2, day, hour, tzinfo=UTC)


class TestStatusOn:
    def test_nothing_is_in_force_before_the_first_change(self) -> None:
        assert status_on([StatusChange(A, date(2026, 3, 1), at(1))], date(2026, 2, 28)) is None

    def test_the_latest_change_effective_by_the_day_is_in_force(self) -> None:
        changes = [
            StatusChange(A, date(2026, 1, 1), at(1)),
            StatusChange(S, date(2026, 3, 1), at(2)),
            StatusChange(A, date(2026, 4, 1), at(3)),
        ]
        assert [status_on(changes, date(2026, m, 15)) for m in (1, 2, 3, 4)] == [A, A, S, A]

    def test_the_order_of_arrival_does_not_matter(self) -> None:
        changes = [StatusChange(S, date(2026, 3, 1), at(2)), StatusChange(A, date(2026, 1, 1), at(1))]
        assert status_on(changes, date(2026, 3, 10)) is S

    def test_on_the_same_effective_day_the_change_made_last_wins(self) -> None:
        changes = [StatusChange(T, date(2026, 3, 1), at(5)), StatusChange(A, date(2026, 3, 1), at(4))]
        assert status_on(changes, date(2026, 3, 1)) is T


class TestEntitlement:
    def entitlement(self, monthly_amount_fen: int | None = 20000) -> Entitlement:
        e = Entitlement(uuid4(), "430102", monthly_amount_fen, date(2026, 1, 1), at(1))
        e.enrol("430102", monthly_amount_fen, date(2026, 1, 1), at(1))
        return e

    def test_an_enrolment_is_active_from_its_effective_date(self) -> None:
        e = self.entitlement()
        assert (e.status_on(date(2025, 12, 31)), e.status_on(date(2026, 1, 1))) == (None, A)

    def test_the_status_is_the_latest_known_change(self) -> None:
        e = self.entitlement()
        e.change_status(StatusChange(S, date(2026, 5, 1), at(3)))
        assert e.status is S

    def test_a_re_enrolment_after_termination_is_active_again(self) -> None:
        e = self.entitlement()
        e.change_status(StatusChange(T, date(2026, 2, 1), at(2)))
        e.enrol("430103", 30000, date(2026, 6, 1), at(20))
        assert (e.status_on(date(2026, 3, 1)), e.status_on(date(2026, 6, 1))) == (T, A)
        assert (e.district_code, e.monthly_fen) == ("430103", 30000)

    def test_an_entitlement_without_money_covers_zero_fen(self) -> None:
        assert self.entitlement(None).monthly_fen == 0
