"""Follow-up (回访) handlers: open a call task per enrolment, record calls. They never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eldercare.audit.adapters.follow_up_repository import FollowUpRepository
from eldercare.audit.domain.follow_up import FollowUp, FollowUpReason, due_on
from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import FollowUpOpened
from eldercare.common.errors import NotFound
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
    return follow_up


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
