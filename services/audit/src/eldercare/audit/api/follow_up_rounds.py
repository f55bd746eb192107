"""Periodic rounds of follow-up calls and their coverage (全覆盖回访,
changsha-2024-purchased-door-to-door-rules.md 第十九条: 区县（市）民政部门应当对辖区内享受政府购买
居家养老上门服务的老年人进行全覆盖回访).

District officers and auditors open a district's round; they and city admins read its coverage.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from eldercare.audit.api.dependencies import Settings
from eldercare.audit.application import follow_ups as handlers
from eldercare.audit.domain.follow_up import FollowUpStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import Runtime, execute, runtime

rounds = APIRouter(prefix="/v1/follow-up-rounds", tags=["follow-ups"])
coverage = APIRouter(prefix="/v1/follow-up-coverage", tags=["follow-ups"])

Staff = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer))]
Reader = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]
Rt = Annotated[Runtime, Depends(runtime)]
District = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Staffer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_code: District
    period_start: Month = Field(description="First month of the period (YYYY-MM)")
    assignees: list[Staffer] = Field(min_length=1, max_length=200, description="District staff who call")


class RoundRead(BaseModel):
    district_code: str
    period: str
    period_first_day: date
    due_on: date
    opened: int
    already_open: int
    follow_up_ids: list[UUID]

    @classmethod
    def from_report(cls, r: handlers.RoundReport) -> RoundRead:
        return cls(
            district_code=r.district_code,
            period=r.period.key,
            period_first_day=r.period.first_day,
            due_on=r.period.last_day,
            opened=len(r.opened),
            already_open=r.already_open,
            follow_up_ids=[f.id for f in r.opened],
        )


class CoveredBeneficiaryRead(BaseModel):
    beneficiary_id: UUID
    follow_up_id: UUID
    assignee: str | None
    status: FollowUpStatus
    attempts: int
    reached_on_attempt: int | None


class CoverageRead(BaseModel):
    district_code: str
    period: str
    due_on: date
    tasks: int
    reached: int
    not_reached: int
    escalated: int = Field(description="Not reached after the maximum calls; referred to a home visit")
    unreached: int = Field(description="Called, not reached yet")
    not_called: int
    active_without_task: int = Field(description="Active beneficiaries the round does not cover yet")
    reached_by_attempts: dict[int, int] = Field(description="Reached on the 1st, 2nd, ... call")
    beneficiaries: list[CoveredBeneficiaryRead]

    @classmethod
    def from_report(cls, r: handlers.CoverageReport) -> CoverageRead:
        c = r.coverage
        return cls(
            district_code=r.district_code,
            period=r.period.key,
            due_on=r.period.last_day,
            tasks=c.tasks,
            reached=c.reached,
            not_reached=c.not_reached,
            escalated=c.escalated,
            unreached=c.unreached,
            not_called=c.not_called,
            active_without_task=r.active_without_task,
            reached_by_attempts=c.reached_by_attempts,
            beneficiaries=[
                CoveredBeneficiaryRead(
                    beneficiary_id=f.beneficiary_id,
                    follow_up_id=f.id,
                    assignee=f.assignee,
                    status=f.status,
                    attempts=f.attempts,
                    reached_on_attempt=f.reached_on_attempt,
                )
                for f in r.follow_ups
            ],
        )


@rounds.post(
    "",
    response_model=RoundRead,
    status_code=201,
    summary="Open the period's follow-up for every active beneficiary of the district, assigned and due",
)
async def open_round(
    body: RoundCreate, principal: Staff, settings: Settings, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.OpenFollowUpRound(body.district_code, body.period_start, tuple(body.assignees), principal)
    months = settings.follow_up_period_months
    return await execute(
        rt,
        lambda uow: handlers.open_follow_up_round(cmd, uow, months),
        RoundRead.from_report,
        idempotency=idem,
    )


@coverage.get(
    "", response_model=CoverageRead, summary="Who of a district's round was reached, and after how many calls"
)
async def get_coverage(
    principal: Reader,
    settings: Settings,
    rt: Rt,
    district_code: Annotated[str, Query(pattern=r"^\d{6}$")],
    period_start: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")],
) -> CoverageRead:
    async with rt.read_session() as session:
        report = await handlers.coverage_report(
            session, principal, district_code, period_start, settings.follow_up_period_months
        )
    return CoverageRead.from_report(report)
