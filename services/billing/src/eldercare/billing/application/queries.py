"""Read side of the billing service: tenancy-scoped look-ups, no unit of work.

Government staff see what lies in their region (the visit's or the beneficiary's district);
provider staff see only their own provider's charges and settlements. Another tenant's object is
answered as not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.billing.adapters.ledger_repository import (
    AccountRepository,
    ChargeFilter,
    ChargeRepository,
    Scope,
    SettlementRepository,
)
from eldercare.billing.adapters.pricing_repository import EntitlementRepository, PriceListRepository
from eldercare.billing.adapters.review_repository import (
    ClaimSample,
    FundRecovery,
    ReviewRepository,
    VisitFlag,
    VisitOutcome,
)
from eldercare.billing.adapters.sanction_repository import SanctionRepository
from eldercare.billing.adapters.statement_repository import StatementLine, StatementRepository
from eldercare.billing.domain.accounts import Account, Settlement
from eldercare.billing.domain.charges import Charge, ChargeReason
from eldercare.billing.domain.entitlements import Entitlement
from eldercare.billing.domain.errors import StatementNotRun
from eldercare.billing.domain.pricing import PriceList
from eldercare.billing.domain.sanctions import Sanction
from eldercare.billing.domain.statements import Statement
from eldercare.common.auth import Principal, Role
from eldercare.common.errors import NotFound

# Government staff read within their region; the bureau's finance staff (issue #6: "the finance
# role issues runs") read what they run and issue, region-scoped like district officers.
GOVERNMENT_READERS = (Role.city_admin, Role.district_officer, Role.auditor, Role.finance)


def scope_of(principal: Principal) -> Scope | None:
    """The rows a principal may read, or ``None`` for none at all."""
    if principal.has_role(*GOVERNMENT_READERS) and principal.region is not None:
        return Scope(region_prefix=principal.region)
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        return Scope(provider_id=principal.provider_id)
    return None


def ensure_visible(principal: Principal, district_code: str, provider_id: UUID, what: str) -> None:
    scope = scope_of(principal)
    if scope is None:
        raise NotFound(f"{what} not found")
    if scope.region_prefix is not None and not district_code.startswith(scope.region_prefix):
        raise NotFound(f"{what} not found")
    if scope.provider_id is not None and scope.provider_id != provider_id:
        raise NotFound(f"{what} not found")


async def get_price_list(session: AsyncSession, price_list_id: UUID, principal: Principal) -> PriceList:
    """One price list: those entered within the caller's region, and those that apply in it (a
    district officer reads the city's list)."""
    price_list = await PriceListRepository(session).get(price_list_id)
    region = principal.region
    if price_list is None or region is None:
        raise NotFound("price list not found")
    if not (region.startswith(price_list.region_code) or price_list.region_code.startswith(region)):
        raise NotFound("price list not found")
    return price_list


@dataclass(frozen=True)
class AccountView:
    account: Account
    charges: list[Charge]


async def list_accounts(
    session: AsyncSession,
    principal: Principal,
    *,
    beneficiary_id: UUID | None,
    period: str | None,
    after: UUID | None,
    limit: int,
) -> list[AccountView]:
    """Monthly accounts in the caller's region with every charge of their month."""
    scope = scope_of(principal)
    if scope is None or scope.region_prefix is None:
        return []
    accounts = await AccountRepository(session).list_scoped(
        scope, beneficiary_id=beneficiary_id, period=period, after=after, limit=limit
    )
    charges = await ChargeRepository(session).of_accounts(accounts)
    return [
        AccountView(a, [c for c in charges if (c.beneficiary_id, c.period) == (a.beneficiary_id, a.period)])
        for a in accounts
    ]


async def list_settlements(
    session: AsyncSession,
    principal: Principal,
    *,
    provider_id: UUID | None,
    period: str | None,
    after: UUID | None,
    limit: int,
) -> list[Settlement]:
    scope = scope_of(principal)
    if scope is None:
        return []
    return await SettlementRepository(session).list_scoped(
        scope, provider_id=provider_id, period=period, after=after, limit=limit
    )


