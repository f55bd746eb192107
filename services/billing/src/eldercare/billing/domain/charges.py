"""Charges (服务计费): one per completed visit, posted against the month's account, held, or left
unpriced for an operator to see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.billing.domain.accounts import Account, Settlement, Split
from eldercare.billing.domain.entitlements import BeneficiaryStatus
from eldercare.billing.domain.errors import ChargeNotPending
from eldercare.billing.domain.pricing import PriceItem, Unit
from eldercare.common.clock import local_date, month_of
from eldercare.common.ids import uuid7


class ChargeStatus(StrEnum):
    awaiting_entitlement = "awaiting_entitlement"
    posted = "posted"
    held = "held"
    unpriced = "unpriced"
    reversed = "reversed"


CHARGE_STATUS_LABELS: dict[ChargeStatus, str] = {
    ChargeStatus.reversed: "已冲销",
    ChargeStatus.awaiting_entitlement: "待确认待遇",
    ChargeStatus.posted: "已记账",
    ChargeStatus.held: "暂缓计费",
    ChargeStatus.unpriced: "未定价",
}


class ChargeReason(StrEnum):
    unknown_beneficiary = "unknown_beneficiary"
    unverified = "unverified"
    not_yet_entitled = "not_yet_entitled"
    beneficiary_suspended = "beneficiary_suspended"
    beneficiary_terminated = "beneficiary_terminated"
    no_price_list = "no_price_list"
    service_not_priced = "service_not_priced"
    provider_sanctioned = "provider_sanctioned"
    visit_cancelled = "visit_cancelled"
    visit_missed = "visit_missed"
    visit_voided = "visit_voided"
    verification_rejected = "verification_rejected"


REASON_LABELS: dict[ChargeReason, str] = {
    ChargeReason.visit_cancelled: "服务已取消",
    ChargeReason.visit_missed: "服务未到岗（缺勤）",
    ChargeReason.visit_voided: "服务记录经复核作废",
    ChargeReason.verification_rejected: "服务核验复核未通过",
    ChargeReason.unknown_beneficiary: "尚未收到服务对象的待遇信息",
    ChargeReason.unverified: "服务未通过核验",
    ChargeReason.not_yet_entitled: "服务日期早于待遇生效日期",
    ChargeReason.beneficiary_suspended: "服务对象待遇已暂停",
    ChargeReason.beneficiary_terminated: "服务对象待遇已终止",
    ChargeReason.no_price_list: "该地区服务日期无适用价格表",
    ChargeReason.service_not_priced: "适用价格表未列该服务项目",
    ChargeReason.provider_sanctioned: "服务机构已被终止合同或列入失信名单",
}


@dataclass(frozen=True)
class VisitFacts:
    """What billing needs of a completed visit (dispatch's VisitCompleted)."""

    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str
    service_code: str
    checked_in_at: datetime
    duration_minutes: int
    verified: bool
    verification_notes: tuple[str, ...] = ()
    care_plan_id: UUID | None = None
    caregiver_id: UUID | None = None
    checked_out_at: datetime | None = None


def eligibility_hold(verified: bool, status: BeneficiaryStatus | None) -> ChargeReason | None:
    """Why a visit may not be charged to public funds, or ``None`` when it may."""
    if not verified:
        # Only services recorded and verified in the bureau's system are paid
        # (changsha-2024-purchased-door-to-door-rules.md 第十七条).
        return ChargeReason.unverified
    if status is None:
        return ChargeReason.not_yet_entitled
    if status is BeneficiaryStatus.suspended:
        return ChargeReason.beneficiary_suspended
    if status is BeneficiaryStatus.terminated:
        return ChargeReason.beneficiary_terminated
    return None


CANCELLING_REASONS = frozenset(
    {
        ChargeReason.visit_cancelled,
        ChargeReason.visit_missed,
        ChargeReason.visit_voided,
        ChargeReason.verification_rejected,
    }
)
CANCEL_KIND_REASONS: dict[str, ChargeReason] = {
    "cancelled": ChargeReason.visit_cancelled,
    "missed": ChargeReason.visit_missed,
    "voided": ChargeReason.visit_voided,
    "rejected": ChargeReason.verification_rejected,
}


@dataclass
class Charge:
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str
    service_code: str
    visit_on: date
    period: str
    duration_minutes: int
    verified: bool
    status: ChargeStatus = ChargeStatus.awaiting_entitlement
    reason: ChargeReason | None = ChargeReason.unknown_beneficiary
    notes: tuple[str, ...] = ()
    price_list_id: UUID | None = None
    unit: Unit | None = None
    unit_price_fen: int | None = None
    amount_fen: int | None = None
    covered_fen: int | None = None
    beneficiary_pays_fen: int | None = None
    posted_at: datetime | None = None
    care_plan_id: UUID | None = None
    caregiver_id: UUID | None = None
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None
    reversed_at: datetime | None = None
    outcome_note: str | None = None
    id: UUID = field(default_factory=uuid7)

    @classmethod
    def for_visit(cls, visit: VisitFacts) -> Charge:
        """A charge waiting for its decision; the visit's day and month are Asia/Shanghai ones."""
        return cls(
            visit_id=visit.visit_id,
            beneficiary_id=visit.beneficiary_id,
            provider_id=visit.provider_id,
            district_code=visit.district_code,
            service_code=visit.service_code,
            visit_on=local_date(visit.checked_in_at),
            period=month_of(visit.checked_in_at),
            duration_minutes=visit.duration_minutes,
            verified=visit.verified,
            notes=visit.verification_notes,
            care_plan_id=visit.care_plan_id,
            caregiver_id=visit.caregiver_id,
            checked_in_at=visit.checked_in_at,
            checked_out_at=visit.checked_out_at,
        )

    def hold_reason(self, status_on_visit_day: BeneficiaryStatus | None) -> ChargeReason | None:
        return eligibility_hold(self.verified, status_on_visit_day)

    @property
    def decided(self) -> bool:
        return self.status is not ChargeStatus.awaiting_entitlement

    def hold(self, reason: ChargeReason) -> None:
        """Nothing is owed: no amount, no account or settlement effect."""
        self._decide(ChargeStatus.held, reason)

    def leave_unpriced(self, reason: ChargeReason) -> None:
        """No applicable price: visible to operators, no account or settlement effect."""
        self._decide(ChargeStatus.unpriced, reason)

    def post(
        self, price_list_id: UUID, item: PriceItem, account: Account, settlement: Settlement, now: datetime
    ) -> Split:
        """Price the visit, charge the month's account and add the covered part to the provider's
        settlement."""
        self._decide(ChargeStatus.posted, None)
        split = account.charge(item.amount_fen(self.duration_minutes))
        settlement.add(split)
        self.price_list_id = price_list_id
        self.unit = item.unit
        self.unit_price_fen = item.unit_price_fen
        self.amount_fen = split.amount_fen
        self.covered_fen = split.covered_fen
        self.beneficiary_pays_fen = split.beneficiary_pays_fen
        self.posted_at = now
        return split

    def cancel(
        self,
        reason: ChargeReason,
        note: str,
        at: datetime,
        account: Account | None,
        settlement: Settlement | None,
    ) -> bool:
        """The visit was cancelled, missed or voided (VisitCancelled), or its review rejected it. A
        posted charge is reversed (amounts kept, given back to the account and the settlement) and
        ``True`` returned; any other charge is simply held with the reason. Idempotent."""
        if self.status is ChargeStatus.reversed:
            return False
        if self.status is ChargeStatus.posted:
            assert account is not None and settlement is not None
            split = Split(self.amount_fen or 0, self.covered_fen or 0, self.beneficiary_pays_fen or 0)
            account.release(split)
            settlement.remove(split)
            self.status = ChargeStatus.reversed
            self.reason = reason
            self.reversed_at = at
            self.outcome_note = note
            return True
        if self.reason not in CANCELLING_REASONS:
            self.status = ChargeStatus.held
            self.reason = reason
            self.outcome_note = note
        return False

    def accept_verification(self, note: str | None) -> bool:
        """Review accepted a visit held as unverified: it is billable as recorded, so it goes back
        to be decided (``True``); any other charge is left as it is."""
        if self.status is not ChargeStatus.held or self.reason is not ChargeReason.unverified:
            return False
        self.verified = True
        self.status = ChargeStatus.awaiting_entitlement
        self.reason = ChargeReason.unknown_beneficiary
        self.outcome_note = note
        return True

    def reopen_unpriced(self) -> bool:
        """A price list was entered for the region: an unpriced charge goes back to be decided
        (``True``); any other charge is left as it is."""
        if self.status is not ChargeStatus.unpriced:
            return False
        self.status = ChargeStatus.awaiting_entitlement
        self.reason = ChargeReason.unknown_beneficiary
        return True

    def _decide(self, status: ChargeStatus, reason: ChargeReason | None) -> None:
        if self.decided:
            raise ChargeNotPending(f"the charge of visit {self.visit_id} is already {self.status.value}")
        self.status = status
        self.reason = reason
