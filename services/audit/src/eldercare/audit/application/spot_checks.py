"""Spot-check (抽查) handlers. They never commit."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eldercare.audit.adapters.spot_check_repository import SpotCheckRepository
from eldercare.audit.domain.spot_check import SpotCheck, SpotCheckReason
from eldercare.common.clock import utcnow
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class OpenSpotCheck:
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    district_code: str
    service_code: str
    reason: SpotCheckReason
    findings: tuple[str, ...]


async def open_spot_check(cmd: OpenSpotCheck, uow: UnitOfWork) -> SpotCheck:
    """抽查任务: a visit to check on the truthfulness of the service (第十九条).

    One check per visit and reason: a second delivery returns the existing check.
    """
    repo = SpotCheckRepository(uow.session)
    existing = await repo.get_by_visit(cmd.visit_id, cmd.reason)
    if existing is not None:
        return existing
    check = SpotCheck(
        visit_id=cmd.visit_id,
        beneficiary_id=cmd.beneficiary_id,
        provider_id=cmd.provider_id,
        caregiver_id=cmd.caregiver_id,
        district_code=cmd.district_code,
        service_code=cmd.service_code,
        reason=cmd.reason,
        findings=list(cmd.findings),
        opened_at=utcnow(),
    )
    await repo.add(check)
    return check
