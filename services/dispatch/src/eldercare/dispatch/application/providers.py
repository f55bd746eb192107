"""Command handlers for providers and caregivers. They never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.credit_codes import InvalidCreditCode, parse_credit_code
from eldercare.common.errors import Forbidden, InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.application.access import ensure, government_covers, provider_admin_of
from eldercare.dispatch.domain.errors import DuplicateProvider
from eldercare.dispatch.domain.providers import (
    Caregiver,
    ConditionCode,
    ConditionFact,
    ConditionStatus,
    EmploymentContract,
    Evidence,
    Provider,
    Qualification,
    Sex,
    Training,
    Workday,
)


@dataclass(frozen=True)
class RegisterProvider:
    name: str
    credit_code: str
    district_code: str
    address: str
    phone: str
    service_codes: list[str]
    has_food_licence: bool
    principal: Principal
    contracted_district_codes: list[str] = field(default_factory=list)
    price_list_id: UUID | None = None


@dataclass(frozen=True)
class RegisterCaregiver:
    name: str
    phone: str
    qualifications: list[Qualification]
    health_certificate_valid_until: date
    principal: Principal
    workday: Workday | None = None
    sex: Sex | None = None
    languages: list[str] = field(default_factory=list)
    trainings: list[Training] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    contract: EmploymentContract | None = None


async def register_provider(cmd: RegisterProvider, uow: UnitOfWork) -> Provider:
    """登记服务组织: the city or district bureau records a contracted provider (第七条, 第十条)."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise Forbidden("your region does not cover this district", field="district_code")
    # 第十条: each district's bureau entrusts its own providers, so the registrar covers them all.
    _ensure_covers(cmd.principal, cmd.contracted_district_codes)
    try:
        credit_code = parse_credit_code(cmd.credit_code)
    except InvalidCreditCode as exc:
        raise InvalidInput(str(exc), field="credit_code") from None
    repo = ProviderRepository(uow.session)
    if await repo.get_by_credit_code(credit_code.value) is not None:
        raise DuplicateProvider("a provider with this credit code is already registered", field="credit_code")
    provider = Provider.register(
        name=cmd.name,
        credit_code=credit_code,
        district_code=cmd.district_code,
        address=cmd.address,
        phone=cmd.phone,
        service_codes=cmd.service_codes,
        has_food_licence=cmd.has_food_licence,
        registered_by=cmd.principal.subject,
        contracted_district_codes=cmd.contracted_district_codes,
        price_list_id=cmd.price_list_id,
    )
    await _ensure_price_list(provider, repo)
    await repo.add(provider)
    return provider


async def register_caregiver(cmd: RegisterCaregiver, uow: UnitOfWork) -> Caregiver:
    """登记服务人员: a provider records a caregiver under contract with it (第九条（一）)."""
    provider_id = cmd.principal.provider_id
    if provider_id is None:
        raise Forbidden("the token names no provider")
    if await ProviderRepository(uow.session).get(provider_id) is None:
        raise NotFound("provider not found")
    caregiver = Caregiver(
        provider_id=provider_id,
        name=cmd.name,
        phone=cmd.phone,
        qualifications=tuple(dict.fromkeys(cmd.qualifications)),
        health_certificate_valid_until=cmd.health_certificate_valid_until,
        workday=cmd.workday,
        sex=cmd.sex,
        languages=tuple(dict.fromkeys(cmd.languages)),
        trainings=tuple(cmd.trainings),
        skills=tuple(dict.fromkeys(cmd.skills)),
        contract=cmd.contract,
    )
    await CaregiverRepository(uow.session).add(caregiver)
    return caregiver


def _ensure_covers(principal: Principal, district_codes: list[str]) -> None:
    outside = [d for d in district_codes if not principal.covers_region(d)]
    if outside:
        raise Forbidden(
            f"your region does not cover {', '.join(sorted(outside))}", field="contracted_district_codes"
        )


async def _ensure_price_list(provider: Provider, repo: ProviderRepository) -> None:
    """The price list is one billing published (kept from PriceListPublished) for a region holding
    every district the provider serves, else 422."""
    if provider.price_list_id is None:
        return
    region = await repo.price_list_region(provider.price_list_id)
    if region is None:
        raise InvalidInput("no price list with this id has been published by billing", field="price_list_id")
    outside = [d for d in provider.district_codes if not d.startswith(region)]
    if outside:
        raise InvalidInput(
            f"the price list (region {region}) does not cover district {', '.join(outside)}",
            field="price_list_id",
        )


