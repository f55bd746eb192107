"""Read side of the audit service: region-scoped look-ups, no unit of work."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.complaint_repository import (
    ComplaintFilter,
    ComplaintRepository,
    Decertification,
)
from eldercare.audit.adapters.follow_up_repository import FollowUpFilter, FollowUpRepository
from eldercare.audit.adapters.rectification_repository import RectificationRepository, Scope
from eldercare.audit.adapters.spot_check_repository import SpotCheckFilter, SpotCheckRepository
from eldercare.audit.adapters.trail_repository import TrailFilter, TrailRepository
from eldercare.audit.application.complaints import caregiver_record
from eldercare.audit.domain.complaint import Complaint, ComplaintRecord, ComplaintStatus
from eldercare.audit.domain.follow_up import FollowUp, FollowUpStatus
from eldercare.audit.domain.rectification import Finding, NoticeStatus, RectificationNotice
from eldercare.audit.domain.spot_check import SpotCheck, SpotCheckStatus
from eldercare.audit.domain.trail import AuditEntry
from eldercare.common.auth import Principal, Role
from eldercare.common.clock import utcnow
from eldercare.common.errors import NotFound


async def list_trail(
    session: AsyncSession,
    principal: Principal,
    *,
    subject: str | None,
    event_type: str | None,
    after: UUID | None,
    limit: int,
) -> list[AuditEntry]:
    """Trail entries of the caller's region in chain order; ``limit`` rows at most."""
    if principal.region is None:
        # A principal without a region sees no region-scoped object (auth.Principal.covers_region).
        return []
    where = TrailFilter(principal.region, subject=subject, event_type=event_type)
    return await TrailRepository(session).list_in_region(where, after=after, limit=limit)


async def list_follow_ups(
    session: AsyncSession,
    principal: Principal,
    *,
    beneficiary_id: UUID | None,
    status: FollowUpStatus | None,
    after: UUID | None,
    limit: int,
) -> list[FollowUp]:
    """Follow-ups of the caller's region, oldest first."""
    if principal.region is None:
        return []
    where = FollowUpFilter(principal.region, beneficiary_id=beneficiary_id, status=status)
    return await FollowUpRepository(session).list_in_region(where, after=after, limit=limit)


async def get_follow_up(session: AsyncSession, follow_up_id: UUID, principal: Principal) -> FollowUp:
    """One follow-up; another region's is answered as not found."""
    follow_up = await FollowUpRepository(session).get(follow_up_id)
    if follow_up is None:
        raise NotFound("follow-up not found")
    principal.ensure_region(follow_up.district_code, "follow-up")
    return follow_up


async def list_spot_checks(
    session: AsyncSession,
    principal: Principal,
    *,
    visit_id: UUID | None,
    provider_id: UUID | None,
    status: SpotCheckStatus | None,
    after: UUID | None,
    limit: int,
) -> list[SpotCheck]:
    """Spot checks of the caller's region, oldest first."""
    if principal.region is None:
        return []
    where = SpotCheckFilter(principal.region, visit_id=visit_id, provider_id=provider_id, status=status)
    return await SpotCheckRepository(session).list_in_region(where, after=after, limit=limit)


async def get_spot_check(session: AsyncSession, spot_check_id: UUID, principal: Principal) -> SpotCheck:
    """One spot check; another region's is answered as not found."""
    check = await SpotCheckRepository(session).get(spot_check_id)
    if check is None:
        raise NotFound("spot check not found")
    principal.ensure_region(check.district_code, "spot check")
    return check


def _complaint_scope(principal: Principal) -> ComplaintFilter | None:
    """Government staff read their region's complaints; a provider's staff those against it."""
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        return ComplaintFilter(provider_id=principal.provider_id)
    if principal.region is not None:
        return ComplaintFilter(region_prefix=principal.region)
    return None


def _ensure_complaint_visible(complaint: Complaint, principal: Principal) -> None:
    scope = _complaint_scope(principal)
    if scope is None:
        raise NotFound("complaint not found")
    if scope.provider_id is not None:
        if complaint.subject.provider_id != scope.provider_id:
            raise NotFound("complaint not found")
    else:
        principal.ensure_region(complaint.district_code, "complaint")


async def list_complaints(
    session: AsyncSession,
    principal: Principal,
    *,
    status: ComplaintStatus | None,
    caregiver_id: UUID | None,
    overdue: bool,
    after: UUID | None,
    limit: int,
) -> list[Complaint]:
    """Complaints the caller may see, oldest first; ``overdue`` keeps the open ones past their deadline."""
    scope = _complaint_scope(principal)
    if scope is None:
        return []
    where = replace(scope, status=status, caregiver_id=caregiver_id, overdue_at=utcnow() if overdue else None)
    return await ComplaintRepository(session).list(where, after=after, limit=limit)


