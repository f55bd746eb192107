"""The beneficiary (服务对象): a person enrolled under a policy pack with a monthly entitlement.

Status changes (issue #3, the beneficiary register): suspended while hospitalised or away, resumed,
terminated on death, moving out of the city, no longer being eligible on reassessment, or fraud
(wuhai-2017-home-care-measures.md 第三十二条: false material cancels the entitlement). Each change
has a reason and an effective date and is kept in the beneficiary's history; terminated is final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.common.errors import InvalidInput
from eldercare.common.ids import uuid7
from eldercare.intake.domain.errors import StatusChangeNotAllowed
from eldercare.intake.domain.policy import Clause


class BeneficiaryStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    terminated = "terminated"


BENEFICIARY_STATUS_LABELS = {
    BeneficiaryStatus.active: "享受中",
    BeneficiaryStatus.suspended: "暂停",
    BeneficiaryStatus.terminated: "终止",
}


class StatusReason(StrEnum):
    hospitalised = "hospitalised"
    away = "away"
    resumed = "resumed"
    death = "death"
    moved_out = "moved_out"
    no_longer_eligible = "no_longer_eligible"
    fraud = "fraud"


STATUS_REASON_LABELS = {
    StatusReason.hospitalised: "住院",
    StatusReason.away: "外出",
    StatusReason.resumed: "恢复服务",
    StatusReason.death: "死亡",
    StatusReason.moved_out: "迁出本市",
    StatusReason.no_longer_eligible: "经复评不再符合条件",
    StatusReason.fraud: "提供虚假材料",
}

# Which reasons lead to which status, and from which statuses a change to it is allowed.
REASONS_FOR: dict[BeneficiaryStatus, frozenset[StatusReason]] = {
    BeneficiaryStatus.suspended: frozenset({StatusReason.hospitalised, StatusReason.away}),
    BeneficiaryStatus.active: frozenset({StatusReason.resumed}),
    BeneficiaryStatus.terminated: frozenset(
        {StatusReason.death, StatusReason.moved_out, StatusReason.no_longer_eligible, StatusReason.fraud}
    ),
}
ALLOWED_FROM: dict[BeneficiaryStatus, frozenset[BeneficiaryStatus]] = {
    BeneficiaryStatus.suspended: frozenset({BeneficiaryStatus.active}),
    BeneficiaryStatus.active: frozenset({BeneficiaryStatus.suspended}),
    BeneficiaryStatus.terminated: frozenset({BeneficiaryStatus.active, BeneficiaryStatus.suspended}),
}


@dataclass(frozen=True)
class StatusChange:
    """One entry of the history: from, to, why, from when, who and when recorded."""

    from_status: BeneficiaryStatus
    to_status: BeneficiaryStatus
    reason: StatusReason
    effective_on: date
    by: str
    at: datetime
    comment: str | None = None
    # The clauses a change rests on, where the register decided it (a reassessment or a policy
    # re-evaluation that ends eligibility cites the rule no longer met).
    basis: tuple[Clause, ...] = ()


class EntitlementReason(StrEnum):
    reassessment = "reassessment"
    policy_reevaluation = "policy_reevaluation"


@dataclass(frozen=True)
class EntitlementChange:
    """One entry of the entitlement history: what the beneficiary receives from ``effective_on``
    (always the first day of a month, Asia/Shanghai), and why it changed."""

    reason: EntitlementReason
    effective_on: date
    assessment_id: UUID | None
    assessment_level: int
    pack_id: str
    pack_version: str
    monthly_amount_fen: int
    service_categories: tuple[str, ...]
    emergency_help_required: bool
    basis: tuple[Clause, ...]
    by: str
    at: datetime


def first_of_next_month(day: date) -> date:
    """Issue #3: a reassessment or a new pack changes the entitlement "from the next month"."""
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)


def first_of_month_on_or_after(day: date) -> date:
    return day if day.day == 1 else first_of_next_month(day)


@dataclass
class Beneficiary:
    person_id: UUID
    application_id: UUID | None
    district_code: str
    community_code: str
    pack_id: str
    pack_version: str
    assessment_level: int
    monthly_amount_fen: int
    service_categories: tuple[str, ...]
    emergency_help_required: bool
    basis: tuple[Clause, ...]
    effective_on: date
    enrolled_by: str
    enrolled_at: datetime
    status: BeneficiaryStatus = BeneficiaryStatus.active
    history: list[StatusChange] = field(default_factory=list)
    # The GB/T 42195 assessment the current level comes from, and when it was completed (a late,
    # older result never overwrites a newer one).
    assessment_id: UUID | None = None
    assessed_at: datetime | None = None
    entitlement_history: list[EntitlementChange] = field(default_factory=list)
    id: UUID = field(default_factory=uuid7)
    created_at: datetime | None = None
    version: int = 0

    def change_status(
        self,
        to: BeneficiaryStatus,
        reason: StatusReason,
        effective_on: date,
        by: str,
        at: datetime,
        comment: str | None = None,
        basis: tuple[Clause, ...] = (),
    ) -> StatusChange:
        """Suspend, resume or terminate; refuses a transition the register does not allow, a reason
        that does not fit the new status, and a date before enrolment or the previous change."""
        if self.status not in ALLOWED_FROM[to]:
            raise StatusChangeNotAllowed(
                f"a {self.status.value} beneficiary cannot become {to.value}", field="status"
            )
        if reason not in REASONS_FOR[to]:
            allowed = ", ".join(sorted(r.value for r in REASONS_FOR[to]))
            raise InvalidInput(f"{to.value} takes one of: {allowed}", field="reason")
        earliest = self.history[-1].effective_on if self.history else self.effective_on
        if effective_on < earliest:
            raise InvalidInput(f"the change cannot take effect before {earliest}", field="effective_on")
        change = StatusChange(self.status, to, reason, effective_on, by, at, comment, basis)
        self.status = to
        self.history.append(change)
        return change

    def change_entitlement(self, change: EntitlementChange) -> None:
        """Record a new level and entitlement from ``change.effective_on``; the months before keep
        what they had (the history says what applied when). A terminated enrolment is final."""
        if self.status is BeneficiaryStatus.terminated:
            raise StatusChangeNotAllowed(
                "a terminated beneficiary's entitlement cannot change", field="status"
            )
        latest = self.entitlement_history[-1].effective_on if self.entitlement_history else self.effective_on
        if change.effective_on < latest:
            raise InvalidInput(f"the change cannot take effect before {latest}", field="effective_on")
        self.assessment_level = change.assessment_level
        self.pack_id, self.pack_version = change.pack_id, change.pack_version
        self.monthly_amount_fen = change.monthly_amount_fen
        self.service_categories = change.service_categories
        self.emergency_help_required = change.emergency_help_required
        self.basis = change.basis
        if change.assessment_id is not None:
            self.assessment_id = change.assessment_id
        self.entitlement_history.append(change)

    def same_entitlement(self, level: int, amount: int, categories: tuple[str, ...], emergency: bool) -> bool:
        current = (self.assessment_level, self.monthly_amount_fen, self.emergency_help_required)
        return current == (level, amount, emergency) and set(self.service_categories) == set(categories)
