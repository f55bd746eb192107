"""HTTP routes of the billing service (thin: parse -> command -> handler -> response)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from eldercare.billing.adapters.ledger_repository import ChargeFilter
from eldercare.billing.api.schemas import (
    PERIOD_PATTERN,
    AccountRead,
    ChargeRead,
    PriceListCreate,
    PriceListRead,
    SettlementRead,
)
from eldercare.billing.application import handlers, queries
from eldercare.billing.domain.charges import ChargeStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

price_lists = APIRouter(prefix="/v1/price-lists", tags=["price lists"])
ledger = APIRouter(prefix="/v1", tags=["accounts, charges and settlements"])

PriceSetter = Annotated[Principal, Depends(require(Role.city_admin, Role.district_officer))]
GovernmentReader = Annotated[Principal, Depends(require(*queries.GOVERNMENT_READERS))]
LedgerReader = Annotated[Principal, Depends(require(*queries.GOVERNMENT_READERS, Role.provider_admin))]
Rt = Annotated[Runtime, Depends(runtime)]
Paging = Annotated[PageParams, Depends(page_params)]
Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="'YYYY-MM', Asia/Shanghai")]


@price_lists.post("", response_model=PriceListRead, status_code=201, summary="Enter a region's price list")
async def create_price_list(
    body: PriceListCreate, principal: PriceSetter, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.CreatePriceList(
        region_code=body.region_code,
        effective_from=body.effective_from,
        items=body.domain_items(),
        principal=principal,
    )
    return await execute(
        rt, lambda uow: handlers.create_price_list(cmd, uow), PriceListRead.from_domain, idempotency=idem
    )


@price_lists.get("/{price_list_id}", response_model=PriceListRead, summary="One price list")
async def get_price_list(price_list_id: UUID, principal: GovernmentReader, rt: Rt) -> PriceListRead:
    async with rt.read_session() as session:
        price_list = await queries.get_price_list(session, price_list_id, principal)
    return PriceListRead.from_domain(price_list)


@ledger.get("/accounts", response_model=Page[AccountRead], summary="Monthly entitlement accounts")
async def list_accounts(
    principal: GovernmentReader,
    rt: Rt,
    page: Paging,
    period: Period = None,
    beneficiary_id: Annotated[UUID | None, Query()] = None,
) -> Page[AccountRead]:
    async with rt.read_session() as session:
        views = await queries.list_accounts(
            session,
            principal,
            beneficiary_id=beneficiary_id,
            period=period,
            after=page.after,
            limit=page.limit + 1,
        )
    return make_page([AccountRead.from_view(v) for v in views], page.limit)


@ledger.get("/settlements", response_model=Page[SettlementRead], summary="Provider settlements by month")
async def list_settlements(
    principal: LedgerReader,
    rt: Rt,
    page: Paging,
    period: Period = None,
    provider_id: Annotated[UUID | None, Query()] = None,
) -> Page[SettlementRead]:
    async with rt.read_session() as session:
        found = await queries.list_settlements(
            session, principal, provider_id=provider_id, period=period, after=page.after, limit=page.limit + 1
        )
    return make_page([SettlementRead.from_domain(s) for s in found], page.limit)


@ledger.get("/settlements/{settlement_id}", response_model=SettlementRead, summary="One settlement")
async def get_settlement(settlement_id: UUID, principal: LedgerReader, rt: Rt) -> SettlementRead:
    async with rt.read_session() as session:
        settlement = await queries.get_settlement(session, settlement_id, principal)
    return SettlementRead.from_domain(settlement)


@ledger.get("/charges", response_model=Page[ChargeRead], summary="Charges of visits")
async def list_charges(
    principal: LedgerReader,
    rt: Rt,
    page: Paging,
    period: Period = None,
    visit_id: Annotated[UUID | None, Query()] = None,
    beneficiary_id: Annotated[UUID | None, Query()] = None,
    provider_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[ChargeStatus | None, Query()] = None,
) -> Page[ChargeRead]:
    where = ChargeFilter(visit_id, beneficiary_id, provider_id, period, status)
    async with rt.read_session() as session:
        found = await queries.list_charges(session, principal, where, after=page.after, limit=page.limit + 1)
    return make_page([ChargeRead.from_domain(c) for c in found], page.limit)


@ledger.get("/charges/{charge_id}", response_model=ChargeRead, summary="One charge")
async def get_charge(charge_id: UUID, principal: LedgerReader, rt: Rt) -> ChargeRead:
    async with rt.read_session() as session:
        charge = await queries.get_charge(session, charge_id, principal)
    return ChargeRead.from_domain(charge)


ROUTERS: list[APIRouter] = [price_lists, ledger]
