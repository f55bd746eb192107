"""Complaint (投诉) routes (nanchang-2019-home-care-regulation.md 第四十一条) and the caregiver
complaint record behind decertification (wuhai-2017-home-care-measures.md 第三十一条)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query

from eldercare.audit.api.dependencies import Cipher, Settings
from eldercare.audit.api.schemas import (
    AssignmentCreate,
    ComplaintCreate,
    ComplaintRead,
    ComplaintRecordRead,
    NoteCreate,
    OutcomeCreate,
)
from eldercare.audit.application import complaints, queries
from eldercare.audit.domain.complaint import Complainant, ComplaintStatus, ComplaintSubject
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

router = APIRouter(prefix="/v1/complaints", tags=["complaints"])
caregivers = APIRouter(prefix="/v1/caregivers", tags=["complaints"])

# Complaints come in from the hotline (staff take it), the city platform and the bureau's staff.
Intake = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_platform))]
Handler = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer))]
# A provider's staff read the complaints against their provider, the complainant masked.
Reader = Annotated[
    Principal,
    Depends(require(Role.auditor, Role.district_officer, Role.city_platform, Role.provider_admin)),
]
Rt = Annotated[Runtime, Depends(runtime)]


@router.post("", response_model=ComplaintRead, status_code=201, summary="Take in a complaint")
async def file_complaint(
    body: ComplaintCreate, principal: Intake, idem: Idempotency, rt: Rt, settings: Settings, cipher: Cipher
) -> object:
    cmd = complaints.FileComplaint(
        district_code=body.district_code,
        source=body.source,
        category=body.category,
        severity=body.severity,
        subject=ComplaintSubject(**body.subject.model_dump()),
        complainant=Complainant(**body.complainant.model_dump()),
        description=body.description,
        principal=principal,
        handling_days=settings.complaint_handling_days,
        cipher=cipher,
    )
    return await execute(
        rt,
        lambda uow: complaints.file_complaint(cmd, uow),
        lambda c: ComplaintRead.for_principal(c, principal),
        idempotency=idem,
    )


@router.get("", response_model=Page[ComplaintRead], summary="Complaints the caller may see")
async def list_complaints(
    principal: Reader,
    rt: Rt,
    cipher: Cipher,
    page: Annotated[PageParams, Depends(page_params)],
    status: Annotated[ComplaintStatus | None, Query()] = None,
    caregiver_id: Annotated[UUID | None, Query()] = None,
    overdue: Annotated[bool, Query(description="Only open complaints past their deadline")] = False,
) -> Page[ComplaintRead]:
    async with rt.read_session() as session:
        found = await queries.list_complaints(
            session,
            principal,
            status=status,
            caregiver_id=caregiver_id,
            overdue=overdue,
            after=page.after,
            limit=page.limit + 1,
        )
    # Lists stay masked; a complainant is read in clear one complaint at a time, and recorded.
    return make_page([ComplaintRead.for_principal(c, principal) for c in found], page.limit)


@router.post(
    "/escalations",
    response_model=list[ComplaintRead],
    status_code=201,
    summary="Escalate every open complaint of the caller's region past its deadline",
)
async def escalate_overdue(principal: Handler, idem: Idempotency, rt: Rt) -> object:
    cmd = complaints.EscalateOverdue(principal=principal, limit=500)
    return await execute(
        rt,
        lambda uow: complaints.escalate_overdue(cmd, uow),
        lambda found: [ComplaintRead.for_principal(c, principal) for c in found],
        idempotency=idem,
    )


@router.get(
    "/{complaint_id}",
    response_model=ComplaintRead,
    summary="One complaint; with pii:read the complainant in clear, the read recorded in the trail",
)
async def get_complaint(
    complaint_id: UUID,
    principal: Reader,
    rt: Rt,
    cipher: Cipher,
    settings: Settings,
    reason: Annotated[str | None, Header(alias="X-Access-Reason", max_length=200)] = None,
) -> object:
    if complaints.reads_in_clear(principal, cipher):
        cmd = complaints.ReadComplainant(
            complaint_id, principal, cipher, reason, settings.trail_hash_algorithm
        )
        return await execute(
            rt,
            lambda uow: complaints.read_complainant(cmd, uow),
            lambda c: ComplaintRead.for_principal(c, principal),
            status_code=200,
        )
    async with rt.read_session() as session:
        found = await queries.get_complaint(session, complaint_id, principal)
    return ComplaintRead.for_principal(found, principal)


@router.post("/{complaint_id}/assignments", response_model=ComplaintRead, status_code=201, summary="Assign")
async def assign(
    complaint_id: UUID, body: AssignmentCreate, principal: Handler, idem: Idempotency, rt: Rt
) -> object:
    cmd = complaints.AssignComplaint(complaint_id, body.assignee, principal)
    return await execute(
        rt,
        lambda uow: complaints.assign_complaint(cmd, uow),
        lambda c: ComplaintRead.for_principal(c, principal),
        idempotency=idem,
    )


@router.post(
    "/{complaint_id}/notes",
    response_model=ComplaintRead,
    status_code=201,
    summary="Add an investigation note",
)
async def add_note(
    complaint_id: UUID, body: NoteCreate, principal: Handler, idem: Idempotency, rt: Rt
) -> object:
    cmd = complaints.AddNote(complaint_id, body.text, principal)
    return await execute(
        rt,
        lambda uow: complaints.add_note(cmd, uow),
        lambda c: ComplaintRead.for_principal(c, principal),
        idempotency=idem,
    )


@router.post(
    "/{complaint_id}/outcomes",
    response_model=ComplaintRead,
    status_code=201,
    summary="Record the outcome (substantiated or not) and the reply; may decertify the caregiver",
)
async def record_outcome(
    complaint_id: UUID, body: OutcomeCreate, principal: Handler, idem: Idempotency, rt: Rt
) -> object:
    cmd = complaints.RecordOutcome(complaint_id, body.substantiated, body.summary, body.reply, principal)
    return await execute(
        rt,
        lambda uow: complaints.record_outcome(cmd, uow),
        lambda c: ComplaintRead.for_principal(c, principal),
        idempotency=idem,
    )


@caregivers.get(
    "/{caregiver_id}/complaint-record",
    response_model=ComplaintRecordRead,
    summary="Substantiated complaints in the rolling 365 days, and any decertification",
)
async def complaint_record(caregiver_id: UUID, principal: Handler, rt: Rt) -> ComplaintRecordRead:
    async with rt.read_session() as session:
        found = await queries.get_caregiver_record(session, caregiver_id, principal)
    return ComplaintRecordRead.from_record(found.record, found.decertification)
