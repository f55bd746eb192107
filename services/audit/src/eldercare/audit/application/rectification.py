"""Findings, rectification notices and sanctions (changsha-2024 第十八条). Handlers never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eldercare.audit.adapters.rectification_repository import RectificationRepository
from eldercare.audit.domain.errors import FindingAlreadyNoticed, InvalidNotice
from eldercare.audit.domain.rectification import (
    Finding,
    FindingSource,
    FindingType,
    RectificationNotice,
)
from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import SanctionImposed
from eldercare.common.errors import InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class RecordFinding:
    district_code: str
    provider_id: UUID
    type: FindingType
    source: FindingSource
    source_id: UUID | None
    evidence: tuple[str, ...]
    description: str
    principal: Principal
    visit_ids: tuple[UUID, ...] = ()


@dataclass(frozen=True)
class IssueNotice:
    finding_ids: tuple[UUID, ...]
    requirements: str
    deadline_on: date
    principal: Principal


@dataclass(frozen=True)
class RespondToNotice:
    notice_id: UUID
    text: str
    principal: Principal


@dataclass(frozen=True)
class VerifyNotice:
    notice_id: UUID
    rectified: bool
    notes: str
    principal: Principal


@dataclass(frozen=True)
class DecideSanction:
    notice_id: UUID
    confirmed: bool
    notes: str
    principal: Principal


async def record_finding(cmd: RecordFinding, uow: UnitOfWork) -> Finding:
    if not cmd.principal.covers_region(cmd.district_code):
        raise InvalidInput("the district is outside the caller's region", field="district_code")
    finding = Finding(
        district_code=cmd.district_code,
        provider_id=cmd.provider_id,
        type=cmd.type,
        source=cmd.source,
        source_id=cmd.source_id,
        evidence=cmd.evidence,
        description=cmd.description,
        recorded_by=cmd.principal.subject,
        recorded_at=utcnow(),
        visit_ids=cmd.visit_ids,
    )
    await RectificationRepository(uow.session).add_finding(finding)
    return finding


async def issue_notice(cmd: IssueNotice, uow: UnitOfWork) -> RectificationNotice:
    """下发整改通知书，责令限期整改 (第十八条) on findings of the caller's region."""
    repo = RectificationRepository(uow.session)
    findings = await repo.get_findings(list(cmd.finding_ids))
    visible = [f for f in findings if cmd.principal.covers_region(f.district_code)]
    if len(visible) != len(set(cmd.finding_ids)):
        raise InvalidNotice("unknown finding", field="finding_ids")
    if any(f.notice_id is not None for f in visible):
        raise FindingAlreadyNoticed("a finding already rests under a rectification notice")
    now = utcnow()
    notice = RectificationNotice.issue(
        visible,
        requirements=cmd.requirements,
        deadline_on=cmd.deadline_on,
        by=cmd.principal.subject,
        at=now,
        today=local_date(now),
    )
    await repo.add_notice(notice)
    await repo.attach_findings(notice.finding_ids, notice.id)
    return notice


async def _load_notice(
    repo: RectificationRepository, notice_id: UUID, principal: Principal
) -> RectificationNotice:
    notice = await repo.get_notice(notice_id)
    if notice is None:
        raise NotFound("rectification notice not found")
    principal.ensure_region(notice.district_code, "rectification notice")
    return notice


async def respond_to_notice(cmd: RespondToNotice, uow: UnitOfWork) -> RectificationNotice:
    """The provider's answer (what it rectified); only the provider addressed may respond."""
    repo = RectificationRepository(uow.session)
    notice = await repo.get_notice(cmd.notice_id)
    if notice is None:
        raise NotFound("rectification notice not found")
    cmd.principal.ensure_provider(notice.provider_id, "rectification notice")
    notice.respond(cmd.text, by=cmd.principal.subject, at=utcnow())
    await repo.save_notice(notice)
    return notice


async def verify_notice(cmd: VerifyNotice, uow: UnitOfWork) -> RectificationNotice:
    """整改验收: rectified closes it; not rectified (after the deadline) recommends the sanction."""
    repo = RectificationRepository(uow.session)
    notice = await _load_notice(repo, cmd.notice_id, cmd.principal)
    findings = await repo.get_findings(list(notice.finding_ids))
    now = utcnow()
    notice.verify(
        rectified=cmd.rectified,
        notes=cmd.notes,
        findings=findings,
        by=cmd.principal.subject,
        at=now,
        today=local_date(now),
    )
    await repo.save_notice(notice)
    return notice


async def decide_sanction(cmd: DecideSanction, uow: UnitOfWork) -> RectificationNotice:
    """The district officer confirms the recommendation: SanctionImposed for billing and dispatch."""
    repo = RectificationRepository(uow.session)
    notice = await _load_notice(repo, cmd.notice_id, cmd.principal)
    now = utcnow()
    sanction = notice.decide_sanction(
        confirmed=cmd.confirmed, notes=cmd.notes, by=cmd.principal.subject, at=now
    )
    await repo.save_notice(notice)
    if sanction is not None and notice.sanction_id is not None:
        findings = await repo.get_findings(list(notice.finding_ids))
        uow.publish(
            SanctionImposed(
                sanction_id=notice.sanction_id,
                notice_id=notice.id,
                provider_id=notice.provider_id,
                district_code=notice.district_code,
                measures=[m.value for m in sanction.measures],
                finding_ids=list(notice.finding_ids),
                finding_types=sorted({f.type.value for f in findings}),
                basis=list(sanction.basis),
                imposed_at=now,
            )
        )
    return notice
