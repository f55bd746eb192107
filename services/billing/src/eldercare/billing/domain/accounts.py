"""Monthly entitlement accounts (月度补贴账户) and provider settlements (结算单)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eldercare.billing.domain.errors import SettlementNotOpen
from eldercare.common.ids import uuid7


@dataclass(frozen=True)
class Split:
    """How one charge is paid: ``covered_fen`` from the entitlement, the rest by the beneficiary."""

    amount_fen: int
    covered_fen: int
    beneficiary_pays_fen: int


class CloseReason(StrEnum):
    """Why a month's account was closed (AccountClosed)."""

    month_ended = "month_ended"
    terminated = "terminated"


@dataclass
class Account:
    """One beneficiary's entitlement for one month ('YYYY-MM', Asia/Shanghai), opened on the first
    charge with the monthly amount in force then."""

    beneficiary_id: UUID
    period: str
    district_code: str
    entitlement_fen: int
    used_fen: int = 0
    beneficiary_pays_fen: int = 0
    charge_count: int = 0
    id: UUID = field(default_factory=uuid7)
    closed_at: datetime | None = None
    close_reason: CloseReason | None = None

    @property
    def remaining_fen(self) -> int:
        return self.entitlement_fen - self.used_fen

    @property
    def lapsed_fen(self) -> int:
        """What the month leaves unused. It lapses: no seed carries a month's entitlement over to
        the next (the standards are stated per person per month, nanchang-2019-home-care-regulation.md
        第二十条（二）（八）, huzhou-2022-home-care-regulation.md 第二十条（二）), and issue #6 says
        unused entitlement does not roll over unless the policy says so."""
        return max(self.entitlement_fen - self.used_fen, 0)

    def charge(self, amount_fen: int) -> Split:
        """Cover what the month's entitlement still allows; the beneficiary pays the rest
        (nanchang-2019-home-care-regulation.md 第十条; wuhai-2017-home-care-measures.md 第九条:
        services beyond the government-purchased ones are paid by the older person's family)."""
        if amount_fen < 0:
            raise ValueError("a charge cannot be negative")
        covered = min(amount_fen, self.remaining_fen)
        pays = amount_fen - covered
        self.used_fen += covered
        self.beneficiary_pays_fen += pays
        self.charge_count += 1
        return Split(amount_fen, covered, pays)

    def release(self, split: Split) -> None:
        """A reversed charge gives its covered part back to the month (a later charge may use it);
        charges already split are not re-split."""
        self.used_fen -= split.covered_fen
        self.beneficiary_pays_fen -= split.beneficiary_pays_fen
        self.charge_count -= 1


class SettlementStatus(StrEnum):
    open = "open"


SETTLEMENT_STATUS_LABELS: dict[SettlementStatus, str] = {SettlementStatus.open: "本月累计中"}


@dataclass
class Settlement:
    """What the district bureau owes one provider for one month: the covered part of every posted
    charge. Per district too, because the district bureau of the beneficiary's residence is the one
    that buys the service (changsha-2024-purchased-door-to-door-rules.md 第六条)."""

    provider_id: UUID
    district_code: str
    period: str
    status: SettlementStatus = SettlementStatus.open
    total_fen: int = 0
    gross_fen: int = 0
    beneficiary_pays_fen: int = 0
    charge_count: int = 0
    id: UUID = field(default_factory=uuid7)

    def add(self, split: Split) -> None:
        if self.status is not SettlementStatus.open:
            raise SettlementNotOpen(f"the settlement of {self.period} is {self.status.value}")
        self.total_fen += split.covered_fen
        self.gross_fen += split.amount_fen
        self.beneficiary_pays_fen += split.beneficiary_pays_fen
        self.charge_count += 1

    def remove(self, split: Split) -> None:
        """A reversed charge leaves the month's running totals."""
        self.total_fen -= split.covered_fen
        self.gross_fen -= split.amount_fen
        self.beneficiary_pays_fen -= split.beneficiary_pays_fen
        self.charge_count -= 1
