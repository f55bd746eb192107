"""Repositories of the ledger: monthly accounts, charges and provider settlements.

Each maps its aggregate to and from rows; ``save`` writes back through the row loaded in the same
session, so the version column catches a concurrent writer (the consumer runner then retries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Select, false, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from eldercare.billing.adapters.models import AccountRow, ChargeRow, SettlementRow
from eldercare.billing.domain.accounts import Account, CloseReason, Settlement, SettlementStatus
from eldercare.billing.domain.charges import Charge, ChargeReason, ChargeStatus
from eldercare.billing.domain.pricing import Unit

RowT = TypeVar("RowT", AccountRow, ChargeRow, SettlementRow)

ACCOUNT_FIELDS = (
    "id", "beneficiary_id", "period", "district_code", "entitlement_fen", "used_fen",
    "beneficiary_pays_fen", "charge_count", "closed_at",
)  # fmt: skip
SETTLEMENT_FIELDS = (
    "id", "provider_id", "district_code", "period", "status", "total_fen", "gross_fen",
    "beneficiary_pays_fen", "charge_count",
)  # fmt: skip
CHARGE_FIELDS = (
    "id", "visit_id", "beneficiary_id", "provider_id", "district_code", "service_code", "visit_on",
    "period", "duration_minutes", "verified", "status", "reason", "price_list_id", "unit",
    "unit_price_fen", "amount_fen", "covered_fen", "beneficiary_pays_fen", "posted_at",
    "care_plan_id", "caregiver_id", "checked_in_at", "checked_out_at", "reversed_at", "outcome_note",
)  # fmt: skip


@dataclass(frozen=True)
class Scope:
    """Which rows a reader may see: a region prefix (government) or one provider (provider staff)."""

    region_prefix: str | None = None
    provider_id: UUID | None = None

    def apply(
        self,
        query: Select[tuple[RowT]],
        district_code: InstrumentedAttribute[str],
        provider_id: InstrumentedAttribute[UUID] | None = None,
    ) -> Select[tuple[RowT]]:
        if self.region_prefix is not None:
            # Region claims are digits only (auth validates them), so the prefix needs no escaping.
            query = query.where(district_code.startswith(self.region_prefix))
        if self.provider_id is not None:
            # Rows without a provider (accounts) are never a provider's to read.
            query = query.where(provider_id == self.provider_id if provider_id is not None else false())
        return query


def _copy(target: Any, source: Any, names: tuple[str, ...]) -> None:
    for name in names:
        setattr(target, name, getattr(source, name))


def _values(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


async def _page(
    session: AsyncSession, query: Select[tuple[RowT]], model: type[RowT], after: UUID | None, limit: int
) -> list[RowT]:
    if after is not None:
        query = query.where(model.id > after)
    return list((await session.scalars(query.order_by(model.id).limit(limit))).all())


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for(self, beneficiary_id: UUID, period: str) -> Account | None:
        row = await self._row(beneficiary_id, period)
        return _account(row) if row else None

    async def list_scoped(
        self, scope: Scope, *, beneficiary_id: UUID | None, period: str | None, after: UUID | None, limit: int
    ) -> list[Account]:
        query = scope.apply(select(AccountRow), AccountRow.district_code)
        if beneficiary_id is not None:
            query = query.where(AccountRow.beneficiary_id == beneficiary_id)
        if period is not None:
            query = query.where(AccountRow.period == period)
        rows = await _page(self.session, query, AccountRow, after, limit)
        return [_account(row) for row in rows]

    async def from_period(self, beneficiary_id: UUID, period: str) -> list[Account]:
        """The beneficiary's accounts already opened for ``period`` and the months after it."""
        query = select(AccountRow).where(
            AccountRow.beneficiary_id == beneficiary_id, AccountRow.period >= period
        )
        rows = (await self.session.scalars(query.order_by(AccountRow.period))).all()
        return [_account(row) for row in rows]

    async def save(self, account: Account) -> bool:
        """Write the account back; ``True`` when it was opened by this call (a new month)."""
        row = await self._row(account.beneficiary_id, account.period)
        opened = row is None
        if row is None:
            row = AccountRow()
            self.session.add(row)
        _copy(row, account, ACCOUNT_FIELDS)
        row.close_reason = account.close_reason.value if account.close_reason else None
        await self.session.flush()
        return opened

    async def close_ended(self, current_period: str, now: datetime, limit: int) -> list[Account]:
        """Close up to ``limit`` open accounts of months before ``current_period`` in one statement
        and return them: ``terminated`` when the beneficiary's status in force on the month's last
        day is terminated, else ``month_ended``. Rows another sweep holds are skipped."""
        rows = await self.session.execute(
            text(f"""
            WITH due AS (
                SELECT a.id,
                       CASE WHEN st.status = 'terminated' THEN 'terminated' ELSE 'month_ended' END AS reason
                FROM accounts a
                LEFT JOIN LATERAL (
                    SELECT s.status FROM beneficiary_status_changes s
                    WHERE s.beneficiary_id = a.beneficiary_id
                      AND s.effective_on < CAST(CAST(a.period || '-01' AS date) + interval '1 month' AS date)
                    ORDER BY s.effective_on DESC, s.occurred_at DESC, s.id DESC LIMIT 1
                ) st ON true
                WHERE a.closed_at IS NULL AND a.period < :current
                ORDER BY a.period, a.id
                LIMIT :limit
                FOR UPDATE OF a SKIP LOCKED
            )
            UPDATE accounts a SET closed_at = :now, close_reason = due.reason,
                   version = a.version + 1, updated_at = now()
            FROM due WHERE a.id = due.id
            RETURNING {_ACCOUNT_COLUMNS}
            """),  # noqa: S608 (the module's constants only)
            {"current": current_period, "now": now, "limit": limit},
        )
        return sorted((_account(r) for r in rows), key=lambda a: (a.period, a.id))

    async def close_from(
        self, beneficiary_id: UUID, period: str, reason: CloseReason, now: datetime
    ) -> list[Account]:
        """Close the beneficiary's open accounts of ``period`` and later (a termination)."""
        rows = await self.session.execute(
            text(f"""
            UPDATE accounts a SET closed_at = :now, close_reason = :reason, version = a.version + 1,
                   updated_at = now()
            WHERE a.beneficiary_id = :b AND a.period >= :m AND a.closed_at IS NULL
            RETURNING {_ACCOUNT_COLUMNS}
            """),  # noqa: S608 (the module's constants only)
            {"b": beneficiary_id, "m": period, "reason": reason.value, "now": now},
        )
        return sorted((_account(r) for r in rows), key=lambda a: a.period)

    async def _row(self, beneficiary_id: UUID, period: str) -> AccountRow | None:
        query = select(AccountRow).where(
            AccountRow.beneficiary_id == beneficiary_id, AccountRow.period == period
        )
        return (await self.session.scalars(query)).first()


class SettlementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, settlement_id: UUID) -> Settlement | None:
        row = await self.session.get(SettlementRow, settlement_id)
        return _settlement(row) if row else None

    async def get_for(self, provider_id: UUID, district_code: str, period: str) -> Settlement | None:
        row = await self._row(provider_id, district_code, period)
        return _settlement(row) if row else None

    async def list_scoped(
        self, scope: Scope, *, provider_id: UUID | None, period: str | None, after: UUID | None, limit: int
    ) -> list[Settlement]:
        query = scope.apply(select(SettlementRow), SettlementRow.district_code, SettlementRow.provider_id)
        if provider_id is not None:
            query = query.where(SettlementRow.provider_id == provider_id)
        if period is not None:
            query = query.where(SettlementRow.period == period)
        return [_settlement(row) for row in await _page(self.session, query, SettlementRow, after, limit)]

    async def add_totals(self, delta: Settlement) -> None:
        """Add a change of the month's running totals (one charge posted: positive; reversed:
        negative) in one atomic statement. Consumers of different partitions posting for the same
        provider's month take turns on the row lock instead of failing a version check and retrying."""
        values = {
            "id": delta.id,
            "p": delta.provider_id,
            "d": delta.district_code,
            "m": delta.period,
            "t": delta.total_fen,
            "g": delta.gross_fen,
            "b": delta.beneficiary_pays_fen,
            "n": delta.charge_count,
        }
        if delta.charge_count < 0:
            # A reversal: the month's row exists (the charge was posted to it).
            await self.session.execute(
                text(
                    "UPDATE settlements SET total_fen = total_fen + :t, gross_fen = gross_fen + :g,"
                    " beneficiary_pays_fen = beneficiary_pays_fen + :b, charge_count = charge_count + :n,"
                    " version = version + 1, updated_at = now()"
                    " WHERE provider_id = :p AND district_code = :d AND period = :m"
                ),
                {k: v for k, v in values.items() if k != "id"},
            )
            return
        await self.session.execute(
            text(
                "INSERT INTO settlements (id, provider_id, district_code, period, status, total_fen,"
                " gross_fen, beneficiary_pays_fen, charge_count, version, created_at, updated_at)"
                " VALUES (:id, :p, :d, :m, 'open', :t, :g, :b, :n, 1, now(), now())"
                " ON CONFLICT ON CONSTRAINT uq_settlements_provider_period DO UPDATE SET"
                " total_fen = settlements.total_fen + EXCLUDED.total_fen,"
                " gross_fen = settlements.gross_fen + EXCLUDED.gross_fen,"
                " beneficiary_pays_fen = settlements.beneficiary_pays_fen + EXCLUDED.beneficiary_pays_fen,"
                " charge_count = settlements.charge_count + EXCLUDED.charge_count,"
                " version = settlements.version + 1, updated_at = now()"
            ),
            values,
        )

    async def save(self, settlement: Settlement) -> None:
        row = await self._row(settlement.provider_id, settlement.district_code, settlement.period)
        if row is None:
            row = SettlementRow()
            self.session.add(row)
        _copy(row, settlement, SETTLEMENT_FIELDS)
        row.status = settlement.status.value
        await self.session.flush()

    async def _row(self, provider_id: UUID, district_code: str, period: str) -> SettlementRow | None:
        query = select(SettlementRow).where(
            SettlementRow.provider_id == provider_id,
            SettlementRow.district_code == district_code,
            SettlementRow.period == period,
        )
        return (await self.session.scalars(query)).first()