async def _registrars_provider(provider_id: UUID, principal: Principal, uow: UnitOfWork) -> Provider:
    """The provider, locked, for government staff covering its registering district; 404 else."""
    repo = ProviderRepository(uow.session)
    provider = await repo.get(provider_id, for_update=True)
    ensure(provider is not None and government_covers(principal, provider.district_code), "provider")
    assert provider is not None
    return provider


@dataclass(frozen=True)
class RecordCondition:
    provider_id: UUID
    code: ConditionCode
    status: ConditionStatus
    document_ref: str
    principal: Principal
    valid_until: date | None = None
    document_sha256: str | None = None
    note: str | None = None


async def record_condition(cmd: RecordCondition, uow: UnitOfWork) -> Provider:
    """The district or city bureau records, or renews, one 第七条 condition of a provider with its
    evidence (changsha-2024-purchased-door-to-door-rules.md 第七条, 第十条)."""
    provider = await _registrars_provider(cmd.provider_id, cmd.principal, uow)
    now = utcnow()
    fact = ConditionFact(
        code=cmd.code,
        status=cmd.status,
        valid_until=cmd.valid_until,
        evidence=Evidence(
            document_ref=cmd.document_ref,
            document_sha256=cmd.document_sha256,
            note=cmd.note,
            recorded_by=cmd.principal.subject,
            recorded_at=now,
        ),
    )
    provider.record_condition(fact, local_date(now))
    await ProviderRepository(uow.session).add_condition_fact(provider, fact)
    return provider


@dataclass(frozen=True)
class UpdateProvider:
    """PATCH /v1/providers/{id}: only the fields in ``changes`` (contracted_district_codes,
    price_list_id) change."""

    provider_id: UUID
    changes: dict[str, Any]
    principal: Principal


async def update_provider(cmd: UpdateProvider, uow: UnitOfWork) -> Provider:
    provider = await _registrars_provider(cmd.provider_id, cmd.principal, uow)
    if "contracted_district_codes" in cmd.changes:
        districts = list(cmd.changes["contracted_district_codes"])
        # Adding or removing a district is that district's bureau's act (第十条).
        changed = set(districts) ^ set(provider.contracted_district_codes)
        _ensure_covers(cmd.principal, sorted(changed - {provider.district_code}))
        provider.contract_districts(districts)
    if "price_list_id" in cmd.changes:
        provider.price_list_id = cmd.changes["price_list_id"]
    repo = ProviderRepository(uow.session)
    await _ensure_price_list(provider, repo)
    await repo.save_contract_terms(provider)
    return provider


@dataclass(frozen=True)
class UpdateCaregiver:
    """PATCH /v1/caregivers/{id}: only the fields in ``changes`` change (None clears workday, sex
    or contract)."""

    caregiver_id: UUID
    changes: dict[str, Any]
    principal: Principal


_CAREGIVER_FIELDS = frozenset(
    {
        "health_certificate_valid_until",
        "qualifications",
        "trainings",
        "skills",
        "languages",
        "sex",
        "workday",
        "contract",
    }
)


async def update_caregiver(cmd: UpdateCaregiver, uow: UnitOfWork) -> Caregiver:
    """The provider renews a health certificate (第九条（四）), records trainings and
    qualifications (第九条（六）-（八）), skills, languages, the workday or the contract (第九条（一））.
    A booked visit the change makes unfit stays booked: the planner and new bookings see the change."""
    repo = CaregiverRepository(uow.session)
    caregiver = await repo.get(cmd.caregiver_id, for_update=True)
    ensure(caregiver is not None and provider_admin_of(cmd.principal, caregiver.provider_id), "caregiver")
    assert caregiver is not None
    changes = {k: v for k, v in cmd.changes.items() if k in _CAREGIVER_FIELDS}
    for key in ("qualifications", "skills", "languages"):
        if key in changes:
            changes[key] = tuple(dict.fromkeys(changes[key]))
    if "trainings" in changes:
        changes["trainings"] = tuple(changes["trainings"])
    for key, value in changes.items():
        setattr(caregiver, key, value)
    await repo.save_registry(caregiver)
    return caregiver
