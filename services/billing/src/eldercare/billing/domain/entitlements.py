"""Entitlements (服务待遇): billing's projection of intake's beneficiary register.

Billing keeps the monthly amount and the dated status history, so that a visit is charged under
the beneficiary's status on the day of the visit, whatever order the events arrived in.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID


class BeneficiaryStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    terminated = "terminated"


STATUS_LABELS: dict[BeneficiaryStatus, str] = {
    BeneficiaryStatus.active: "享受中",
    BeneficiaryStatus.suspended: "暂停",
    BeneficiaryStatus.terminated: "终止",
}


@dataclass(frozen=True)
class StatusChange:
    """One dated status: an enrolment counts as ``active`` from its ``effective_on``."""

    status: BeneficiaryStatus
    effective_on: date
    occurred_at: datetime
    reason: str | None = None


def status_on(changes: list[StatusChange], day: date) -> BeneficiaryStatus | None:
    """The status in force on ``day``: the latest change effective by then (on the same day, the
    one that happened last); ``None`` before the first enrolment took effect."""
    in_force = [c for c in changes if c.effective_on <= day]
    if not in_force:
        return None
    return max(in_force, key=lambda c: (c.effective_on, c.occurred_at)).status


class Proration(StrEnum):
    """How a month's entitlement is set when the person was entitled for part of it only (enrolled,
    suspended, resumed or terminated part-way). Issue #6 makes this a policy setting with ``by_days``
    as the default; the seeds say nothing about part months."""

    by_days = "by_days"
    none = "none"


def days_of(period: str) -> list[date]:
    year, month = map(int, period.split("-"))
    first = date(year, month, 1)
    return [first + timedelta(days=n) for n in range(calendar.monthrange(year, month)[1])]


def entitled_days(changes: list[StatusChange], period: str) -> int:
    """The days of the month on which the status in force was ``active``."""
    return sum(1 for day in days_of(period) if status_on(changes, day) is BeneficiaryStatus.active)


def first_active_day(changes: list[StatusChange], period: str) -> date:
    """The month's first day on which the status in force is ``active`` (its first day when none
    is: an account then opens on a visit the policy still pays)."""
    days = days_of(period)
    return next((day for day in days if status_on(changes, day) is BeneficiaryStatus.active), days[0])


def month_entitlement_fen(monthly_fen: int, changes: list[StatusChange], period: str, rule: Proration) -> int:
    """The month's entitlement: the monthly amount, or under ``by_days`` the monthly amount times the
    entitled days over the days of the month, rounded half-up to the fen (the one rounding rule of
    billing, pricing.half_up_div). Nothing carries over from one month to the next."""
    if rule is Proration.none:
        return monthly_fen
    days = days_of(period)
    numerator = monthly_fen * entitled_days(changes, period)
    return (2 * numerator + len(days)) // (2 * len(days))


@dataclass(frozen=True)
class Provenance:
    """Where an entitlement comes from (BeneficiaryEnrolled): the decision's application, the
    assessment level, the policy pack and version, and the clauses the entitlement rests on."""

    application_id: UUID | None
    assessment_level: int
    policy_pack_id: str
    policy_version: str
    basis: tuple[dict[str, str | None], ...] = ()
    # The assessment result behind the level (BeneficiaryEnrolled / BeneficiaryEntitlementChanged
    # carry it since this round; older enrolments have none).
    assessment_id: UUID | None = None


@dataclass(frozen=True)
class AmountChange:
    """A new monthly entitlement from ``effective_on`` (the first day of a month, Asia/Shanghai):
    intake's BeneficiaryEntitlementChanged after a reassessment, a policy re-evaluation or a
    correction. Accounts of that month and later use it; earlier months are untouched."""

    effective_on: date
    changed_at: datetime
    reason: str
    monthly_amount_fen: int | None
    provenance: Provenance


@dataclass
class Entitlement:
    """服务对象的月度补贴: the monthly amount a beneficiary may use, and the status history."""

    beneficiary_id: UUID
    district_code: str
    monthly_amount_fen: int | None
    effective_on: date
    enrolled_at: datetime
    history: list[StatusChange] = field(default_factory=list)
    provenance: Provenance | None = None
    amounts: list[AmountChange] = field(default_factory=list)

    def change_for(self, period: str) -> AmountChange | None:
        """The entitlement change in force for a month: the latest one effective in or before it
        (on the same date, the one made last); ``None`` means the enrolment's amount."""
        in_force = [a for a in self.amounts if a.effective_on.strftime("%Y-%m") <= period]
        return max(in_force, key=lambda a: (a.effective_on, a.changed_at), default=None)

    def monthly_fen_for(self, period: str) -> int:
        change = self.change_for(period)
        if change is None:
            return self.monthly_fen
        return change.monthly_amount_fen or 0

    def provenance_for(self, period: str) -> Provenance | None:
        change = self.change_for(period)
        return change.provenance if change else self.provenance

    @property
    def monthly_fen(self) -> int:
        # An entitlement granted in minutes only (MonthlyEntitlement.monthly_minutes) covers no
        # money: every fen of such a visit is the beneficiary's (nanchang-2019-home-care-regulation.md
        # 第十条: paid services are borne by the older person or the family).
        return self.monthly_amount_fen or 0

    @property
    def status(self) -> BeneficiaryStatus:
        """The latest known status (future-dated changes included)."""
        latest = max(self.history, key=lambda c: (c.effective_on, c.occurred_at), default=None)
        return latest.status if latest else BeneficiaryStatus.active

    def status_on(self, day: date) -> BeneficiaryStatus | None:
        return status_on(self.history, day)

    def month_fen(self, period: str, rule: Proration) -> int:
        """The entitlement of a month under the status history known now."""
        return month_entitlement_fen(self.monthly_fen_for(period), self.history, period, rule)

    def enrol(
        self,
        district_code: str,
        monthly_amount_fen: int | None,
        effective_on: date,
        at: datetime,
        provenance: Provenance | None = None,
    ) -> None:
        """A (re-)enrolment: the new amount applies to accounts opened from now on."""
        self.provenance = provenance or self.provenance
        self.district_code = district_code
        self.monthly_amount_fen = monthly_amount_fen
        self.effective_on = effective_on
        self.enrolled_at = at
        self.history.append(StatusChange(BeneficiaryStatus.active, effective_on, at, "enrolled"))

    def change_status(self, change: StatusChange) -> None:
        """暂停 / 恢复 / 终止: a dated change; charges look up the status on the visit's day."""
        self.history.append(change)
