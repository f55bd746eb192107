"""Recovery of subsidies obtained by false information (追回资金), with a fine where the city's
policy provides one.

changsha-2024-purchased-door-to-door-rules.md 第十八条（四）: a provider that obtained government
subsidies by false information has them recovered (追回资金). nanchang-2019-home-care-regulation.md
第四十四条: subsidies obtained by 虚报、隐瞒、伪造 are returned, and a fine of 百分之十以上百分之五十以下
of the amount is imposed. Whether a city fines is local policy (settings.recovery_fines); audit
names the visits and the rate, billing knows the amounts paid and books the negative lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eldercare.audit.domain.errors import InvalidRecovery
from eldercare.audit.domain.rectification import Finding, FindingType, finding_basis
from eldercare.common.ids import uuid7

FINE_BASIS = "nanchang-2019-home-care-regulation.md 第四十四条"
FINE_MIN_PERCENT, FINE_MAX_PERCENT = 10, 50  # 第四十四条: 百分之十以上百分之五十以下
MAX_VISITS = 10_000


class RecoveryStatus(StrEnum):
    ordered = "ordered"  # published; billing books it on the provider's next statement
    booked = "booked"  # an issued statement carried it


def city_of(district_code: str) -> str:
    """GB/T 2260: the first four digits of a district code are its prefecture-level city."""
    return district_code[:4]


@dataclass
class FundsRecovery:
    provider_id: UUID
    district_code: str
    finding_ids: tuple[UUID, ...]
    visit_ids: tuple[UUID, ...]
    fine_rate_percent: int | None
    basis: tuple[str, ...]
    ordered_by: str
    ordered_at: datetime
    status: RecoveryStatus = RecoveryStatus.ordered
    statement_id: UUID | None = None
    booked_at: datetime | None = None
    id: UUID = field(default_factory=uuid7)

    @classmethod
    def order(
        cls,
        findings: Sequence[Finding],
        *,
        visit_ids: Sequence[UUID],
        fine_rate_percent: int | None,
        city_fines: bool,
        by: str,
        at: datetime,
    ) -> FundsRecovery:
        """追回资金 on （四） findings of one provider in one district, naming the visits paid for."""
        if not findings:
            raise InvalidRecovery("a recovery rests on at least one finding", field="finding_ids")
        if any(f.type is not FindingType.false_information for f in findings):
            raise InvalidRecovery(
                "funds are recovered only on findings of 第十八条（四） (false information)",
                field="finding_ids",
            )
        if len({(f.provider_id, f.district_code) for f in findings}) != 1:
            raise InvalidRecovery(
                "the findings of one recovery concern one provider in one district", field="finding_ids"
            )
        named = tuple(dict.fromkeys(v for f in findings for v in f.visit_ids))
        visits = tuple(dict.fromkeys(visit_ids)) or named
        if not visits:
            raise InvalidRecovery("name the visits whose subsidies are recovered", field="visit_ids")
        if named and not set(visits) <= set(named):
            raise InvalidRecovery("a visit the findings do not concern", field="visit_ids")
        if len(visits) > MAX_VISITS:
            raise InvalidRecovery(f"at most {MAX_VISITS} visits per recovery", field="visit_ids")
        _check_fine(fine_rate_percent, city_fines)
        basis = [finding_basis(FindingType.false_information)]
        if fine_rate_percent is not None:
            basis.append(FINE_BASIS)
        return cls(
            provider_id=findings[0].provider_id,
            district_code=findings[0].district_code,
            finding_ids=tuple(f.id for f in findings),
            visit_ids=visits,
            fine_rate_percent=fine_rate_percent,
            basis=tuple(basis),
            ordered_by=by,
            ordered_at=at,
        )

    def book(self, statement_id: UUID, at: datetime) -> bool:
        """The statement that carried the recovery was issued; True when this changed anything."""
        if self.status is RecoveryStatus.booked:
            return False
        self.status, self.statement_id, self.booked_at = RecoveryStatus.booked, statement_id, at
        return True


def _check_fine(rate: int | None, city_fines: bool) -> None:
    if city_fines and rate is None:
        raise InvalidRecovery(
            f"this city's policy fines {FINE_MIN_PERCENT}–{FINE_MAX_PERCENT} % ({FINE_BASIS}): name the rate",
            field="fine_rate_percent",
        )
    if not city_fines and rate is not None:
        raise InvalidRecovery("this city's policy imposes no fine on recoveries", field="fine_rate_percent")
    if rate is not None and not FINE_MIN_PERCENT <= rate <= FINE_MAX_PERCENT:
        raise InvalidRecovery(
            f"the fine is {FINE_MIN_PERCENT} % to {FINE_MAX_PERCENT} % ({FINE_BASIS})",
            field="fine_rate_percent",
        )
