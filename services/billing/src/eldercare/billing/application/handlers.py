"""Command handlers of the billing service. They load and store through the repositories, call the
aggregates, and publish through the unit of work; they never commit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from eldercare.billing.adapters.ledger_repository import (
    AccountRepository,
    ChargeRepository,
    SettlementRepository,
)
from eldercare.billing.adapters.pricing_repository import EntitlementRepository, PriceListRepository
from eldercare.billing.adapters.review_repository import (
    ClaimSample,
    FundRecovery,
    ReviewRepository,
    VisitOutcome,
)
from eldercare.billing.adapters.sanction_repository import SanctionRepository
from eldercare.billing.adapters.statement_repository import StatementRepository
from eldercare.billing.domain.accounts import Account, CloseReason, Settlement
from eldercare.billing.domain.charges import (
    CANCEL_KIND_REASONS,
    Charge,
    ChargeReason,
    ChargeStatus,
    VisitFacts,
)
from eldercare.billing.domain.entitlements import (
    AmountChange,
    BeneficiaryStatus,
    Entitlement,
    Proration,
    Provenance,
    StatusChange,
    first_active_day,
)
from eldercare.billing.domain.errors import StatementNotRun
from eldercare.billing.domain.pricing import PriceItem, PriceList, latest_applicable
from eldercare.billing.domain.sanctions import Sanction
from eldercare.billing.domain.statements import Statement, ensure_runnable
from eldercare.billing.settings import BillingSettings
from eldercare.common.auth import Principal
from eldercare.common.clock import month_of, utcnow
from eldercare.common.contracts import (
    AccountClosed,
    AccountOpened,
    ChargeHeld,
    ChargePosted,
    ChargeReleased,
    ChargeReversed,
    ChargeWithheld,
    ClawbackApplied,
    PriceListPublished,
    SettlementIssued,
    SettlementPreviewed,
)
from eldercare.common.contracts.billing import PricedItem
from eldercare.common.errors import Forbidden, NotFound
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class CreatePriceList:
    region_code: str
    effective_from: date
    items: tuple[PriceItem, ...]
    principal: Principal


@dataclass(frozen=True)
class EnrolBeneficiary:
    beneficiary_id: UUID
    district_code: str
    monthly_amount_fen: int | None
    effective_on: date
    enrolled_at: datetime
    provenance: Provenance | None = None


@dataclass(frozen=True)
class ChangeBeneficiaryStatus:
    beneficiary_id: UUID
    status: BeneficiaryStatus
    reason: str
    effective_on: date
    changed_at: datetime


async def create_price_list(cmd: CreatePriceList, uow: UnitOfWork) -> PriceList:
    """价格表: a city or district enters the unit prices it pays from a date; the seeds leave the
    amounts to local documents (changsha-2024-purchased-door-to-door-rules.md 第四条)."""
    if not cmd.principal.covers_region(cmd.region_code):
        raise Forbidden("your region does not cover this region code", field="region_code")
    price_list = PriceList(
        region_code=cmd.region_code,
        effective_from=cmd.effective_from,
        items=cmd.items,
        created_by=cmd.principal.subject,
        created_at=utcnow(),
    )
    await PriceListRepository(uow.session).add(price_list)
    # Dispatch checks care plans against the monthly entitlement at these prices (issue #5); the
    # event leaves in this transaction through the outbox, with the list it announces.
    uow.publish(
        PriceListPublished(
            price_list_id=price_list.id,
            region_code=price_list.region_code,
            effective_from=price_list.effective_from,
            items=[
                PricedItem(service_code=i.service_code, unit=i.unit.value, unit_price_fen=i.unit_price_fen)
                for i in price_list.items
            ],
            published_at=price_list.created_at,
        )
    )
    # Visits of the region on or after its effective date that found no price wait for one: they are
    # priced now by the list that applies on their day (ChargeReleased ``price_list_entered``). A
    # charge already posted is never re-priced (a price applies from its date, never retroactively).
    charges = ChargeRepository(uow.session)
    for charge in await charges.list_unpriced(cmd.region_code, cmd.effective_from):
        before = _state(charge)
        charge.reopen_unpriced()
        await _redecide(charge, uow, before=before, released_by="price_list_entered")
    return price_list


async def enrol_beneficiary(cmd: EnrolBeneficiary, uow: UnitOfWork) -> Entitlement:
    """待遇生效: record the monthly entitlement, then charge the visits that arrived before it."""
    repo = EntitlementRepository(uow.session)
    entitlement = await repo.get(cmd.beneficiary_id)
    if entitlement is None:
        entitlement = Entitlement(
            beneficiary_id=cmd.beneficiary_id,
            district_code=cmd.district_code,
            monthly_amount_fen=cmd.monthly_amount_fen,
            effective_on=cmd.effective_on,
            enrolled_at=cmd.enrolled_at,
            # Status changes that overtook the enrolment (another topic) were kept; they count.
            history=await repo.history(cmd.beneficiary_id),
        )
    entitlement.enrol(
        cmd.district_code, cmd.monthly_amount_fen, cmd.effective_on, cmd.enrolled_at, cmd.provenance
    )
    await repo.save(entitlement)
    charges = ChargeRepository(uow.session)
    for charge in await charges.list_awaiting(cmd.beneficiary_id):
        await _decide(charge, entitlement, uow, before=_state(charge), released_by="entitlement_arrived")
    return entitlement


@dataclass(frozen=True)
class RecordSanction:
    sanction: Sanction


async def record_sanction(cmd: RecordSanction, uow: UnitOfWork) -> Sanction:
    """处理措施: keep a sanction audit imposed on a provider (changsha-2024-purchased-door-to-door-rules.md
    第十八条). From ``imposed_at`` on, the provider's visits in the district are held when the
    measures end the contract or blacklist it. A redelivered event records nothing new.

    ``recover_funds`` is recorded but claws nothing back: the event names findings, not charges or
    amounts, so billing cannot tell which payments were obtained by false information."""
    sanctions = SanctionRepository(uow.session)
    if not await sanctions.add_if_new(cmd.sanction):
        existing = await sanctions.get_by_sanction_id(cmd.sanction.sanction_id)
        assert existing is not None
        return existing
    return cmd.sanction


async def change_beneficiary_status(cmd: ChangeBeneficiaryStatus, uow: UnitOfWork) -> None:
    """暂停 / 恢复 / 终止: keep the dated status; later charges use the status of the visit's day."""
    repo = EntitlementRepository(uow.session)
    change = StatusChange(cmd.status, cmd.effective_on, cmd.changed_at, cmd.reason)
    entitlement = await repo.get(cmd.beneficiary_id)
    if entitlement is None:
        await repo.add_status_change(cmd.beneficiary_id, change)
    else:
        entitlement.change_status(change)
        await repo.save(entitlement)
    if cmd.status is BeneficiaryStatus.terminated:
        # 终止: the accounts of the termination's month and later close now (what they left unused
        # lapses); a redelivered termination finds them closed and publishes nothing.
        now = utcnow()
        closed = await AccountRepository(uow.session).close_from(
            cmd.beneficiary_id, month_of_date(cmd.effective_on), CloseReason.terminated, now
        )
        for account in closed:
            uow.publish(_account_closed(account, now))


