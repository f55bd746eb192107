"""Statements and their lines, written by set-based SQL: a run is a handful of statements whatever
the number of visits (no row-by-row work in Python).

Line ids are derived from (statement, charge, kind), so a rerun of a preview gives the same lines
with the same ids, and a trace URL survives reruns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import case, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.billing.adapters.models import StatementLineRow, StatementRow
from eldercare.billing.domain.statements import LineKind, Statement, StatementStatus

# Lines in reading order: the month's charges, then adjustments, then withheld ones; by day.
LINE_ORDER = (
    case({"charge": 0, "adjustment": 1}, value=StatementLineRow.kind, else_=2),
    StatementLineRow.visit_on,
    StatementLineRow.visit_id,
)
STATEMENTS = StatementRow.__table__
LINES = StatementLineRow.__table__

_DELETE_LINES = text("DELETE FROM statement_lines WHERE statement_id = :s")

# The month's charges: posted ones as charge lines, the others (held, unpriced, still waiting for
# the enrolment) as withheld lines with nothing to pay and the charge's reason.
_INSERT_MONTH_LINES = text("""
INSERT INTO statement_lines (
    id, statement_id, kind, charge_id, visit_id, beneficiary_id, service_code, visit_on, charge_period,
    unit, unit_price_fen, amount_fen, covered_fen, self_pay_fen, reason
)
SELECT md5(CAST(:s AS uuid)::text || c.id::text || k.kind)::uuid, CAST(:s AS uuid), k.kind, c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       coalesce(c.amount_fen, 0), coalesce(c.covered_fen, 0), coalesce(c.beneficiary_pays_fen, 0),
       CASE WHEN k.kind = 'withheld' THEN coalesce(c.reason, c.status) END
FROM charges c
CROSS JOIN LATERAL (SELECT CASE WHEN c.status = 'posted' THEN 'charge' ELSE 'withheld' END AS kind) k
WHERE c.provider_id = :p AND c.district_code = :d AND c.period = :m
""")

# Charges of earlier months whose statement is issued, where what the charge says now differs from
# everything issued for it so far (its charge line plus earlier adjustments): the difference.
_INSERT_ADJUSTMENTS = text("""
INSERT INTO statement_lines (
    id, statement_id, kind, charge_id, visit_id, beneficiary_id, service_code, visit_on, charge_period,
    unit, unit_price_fen, amount_fen, covered_fen, self_pay_fen, reason
)
SELECT md5(CAST(:s AS uuid)::text || c.id::text || 'adjustment')::uuid, CAST(:s AS uuid), 'adjustment',
       c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       coalesce(c.amount_fen, 0) - coalesce(i.amount_fen, 0),
       coalesce(c.covered_fen, 0) - coalesce(i.covered_fen, 0),
       coalesce(c.beneficiary_pays_fen, 0) - coalesce(i.self_pay_fen, 0),
       CASE WHEN i.charge_id IS NULL THEN 'late_charge' ELSE 'amount_corrected' END
FROM charges c
JOIN statements closed
  ON closed.provider_id = c.provider_id AND closed.district_code = c.district_code
 AND closed.period = c.period AND closed.status = 'issued'
LEFT JOIN (
    SELECT l.charge_id, sum(l.amount_fen) AS amount_fen, sum(l.covered_fen) AS covered_fen,
           sum(l.self_pay_fen) AS self_pay_fen
    FROM statement_lines l JOIN statements st ON st.id = l.statement_id
    WHERE st.status = 'issued' AND st.provider_id = :p AND st.district_code = :d
      AND l.kind IN ('charge', 'adjustment')
    GROUP BY l.charge_id
) i ON i.charge_id = c.id
WHERE c.provider_id = :p AND c.district_code = :d AND c.period < :m
  AND (coalesce(c.amount_fen, 0) <> coalesce(i.amount_fen, 0)
       OR coalesce(c.covered_fen, 0) <> coalesce(i.covered_fen, 0))
""")

# Totals are sums of the lines, nothing else: they reconcile with the lines by construction.
_UPDATE_TOTALS = text("""
UPDATE statements s
SET gross_fen = t.gross_fen, covered_fen = t.covered_fen, self_pay_fen = t.self_pay_fen,
    adjusted_fen = t.adjusted_fen, charge_count = t.charge_count,
    adjustment_count = t.adjustment_count, withheld_count = t.withheld_count,
    generated_at = :now, version = s.version + 1
