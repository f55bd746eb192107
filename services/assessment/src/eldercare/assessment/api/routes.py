"""HTTP routes of the assessment service (thin: parse -> command -> handler -> response)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.api import evaluations, organisations
from eldercare.assessment.api import report_html as report_html_doc
from eldercare.assessment.api import report_pdf as report_pdf_doc
from eldercare.assessment.api.dependencies import (
    disclosure,
    health_data_cipher,
    reject_duplicate_keys,
    rule_settings,
    viewer,
)
from eldercare.assessment.api.form_schemas import DraftRead, FormDraft, SignatureCreate
from eldercare.assessment.api.schemas import (
    AssessmentRead,
    DisputeCreate,
    DueList,
    ReassessmentCreate,
    RecognitionCreate,
    ResultCreate,
)
from eldercare.assessment.application import disclosures, handlers, queries, recognition, triggers
from eldercare.assessment.application.access import ORG_ADMIN, Viewer
from eldercare.assessment.application.disclosures import Disclosure
from eldercare.assessment.application.forms import missing_fields
from eldercare.assessment.domain.assessment import (
    Assessment,
    AssessmentReason,
    AssessmentStatus,
    InformationProvider,
)
from eldercare.assessment.domain.errors import AssessmentNotCompleted
from eldercare.assessment.domain.gbt42195 import RuleSettings
from eldercare.assessment.domain.recognition import ExternalResult
from eldercare.assessment.domain.scoring import ScoringInput
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.auth import Principal, Role, require
from eldercare.common.clock import local_date, utcnow
from eldercare.common.errors import NotFound
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.pdf import PDF_MEDIA_TYPE
from eldercare.common.runtime import Runtime, execute, runtime

router = APIRouter(prefix="/v1/assessments", tags=["assessments"])

Reader = Annotated[Viewer, Depends(viewer(Role.assessor, Role.district_officer, Role.city_admin, ORG_ADMIN))]
Assessor = Annotated[Viewer, Depends(viewer(Role.assessor))]
DistrictOfficer = Annotated[Principal, Depends(require(Role.district_officer))]
Corrector = Annotated[Viewer, Depends(viewer(Role.assessor, Role.district_officer))]
Rt = Annotated[Runtime, Depends(runtime)]
Cipher = Annotated[HealthDataCipher, Depends(health_data_cipher)]
Who = Annotated[Disclosure, Depends(disclosure)]


@router.get("", response_model=Page[AssessmentRead], summary="Assessments in the caller's region")
async def list_assessments(
    reader: Reader,
    rt: Rt,
    cipher: Cipher,
    page: Annotated[PageParams, Depends(page_params)],
    who: Who,
    application_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[AssessmentStatus | None, Query()] = None,
) -> Page[AssessmentRead]:
    async with rt.uow() as uow:
        found = await queries.list_assessments(
            uow.session,
            reader,
            cipher,
            application_id=application_id,
            status=status,
            after=page.after,
            limit=page.limit + 1,
        )
        shown = found[: page.limit]
        for a in shown:
            await disclosures.record(
                uow, who, a, "assessment", disclosures.report_fields(a, reader.principal)
            )
        await uow.commit()
    return make_page([AssessmentRead.from_domain(a, reader.principal) for a in found], page.limit)


@router.get("/{assessment_id}", response_model=AssessmentRead, summary="One assessment")
async def get_assessment(
    assessment_id: UUID, reader: Reader, rt: Rt, cipher: Cipher, who: Who
) -> AssessmentRead:
    async with rt.uow() as uow:
        assessment = await queries.get_assessment(uow.session, assessment_id, reader, cipher)
        fields = disclosures.report_fields(assessment, reader.principal)
        await disclosures.record(uow, who, assessment, "assessment", fields)
        await uow.commit()
    return AssessmentRead.from_domain(assessment, reader.principal)


@router.post("", response_model=AssessmentRead, status_code=201, summary="Order a reassessment of a person")
async def create_reassessment(
    body: ReassessmentCreate, principal: DistrictOfficer, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.CreateReassessment(
        person_id=body.person_id,
        district_code=body.district_code,
        community_code=body.community_code,
        reason=AssessmentReason(body.reason),
        principal=principal,
    )
    return await execute(
        rt,
        lambda uow: handlers.create_reassessment(cmd, uow),
        lambda result: AssessmentRead.from_domain(result, principal),
        idempotency=idem,
    )


@router.post(
    "/{assessment_id}/results",
    response_model=AssessmentRead,
    status_code=201,
    summary="Record the two assessors' GB/T 42195-2022 results and complete the assessment",
)
async def record_result(
    assessment_id: UUID,
    body: ResultCreate,
    caller: Assessor,
    _unique_keys: Annotated[None, Depends(reject_duplicate_keys)],
    idem: Idempotency,
    rt: Rt,
    settings: Annotated[RuleSettings, Depends(rule_settings)],
    cipher: Cipher,
    who: Who,
) -> object:
    cmd = handlers.RecordResult(
        assessment_id=assessment_id,
        sheet=ScoringInput(
            items=body.items.model_dump(by_alias=True),
            coma=body.coma,
            diagnoses=tuple(body.diagnoses),
            psychiatric_specialist_diagnosis=body.psychiatric_specialist_diagnosis,
            risk_events_30d=body.risk_events_30d.as_categories(),
        ),
        assessors=tuple(body.assessors),
        information_provider=InformationProvider(
            body.information_provider.name, body.information_provider.relation
        ),
        assessed_on=body.assessed_on,
        settings=settings,
        viewer=caller,
        cipher=cipher,
    )
    return await execute(
        rt,
        disclosures.logged(lambda uow: handlers.record_result(cmd, uow), who),
        lambda result: AssessmentRead.from_domain(result, caller.principal),
        idempotency=idem,
    )


async def _report_of(
    rt: Runtime, assessment_id: UUID, reader: Viewer, cipher: HealthDataCipher, who: Disclosure
) -> Assessment:
    """A completed assessment for its printable report; the unmasked read is logged."""
    async with rt.uow() as uow:
        assessment = await queries.get_assessment(uow.session, assessment_id, reader, cipher)
        if assessment.report is None:
            raise AssessmentNotCompleted("the assessment is not signed yet; there is no report")
        fields = disclosures.report_fields(assessment, reader.principal)
        await disclosures.record(uow, who, assessment, "report", fields)
        await uow.commit()
    return assessment


def _draft_read(a: Assessment) -> DraftRead:
    if a.draft is None:
        raise NotFound("the assessment has no saved draft")
    return DraftRead(
        form=dict(a.draft.form),
        saved_by=a.draft.saved_by,
        saved_at=a.draft.saved_at,
        missing=missing_fields(a.draft.form),
    )


@router.put("/{assessment_id}/draft", response_model=DraftRead, summary="Save the form so far (a draft)")
async def save_draft(
    assessment_id: UUID,
    body: FormDraft,
    caller: Assessor,
    _unique_keys: Annotated[None, Depends(reject_duplicate_keys)],
    rt: Rt,
    cipher: Cipher,
) -> object:
    # A PUT replaces the draft with the body: repeating it is harmless, so no idempotency key.
    cmd = handlers.SaveDraft(assessment_id, body.model_dump(mode="json"), caller, cipher)
    return await execute(rt, lambda uow: handlers.save_draft(cmd, uow), _draft_read, status_code=200)


@router.get("/{assessment_id}/draft", response_model=DraftRead, summary="Resume the saved form")
async def get_draft(assessment_id: UUID, caller: Assessor, rt: Rt, cipher: Cipher, who: Who) -> DraftRead:
    async with rt.uow() as uow:
        assessment = await queries.get_assessment(uow.session, assessment_id, caller, cipher)
        caller.ensure_works_on(assessment)
        answer = _draft_read(assessment)
        await disclosures.record(uow, who, assessment, "draft", disclosures.draft_fields(answer.form))
        await uow.commit()
    return answer


@router.post(
    "/{assessment_id}/signatures",
    response_model=AssessmentRead,
    status_code=201,
    summary="Sign the saved form; the third signature (two assessors, the provider) completes it",
)
async def sign(
    assessment_id: UUID,
    body: SignatureCreate,
    caller: Assessor,
    idem: Idempotency,
    rt: Rt,
    cipher: Cipher,
    settings: Annotated[RuleSettings, Depends(rule_settings)],
    who: Who,
) -> object:
    cmd = handlers.SignAssessment(assessment_id, body.signer, settings.name, caller, cipher)
    return await execute(
        rt,
        disclosures.logged(lambda uow: handlers.sign_assessment(cmd, uow), who),
        lambda result: AssessmentRead.from_domain(result, caller.principal),
        idempotency=idem,
    )


@router.post(
    "/{assessment_id}/corrections",
    response_model=AssessmentRead,
    status_code=201,
    summary="Correct a signed assessment: a new assessment that supersedes it",
)
async def correct(
    assessment_id: UUID, caller: Corrector, idem: Idempotency, rt: Rt, cipher: Cipher, who: Who
) -> object:
    cmd = handlers.CorrectAssessment(assessment_id, caller, cipher)
    return await execute(
        rt,
        disclosures.logged(lambda uow: handlers.correct_assessment(cmd, uow), who),
        lambda result: AssessmentRead.from_domain(result, caller.principal),
        idempotency=idem,
    )


@router.get(
    "/{assessment_id}/report.html",
    response_class=HTMLResponse,
    summary="The printable report (Annex C layout) of a completed assessment",
)
async def report_html(assessment_id: UUID, reader: Reader, rt: Rt, cipher: Cipher, who: Who) -> HTMLResponse:
    assessment = await _report_of(rt, assessment_id, reader, cipher, who)
    place = assessment.draft.form.get("place") if assessment.draft else None
    return HTMLResponse(
        report_html_doc.render(assessment, can_read_pii=reader.principal.can_read_pii, place=place)
    )


@router.get(
    "/{assessment_id}/report.pdf",
    response_class=Response,
    responses={200: {"content": {PDF_MEDIA_TYPE: {}}}},
    summary="The printable report (Annex C layout) of a completed assessment, as a PDF",
)
async def report_pdf(assessment_id: UUID, reader: Reader, rt: Rt, cipher: Cipher, who: Who) -> Response:
    assessment = await _report_of(rt, assessment_id, reader, cipher, who)
    place = assessment.draft.form.get("place") if assessment.draft else None
    # Rendering takes a few hundred milliseconds (the font is parsed per document): off the loop.
    pdf = await run_in_threadpool(
        report_pdf_doc.render, assessment, can_read_pii=reader.principal.can_read_pii, place=place
    )
    return Response(
        pdf,
        media_type=PDF_MEDIA_TYPE,
        headers={"Content-Disposition": f'inline; filename="assessment-{assessment.id}.pdf"'},
    )


Disputer = Annotated[Viewer, Depends(viewer(Role.district_officer))]


@router.post(
    "/{assessment_id}/disputes",
    response_model=AssessmentRead,
    status_code=201,
    summary="Dispute a signed result: the 复评 task (A.1.3), or the person's task already open",
)
async def dispute(
    assessment_id: UUID, body: DisputeCreate, caller: Disputer, idem: Idempotency, rt: Rt, cipher: Cipher
) -> object:
    cmd = triggers.DisputeResult(assessment_id, body.reason, caller, cipher)
    return await execute(
        rt,
        lambda uow: triggers.dispute_result(cmd, uow),
        lambda result: AssessmentRead.from_domain(result[0], caller.principal),
        idempotency=idem,
        headers=lambda result: {"Eldercare-Task-Opened": "true" if result[1] else "false"},
    )


@router.post(
    "/{assessment_id}/recognitions",
    response_model=AssessmentRead,
    status_code=201,
    summary="Close a pending task with a recognised external result (mutual recognition, Xiangtan 第七条)",
)
async def recognise(
    assessment_id: UUID,
    body: RecognitionCreate,
    caller: Disputer,
    request: Request,
    idem: Idempotency,
    rt: Rt,
    cipher: Cipher,
    who: Who,
) -> object:
    settings: AssessmentSettings = request.app.state.settings
    result = ExternalResult(
        instrument=body.instrument,
        instrument_version=body.instrument_version,
        total_score=body.total_score,
        subtotals=dict(body.subtotals),
        preliminary_level=body.preliminary_level,
        final_level=body.final_level,
        adjustments=tuple(body.adjustments),
        assessed_on=body.assessed_on,
        valid_until=recognition.validity(
            body.assessed_on, body.valid_until, settings.reassessment_interval_months
        ),
        issuer_name=body.issuer_name,
        issuer_credit_code=body.issuer_credit_code.upper(),
        issuer_region=body.issuer_region,
        document_ref=body.document_ref,
    )
    cmd = recognition.RecogniseResult(assessment_id, result, caller, cipher, settings)
    return await execute(
        rt,
        disclosures.logged(lambda uow: recognition.recognise_result(cmd, uow), who),
        lambda a: AssessmentRead.from_domain(a, caller.principal),
        idempotency=idem,
    )


due_router = APIRouter(prefix="/v1/reassessments-due", tags=["assessments"])


@due_router.get("", response_model=DueList, summary="Signed reports whose routine reassessment is due")
async def list_due(
    reader: Reader,
    rt: Rt,
    cipher: Cipher,
    request: Request,
    who: Who,
    on: Annotated[
        date | None, Query(description="the day to look at; today (Asia/Shanghai) by default")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DueList:
    settings: AssessmentSettings = request.app.state.settings
    day = on or local_date(utcnow())
    async with rt.uow() as uow:
        found = await queries.list_due(
            uow.session,
            reader,
            cipher,
            on=day,
            interval_months=settings.reassessment_interval_months,
            limit=limit,
        )
        for a in found:
            await disclosures.record(
                uow, who, a, "assessment", disclosures.report_fields(a, reader.principal)
            )
        await uow.commit()
    assert settings.reassessment_interval_months is not None  # list_due refused otherwise
    return DueList(
        on=day,
        interval_months=settings.reassessment_interval_months,
        items=[AssessmentRead.from_domain(a, reader.principal) for a in found],
    )


ROUTERS: list[APIRouter] = [router, due_router, evaluations.router, *organisations.ROUTERS]
