"""Command handlers for providers and caregivers. They never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from eldercare.common.auth import Principal
from eldercare.common.credit_codes import InvalidCreditCode, parse_credit_code
from eldercare.common.errors import Forbidden, InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.repositories.providers import CaregiverRepository, ProviderRepository
from eldercare.dispatch.domain.errors import DuplicateProvider
from eldercare.dispatch.domain.providers import Caregiver, Provider, Qualification, Sex, Workday


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


async def register_provider(cmd: RegisterProvider, uow: UnitOfWork) -> Provider:
    """登记服务组织: the city or district bureau records a contracted provider (第七条, 第十条)."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise Forbidden("your region does not cover this district", field="district_code")
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
    )
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
    )
    await CaregiverRepository(uow.session).add(caregiver)
    return caregiver
