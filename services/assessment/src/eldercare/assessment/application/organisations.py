"""Handlers and queries of assessment organisations, their assessors and task assignment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.adapters.organisations import OrganisationRepository
from eldercare.assessment.adapters.repository import AssessmentRepository
from eldercare.assessment.application.access import Viewer
from eldercare.assessment.domain.assessment import Assessment
from eldercare.assessment.domain.organisations import AssessmentOrganisation, Assessor, make_assignment
from eldercare.common.clock import local_date, utcnow
from eldercare.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class RegisterOrganisation:
    name: str
    credit_code: str
    qualification: str
    regions: tuple[str, ...]
    viewer: Viewer


@dataclass(frozen=True)
class AddAssessor:
    organisation_id: UUID
    subject: str
    name: str
    certificate_number: str
    certificate_expires_on: date
    medical_background: bool
    viewer: Viewer


@dataclass(frozen=True)
class DeactivateAssessor:
    organisation_id: UUID
    assessor_id: UUID
    viewer: Viewer


@dataclass(frozen=True)
class AssignAssessment:
    assessment_id: UUID
    organisation_id: UUID
    assessor_ids: tuple[UUID, ...]
    require_medical: bool
    viewer: Viewer
    cipher: HealthDataCipher


async def register_organisation(cmd: RegisterOrganisation, uow: UnitOfWork) -> AssessmentOrganisation:
    """评估机构: registered by the civil-affairs officers of the regions it serves (Xiangtan 第七条:
    民政部门应当加强对专业评估组织的监督管理)."""
    principal = cmd.viewer.principal
    outside = [i for i, r in enumerate(cmd.regions) if not principal.covers_region(r)]
    if outside:
        raise Forbidden(
            "your region does not cover every region the organisation serves",
            errors=[{"field": f"regions.{i}", "message": "outside your region"} for i in outside],
        )
    repo = OrganisationRepository(uow.session)
    organisation = AssessmentOrganisation.register(
        name=cmd.name,
        credit_code=cmd.credit_code,
        qualification=cmd.qualification,
        regions=cmd.regions,
        created_by=principal.subject,
    )
    if await repo.get_by_credit_code(organisation.credit_code) is not None:
        raise Conflict("an organisation with this credit code is registered", field="credit_code")
    await repo.add(organisation)
    return organisation


async def _managed(
    repo: OrganisationRepository, organisation_id: UUID, viewer: Viewer
) -> AssessmentOrganisation:
    organisation = await repo.get(organisation_id)
    if organisation is None or not viewer.sees_organisation(organisation):
        raise NotFound("organisation not found")
    if not viewer.manages_organisation(organisation):
        raise Forbidden("only the organisation's admin or the officers of all its regions manage it")
    return organisation


async def add_assessor(cmd: AddAssessor, uow: UnitOfWork) -> Assessor:
    repo = OrganisationRepository(uow.session)
    organisation = await _managed(repo, cmd.organisation_id, cmd.viewer)
    if await repo.get_assessor_by_subject(cmd.subject) is not None:
        raise Conflict("an assessor with this login subject is registered", field="subject")
    assessor = Assessor(
        organisation_id=organisation.id,
        subject=cmd.subject,
        name=cmd.name,
        certificate_number=cmd.certificate_number,
        certificate_expires_on=cmd.certificate_expires_on,
        medical_background=cmd.medical_background,
    )
    await repo.add_assessor(assessor)
    return assessor


async def deactivate_assessor(cmd: DeactivateAssessor, uow: UnitOfWork) -> Assessor:
    """An inactive assessor takes no new task and signs nothing more."""
    repo = OrganisationRepository(uow.session)
    organisation = await _managed(repo, cmd.organisation_id, cmd.viewer)
    assessor = await repo.get_assessor(cmd.assessor_id)
    if assessor is None or assessor.organisation_id != organisation.id:
        raise NotFound("assessor not found")
    assessor.active = False
    await repo.save_assessor(assessor)
    return assessor


async def assign_assessment(cmd: AssignAssessment, uow: UnitOfWork) -> Assessment:
    """Assign a pending task to an organisation and two of its assessors (issue #4)."""
    tasks = AssessmentRepository(uow.session, cmd.cipher)
    assessment = await tasks.get(cmd.assessment_id)
    if assessment is None:
        raise NotFound("assessment not found")
    cmd.viewer.ensure_sees(assessment)
    repo = OrganisationRepository(uow.session)
    organisation = await repo.get(cmd.organisation_id)
    if organisation is None or not cmd.viewer.sees_organisation(organisation):
        raise InvalidInput("no such organisation", field="organisation_id")
    found = await repo.get_assessors(cmd.assessor_ids)
    unknown = [i for i, a in enumerate(cmd.assessor_ids) if a not in found]
    if unknown:
        raise InvalidInput(
            "no such assessor",
            errors=[{"field": f"assessor_ids.{i}", "message": "no such assessor"} for i in unknown],
        )
    now = utcnow()
    assessment.assign(
        make_assignment(
            organisation,
            [found[a] for a in cmd.assessor_ids],
            district_code=assessment.district_code,
            require_medical=cmd.require_medical,
            by=cmd.viewer.subject,
            now=now,
            today=local_date(now),
        )
    )
    await tasks.save(assessment)
    return assessment


async def ensure_assessors_qualified(session: AsyncSession, assessment: Assessment, *subjects: str) -> None:
    """At signing, an assigned assessor must still be active and certified (today, Asia/Shanghai)."""
    if assessment.assignment is None:
        return
    repo = OrganisationRepository(session)
    today = local_date(utcnow())
    for subject in subjects:
        assessor = await repo.get_assessor_by_subject(subject)
        why = "not a registered assessor" if assessor is None else assessor.problem_on(today)
        if why is not None:
            raise Conflict(f"{subject}: {why}", field="assessors")


# ---------------------------------------------------------------- queries


async def list_organisations(
    session: AsyncSession, viewer: Viewer, *, after: UUID | None, limit: int
) -> list[AssessmentOrganisation]:
    found: list[AssessmentOrganisation] = []
    repo = OrganisationRepository(session)
    cursor = after
    # Filter by tenancy in memory, page by page, until the page is full or the table ends.
    while len(found) < limit:
        batch = await repo.list(after=cursor, limit=200)
        found += [o for o in batch if viewer.sees_organisation(o)]
        if len(batch) < 200:
            break
        cursor = batch[-1].id
    return found[:limit]


async def get_organisation(
    session: AsyncSession, organisation_id: UUID, viewer: Viewer
) -> AssessmentOrganisation:
    organisation = await OrganisationRepository(session).get(organisation_id)
    if organisation is None or not viewer.sees_organisation(organisation):
        raise NotFound("organisation not found")
    return organisation


async def list_assessors(session: AsyncSession, organisation_id: UUID, viewer: Viewer) -> list[Assessor]:
    await get_organisation(session, organisation_id, viewer)
    return await OrganisationRepository(session).list_assessors(organisation_id)