async def close_ended_months(uow: UnitOfWork, *, now: datetime, limit: int = 500) -> list[Account]:
    """月末结账: close up to ``limit`` accounts of months that are over (Asia/Shanghai) and publish
    AccountClosed for each, in one transaction (the worker's sweep calls it until none is left).
    ``lapsed_fen`` is what the month left unused: it does not roll over (Account.lapsed_fen)."""
    closed = await AccountRepository(uow.session).close_ended(month_of(now), now, limit)
    for account in closed:
        uow.publish(_account_closed(account, now))
    return closed


def _account_closed(account: Account, now: datetime) -> AccountClosed:
    return AccountClosed(
        account_id=account.id,
        beneficiary_id=account.beneficiary_id,
        district_code=account.district_code,
        period=account.period,
        entitlement_fen=account.entitlement_fen,
        used_fen=account.used_fen,
        lapsed_fen=account.lapsed_fen,
        reason=(account.close_reason or CloseReason.month_ended).value,
        closed_at=account.closed_at or now,
    )


async def charge_visit(visit: VisitFacts, uow: UnitOfWork) -> Charge:
    """服务计费: price a completed visit and charge it to the month's entitlement account.

    One charge per visit: a redelivered event, or a second VisitCompleted for the same visit,
    returns the existing charge and changes nothing.
    """
    charges = ChargeRepository(uow.session)
    existing = await charges.get_by_visit_id(visit.visit_id)
    if existing is not None:
        return existing
    charge = Charge.for_visit(visit)
    outcomes = await ReviewRepository(uow.session).outcomes(visit.visit_id)
    cancelled = _cancelling(outcomes)
    if cancelled is not None:
        # The cancellation or the rejecting review overtook the completion: never billed.
        charge.cancel(
            CANCEL_KIND_REASONS[cancelled.kind], cancelled.detail or "", cancelled.occurred_at, None, None
        )
        await charges.save(charge)
        await _announce(charge, None, uow)
        return charge
    if not charge.verified and any(o.kind == "accepted" for o in outcomes):
        # The review accepting the visit overtook it: billable as recorded.
        charge.verified = True
    entitlement = await EntitlementRepository(uow.session).get(visit.beneficiary_id)
    if entitlement is None and charge.verified and await _sanction_of(charge, uow) is None:
        # The enrolment travels on another topic and may still be on its way: keep the charge
        # waiting rather than fail; enrol_beneficiary decides it.
        await charges.save(charge)
        await _announce(charge, None, uow)
        return charge
    await _decide(charge, entitlement, uow, before=None)
    return charge


