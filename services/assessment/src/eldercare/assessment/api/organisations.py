"""HTTP routes of assessment organisations, their assessors and task assignment (issue #4)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.api.dependencies import health_data_cipher, viewer
from eldercare.assessment.api.organisation_schemas import (
    AssessorCreate,
    AssessorRead,
    AssignmentCreate,
    OrganisationCreate,
    OrganisationRead,
)
from eldercare.assessment.api.schemas import AssessmentRead
from eldercare.assessment.application import organisations as orgs
from eldercare.assessment.application.access import ORG_ADMIN, Viewer
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.auth import Role
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

router = APIRouter(prefix="/v1/assessment-organisations", tags=["assessment organisations"])

Government = Annotated[Viewer, Depends(viewer(Role.district_officer, Role.city_admin))]
Manager = Annotated[Viewer, Depends(viewer(Role.district_officer, Role.city_admin, ORG_ADMIN))]
Rt = Annotated[Runtime, Depends(runtime)]


@router.post(
    "", response_model=OrganisationRead, status_code=201, summary="Register an assessment organisation"
)
async def register_organisation(
    body: OrganisationCreate, caller: Government, idem: Idempotency, rt: Rt
) -> object:
    cmd = orgs.RegisterOrganisation(
        name=body.name,
        credit_code=body.credit_code,
        qualification=body.qualification,
        regions=tuple(body.regions),
        viewer=caller,
    )
    return await execute(
        rt, lambda uow: orgs.register_organisation(cmd, uow), OrganisationRead.from_domain, idempotency=idem
    )


@router.get("", response_model=Page[OrganisationRead], summary="Organisations serving the caller's region")
async def list_organisations(
    caller: Manager, rt: Rt, page: Annotated[PageParams, Depends(page_params)]
) -> Page[OrganisationRead]:
    async with rt.read_session() as session:
        found = await orgs.list_organisations(session, caller, after=page.after, limit=page.limit + 1)
    return make_page([OrganisationRead.from_domain(o) for o in found], page.limit)


@router.get("/{organisation_id}", response_model=OrganisationRead, summary="One organisation")
async def get_organisation(organisation_id: UUID, caller: Manager, rt: Rt) -> OrganisationRead:
    async with rt.read_session() as session:
        return OrganisationRead.from_domain(await orgs.get_organisation(session, organisation_id, caller))


@router.post(
    "/{organisation_id}/assessors",
    response_model=AssessorRead,
    status_code=201,
    summary="Register an assessor of the organisation",
)
async def add_assessor(
    organisation_id: UUID, body: AssessorCreate, caller: Manager, idem: Idempotency, rt: Rt
) -> object:
    cmd = orgs.AddAssessor(
        organisation_id=organisation_id,
        subject=body.subject,
        name=body.name,
        certificate_number=body.certificate_number,
        certificate_expires_on=body.certificate_expires_on,
        medical_background=body.medical_background,
        viewer=caller,
    )
    return await execute(
        rt, lambda uow: orgs.add_assessor(cmd, uow), AssessorRead.from_domain, idempotency=idem
    )


@router.get(
    "/{organisation_id}/assessors", response_model=list[AssessorRead], summary="The organisation's assessors"
)
async def list_assessors(organisation_id: UUID, caller: Manager, rt: Rt) -> list[AssessorRead]:
    async with rt.read_session() as session:
        found = await orgs.list_assessors(session, organisation_id, caller)
    return [AssessorRead.from_domain(a) for a in found]


@router.post(
    "/{organisation_id}/assessors/{assessor_id}/deactivations",
    response_model=AssessorRead,
    status_code=201,
    summary="Deactivate an assessor: no new task, no more signatures",
)
async def deactivate_assessor(
    organisation_id: UUID, assessor_id: UUID, caller: Manager, idem: Idempotency, rt: Rt
) -> object:
    cmd = orgs.DeactivateAssessor(organisation_id, assessor_id, caller)
    return await execute(
        rt, lambda uow: orgs.deactivate_assessor(cmd, uow), AssessorRead.from_domain, idempotency=idem
    )


assignments = APIRouter(prefix="/v1/assessments", tags=["assessments"])
DistrictOfficer = Annotated[Viewer, Depends(viewer(Role.district_officer))]


@assignments.post(
    "/{assessment_id}/assignments",
    response_model=AssessmentRead,
    status_code=201,
    summary="Assign a pending task to an organisation and two of its assessors",
)
async def assign(
    assessment_id: UUID,
    body: AssignmentCreate,
    caller: DistrictOfficer,
    request: Request,
    idem: Idempotency,
    rt: Rt,
    cipher: Annotated[HealthDataCipher, Depends(health_data_cipher)],
) -> object:
    settings: AssessmentSettings = request.app.state.settings
    cmd = orgs.AssignAssessment(
        assessment_id=assessment_id,
        organisation_id=body.organisation_id,
        assessor_ids=tuple(body.assessor_ids),
        require_medical=settings.require_medical_assessor,
        viewer=caller,
        cipher=cipher,
    )
    return await execute(
        rt,
        lambda uow: orgs.assign_assessment(cmd, uow),
        lambda result: AssessmentRead.from_domain(result, caller.principal),
        idempotency=idem,
    )


ROUTERS: list[APIRouter] = [router, assignments]
