"""Findings and rectification notices (changsha-2024-purchased-door-to-door-rules.md 第十八条).

Auditors and district officers record findings and issue notices in their region; the provider
addressed reads them and responds; verification by auditors or district officers; only a district
officer confirms the sanction a failed rectification recommends.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.audit.api.schemas import (
    FindingCreate,
    FindingRead,
    NoticeCreate,
    NoticeRead,
    ResponseCreate,
    SanctionDecisionCreate,
    VerificationCreate,
)
from eldercare.audit.application import queries
from eldercare.audit.application import rectification as handlers
from eldercare.audit.domain.rectification import NoticeStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

findings = APIRouter(prefix="/v1/findings", tags=["findings and rectification"])
notices = APIRouter(prefix="/v1/rectification-notices", tags=["findings and rectification"])

Staff = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer))]
Reader = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.provider_admin))]
Provider = Annotated[Principal, Depends(require(Role.provider_admin))]
# 第十八条: 区县（市）民政部门 decides; the district officer acts for it.
DistrictOfficer = Annotated[Principal, Depends(require(Role.district_officer))]
Rt = Annotated[Runtime, Depends(runtime)]


@findings.post("", response_model=FindingRead, status_code=201, summary="Record a finding against a provider")
async def record_finding(body: FindingCreate, principal: Staff, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.RecordFinding(
        district_code=body.district_code,
        provider_id=body.provider_id,
        type=body.type,
        source=body.source,
        source_id=body.source_id,
        evidence=tuple(body.evidence),
        description=body.description,
        principal=principal,
        visit_ids=tuple(dict.fromkeys(body.visit_ids)),
    )
    return await execute(
        rt, lambda uow: handlers.record_finding(cmd, uow), FindingRead.from_domain, idempotency=idem
    )


@findings.get("", response_model=Page[FindingRead], summary="Findings of the region or against the provider")
async def list_findings(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    provider_id: Annotated[UUID | None, Query()] = None,
) -> Page[FindingRead]:
    async with rt.read_session() as session:
        found = await queries.list_findings(
            session, principal, provider_id=provider_id, after=page.after, limit=page.limit + 1
        )
    return make_page([FindingRead.from_domain(f) for f in found], page.limit)


@findings.get("/{finding_id}", response_model=FindingRead, summary="One finding")
async def get_finding(finding_id: UUID, principal: Reader, rt: Rt) -> FindingRead:
    async with rt.read_session() as session:
        return FindingRead.from_domain(await queries.get_finding(session, finding_id, principal))


@notices.post("", response_model=NoticeRead, status_code=201, summary="Issue a rectification notice")
async def issue_notice(body: NoticeCreate, principal: Staff, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.IssueNotice(tuple(body.finding_ids), body.requirements, body.deadline_on, principal)
    return await execute(
        rt, lambda uow: handlers.issue_notice(cmd, uow), NoticeRead.from_domain, idempotency=idem
    )


@notices.get(
    "", response_model=Page[NoticeRead], summary="Notices of the region or addressed to the provider"
)
async def list_notices(
    principal: Reader,
    rt: Rt,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[NoticeStatus | None, Query()] = None,
) -> Page[NoticeRead]:
    async with rt.read_session() as session:
        found = await queries.list_notices(
            session, principal, status=status, after=page.after, limit=page.limit + 1
        )
    return make_page([NoticeRead.from_domain(n) for n in found], page.limit)


@notices.get("/{notice_id}", response_model=NoticeRead, summary="One rectification notice")
async def get_notice(notice_id: UUID, principal: Reader, rt: Rt) -> NoticeRead:
    async with rt.read_session() as session:
        return NoticeRead.from_domain(await queries.get_notice(session, notice_id, principal))


@notices.post(
    "/{notice_id}/responses", response_model=NoticeRead, status_code=201, summary="The provider responds"
)
async def respond(
    notice_id: UUID, body: ResponseCreate, principal: Provider, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.RespondToNotice(notice_id, body.text, principal)
    return await execute(
        rt, lambda uow: handlers.respond_to_notice(cmd, uow), NoticeRead.from_domain, idempotency=idem
    )


@notices.post(
    "/{notice_id}/verifications",
    response_model=NoticeRead,
    status_code=201,
    summary="Verify the rectification; not rectified (after the deadline) recommends the sanction",
)
async def verify(
    notice_id: UUID, body: VerificationCreate, principal: Staff, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.VerifyNotice(notice_id, body.rectified, body.notes, principal)
    return await execute(
        rt, lambda uow: handlers.verify_notice(cmd, uow), NoticeRead.from_domain, idempotency=idem
    )


@notices.post(
    "/{notice_id}/sanction-decisions",
    response_model=NoticeRead,
    status_code=201,
    summary="A district officer confirms or declines the recommended sanction (SanctionImposed)",
)
async def decide_sanction(
    notice_id: UUID, body: SanctionDecisionCreate, principal: DistrictOfficer, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.DecideSanction(notice_id, body.confirmed, body.notes, principal)
    return await execute(
        rt, lambda uow: handlers.decide_sanction(cmd, uow), NoticeRead.from_domain, idempotency=idem
    )
