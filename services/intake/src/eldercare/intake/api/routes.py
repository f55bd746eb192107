"""HTTP routes of the intake service (thin: parse -> command -> handler -> response)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ValidationError

from eldercare.common.auth import Principal
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import execute
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.api.dependencies import (
    AccessReason,
    Catalog,
    CityPlatform,
    CommunityWorker,
    ContactEditor,
    DistrictOfficer,
    GovernmentReader,
    PolicySettings,
    Reviewer,
    Rt,
    StreetOfficer,
    Vault,
)
from eldercare.intake.api.eligibility import router as eligibility_router
from eldercare.intake.api.reevaluations import router as reevaluations_router
from eldercare.intake.api.rosters import router as rosters_router
from eldercare.intake.api.schemas import (
    ApplicationCreate,
    BulkApplicationsCreate,
    ContactChange,
    DecisionCreate,
    FalseDeclarationCreate,
    ReviewCreate,
    StatusChangeCreate,
)
from eldercare.intake.api.views import ApplicationRead, BeneficiaryRead
from eldercare.intake.api.webhooks import router as webhooks_router
from eldercare.intake.application import bulk, contact_change, decisions, handlers, queries, register
from eldercare.intake.application.case import ApplicationCase
from eldercare.intake.domain.application import ApplicationStatus
from eldercare.intake.domain.policy import PackCatalog

applications = APIRouter(prefix="/v1/applications", tags=["applications"])
beneficiaries = APIRouter(prefix="/v1/beneficiaries", tags=["beneficiaries"])
Paging = Annotated[PageParams, Depends(page_params)]


def _masked(case: ApplicationCase) -> ApplicationRead:
    return ApplicationRead.build(case, unmasked=False)


@applications.post(
    "", response_model=ApplicationRead, status_code=201, summary="Submit an application (受理)"
)
async def submit_application(
    body: ApplicationCreate,
    principal: CommunityWorker,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
    packs: Catalog,
) -> object:
    cmd = _submit_command(body, principal, vault, packs)
    return await execute(rt, lambda uow: handlers.submit_application(cmd, uow), _masked, idempotency=idem)


def _submit_command(
    body: ApplicationCreate, principal: Principal, vault: PiiVault, packs: PackCatalog
) -> handlers.SubmitApplication:
    a = body.applicant
    return handlers.SubmitApplication(
        policy=body.policy,
        applicant=handlers.ApplicantData(
            **a.model_dump(exclude={"home_point"}),
            home_point=(a.home_point.lat, a.home_point.lon) if a.home_point else None,
        ),
        circumstances=tuple(c.value for c in body.circumstances),
        agent=handlers.AgentData(**body.agent.model_dump()) if body.agent else None,
        guardian=body.guardian.value if body.guardian else None,
        external_ref=body.external_ref,
        receiving_since=body.receiving_since,
        earlier_service_since=body.earlier_service_since,
        principal=principal,
        vault=vault,
        catalog=packs,
    )


class BulkItemRead(BaseModel):
    index: int
    status: int
    external_ref: str | None = None
    application_id: UUID | None = None
    detail: str | None = None
    errors: list[dict[str, str]] = []


class BulkResultRead(BaseModel):
    created: int
    failed: int
    items: list[BulkItemRead]


@applications.post(
    "/bulk",
    response_model=BulkResultRead,
    status_code=200,
    summary="Submit up to 1,000 applications for the city platform; one result per item",
)
async def submit_applications_in_bulk(
    body: BulkApplicationsCreate,
    principal: CityPlatform,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
    packs: Catalog,
) -> object:
    """Each item is an ``ApplicationCreate``. An item that fails (bad data, a second application
    for the same person, outside the platform's region) gets its status and errors and leaves
    nothing behind; the others are submitted. Fields of item errors are ``items.<index>.<field>``."""
    commands: list[handlers.SubmitApplication | bulk.ItemResult] = []
    for index, raw in enumerate(body.items):
        try:
            commands.append(_submit_command(ApplicationCreate.model_validate(raw), principal, vault, packs))
        except ValidationError as exc:
            errors = [
                {"field": ".".join(str(p) for p in ("items", index, *e["loc"])), "message": e["msg"]}
                for e in exc.errors()
            ]
            ref = raw.get("external_ref") if isinstance(raw.get("external_ref"), str) else None
            commands.append(bulk.ItemResult(index, 422, ref, None, "invalid item", errors))

    def respond(results: list[bulk.ItemResult]) -> BulkResultRead:
        created = sum(1 for r in results if r.status == 201)
        items = [BulkItemRead(**vars(r)) for r in results]
        return BulkResultRead(created=created, failed=len(results) - created, items=items)

    return await execute(
        rt, lambda uow: bulk.submit_bulk(commands, uow), respond, status_code=200, idempotency=idem
    )


@applications.post(
    "/{application_id}/reviews",
    response_model=ApplicationRead,
    status_code=201,
    summary="Record the street office's preliminary review (初审)",
)
async def review_application(
    application_id: UUID,
    body: ReviewCreate,
    principal: StreetOfficer,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
) -> object:
    cmd = handlers.ReviewApplication(application_id, body.outcome, body.comment, principal, vault)
    return await execute(rt, lambda uow: handlers.review_application(cmd, uow), _masked, idempotency=idem)


@applications.post(
    "/{application_id}/decisions",
    response_model=ApplicationRead,
    status_code=201,
    summary="Record the district bureau's decision (审定); an approval enrols the beneficiary",
)
async def decide_application(
    application_id: UUID,
    body: DecisionCreate,
    principal: DistrictOfficer,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
    packs: Catalog,
    amounts: PolicySettings,
) -> object:
    cmd = decisions.DecideApplication(
        application_id, body.outcome, body.comment, body.as_of, principal, vault, packs, amounts
    )
    return await execute(rt, lambda uow: decisions.decide_application(cmd, uow), _masked, idempotency=idem)


@applications.post(
    "/{application_id}/false-declarations",
    response_model=ApplicationRead,
    status_code=201,
    summary="Mark an application as based on false material: rejected, the person flagged",
    responses={
        404: {"description": "no such application in the caller's region"},
        409: {"description": "the application is no longer in progress"},
    },
)
async def flag_false_declaration(
    application_id: UUID,
    body: FalseDeclarationCreate,
    principal: Reviewer,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
    packs: Catalog,
) -> object:
    """wuhai-2017-home-care-measures.md 第三十二条: 提供虚假证明材料的，取消政府购买居家养老服务资格."""
    cmd = decisions.FlagFalseDeclaration(application_id, body.comment, principal, vault, packs)
    return await execute(
        rt, lambda uow: decisions.flag_false_declaration(cmd, uow), _masked, idempotency=idem
    )


@applications.get(
    "/by-reference/{external_ref:path}",
    response_model=ApplicationRead,
    summary="The city platform's status query by its own reference (masked)",
    responses={404: {"description": "no application of this client has the reference"}},
)
async def get_application_by_reference(
    external_ref: Annotated[str, Path(pattern=r"^[A-Za-z0-9._:/-]{1,64}$", examples=["CITY/2026/0001"])],
    principal: CityPlatform,
    rt: Rt,
    vault: Vault,
) -> object:
    """Scoped to the client: the reference is the ``external_ref`` the platform submitted (single
    or bulk), unique per client. Personal data is always masked here."""
    reader = queries.Reader(principal, vault)
    return await execute(
        rt, lambda uow: queries.get_by_external_ref(uow, reader, external_ref), _masked, status_code=200
    )


@applications.get("/{application_id}", response_model=ApplicationRead, summary="One application")
async def get_application(
    application_id: UUID, principal: GovernmentReader, rt: Rt, vault: Vault, reason: AccessReason
) -> object:
    reader = queries.Reader(principal, vault, reason)
    return await execute(
        rt,
        lambda uow: queries.get_application(uow, reader, application_id),
        lambda case: ApplicationRead.build(case, unmasked=reader.unmasked),
        status_code=200,
    )


@applications.get("", response_model=Page[ApplicationRead], summary="Applications in the caller's region")
async def list_applications(
    principal: GovernmentReader,
    rt: Rt,
    vault: Vault,
    page: Paging,
    reason: AccessReason,
    status: Annotated[ApplicationStatus | None, Query()] = None,
) -> object:
    reader = queries.Reader(principal, vault, reason)
    return await execute(
        rt,
        lambda uow: queries.list_applications(
            uow, reader, status=status, after=page.after, limit=page.limit + 1
        ),
        lambda cases: make_page(
            [ApplicationRead.build(c, unmasked=reader.unmasked) for c in cases], page.limit
        ),
        status_code=200,
    )


@beneficiaries.get("/{beneficiary_id}", response_model=BeneficiaryRead, summary="One beneficiary")
async def get_beneficiary(
    beneficiary_id: UUID, principal: GovernmentReader, rt: Rt, vault: Vault, reason: AccessReason
) -> object:
    reader = queries.Reader(principal, vault, reason)
    return await execute(
        rt,
        lambda uow: queries.get_beneficiary(uow, reader, beneficiary_id),
        lambda case: BeneficiaryRead.build(case, unmasked=reader.unmasked),
        status_code=200,
    )


@beneficiaries.post(
    "/{beneficiary_id}/status-changes",
    response_model=BeneficiaryRead,
    status_code=201,
    summary="Suspend, resume or terminate a beneficiary; publishes BeneficiaryStatusChanged",
    responses={
        404: {"description": "no such beneficiary in the caller's region"},
        409: {"description": "a transition the register does not allow"},
    },
)
async def change_beneficiary_status(
    beneficiary_id: UUID,
    body: StatusChangeCreate,
    principal: DistrictOfficer,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
) -> object:
    cmd = register.ChangeBeneficiaryStatus(
        beneficiary_id, body.status, body.reason, body.effective_on, body.comment, principal, vault
    )
    return await execute(
        rt,
        lambda uow: register.change_beneficiary_status(cmd, uow),
        lambda case: BeneficiaryRead.build(case, unmasked=False),
        idempotency=idem,
    )


@beneficiaries.patch(
    "/{beneficiary_id}/contact",
    response_model=BeneficiaryRead,
    status_code=200,
    summary="Change an enrolled person's contact (name, phone, address, agent); shared again with dispatch",
    responses={
        404: {"description": "no such beneficiary in the caller's region"},
        409: {"description": "the beneficiary is terminated"},
    },
)
async def change_beneficiary_contact(
    beneficiary_id: UUID,
    body: ContactChange,
    principal: ContactEditor,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
) -> object:
    """The response is masked whatever the scopes: it is stored for Idempotency-Key replays (views.py);
    read the beneficiary with ``pii:read`` to see the new values."""
    agent = contact_change.AgentContact(**body.agent.model_dump()) if body.agent else None
    cmd = contact_change.ChangeContact(
        beneficiary_id, body.name, body.phone, body.address, agent, principal, vault
    )
    return await execute(
        rt,
        lambda uow: contact_change.change_contact(cmd, uow),
        lambda case: BeneficiaryRead.build(case, unmasked=False),
        status_code=200,
        idempotency=idem,
    )


@beneficiaries.get("", response_model=Page[BeneficiaryRead], summary="Beneficiaries in the caller's region")
async def list_beneficiaries(
    principal: GovernmentReader, rt: Rt, vault: Vault, page: Paging, reason: AccessReason
) -> object:
    reader = queries.Reader(principal, vault, reason)
    return await execute(
        rt,
        lambda uow: queries.list_beneficiaries(uow, reader, after=page.after, limit=page.limit + 1),
        lambda cases: make_page(
            [BeneficiaryRead.build(c, unmasked=reader.unmasked) for c in cases], page.limit
        ),
        status_code=200,
    )


ROUTERS: list[APIRouter] = [
    applications,
    beneficiaries,
    eligibility_router,
    reevaluations_router,
    webhooks_router,
    rosters_router,
]