async def get_settlement(session: AsyncSession, settlement_id: UUID, principal: Principal) -> Settlement:
    settlement = await SettlementRepository(session).get(settlement_id)
    if settlement is None:
        raise NotFound("settlement not found")
    ensure_visible(principal, settlement.district_code, settlement.provider_id, "settlement")
    return settlement


async def list_charges(
    session: AsyncSession, principal: Principal, where: ChargeFilter, *, after: UUID | None, limit: int
) -> list[Charge]:
    scope = scope_of(principal)
    if scope is None:
        return []
    return await ChargeRepository(session).list_scoped(scope, where, after=after, limit=limit)


async def get_charge(session: AsyncSession, charge_id: UUID, principal: Principal) -> Charge:
    charge = await ChargeRepository(session).get(charge_id)
    if charge is None:
        raise NotFound("charge not found")
    ensure_visible(principal, charge.district_code, charge.provider_id, "charge")
    return charge


async def get_statement(session: AsyncSession, settlement_id: UUID, principal: Principal) -> Statement:
    """The statement of a settlement: provider admins their own, government staff their region's."""
    statement = await StatementRepository(session).get(settlement_id)
    if statement is None:
        await get_settlement(session, settlement_id, principal)  # 404 unless visible
        raise StatementNotRun("no run has produced this settlement's statement yet")
    ensure_visible(principal, statement.district_code, statement.provider_id, "settlement")
    return statement


async def list_statement_lines(
    session: AsyncSession, settlement_id: UUID, principal: Principal, *, after: UUID | None, limit: int
) -> list[StatementLine]:
    await get_statement(session, settlement_id, principal)
    return await StatementRepository(session).lines_page(settlement_id, after=after, limit=limit)


async def statement_with_lines(
    session: AsyncSession, settlement_id: UUID, principal: Principal
) -> tuple[Statement, list[StatementLine]]:
    statement = await get_statement(session, settlement_id, principal)
    return statement, await StatementRepository(session).all_lines(settlement_id)


@dataclass(frozen=True)
class LineTrace:
    """What billing knows behind one statement line: the charge, the visit as dispatch reported it,
    the price list, the entitlement with its policy pack and clauses, and the sanction that
    withheld it, if one did."""

    statement: Statement
    line: StatementLine
    charge: Charge
    price_list: PriceList | None
    entitlement: Entitlement | None
    sanction: Sanction | None = None
    flags: tuple[VisitFlag, ...] = ()
    outcomes: tuple[VisitOutcome, ...] = ()
    recovery: FundRecovery | None = None
    sample: ClaimSample | None = None


async def trace_line(
    session: AsyncSession, settlement_id: UUID, line_id: UUID, principal: Principal
) -> LineTrace:
    statement = await get_statement(session, settlement_id, principal)
    line = await StatementRepository(session).line(settlement_id, line_id)
    if line is None:
        raise NotFound("statement line not found")
    charge = await ChargeRepository(session).get(line.charge_id)
    if charge is None:  # charges are never deleted
        raise NotFound("charge not found")
    price_list = (
        await PriceListRepository(session).get(charge.price_list_id) if charge.price_list_id else None
    )
    entitlement = await EntitlementRepository(session).get(charge.beneficiary_id)
    sanction = None
    if charge.reason is ChargeReason.provider_sanctioned and charge.checked_in_at is not None:
        sanction = await SanctionRepository(session).withholding(
            charge.provider_id, charge.district_code, charge.checked_in_at
        )
    reviews = ReviewRepository(session)
    recoveries = await reviews.recoveries_of(charge.visit_id)
    recovery = next((r for r in recoveries if r.recovery_id == line.ref_id), None)
    if recovery is None:
        recovery = next((r for r in recoveries if r.provider_id == charge.provider_id), None)
    sample = await reviews.sample(line.ref_id) if line.ref_id is not None else None
    return LineTrace(
        statement,
        line,
        charge,
        price_list,
        entitlement,
        sanction,
        flags=tuple(await reviews.flags_of(charge.visit_id)),
        outcomes=tuple(await reviews.outcomes(charge.visit_id)),
        recovery=recovery,
        sample=sample,
    )
