"""Complaint (投诉) handlers: intake, assignment, notes, outcome, escalation, and the caregiver
decertification a substantiated outcome can trigger. They never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eldercare.audit.adapters.complaint_repository import (
    ComplaintFilter,
    ComplaintRepository,
    Decertification,
)
from eldercare.audit.adapters.pii import ComplainantCipher
from eldercare.audit.adapters.rectification_repository import RectificationRepository
from eldercare.audit.application import trail
from eldercare.audit.domain.complaint import (
    DECERTIFICATION_BASIS,
    DECERTIFICATION_WINDOW,
    Complainant,
    Complaint,
    ComplaintCategory,
    ComplaintRecord,
    ComplaintSeverity,
    ComplaintSource,
    ComplaintSubject,
    complaint_record,
    handling_deadline,
)
from eldercare.audit.domain.errors import InvalidComplaint
from eldercare.audit.domain.rectification import COMPLAINT_FINDINGS, Finding, FindingSource
from eldercare.audit.domain.trail import HashAlgorithm
from eldercare.common.auth import Principal, Role
from eldercare.common.clock import utcnow
from eldercare.common.contracts import CaregiverDecertified
from eldercare.common.errors import NotFound
from eldercare.common.ids import uuid7
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class FileComplaint:
    district_code: str
    source: ComplaintSource
    category: ComplaintCategory
    severity: ComplaintSeverity
    subject: ComplaintSubject
    complainant: Complainant
    description: str
    principal: Principal
    handling_days: dict[ComplaintSeverity, int]
    cipher: ComplainantCipher | None = None  # needed when the complainant gives a name or phone


@dataclass(frozen=True)
class AssignComplaint:
    complaint_id: UUID
    assignee: str
    principal: Principal


@dataclass(frozen=True)
class AddNote:
    complaint_id: UUID
    text: str
    principal: Principal


@dataclass(frozen=True)
class RecordOutcome:
    complaint_id: UUID
    substantiated: bool
    summary: str
    reply: str
    principal: Principal


@dataclass(frozen=True)
class EscalateOverdue:
    principal: Principal
    limit: int


async def file_complaint(cmd: FileComplaint, uow: UnitOfWork) -> Complaint:
    """受理投诉 (nanchang-2019 第四十一条): the deadline follows from the severity's setting."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise InvalidComplaint("the district is outside the caller's region", field="district_code")
    now = utcnow()
    complaint = Complaint(
        district_code=cmd.district_code,
        source=cmd.source,
        category=cmd.category,
        severity=cmd.severity,
        subject=cmd.subject,
        complainant=cmd.complainant,
        description=cmd.description,
        received_by=cmd.principal.subject,
        received_at=now,
        due_at=handling_deadline(now, cmd.severity, cmd.handling_days),
    )
    await ComplaintRepository(uow.session, cmd.cipher).add(complaint)
    return complaint


async def _load(repo: ComplaintRepository, complaint_id: UUID, principal: Principal) -> Complaint:
    complaint = await repo.get(complaint_id)
    if complaint is None:
        raise NotFound("complaint not found")
    principal.ensure_region(complaint.district_code, "complaint")
    return complaint


async def assign_complaint(cmd: AssignComplaint, uow: UnitOfWork) -> Complaint:
    repo = ComplaintRepository(uow.session)
    complaint = await _load(repo, cmd.complaint_id, cmd.principal)
    complaint.assign(cmd.assignee)
    await repo.save(complaint)
    return complaint


async def add_note(cmd: AddNote, uow: UnitOfWork) -> Complaint:
    repo = ComplaintRepository(uow.session)
    complaint = await _load(repo, cmd.complaint_id, cmd.principal)
    complaint.add_note(cmd.text, by=cmd.principal.subject, at=utcnow())
    await repo.save(complaint)
    return complaint


async def record_outcome(cmd: RecordOutcome, uow: UnitOfWork) -> Complaint:
    """The outcome and the reply to the complainant; a substantiated complaint against a caregiver
    may decertify them (wuhai-2017 第三十一条)."""
    repo = ComplaintRepository(uow.session)
    complaint = await _load(repo, cmd.complaint_id, cmd.principal)
    now = utcnow()
    complaint.record_outcome(substantiated=cmd.substantiated, summary=cmd.summary, reply=cmd.reply, at=now)
    await repo.save(complaint)
    await open_finding_if_named(complaint, now, uow)
    caregiver_id = complaint.subject.caregiver_id
    if complaint.substantiated and caregiver_id is not None:
        await decertify_if_due(repo, caregiver_id, complaint, now, uow)
    return complaint