State = tuple[ChargeStatus, ChargeReason | None]


def _state(charge: Charge) -> State:
    return charge.status, charge.reason


async def _decide(
    charge: Charge,
    entitlement: Entitlement | None,
    uow: UnitOfWork,
    *,
    before: State | None,
    released_by: str | None = None,
) -> None:
    """Hold, leave unpriced, or post a charge; saves it and announces the change from ``before``
    (``None``: a charge new to billing)."""
    status = entitlement.status_on(charge.visit_on) if entitlement else None
    hold = charge.hold_reason(status)
    sanction = await _sanction_of(charge, uow) if charge.verified else None
    if sanction is not None:
        # changsha-2024-purchased-door-to-door-rules.md 第十八条: the contract is ended or the
        # provider blacklisted; its later services are not bought (shown as withheld lines).
        hold = ChargeReason.provider_sanctioned
    if hold is not None:
        charge.hold(hold)
    else:
        assert entitlement is not None  # charge_visit keeps such a charge waiting
        await _price_and_post(charge, entitlement, uow)
    await ChargeRepository(uow.session).save(charge)
    await _announce(charge, before, uow, released_by=released_by, sanction=sanction)


async def _sanction_of(charge: Charge, uow: UnitOfWork) -> Sanction | None:
    if charge.checked_in_at is None:
        return None
    sanctions = SanctionRepository(uow.session)
    return await sanctions.withholding(charge.provider_id, charge.district_code, charge.checked_in_at)


async def _announce(
    charge: Charge,
    before: State | None,
    uow: UnitOfWork,
    *,
    released_by: str | None = None,
    sanction: Sanction | None = None,
) -> None:
    """Publish what a change of the charge's status means, once per real change (nothing when the
    status and reason are what they were): ChargeHeld for a hold (its reason, or the status for a
    charge waiting for the enrolment or unpriced), ChargeWithheld for a sanction's hold,
    ChargeReleased when a charge that was not payable is posted (ChargePosted is published by
    ``_post``), then ChargeWithheld if an audit flag or a recovery order keeps it back at once.
    A reversal is ChargeReversed (``_cancel``)."""
    if before == _state(charge):
        return
    now = utcnow()
    if charge.status is ChargeStatus.posted:
        if before is not None:
            uow.publish(
                ChargeReleased(
                    **_charge_keys(charge),
                    reason=released_by or "decided",
                    covered_fen=charge.covered_fen or 0,
                    released_at=now,
                )
            )
        kept = await ReviewRepository(uow.session).withholding(charge.visit_id, charge.provider_id)
        if kept is not None:
            uow.publish(_withheld(charge, kept, now))
        return
    if charge.status is ChargeStatus.reversed:
        return
    if charge.reason is ChargeReason.provider_sanctioned:
        uow.publish(
            ChargeWithheld(
                **_charge_keys(charge),
                reason="provider_sanctioned",
                ref_id=sanction.sanction_id if sanction else None,
                # Not priced: nothing of the provider's later visits is bought at all.
                withheld_fen=0,
                withheld_at=now,
            )
        )
        return
    reason = charge.reason.value if charge.reason else charge.status.value
    uow.publish(ChargeHeld(**_charge_keys(charge), reason=reason, held_at=now))


