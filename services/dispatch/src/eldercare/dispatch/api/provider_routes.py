"""Routes of the service catalog, providers and caregivers."""

from __future__ import annotations

import logging
from uuid import UUID

from fastapi import APIRouter

from eldercare.common.auth import CurrentPrincipal, Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import execute
from eldercare.dispatch.api.dependencies import (
    CaregiverReader,
    ProviderAdmin,
    ProviderReader,
    Registrar,
    Rt,
    problems,
)
from eldercare.dispatch.api.provider_schemas import (
    CaregiverCreate,
    CaregiverRead,
    CaregiverUpdate,
    ConditionRecord,
    ProviderCreate,
    ProviderRead,
    ProviderUpdate,
    ServiceItemList,
    ServiceItemRead,
)
from eldercare.dispatch.application import providers, queries
from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.providers import Caregiver, ConditionCode, Provider

log = logging.getLogger("eldercare.dispatch.pii")

router = APIRouter(prefix="/v1", tags=["providers"])


@router.get(
    "/service-items",
    response_model=ServiceItemList,
    tags=["catalog"],
    summary="The service catalog (附件2)",
    responses=problems(401),
)
async def list_service_items(principal: CurrentPrincipal) -> ServiceItemList:
    return ServiceItemList(items=[ServiceItemRead.from_domain(item) for item in CATALOG.items])


@router.post(
    "/providers",
    response_model=ProviderRead,
    status_code=201,
    summary="Register a provider",
    responses=problems(401, 403, 409),
)
async def register_provider(body: ProviderCreate, principal: Registrar, idem: Idempotency, rt: Rt) -> object:
    cmd = providers.RegisterProvider(**body.model_dump(), principal=principal)
    return await execute(
        rt, lambda uow: providers.register_provider(cmd, uow), _provider_read, idempotency=idem
    )


def _provider_read(provider: Provider) -> ProviderRead:
    # Eligibility is shown for the local (Asia/Shanghai) day, the day new work is refused on.
    return ProviderRead.from_domain(provider, local_date(utcnow()))


@router.get(
    "/providers/{provider_id}",
    response_model=ProviderRead,
    summary="One provider",
    responses=problems(401, 403, 404),
)
async def get_provider(provider_id: UUID, principal: ProviderReader, rt: Rt) -> ProviderRead:
    async with rt.read_session() as session:
        provider = await queries.get_provider(session, provider_id, principal)
    return _provider_read(provider)


@router.patch(
    "/providers/{provider_id}",
    response_model=ProviderRead,
    summary="Change a provider's contracted districts or price list",
    responses=problems(401, 403, 404),
)
async def update_provider(provider_id: UUID, body: ProviderUpdate, principal: Registrar, rt: Rt) -> object:
    cmd = providers.UpdateProvider(provider_id=provider_id, changes=body.changes(), principal=principal)
    return await execute(rt, lambda uow: providers.update_provider(cmd, uow), _provider_read, status_code=200)


@router.put(
    "/providers/{provider_id}/conditions/{code}",
    response_model=ProviderRead,
    summary="Record or renew a 第七条 condition of a provider, with its evidence",
    responses=problems(401, 403, 404),
)
async def record_condition(
    provider_id: UUID, code: ConditionCode, body: ConditionRecord, principal: Registrar, rt: Rt
) -> object:
    cmd = providers.RecordCondition(
        provider_id=provider_id,
        code=code,
        status=body.status,
        document_ref=body.evidence.document_ref,
        document_sha256=body.evidence.document_sha256,
        note=body.evidence.note,
        valid_until=body.valid_until,
        principal=principal,
    )
    return await execute(
        rt, lambda uow: providers.record_condition(cmd, uow), _provider_read, status_code=200
    )


@router.post(
    "/caregivers",
    response_model=CaregiverRead,
    status_code=201,
    summary="Register a caregiver",
    responses=problems(401, 403, 404),
)
async def register_caregiver(
    body: CaregiverCreate, principal: ProviderAdmin, idem: Idempotency, rt: Rt
) -> object:
    cmd = providers.RegisterCaregiver(**body.command_fields(), principal=principal)
    return await execute(
        rt,
        lambda uow: providers.register_caregiver(cmd, uow),
        lambda caregiver: _caregiver_read(caregiver, principal),
        idempotency=idem,
    )


@router.get(
    "/caregivers/{caregiver_id}",
    response_model=CaregiverRead,
    summary="One caregiver",
    responses=problems(401, 403, 404),
)
async def get_caregiver(caregiver_id: UUID, principal: CaregiverReader, rt: Rt) -> CaregiverRead:
    async with rt.read_session() as session:
        caregiver = await queries.get_caregiver(session, caregiver_id, principal)
    return _caregiver_read(caregiver, principal)


@router.patch(
    "/caregivers/{caregiver_id}",
    response_model=CaregiverRead,
    summary="Renew a health certificate; change qualifications, trainings, skills, workday or contract",
    responses=problems(401, 403, 404),
)
async def update_caregiver(
    caregiver_id: UUID, body: CaregiverUpdate, principal: ProviderAdmin, rt: Rt
) -> object:
    cmd = providers.UpdateCaregiver(caregiver_id=caregiver_id, changes=body.changes(), principal=principal)
    return await execute(
        rt,
        lambda uow: providers.update_caregiver(cmd, uow),
        lambda caregiver: _caregiver_read(caregiver, principal),
        status_code=200,
    )


def _caregiver_read(caregiver: Caregiver, principal: Principal) -> CaregiverRead:
    if principal.can_read_pii:
        # Every unmasked read of personal data leaves a trace (architecture.md, identity and access).
        log.info("pii read", extra={"subject": principal.subject, "caregiver_id": str(caregiver.id)})
    return CaregiverRead.from_domain(caregiver, principal)