_ACCOUNT_COLUMNS = ", ".join(f"a.{name}" for name in (*ACCOUNT_FIELDS, "close_reason"))


def _account(row: Any) -> Account:
    values = _values(row, ACCOUNT_FIELDS)
    values["close_reason"] = CloseReason(row.close_reason) if row.close_reason else None
    return Account(**values)


def _settlement(row: SettlementRow) -> Settlement:
    values = _values(row, SETTLEMENT_FIELDS)
    values["status"] = SettlementStatus(row.status)
    return Settlement(**values)


@dataclass(frozen=True)
class ChargeFilter:
    visit_id: UUID | None = None
    beneficiary_id: UUID | None = None
    provider_id: UUID | None = None
    period: str | None = None
    status: ChargeStatus | None = None


class ChargeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, charge_id: UUID) -> Charge | None:
        row = await self.session.get(ChargeRow, charge_id)
        return _charge(row) if row else None

    async def get_by_visit_id(self, visit_id: UUID) -> Charge | None:
        row = (await self.session.scalars(select(ChargeRow).where(ChargeRow.visit_id == visit_id))).first()
        return _charge(row) if row else None

    async def list_awaiting(self, beneficiary_id: UUID) -> list[Charge]:
        query = select(ChargeRow).where(
            ChargeRow.beneficiary_id == beneficiary_id,
            ChargeRow.status == ChargeStatus.awaiting_entitlement.value,
        )
        return [_charge(row) for row in (await self.session.scalars(query.order_by(ChargeRow.id))).all()]

    async def list_unpriced(self, region_prefix: str, from_day: date) -> list[Charge]:
        """Unpriced charges of the region's visits on or after ``from_day``."""
        query = select(ChargeRow).where(
            ChargeRow.status == ChargeStatus.unpriced.value,
            ChargeRow.district_code.startswith(region_prefix),
            ChargeRow.visit_on >= from_day,
        )
        return [_charge(row) for row in (await self.session.scalars(query.order_by(ChargeRow.id))).all()]

    async def list_scoped(
        self, scope: Scope, where: ChargeFilter, *, after: UUID | None, limit: int
    ) -> list[Charge]:
        query = scope.apply(select(ChargeRow), ChargeRow.district_code, ChargeRow.provider_id)
        for name in ("visit_id", "beneficiary_id", "provider_id", "period", "status"):
            value = getattr(where, name)
            if value is not None:
                query = query.where(getattr(ChargeRow, name) == value)
        return [_charge(row) for row in await _page(self.session, query, ChargeRow, after, limit)]

    async def of_accounts(self, accounts: list[Account]) -> list[Charge]:
        """Every charge (posted or not) of the accounts' beneficiaries in their months."""
        if not accounts:
            return []
        keys = [(a.beneficiary_id, a.period) for a in accounts]
        query = select(ChargeRow).where(tuple_(ChargeRow.beneficiary_id, ChargeRow.period).in_(keys))
        return [_charge(row) for row in (await self.session.scalars(query.order_by(ChargeRow.id))).all()]

    async def save(self, charge: Charge) -> None:
        row = await self.session.get(ChargeRow, charge.id)
        if row is None:
            row = ChargeRow()
            self.session.add(row)
        _copy(row, charge, CHARGE_FIELDS)
        row.notes = list(charge.notes)
        await self.session.flush()


def _charge(row: ChargeRow) -> Charge:
    values = _values(row, CHARGE_FIELDS)
    values["status"] = ChargeStatus(row.status)
    values["reason"] = ChargeReason(row.reason) if row.reason else None
    values["unit"] = Unit(row.unit) if row.unit else None
    values["notes"] = tuple(row.notes)
    return Charge(**values)
