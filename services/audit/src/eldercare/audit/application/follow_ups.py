"""Follow-up (回访) handlers: open a call task per enrolment, record calls. They never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.follow_up_repository import FollowUpRepository
from eldercare.audit.domain.errors import InvalidPeriod
from eldercare.audit.domain.follow_up import (
    Coverage,
    FollowUp,
    FollowUpPeriod,
    FollowUpReason,
    assign_round_robin,
    coverage,
    due_on,
)
from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import FollowUpOpened
from eldercare.common.errors import NotFound, SettingNotConfigured
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class OpenEnrolmentFollowUp:
    beneficiary_id: UUID
    district_code: str
    effective_on: date
    enrolled_at: datetime
    due_days: int | None


@dataclass(frozen=True)
class RecordCall:
    follow_up_id: UUID
    reached: bool
    satisfaction: int | None
    notes: str | None
    principal: Principal
    max_unreached: int


async def open_enrolment_follow_up(cmd: OpenEnrolmentFollowUp, uow: UnitOfWork) -> FollowUp:
    """全覆盖回访: every enrolled beneficiary gets a follow-up call task and FollowUpOpened.

    changsha-2024-purchased-door-to-door-rules.md 第十九条. One task per enrolment (keyed by the
    date the entitlement takes effect): a second delivery returns the task and publishes nothing.
    """
    repo = FollowUpRepository(uow.session)
    trigger_key = f"{FollowUpReason.enrolment.value}:{cmd.effective_on.isoformat()}"
    existing = await repo.get_by_trigger(cmd.beneficiary_id, trigger_key)
    if existing is not None:
        return existing
    follow_up = FollowUp(
        beneficiary_id=cmd.beneficiary_id,
        district_code=cmd.district_code,
        reason=FollowUpReason.enrolment,
        trigger_key=trigger_key,
        # The enrolment date is the calendar day in China of the enrolment instant.
        due_on=due_on(local_date(cmd.enrolled_at), cmd.due_days),
        opened_at=utcnow(),
    )
    await repo.add(follow_up)
    _publish_opened(follow_up, uow)
    return follow_up


def _publish_opened(follow_up: FollowUp, uow: UnitOfWork) -> None:
    uow.publish(
        FollowUpOpened(
            follow_up_id=follow_up.id,
            beneficiary_id=follow_up.beneficiary_id,
            district_code=follow_up.district_code,
            reason=follow_up.reason.value,
            due_on=follow_up.due_on,
            opened_at=follow_up.opened_at,
        )
    )


async def record_call(cmd: RecordCall, uow: UnitOfWork) -> FollowUp:
    """回访记录: record one call and its satisfaction score (满意度测评, 第十九条).

    Another region's follow-up is answered as not found.
    """
    repo = FollowUpRepository(uow.session)
    follow_up = await repo.get(cmd.follow_up_id)
    if follow_up is None:
        raise NotFound("follow-up not found")
    cmd.principal.ensure_region(follow_up.district_code, "follow-up")
    follow_up.record_call(
        reached=cmd.reached,
        satisfaction=cmd.satisfaction,
        notes=cmd.notes,
        by=cmd.principal.subject,
        at=utcnow(),
        max_unreached=cmd.max_unreached,
    )
    await repo.save(follow_up)
    return follow_up


def _period(start: str, months: int | None) -> FollowUpPeriod:
    if months is None:
        raise SettingNotConfigured(
            "AUDIT_FOLLOW_UP_PERIOD_MONTHS is not set: changsha-2024-purchased-door-to-door-rules.md "
            "第十九条 requires 全覆盖回访 and leaves its frequency to local policy"
        )
    return FollowUpPeriod.parse(start, months)


@dataclass(frozen=True)
class OpenFollowUpRound:
    district_code: str
    period_start: str
    assignees: tuple[str, ...]
    principal: Principal


@dataclass(frozen=True)
class RoundReport:
    period: FollowUpPeriod
    district_code: str
    opened: list[FollowUp]
    already_open: int


async def open_follow_up_round(cmd: OpenFollowUpRound, uow: UnitOfWork, months: int | None) -> RoundReport:
    """全覆盖回访 (第十九条): a follow-up task, assigned and due at the period's end, for every
    beneficiary active in the district; a second run opens tasks only for those without one."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise InvalidPeriod("the district is outside the caller's region", field="district_code")
    period = _period(cmd.period_start, months)
    if period.first_day > local_date(utcnow()):
        raise InvalidPeriod("the period has not begun", field="period_start")
    repo = FollowUpRepository(uow.session)
    active = await repo.active_beneficiaries(cmd.district_code, period.last_day)
    have = {f.beneficiary_id for f in await repo.list_by_period(cmd.district_code, period.key)}
    missing = [b for b in active if b not in have]
    assignment = assign_round_robin(missing, list(cmd.assignees))
    now = utcnow()
    opened = []
    for beneficiary_id in sorted(missing, key=lambda b: b.int):
        follow_up = FollowUp(
            beneficiary_id=beneficiary_id,
            district_code=cmd.district_code,
            reason=FollowUpReason.periodic,
            trigger_key=f"{FollowUpReason.periodic.value}:{period.key}",
            due_on=period.last_day,
            opened_at=now,
            assignee=assignment[beneficiary_id],
            period=period.key,
        )
        await repo.add(follow_up)
        _publish_opened(follow_up, uow)
        opened.append(follow_up)
    return RoundReport(period, cmd.district_code, opened, already_open=len(have))


@dataclass(frozen=True)
class CoverageReport:
    period: FollowUpPeriod
    district_code: str
    active_without_task: int
    coverage: Coverage
    follow_ups: list[FollowUp]


async def coverage_report(
    session: AsyncSession, principal: Principal, district_code: str, period_start: str, months: int | None
) -> CoverageReport:
    principal.ensure_region(district_code, "district")
    period = _period(period_start, months)
    repo = FollowUpRepository(session)
    follow_ups = await repo.list_by_period(district_code, period.key)
    active = set(await repo.active_beneficiaries(district_code, period.last_day))
    without = active - {f.beneficiary_id for f in follow_ups}
    return CoverageReport(period, district_code, len(without), coverage(follow_ups), follow_ups)