async def open_finding_if_named(complaint: Complaint, now: datetime, uow: UnitOfWork) -> Finding | None:
    """A substantiated complaint against a provider whose category 第十八条 names opens a finding
    (changsha-2024-purchased-door-to-door-rules.md 第十八条（一）（二）)."""
    kind = COMPLAINT_FINDINGS.get(complaint.category)
    provider_id = complaint.subject.provider_id
    if not complaint.substantiated or kind is None or provider_id is None:
        return None
    finding = Finding(
        district_code=complaint.district_code,
        provider_id=provider_id,
        type=kind,
        source=FindingSource.complaint,
        source_id=complaint.id,
        evidence=(f"complaint {complaint.id}", *(n.text for n in complaint.notes)),
        description=complaint.outcome_summary or complaint.description,
        recorded_by=complaint.received_by,
        recorded_at=now,
    )
    await RectificationRepository(uow.session).add_finding(finding)
    return finding


async def caregiver_record(repo: ComplaintRepository, caregiver_id: UUID, as_of: datetime) -> ComplaintRecord:
    found = await repo.substantiated_against(caregiver_id, since=as_of - DECERTIFICATION_WINDOW)
    return complaint_record(caregiver_id, found, as_of)


async def decertify_if_due(
    repo: ComplaintRepository, caregiver_id: UUID, latest: Complaint, now: datetime, uow: UnitOfWork
) -> Decertification | None:
    """取消上岗资格: at 3 substantiated complaints within 365 days, once per caregiver, announced by
    CaregiverDecertified (wuhai-2017-home-care-measures.md 第三十一条)."""
    if await repo.get_decertification(caregiver_id) is not None:
        return None
    record = await caregiver_record(repo, caregiver_id, now)
    if not record.reaches_threshold:
        return None
    decertification = Decertification(
        caregiver_id=caregiver_id,
        provider_id=latest.subject.provider_id,
        district_code=latest.district_code,
        complaint_ids=[c.id for c in record.complaints],
        decertified_at=now,
    )
    await repo.add_decertification(decertification)
    uow.publish(
        CaregiverDecertified(
            caregiver_id=caregiver_id,
            provider_id=decertification.provider_id,
            district_code=decertification.district_code,
            complaint_ids=decertification.complaint_ids,
            substantiated_complaints=record.count,
            window_days=DECERTIFICATION_WINDOW.days,
            basis=DECERTIFICATION_BASIS,
            decertified_at=now,
        )
    )
    return decertification


async def escalate_overdue(cmd: EscalateOverdue, uow: UnitOfWork) -> list[Complaint]:
    """督办: every open complaint of the caller's region past its deadline is marked escalated (at
    most ``limit`` per call; those already escalated are left as they are)."""
    if cmd.principal.region is None:
        return []
    repo = ComplaintRepository(uow.session)
    now = utcnow()
    where = ComplaintFilter(region_prefix=cmd.principal.region, overdue_at=now)
    escalated: list[Complaint] = []
    after: UUID | None = None
    while len(escalated) < cmd.limit:
        batch = await repo.list(where, after=after, limit=200)
        if not batch:
            break
        for complaint in batch:
            if complaint.escalate(now):
                await repo.save(complaint)
                escalated.append(complaint)
                if len(escalated) >= cmd.limit:
                    break
        after = batch[-1].id
    return escalated


def reads_in_clear(principal: Principal, cipher: ComplainantCipher | None) -> bool:
    """A caller with ``pii:read`` (never the provider's staff) and a configured key."""
    return cipher is not None and principal.can_read_pii and not principal.has_role(Role.provider_admin)


@dataclass(frozen=True)
class ReadComplainant:
    complaint_id: UUID
    principal: Principal
    cipher: ComplainantCipher | None
    reason: str | None
    hash_alg: HashAlgorithm


async def read_complainant(cmd: ReadComplainant, uow: UnitOfWork) -> Complaint:
    """An unmasked read of a complainant, appended to the trail in the same transaction (issue #7:
    every unmasked PII read is in the trail), naming the fields, never their values."""
    complaint = await ComplaintRepository(uow.session, cmd.cipher).get(cmd.complaint_id)
    if complaint is None:
        raise NotFound("complaint not found")
    cmd.principal.ensure_region(complaint.district_code, "complaint")
    c = complaint.complainant
    fields = [name for name, value in (("complainant_name", c.name), ("complainant_phone", c.phone)) if value]
    if fields:
        access_id = uuid7()
        p = cmd.principal
        data = {
            "access_id": str(access_id),
            "actor": p.subject,
            "actor_role": sorted(p.roles)[0] if p.roles else "",
            "actor_region": p.region,
            "resource_type": "complaint",
            "resource_id": str(complaint.id),
            "fields": fields,
            "reason": cmd.reason or "",
            "district_code": complaint.district_code,
            "accessed_at": utcnow().isoformat(),
        }
        await trail.record_event(
            trail.RecordEvent(
                event_id=access_id,
                event_type=PII_ACCESS_TYPE,
                subject=str(complaint.id),
                district_code=complaint.district_code,
                data=data,
                hash_alg=cmd.hash_alg,
            ),
            uow,
        )
    return complaint


PII_ACCESS_TYPE = "audit.pii_access.recorded"  # a trail entry of audit's own, not a published event