async def get_complaint(session: AsyncSession, complaint_id: UUID, principal: Principal) -> Complaint:
    """One complaint, the complainant masked (application.complaints.read_complainant reads it in
    clear); another tenant's is answered as not found."""
    complaint = await ComplaintRepository(session).get(complaint_id)
    if complaint is None:
        raise NotFound("complaint not found")
    _ensure_complaint_visible(complaint, principal)
    return complaint


@dataclass(frozen=True)
class CaregiverComplaintRecord:
    record: ComplaintRecord
    decertification: Decertification | None


async def get_caregiver_record(
    session: AsyncSession, caregiver_id: UUID, principal: Principal
) -> CaregiverComplaintRecord:
    """The caregiver's substantiated complaints in the rolling 365 days (wuhai-2017 第三十一条).

    Scoped like the complaints: the caller sees the record only of complaints in their region; a
    caregiver with none there (and no decertification there) is not found.
    """
    repo = ComplaintRepository(session)
    now = utcnow()
    record = await caregiver_record(repo, caregiver_id, now)
    visible = tuple(c for c in record.complaints if principal.covers_region(c.district_code))
    decertification = await repo.get_decertification(caregiver_id)
    if decertification is not None and not principal.covers_region(decertification.district_code):
        decertification = None
    if (
        not visible
        and decertification is None
        and not await _has_complaint_in_region(repo, caregiver_id, principal)
    ):
        raise NotFound("caregiver not found")
    return CaregiverComplaintRecord(ComplaintRecord(caregiver_id, now, visible), decertification)


async def _has_complaint_in_region(
    repo: ComplaintRepository, caregiver_id: UUID, principal: Principal
) -> bool:
    if principal.region is None:
        return False
    where = ComplaintFilter(region_prefix=principal.region, caregiver_id=caregiver_id)
    return bool(await repo.list(where, after=None, limit=1))


def _rectification_scope(principal: Principal) -> Scope | None:
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        return Scope(provider_id=principal.provider_id)
    if principal.region is not None:
        return Scope(region_prefix=principal.region)
    return None


def _ensure_in_scope(principal: Principal, district_code: str, provider_id: UUID, what: str) -> None:
    scope = _rectification_scope(principal)
    if scope is None:
        raise NotFound(f"{what} not found")
    if scope.provider_id is not None:
        principal.ensure_provider(provider_id, what)
    else:
        principal.ensure_region(district_code, what)


async def list_findings(
    session: AsyncSession, principal: Principal, *, provider_id: UUID | None, after: UUID | None, limit: int
) -> list[Finding]:
    """Findings of the caller's region, or those addressed to the caller's provider."""
    scope = _rectification_scope(principal)
    if scope is None:
        return []
    return await RectificationRepository(session).list_findings(
        scope, provider_id=provider_id, after=after, limit=limit
    )


async def get_finding(session: AsyncSession, finding_id: UUID, principal: Principal) -> Finding:
    finding = await RectificationRepository(session).get_finding(finding_id)
    if finding is None:
        raise NotFound("finding not found")
    _ensure_in_scope(principal, finding.district_code, finding.provider_id, "finding")
    return finding


async def list_notices(
    session: AsyncSession,
    principal: Principal,
    *,
    status: NoticeStatus | None,
    after: UUID | None,
    limit: int,
) -> list[RectificationNotice]:
    scope = _rectification_scope(principal)
    if scope is None:
        return []
    return await RectificationRepository(session).list_notices(scope, status=status, after=after, limit=limit)


async def get_notice(session: AsyncSession, notice_id: UUID, principal: Principal) -> RectificationNotice:
    notice = await RectificationRepository(session).get_notice(notice_id)
    if notice is None:
        raise NotFound("rectification notice not found")
    _ensure_in_scope(principal, notice.district_code, notice.provider_id, "rectification notice")
    return notice


TIMELINE_PARTIES = {"beneficiaries": "beneficiary", "providers": "provider", "caregivers": "caregiver"}


async def timeline(
    session: AsyncSession,
    principal: Principal,
    parties: str,
    party_id: UUID,
    *,
    after: UUID | None,
    limit: int,
) -> list[AuditEntry]:
    """Every service's events about one party, from the trail, in the caller's region (investigators)."""
    if principal.region is None:
        return []
    return await TrailRepository(session).timeline(
        principal.region, TIMELINE_PARTIES[parties], party_id, after=after, limit=limit
    )
