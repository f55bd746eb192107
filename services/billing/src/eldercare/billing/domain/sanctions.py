"""Sanctions (处理措施) on a provider, as audit confirmed them (AuditSanctionImposed).

changsha-2024-purchased-door-to-door-rules.md 第十八条: a provider that does not rectify in time has
its purchase contract ended (``end_contract``), is put on the dishonesty list (``blacklist``) and the
subsidies it obtained by false information are recovered (``recover_funds``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eldercare.common.ids import uuid7

# Measures after which the district no longer buys the provider's services
# (changsha-2024-purchased-door-to-door-rules.md 第十八条: 终止服务合同, 列入失信名单).
WITHHOLDING_MEASURES = frozenset({"end_contract", "blacklist"})
# changsha-2024-purchased-door-to-door-rules.md 第十八条: 追回违规所得资金.
RECOVER_FUNDS = "recover_funds"


@dataclass(frozen=True)
class Sanction:
    sanction_id: UUID
    notice_id: UUID
    provider_id: UUID
    district_code: str
    measures: tuple[str, ...]
    finding_ids: tuple[UUID, ...]
    finding_types: tuple[str, ...]
    basis: tuple[str, ...]
    imposed_at: datetime
    id: UUID = field(default_factory=uuid7)

    @property
    def withholds(self) -> bool:
        """Whether the provider's later services are no longer paid."""
        return bool(WITHHOLDING_MEASURES.intersection(self.measures))

    @property
    def recovers_funds(self) -> bool:
        return RECOVER_FUNDS in self.measures

    def withholds_visit(self, provider_id: UUID, district_code: str, checked_in_at: datetime) -> bool:
        """A visit of the provider in the sanctioning district that began once the sanction was
        imposed is not paid; services done before it still are."""
        return (
            self.withholds
            and provider_id == self.provider_id
            and district_code == self.district_code
            and checked_in_at >= self.imposed_at
        )