def _charge_keys(charge: Charge) -> dict[str, object]:
    return {
        "charge_id": charge.id,
        "visit_id": charge.visit_id,
        "beneficiary_id": charge.beneficiary_id,
        "provider_id": charge.provider_id,
        "district_code": charge.district_code,
        "period": charge.period,
    }


def _withheld(charge: Charge, kept: tuple[str, UUID], now: datetime) -> ChargeWithheld:
    reason, ref_id = kept
    return ChargeWithheld(
        **_charge_keys(charge),
        reason=reason,
        ref_id=ref_id,
        withheld_fen=charge.covered_fen or 0,
        withheld_at=now,
    )


async def _announce_withholding(charge: Charge, before: tuple[str, UUID] | None, uow: UnitOfWork) -> None:
    """After an audit flag or a recovery order changed: a posted charge that became withheld, or is
    now withheld for a recovery rather than a flag, is ChargeWithheld; one no flag holds any more
    is ChargeReleased (``flag_cleared``). A second flag on a withheld charge publishes nothing."""
    after = await ReviewRepository(uow.session).withholding(charge.visit_id, charge.provider_id)
    now = utcnow()
    if after is None:
        if before is not None:
            uow.publish(
                ChargeReleased(
                    **_charge_keys(charge),
                    reason="flag_cleared",
                    covered_fen=charge.covered_fen or 0,
                    released_at=now,
                )
            )
        return
    if before is None or before[0] != after[0]:
        uow.publish(_withheld(charge, after, now))


async def _posted_charge(visit_id: UUID, uow: UnitOfWork) -> Charge | None:
    charge = await ChargeRepository(uow.session).get_by_visit_id(visit_id)
    return charge if charge is not None and charge.status is ChargeStatus.posted else None


async def _price_and_post(charge: Charge, entitlement: Entitlement, uow: UnitOfWork) -> None:
    """Leave the charge unpriced, or post it at the price of the applicable list."""
    candidates = await PriceListRepository(uow.session).applicable(charge.district_code, charge.visit_on)
    price_list = latest_applicable(candidates, charge.district_code, charge.visit_on)
    item = price_list.item_for(charge.service_code) if price_list else None
    if price_list is None:
        charge.leave_unpriced(ChargeReason.no_price_list)
    elif item is None:
        charge.leave_unpriced(ChargeReason.service_not_priced)
    else:
        await _post(charge, price_list.id, item, entitlement, uow)


def _proration(uow: UnitOfWork) -> Proration:
    settings = uow.settings
    if isinstance(settings, BillingSettings):
        return settings.entitlement_proration
    return BillingSettings.model_fields["entitlement_proration"].default  # type: ignore[no-any-return]


async def _post(
    charge: Charge, price_list_id: UUID, item: PriceItem, entitlement: Entitlement, uow: UnitOfWork
) -> None:
    accounts = AccountRepository(uow.session)
    settlements = SettlementRepository(uow.session)
    # The month's account opens on its first charge, with the monthly amount in force then,
    # prorated over the month's entitled days as the policy setting says.
    account = await accounts.get_for(charge.beneficiary_id, charge.period) or Account(
        beneficiary_id=charge.beneficiary_id,
        period=charge.period,
        district_code=entitlement.district_code,
        entitlement_fen=entitlement.month_fen(charge.period, _proration(uow)),
    )
    # What this charge adds to the provider's month, added atomically (SettlementRepository.add_totals).
    delta = Settlement(
        provider_id=charge.provider_id, district_code=charge.district_code, period=charge.period
    )
    now = utcnow()
    split = charge.post(price_list_id, item, account, delta, now)
    if await accounts.save(account):
        uow.publish(
            AccountOpened(
                account_id=account.id,
                beneficiary_id=account.beneficiary_id,
                district_code=account.district_code,
                period=account.period,
                entitlement_fen=account.entitlement_fen,
                # Billing keeps money only; an entitlement in minutes covers no fen (monthly_fen).
                entitlement_minutes=None,
                active_from=first_active_day(entitlement.history, account.period),
                opened_at=now,
            )
        )
    await settlements.add_totals(delta)
    uow.publish(
        ChargePosted(
            charge_id=charge.id,
            visit_id=charge.visit_id,
            beneficiary_id=charge.beneficiary_id,
            provider_id=charge.provider_id,
            district_code=charge.district_code,
            period=charge.period,
            amount_fen=split.amount_fen,
            covered_fen=split.covered_fen,
            beneficiary_pays_fen=split.beneficiary_pays_fen,
            posted_at=now,
        )
    )


