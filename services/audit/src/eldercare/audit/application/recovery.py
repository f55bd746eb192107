"""Funds recoveries (changsha-2024 第十八条（四）; nanchang-2019 第四十四条 fine). Handlers never commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.recovery_repository import RecoveryRepository
from eldercare.audit.adapters.rectification_repository import RectificationRepository, Scope
from eldercare.audit.domain.errors import InvalidRecovery, RecoveryConflict
from eldercare.audit.domain.recovery import FundsRecovery, RecoveryStatus, city_of
from eldercare.common.auth import Principal, Role
from eldercare.common.clock import utcnow
from eldercare.common.contracts import FundsRecoveryOrdered
from eldercare.common.errors import NotFound, SettingNotConfigured
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class OrderRecovery:
    finding_ids: tuple[UUID, ...]
    visit_ids: tuple[UUID, ...]
    fine_rate_percent: int | None
    principal: Principal


async def order_recovery(
    cmd: OrderRecovery, uow: UnitOfWork, city_fines: Mapping[str, bool]
) -> FundsRecovery:
    """A district officer orders the recovery: FundsRecoveryOrdered for billing to book."""
    findings = await RectificationRepository(uow.session).get_findings(list(cmd.finding_ids))
    visible = [f for f in findings if cmd.principal.covers_region(f.district_code)]
    if len(visible) != len(set(cmd.finding_ids)):
        raise InvalidRecovery("unknown finding", field="finding_ids")
    city = city_of(visible[0].district_code)
    if city not in city_fines:
        raise SettingNotConfigured(
            f"AUDIT_RECOVERY_FINES has no entry for city {city}: whether its policy fines recovered "
            "subsidies (nanchang-2019-home-care-regulation.md 第四十四条) is local policy"
        )
    now = utcnow()
    recovery = FundsRecovery.order(
        visible,
        visit_ids=cmd.visit_ids,
        fine_rate_percent=cmd.fine_rate_percent,
        city_fines=city_fines[city],
        by=cmd.principal.subject,
        at=now,
    )
    repo = RecoveryRepository(uow.session)
    if taken := await repo.visits_already_recovered(recovery.visit_ids):
        raise RecoveryConflict(f"visits already under a recovery: {', '.join(map(str, sorted(taken)))}")
    await repo.add(recovery)
    uow.publish(
        FundsRecoveryOrdered(
            recovery_id=recovery.id,
            provider_id=recovery.provider_id,
            district_code=recovery.district_code,
            finding_ids=list(recovery.finding_ids),
            visit_ids=list(recovery.visit_ids),
            fine_rate_percent=recovery.fine_rate_percent,
            basis=list(recovery.basis),
            ordered_at=now,
        )
    )
    return recovery


@dataclass(frozen=True)
class BookRecoveries:
    """billing.settlement.issued.v1: the statement carried these recoveries."""

    statement_id: UUID
    recovery_ids: tuple[UUID, ...]
    issued_at: datetime


async def book_recoveries(cmd: BookRecoveries, uow: UnitOfWork) -> list[FundsRecovery]:
    repo = RecoveryRepository(uow.session)
    booked = []
    for recovery_id in cmd.recovery_ids:
        recovery = await repo.get(recovery_id)
        # Another deployment's or an unknown recovery id is billing's business, not an error here.
        if recovery is not None and recovery.book(cmd.statement_id, cmd.issued_at):
            await repo.save(recovery)
            booked.append(recovery)
    return booked


# ---------------------------------------------------------------- reads


def _scope(principal: Principal) -> Scope | None:
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        return Scope(provider_id=principal.provider_id)
    if principal.region is not None:
        return Scope(region_prefix=principal.region)
    return None


async def list_recoveries(
    session: AsyncSession,
    principal: Principal,
    *,
    status: RecoveryStatus | None,
    after: UUID | None,
    limit: int,
) -> list[FundsRecovery]:
    scope = _scope(principal)
    if scope is None:
        return []
    return await RecoveryRepository(session).list(scope, status=status, after=after, limit=limit)


async def get_recovery(session: AsyncSession, recovery_id: UUID, principal: Principal) -> FundsRecovery:
    recovery = await RecoveryRepository(session).get(recovery_id)
    scope = _scope(principal)
    if recovery is None or scope is None:
        raise NotFound("funds recovery not found")
    if scope.provider_id is not None:
        principal.ensure_provider(recovery.provider_id, "funds recovery")
    else:
        principal.ensure_region(recovery.district_code, "funds recovery")
    return recovery