FROM (
    SELECT coalesce(sum(amount_fen), 0) AS gross_fen, coalesce(sum(covered_fen), 0) AS covered_fen,
           coalesce(sum(self_pay_fen), 0) AS self_pay_fen,
           coalesce(sum(covered_fen) FILTER (WHERE kind = 'adjustment'), 0) AS adjusted_fen,
           count(*) FILTER (WHERE kind = 'charge') AS charge_count,
           count(*) FILTER (WHERE kind = 'adjustment') AS adjustment_count,
           count(*) FILTER (WHERE kind = 'withheld') AS withheld_count
    FROM statement_lines WHERE statement_id = :s
) t
WHERE s.id = :s
""")


@dataclass(frozen=True)
class StatementLine:
    id: UUID
    statement_id: UUID
    kind: LineKind
    charge_id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    service_code: str
    visit_on: date
    charge_period: str
    unit: str | None
    unit_price_fen: int | None
    amount_fen: int
    covered_fen: int
    self_pay_fen: int
    reason: str | None


def _statement(row: Any) -> Statement:
    values = dict(row._mapping)
    del values["version"]
    values["status"] = StatementStatus(values["status"])
    return Statement(**values)


def _line(row: Any) -> StatementLine:
    values = dict(row._mapping)
    values["kind"] = LineKind(values["kind"])
    return StatementLine(**values)


class StatementRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, statement_id: UUID, *, for_update: bool = False) -> Statement | None:
        query = select(STATEMENTS).where(STATEMENTS.c.id == statement_id)
        if for_update:
            query = query.with_for_update()
        row = (await self.session.execute(query)).first()
        return _statement(row) if row else None

    async def lock_or_create(
        self, statement_id: UUID, provider_id: UUID, district_code: str, period: str, now: datetime
    ) -> Statement:
        """The statement of a settlement, created empty as a preview on the first run; locked
        until the transaction ends, so two runs of one statement take turns."""
        await self.session.execute(
            text(
                "INSERT INTO statements (id, provider_id, district_code, period, status, gross_fen,"
                " covered_fen, self_pay_fen, adjusted_fen, charge_count, adjustment_count,"
                " withheld_count, generated_at, version)"
                " VALUES (:s, :p, :d, :m, 'preview', 0, 0, 0, 0, 0, 0, 0, :now, 1)"
                " ON CONFLICT (id) DO NOTHING"
            ),
            {"s": statement_id, "p": provider_id, "d": district_code, "m": period, "now": now},
        )
        statement = await self.get(statement_id, for_update=True)
        assert statement is not None
        return statement

    async def regenerate(self, statement: Statement, now: datetime) -> Statement:
        """Replace the lines of a preview from the charges as they are now, and total them."""
        params = {
            "s": statement.id,
            "p": statement.provider_id,
            "d": statement.district_code,
            "m": statement.period,
        }
        await self.session.execute(_DELETE_LINES, {"s": statement.id})
        await self.session.execute(_INSERT_MONTH_LINES, params)
        await self.session.execute(_INSERT_ADJUSTMENTS, params)
        await self.session.execute(_UPDATE_TOTALS, {"s": statement.id, "now": now})
        fresh = await self.get(statement.id)
        assert fresh is not None
        return fresh

    async def mark_issued(self, statement: Statement) -> None:
        await self.session.execute(
            text(
                "UPDATE statements SET status = 'issued', issued_at = :at, issued_by = :by,"
                " version = version + 1 WHERE id = :s AND status = 'preview'"
            ),
            {"s": statement.id, "at": statement.issued_at, "by": statement.issued_by},
        )

    async def line(self, statement_id: UUID, line_id: UUID) -> StatementLine | None:
        query = select(LINES).where(LINES.c.statement_id == statement_id, LINES.c.id == line_id)
        row = (await self.session.execute(query)).first()
        return _line(row) if row else None

    async def lines_page(self, statement_id: UUID, *, after: UUID | None, limit: int) -> list[StatementLine]:
        query = select(LINES).where(LINES.c.statement_id == statement_id)
        if after is not None:
            query = query.where(LINES.c.id > after)
        rows = await self.session.execute(query.order_by(LINES.c.id).limit(limit))
        return [_line(r) for r in rows]

    async def all_lines(self, statement_id: UUID) -> list[StatementLine]:
        """Every line in reading order (exports)."""
        query = select(LINES).where(LINES.c.statement_id == statement_id).order_by(*LINE_ORDER)
        return [_line(r) for r in await self.session.execute(query)]