@dataclass(frozen=True)
class RunSettlement:
    provider_id: UUID
    district_code: str
    period: str
    principal: Principal


@dataclass(frozen=True)
class IssueStatement:
    settlement_id: UUID
    principal: Principal


async def run_settlement(cmd: RunSettlement, uow: UnitOfWork) -> Statement:
    """结算: preview the statement of a provider's month in a district (the district bureau of
    residence buys the service, changsha-2024-purchased-door-to-door-rules.md 第六条). Running it
    again gives the same statement while nothing changed; an issued statement is returned as it is."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise Forbidden("your region does not cover this district", field="district_code")
    [statement] = await _run(cmd.period, [(cmd.provider_id, cmd.district_code)], uow)
    return statement


@dataclass(frozen=True)
class RunMonth:
    region_code: str
    period: str
    principal: Principal


async def run_month(cmd: RunMonth, uow: UnitOfWork) -> list[Statement]:
    """Every provider's statement of the month in the caller's district (or city), in one pass."""
    if not cmd.principal.covers_region(cmd.region_code):
        raise Forbidden("your region does not cover this region code", field="region_code")
    ensure_runnable(cmd.period, month_of(utcnow()))
    pairs = await StatementRepository(uow.session).pairs_of_month(cmd.region_code, cmd.period)
    return await _run(cmd.period, pairs, uow)


async def _run(period: str, pairs: list[tuple[UUID, str]], uow: UnitOfWork) -> list[Statement]:
    """Open the settlements and statements the pairs lack, regenerate the previews (issued ones are
    left as they are) and return them all."""
    now = utcnow()
    ensure_runnable(period, month_of(now))
    settlements = SettlementRepository(uow.session)
    statements = StatementRepository(uow.session)
    found: list[Statement] = []
    created: set[UUID] = set()
    for provider_id, district_code in pairs:
        settlement = await settlements.get_for(provider_id, district_code, period)
        if settlement is None:
            settlement = Settlement(provider_id=provider_id, district_code=district_code, period=period)
            await settlements.save(settlement)
        statement, new = await statements.lock_or_create(
            settlement.id, provider_id, district_code, period, now
        )
        found.append(statement)
        if new:
            created.add(statement.id)
    previews = [s for s in found if not s.issued]
    lines_before = await statements.line_counts([s.id for s in previews])
    fresh = {s.id: s for s in await statements.regenerate_all(previews, now)}
    lines_after = await statements.line_counts([s.id for s in previews])
    for old in previews:
        new_ = fresh[old.id]
        # A preview is announced when it is first made and whenever its figures change; a rerun
        # that gives the same figures publishes nothing.
        if old.id in created or _figures(old, lines_before[old.id]) != _figures(new_, lines_after[old.id]):
            uow.publish(
                SettlementPreviewed(
                    statement_id=new_.id,
                    provider_id=new_.provider_id,
                    district_code=new_.district_code,
                    period=new_.period,
                    lines=lines_after[old.id],
                    subsidy_fen=new_.covered_fen,
                    self_pay_fen=max(new_.self_pay_fen, 0),
                    withheld_fen=new_.withheld_fen,
                    previewed_at=now,
                )
            )
    return [fresh.get(s.id, s) for s in found]


def _figures(statement: Statement, lines: int) -> tuple[int, ...]:
    """What a SettlementPreviewed reports and what a rerun compares: counts and totals."""
    return (
        lines,
        statement.charge_count,
        statement.adjustment_count,
        statement.withheld_count,
        statement.gross_fen,
        statement.covered_fen,
        statement.self_pay_fen,
        statement.adjusted_fen,
        statement.withheld_fen,
        statement.recovered_fen,
        statement.deducted_fen,
    )


async def issue_statement(cmd: IssueStatement, uow: UnitOfWork) -> Statement:
    """出具结算单: regenerate the preview from the charges as they are now and freeze it. Corrections
    after this are adjustment lines of a later run."""
    statements = StatementRepository(uow.session)
    statement = await statements.get(cmd.settlement_id, for_update=True)
    if statement is None or not cmd.principal.covers_region(statement.district_code):
        settlement = await SettlementRepository(uow.session).get(cmd.settlement_id)
        if settlement is None or not cmd.principal.covers_region(settlement.district_code):
            raise NotFound("settlement not found")
        raise StatementNotRun("run the settlement (POST /v1/settlement-runs) before issuing it")
    now = utcnow()
    statement.issue(cmd.principal.subject, now, month_of(now))
    fresh = await statements.regenerate(statement, now)
    fresh.issue(cmd.principal.subject, now, month_of(now))
    await statements.mark_issued(fresh)
    uow.publish(
        SettlementIssued(
            statement_id=fresh.id,
            provider_id=fresh.provider_id,
            district_code=fresh.district_code,
            period=fresh.period,
            lines=fresh.charge_count
            + fresh.adjustment_count
            + fresh.withheld_count
            + await statements.extra_line_count(fresh.id),
            subsidy_fen=fresh.covered_fen,
            # Self-pay of the month's charges; an adjustment may lower it but never below nothing.
            self_pay_fen=max(fresh.self_pay_fen, 0),
            withheld_fen=fresh.withheld_fen,
            adjustment_fen=fresh.adjusted_fen + fresh.recovered_fen + fresh.deducted_fen,
            recovery_ids=await statements.recovery_ids(fresh.id),
            issued_at=now,
        )
    )
    # 追回 (changsha-2024-purchased-door-to-door-rules.md 第十八条（四）; the fine,
    # nanchang-2019-home-care-regulation.md 第四十四条): each recovery order the issued statement
    # carries out is applied now, once (an issued statement never changes again).
    for clawback in await statements.clawbacks(fresh.id):
        uow.publish(
            ClawbackApplied(
                recovery_id=clawback.recovery_id,
                statement_id=fresh.id,
                provider_id=fresh.provider_id,
                district_code=fresh.district_code,
                period=fresh.period,
                visit_ids=list(clawback.visit_ids),
                recovered_fen=clawback.recovered_fen,
                fine_fen=clawback.fine_fen,
                applied_at=now,
            )
        )
    return fresh


# ---------------------------------------------------------------- visits cancelled, voided, reviewed


@dataclass(frozen=True)
class CancelVisit:
    visit_id: UUID
    kind: str  # cancelled | missed | voided
    reason: str
    cancelled_at: datetime


@dataclass(frozen=True)
class ResolveVerification:
    visit_id: UUID
    outcome: str  # accepted | rejected
    reviewer: str
    comment: str | None
    resolved_at: datetime


async def cancel_visit(cmd: CancelVisit, uow: UnitOfWork) -> Charge | None:
    """撤销 / 作废: dispatch cancelled, missed or voided a visit. A posted charge is reversed
    (ChargeReversed): if its month's statement is still a preview, the charge simply leaves it (a
    withheld line with the reason); if that statement was issued, the next run carries the
    reversal as an adjustment line with the reason (statement_repository.py). Any other charge is
    held with the reason; a charge not known yet is held when its VisitCompleted arrives."""
    await ReviewRepository(uow.session).add_outcome(
        VisitOutcome(cmd.visit_id, cmd.kind, cmd.reason[:500], None, cmd.cancelled_at)
    )
    charge = await ChargeRepository(uow.session).get_by_visit_id(cmd.visit_id)
    if charge is None:
        return None
    await _cancel(charge, CANCEL_KIND_REASONS[cmd.kind], cmd.reason[:500], cmd.cancelled_at, uow)
    return charge


async def resolve_verification(cmd: ResolveVerification, uow: UnitOfWork) -> Charge | None:
    """复核: a visit held as unverified was reviewed. ``accepted`` makes it billable as recorded: it
    is charged now (changsha-2024-purchased-door-to-door-rules.md 第十七条: only verified service
    records are paid); ``rejected`` leaves it unbilled (the VisitCancelled ``voided`` that follows,
    or came first, changes nothing more)."""
    reviews = ReviewRepository(uow.session)
    note = f"{cmd.reviewer}: {cmd.comment}" if cmd.comment else cmd.reviewer
    await reviews.add_outcome(
        VisitOutcome(cmd.visit_id, cmd.outcome, note[:500], cmd.reviewer[:200], cmd.resolved_at)
    )
    charges = ChargeRepository(uow.session)
    charge = await charges.get_by_visit_id(cmd.visit_id)
    if charge is None:
        return None
    if cmd.outcome == "rejected":
        await _cancel(charge, ChargeReason.verification_rejected, note[:500], cmd.resolved_at, uow)
        return charge
    before = _state(charge)
    if _cancelling(await reviews.outcomes(cmd.visit_id)) is None and charge.accept_verification(note[:500]):
        await _redecide(charge, uow, before=before, released_by="verification_accepted")
    return charge


def _cancelling(outcomes: list[VisitOutcome]) -> VisitOutcome | None:
    """The first outcome that keeps the visit unbilled, if any."""
    return next((o for o in outcomes if o.kind in CANCEL_KIND_REASONS), None)


async def _redecide(charge: Charge, uow: UnitOfWork, *, before: State, released_by: str) -> None:
    """A charge back to be decided: waits for the enrolment if billing has none, else is decided."""
    entitlement = await EntitlementRepository(uow.session).get(charge.beneficiary_id)
    if entitlement is None and await _sanction_of(charge, uow) is None:
        await ChargeRepository(uow.session).save(charge)
        await _announce(charge, before, uow)
        return
    await _decide(charge, entitlement, uow, before=before, released_by=released_by)


async def _cancel(charge: Charge, reason: ChargeReason, note: str, at: datetime, uow: UnitOfWork) -> None:
    before = _state(charge)
    account = None
    delta = Settlement(
        provider_id=charge.provider_id, district_code=charge.district_code, period=charge.period
    )
    if charge.status is ChargeStatus.posted:
        account = await AccountRepository(uow.session).get_for(charge.beneficiary_id, charge.period)
    reversed_ = charge.cancel(reason, note, at, account, delta)
    await ChargeRepository(uow.session).save(charge)
    if not reversed_:
        # A charge not posted is held with the cancellation's reason (ChargeHeld, once).
        await _announce(charge, before, uow)
        return
    assert account is not None
    await AccountRepository(uow.session).save(account)
    await SettlementRepository(uow.session).add_totals(delta)
    uow.publish(
        ChargeReversed(
            charge_id=charge.id,
            visit_id=charge.visit_id,
            beneficiary_id=charge.beneficiary_id,
            provider_id=charge.provider_id,
            district_code=charge.district_code,
            period=charge.period,
            reversed_fen=charge.amount_fen or 0,
            reason=reason.value,
            reversed_at=at,
        )
    )


# ---------------------------------------------------------------- audit: flags, recoveries, samples


@dataclass(frozen=True)
class RaiseFlag:
    flag_id: UUID
    visit_id: UUID
    provider_id: UUID
    district_code: str
    source: str
    signal: str
    raised_at: datetime


@dataclass(frozen=True)
class ResolveFlag:
    flag_id: UUID
    visit_id: UUID
    provider_id: UUID
    district_code: str
    outcome: str  # cleared | confirmed
    finding_id: UUID | None
    resolved_at: datetime


async def raise_flag(cmd: RaiseFlag, uow: UnitOfWork) -> None:
    """疑点: audit suspects the visit; its charge is withheld from settlement while any flag on it is
    open or confirmed (issue #6). Kept by flag id, whatever arrived first; the statement SQL applies
    it, so a flag that comes before the visit's completion withholds the charge all the same.
    A posted charge it starts withholding is announced (ChargeWithheld)."""
    reviews = ReviewRepository(uow.session)
    charge = await _posted_charge(cmd.visit_id, uow)
    before = await reviews.withholding(charge.visit_id, charge.provider_id) if charge else None
    await reviews.raise_flag(
        flag_id=cmd.flag_id,
        visit_id=cmd.visit_id,
        provider_id=cmd.provider_id,
        district_code=cmd.district_code,
        source=cmd.source,
        signal=cmd.signal,
        raised_at=cmd.raised_at,
    )
    if charge is not None:
        await _announce_withholding(charge, before, uow)


async def resolve_flag(cmd: ResolveFlag, uow: UnitOfWork) -> None:
    """``cleared`` releases the charge into the next run (ChargeReleased once no flag or recovery
    order holds it); ``confirmed`` keeps it withheld."""
    reviews = ReviewRepository(uow.session)
    charge = await _posted_charge(cmd.visit_id, uow)
    before = await reviews.withholding(charge.visit_id, charge.provider_id) if charge else None
    await reviews.resolve_flag(
        flag_id=cmd.flag_id,
        visit_id=cmd.visit_id,
        provider_id=cmd.provider_id,
        district_code=cmd.district_code,
        outcome=cmd.outcome,
        finding_id=cmd.finding_id,
        resolved_at=cmd.resolved_at,
    )
    if charge is not None:
        await _announce_withholding(charge, before, uow)


async def order_recovery(recovery: FundRecovery, uow: UnitOfWork) -> bool:
    """追回: keep audit's order to recover what was paid for its visits
    (changsha-2024-purchased-door-to-door-rules.md 第十八条（四）), with its fine rate
    (nanchang-2019-home-care-regulation.md 第四十四条). The statement SQL books
    it: a visit already paid on an issued statement gets a negative recovery line (and a fine line)
    on the provider's next statement; a visit not yet paid is withheld instead. Each posted charge of
    the provider's visits it starts withholding is announced (ChargeWithheld ``recovery_ordered``);
    the clawback itself is announced when a statement carrying it is issued (ClawbackApplied)."""
    reviews = ReviewRepository(uow.session)
    charges = []
    for visit_id in dict.fromkeys(recovery.visit_ids):
        charge = await _posted_charge(visit_id, uow)
        if charge is not None and charge.provider_id == recovery.provider_id:
            charges.append((charge, await reviews.withholding(visit_id, charge.provider_id)))
    if not await reviews.add_recovery(recovery):
        return False
    for charge, before in charges:
        await _announce_withholding(charge, before, uow)
    return True


def _sampling_enabled(uow: UnitOfWork) -> bool:
    settings = uow.settings
    if isinstance(settings, BillingSettings):
        return settings.claim_sampling_deductions
    return False


async def publish_claim_sample(sample: ClaimSample, uow: UnitOfWork) -> ClaimSample:
    """抽查扣减: keep audit's claim sample; it deducts only where the city's policy enables it
    (``BILLING_CLAIM_SAMPLING_DEDUCTIONS``, off by default: no seed mandates extrapolating a sample's
    failure rate to the unsampled visits). A sample received while it is off never deducts."""
    kept = replace(sample, applied=_sampling_enabled(uow))
    await ReviewRepository(uow.session).add_sample(kept)
    return kept


# ---------------------------------------------------------------- entitlement changes


@dataclass(frozen=True)
class ChangeEntitlement:
    beneficiary_id: UUID
    change: AmountChange


async def change_entitlement(cmd: ChangeEntitlement, uow: UnitOfWork) -> None:
    """待遇变更: from ``effective_on`` (a month's first day) the accounts use the new monthly
    entitlement; earlier months are untouched. Kept even before the enrolment arrives. An account of
    that month or later already opened is re-set to the new amount (prorated as the setting says);
    its charges already split are not re-split, so a lower amount never goes below what is used."""
    repo = EntitlementRepository(uow.session)
    if not await repo.add_amount_change(cmd.beneficiary_id, cmd.change):
        return
    entitlement = await repo.get(cmd.beneficiary_id)
    if entitlement is None:
        return
    accounts = AccountRepository(uow.session)
    for account in await accounts.from_period(cmd.beneficiary_id, month_of_date(cmd.change.effective_on)):
        account.entitlement_fen = max(
            entitlement.month_fen(account.period, _proration(uow)), account.used_fen
        )
        await accounts.save(account)


def month_of_date(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"
