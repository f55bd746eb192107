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

# Every statement below works on a set of statements at once (``:ids``): one run of a single
# statement, or of every statement of a month, is the same few statements of SQL.
_DELETE_LINES = text("DELETE FROM statement_lines WHERE statement_id = ANY(CAST(:ids AS uuid[]))")

# The month's charges: posted ones as charge lines, the others (held, unpriced, still waiting for
# the enrolment) as withheld lines with nothing to pay and the charge's reason.
_INSERT_MONTH_LINES = text("""
INSERT INTO statement_lines (
    id, statement_id, kind, charge_id, visit_id, beneficiary_id, service_code, visit_on, charge_period,
    unit, unit_price_fen, amount_fen, covered_fen, self_pay_fen, reason
)
SELECT md5(t.id::text || c.id::text || k.kind)::uuid, t.id, k.kind, c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       coalesce(c.amount_fen, 0), coalesce(c.covered_fen, 0), coalesce(c.beneficiary_pays_fen, 0),
       CASE WHEN k.kind = 'withheld' THEN coalesce(c.reason, c.status) END
FROM statements t
JOIN charges c
  ON c.provider_id = t.provider_id AND c.district_code = t.district_code AND c.period = t.period
CROSS JOIN LATERAL (SELECT CASE WHEN c.status = 'posted' THEN 'charge' ELSE 'withheld' END AS kind) k
WHERE t.id = ANY(CAST(:ids AS uuid[]))
""")

# Charges of earlier months whose statement is issued, where what the charge says now differs from
# everything issued for it so far (its charge line plus earlier adjustments): the difference.
_INSERT_ADJUSTMENTS = text("""
INSERT INTO statement_lines (
    id, statement_id, kind, charge_id, visit_id, beneficiary_id, service_code, visit_on, charge_period,
    unit, unit_price_fen, amount_fen, covered_fen, self_pay_fen, reason
)
SELECT md5(t.id::text || c.id::text || 'adjustment')::uuid, t.id, 'adjustment', c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       coalesce(c.amount_fen, 0) - i.amount_fen,
       coalesce(c.covered_fen, 0) - i.covered_fen,
       coalesce(c.beneficiary_pays_fen, 0) - i.self_pay_fen,
       CASE WHEN i.lines = 0 THEN 'late_charge' ELSE 'amount_corrected' END
FROM statements t
JOIN statements closed
  ON closed.provider_id = t.provider_id AND closed.district_code = t.district_code
 AND closed.period < t.period AND closed.status = 'issued'
JOIN charges c
  ON c.provider_id = closed.provider_id AND c.district_code = closed.district_code
 AND c.period = closed.period
CROSS JOIN LATERAL (
    SELECT count(*) AS lines, coalesce(sum(l.amount_fen), 0) AS amount_fen,
           coalesce(sum(l.covered_fen), 0) AS covered_fen, coalesce(sum(l.self_pay_fen), 0) AS self_pay_fen
    FROM statement_lines l JOIN statements st ON st.id = l.statement_id AND st.status = 'issued'
    WHERE l.charge_id = c.id AND l.kind IN ('charge', 'adjustment')
) i
WHERE t.id = ANY(CAST(:ids AS uuid[]))
  AND (coalesce(c.amount_fen, 0) <> i.amount_fen OR coalesce(c.covered_fen, 0) <> i.covered_fen)
""")

# Totals are sums of the lines, nothing else: they reconcile with the lines by construction.
_UPDATE_TOTALS = text("""
UPDATE statements s
SET gross_fen = x.gross_fen, covered_fen = x.covered_fen, self_pay_fen = x.self_pay_fen,
    adjusted_fen = x.adjusted_fen, charge_count = x.charge_count,
    adjustment_count = x.adjustment_count, withheld_count = x.withheld_count,
    generated_at = :now, version = s.version + 1
FROM (
    SELECT t.id, coalesce(sum(l.amount_fen), 0) AS gross_fen,
           coalesce(sum(l.covered_fen), 0) AS covered_fen,
           coalesce(sum(l.self_pay_fen), 0) AS self_pay_fen,
           coalesce(sum(l.covered_fen) FILTER (WHERE l.kind = 'adjustment'), 0) AS adjusted_fen,
           count(l.id) FILTER (WHERE l.kind = 'charge') AS charge_count,
           count(l.id) FILTER (WHERE l.kind = 'adjustment') AS adjustment_count,
           count(l.id) FILTER (WHERE l.kind = 'withheld') AS withheld_count
    FROM statements t LEFT JOIN statement_lines l ON l.statement_id = t.id
    WHERE t.id = ANY(CAST(:ids AS uuid[]))
    GROUP BY t.id
) x
WHERE s.id = x.id
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
        [fresh] = await self.regenerate_all([statement], now)
        return fresh

    async def regenerate_all(self, statements: list[Statement], now: datetime) -> list[Statement]:
        """Regenerate many previews in one pass over the charges (the same SQL as for one)."""
        ids = [s.id for s in statements]
        if not ids:
            return []
        await self.session.execute(_DELETE_LINES, {"ids": ids})
        await self.session.execute(_INSERT_MONTH_LINES, {"ids": ids})
        await self.session.execute(_INSERT_ADJUSTMENTS, {"ids": ids})
        await self.session.execute(_UPDATE_TOTALS, {"ids": ids, "now": now})
        query = select(STATEMENTS).where(STATEMENTS.c.id.in_(ids)).order_by(STATEMENTS.c.id)
        return [_statement(row) for row in await self.session.execute(query)]

    async def pairs_of_month(self, region_prefix: str, period: str) -> list[tuple[UUID, str]]:
        """The providers and districts with a statement to run for the month: those with charges in
        it, and those with an issued earlier month (whose late charges become adjustments)."""
        query = text(
            "SELECT provider_id, district_code FROM charges WHERE period = :m AND district_code LIKE :r"
            " UNION SELECT provider_id, district_code FROM statements"
            " WHERE status = 'issued' AND period < :m AND district_code LIKE :r"
            " ORDER BY provider_id, district_code"
        )
        rows = await self.session.execute(query, {"m": period, "r": f"{region_prefix}%"})
        return [(row.provider_id, row.district_code) for row in rows]

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
