"""Statements and their lines, written by set-based SQL: a run is a handful of statements whatever
the number of visits (no row-by-row work in Python).

Line ids are derived from (statement, charge, kind), so a rerun of a preview gives the same lines
with the same ids, and a trace URL survives reruns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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

_COLUMNS = """
    id, statement_id, kind, charge_id, visit_id, beneficiary_id, service_code, visit_on, charge_period,
    unit, unit_price_fen, amount_fen, covered_fen, self_pay_fen, reason, ref_id, withheld_fen, detail
"""

# Visits an open or confirmed audit flag withholds (the line names one: the latest raised; the trace
# lists them all), those with a cleared flag, and the recovery order of a visit (the first that
# names it, for its provider).
_OPEN_FLAGS = """(
    SELECT DISTINCT ON (visit_id) visit_id, flag_id FROM visit_flags
    WHERE outcome IS DISTINCT FROM 'cleared' ORDER BY visit_id, raised_at DESC NULLS LAST, id DESC
)"""
_CLEARED_FLAGS = """(
    SELECT DISTINCT ON (visit_id) visit_id, flag_id FROM visit_flags
    WHERE outcome = 'cleared' ORDER BY visit_id, resolved_at DESC, id
)"""
_RECOVERIES = """(
    SELECT DISTINCT ON (rv.visit_id, r.provider_id) rv.visit_id, r.provider_id, rv.recovery_id,
           rv.fine_rate_percent
    FROM recovery_visits rv JOIN fund_recoveries r ON r.recovery_id = rv.recovery_id
    ORDER BY rv.visit_id, r.provider_id, rv.ordered_at, rv.recovery_id
)"""

# The month's charges: posted ones as charge lines; the others (held, unpriced, waiting for the
# enrolment, reversed) and posted ones an audit flag or a recovery order withholds, as withheld
# lines with nothing to pay, the reason, the flag or recovery behind it, and what is kept back.
_INSERT_MONTH_LINES = text(f"""
INSERT INTO statement_lines ({_COLUMNS})
SELECT md5(t.id::text || c.id::text || k.kind)::uuid, t.id, k.kind, c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       CASE WHEN k.kind = 'charge' THEN c.amount_fen ELSE 0 END,
       CASE WHEN k.kind = 'charge' THEN c.covered_fen ELSE 0 END,
       CASE WHEN k.kind = 'charge' THEN c.beneficiary_pays_fen ELSE 0 END,
       CASE WHEN k.kind = 'withheld' THEN
           CASE WHEN c.status = 'posted' AND rc.recovery_id IS NOT NULL THEN 'recovery_ordered'
                WHEN c.status = 'posted' AND fl.flag_id IS NOT NULL THEN 'visit_flagged'
                ELSE coalesce(c.reason, c.status) END
       END,
       CASE WHEN k.kind = 'withheld' AND c.status = 'posted' THEN coalesce(rc.recovery_id, fl.flag_id) END,
       CASE WHEN k.kind = 'withheld' AND c.status = 'posted' THEN c.covered_fen ELSE 0 END,
       CASE WHEN k.kind = 'withheld' THEN c.outcome_note END
FROM statements t
JOIN charges c
  ON c.provider_id = t.provider_id AND c.district_code = t.district_code AND c.period = t.period
LEFT JOIN {_OPEN_FLAGS} fl ON fl.visit_id = c.visit_id
LEFT JOIN {_RECOVERIES} rc ON rc.visit_id = c.visit_id AND rc.provider_id = c.provider_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.status = 'posted' AND fl.flag_id IS NULL AND rc.recovery_id IS NULL
                THEN 'charge' ELSE 'withheld' END AS kind
) k
WHERE t.id = ANY(CAST(:ids AS uuid[]))
""")  # noqa: S608 (the module's constants only)

# What was issued for a charge so far: its charge line and adjustments (the net still paid), what
# was obtained (the charge line and the late charges and corrections, before any withholding), and
# whether a recovery, a fine or a deduction was already issued for it. A flag's withholding and its
# release cancel out; a charge first paid by a release (withheld when its month was issued) counts;
# a withholding that a confirmed flag kept does not reduce what was obtained.
_ISSUED = """LATERAL (
    SELECT count(*) FILTER (WHERE l.kind IN ('charge', 'adjustment')) AS lines,
           coalesce(sum(l.amount_fen) FILTER (WHERE l.kind IN ('charge', 'adjustment')), 0) AS amount_fen,
           coalesce(sum(l.covered_fen) FILTER (WHERE l.kind IN ('charge', 'adjustment')), 0) AS covered_fen,
           coalesce(sum(l.self_pay_fen) FILTER (WHERE l.kind IN ('charge', 'adjustment')), 0) AS self_pay_fen,
           coalesce(sum(l.covered_fen) FILTER (
               WHERE l.kind = 'charge'
                  OR (l.kind = 'adjustment' AND l.reason IN ('late_charge', 'amount_corrected'))
           ), 0) + greatest(0, coalesce(sum(l.covered_fen) FILTER (
               WHERE l.kind = 'adjustment' AND l.reason IN ('visit_flagged', 'flag_cleared')
           ), 0)) AS obtained_fen,
           count(*) FILTER (WHERE l.kind = 'recovery') AS recoveries,
           count(*) FILTER (WHERE l.kind = 'fine') AS fines,
           count(*) FILTER (WHERE l.kind = 'deduction') AS deductions
    FROM statement_lines l JOIN statements st ON st.id = l.statement_id AND st.status = 'issued'
    WHERE l.charge_id = c.id
)"""

# The charges of the earlier months of the statement's provider and district whose statement is
# issued: what joins an adjustment, recovery or fine line.
_CLOSED_CHARGES = """
FROM statements t
JOIN statements closed
  ON closed.provider_id = t.provider_id AND closed.district_code = t.district_code
 AND closed.period < t.period AND closed.status = 'issued'
JOIN charges c
  ON c.provider_id = closed.provider_id AND c.district_code = closed.district_code
 AND c.period = closed.period
"""

# Charges of earlier months whose statement is issued, where what is payable for the charge now
# (nothing once reversed or while a flag withholds it) differs from everything issued for it so far
# (its charge line plus earlier adjustments): the difference, with its reason. Visits under a
# recovery order are left to the recovery lines.
_INSERT_ADJUSTMENTS = text(f"""
INSERT INTO statement_lines ({_COLUMNS})
SELECT md5(t.id::text || c.id::text || 'adjustment')::uuid, t.id, 'adjustment', c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       p.amount_fen - i.amount_fen, p.covered_fen - i.covered_fen, p.self_pay_fen - i.self_pay_fen,
       CASE WHEN c.status = 'reversed' THEN c.reason
            WHEN c.status = 'posted' AND fl.flag_id IS NOT NULL THEN 'visit_flagged'
            WHEN cf.flag_id IS NOT NULL AND p.covered_fen > i.covered_fen THEN 'flag_cleared'
            WHEN i.lines = 0 THEN 'late_charge'
            ELSE 'amount_corrected' END,
       coalesce(fl.flag_id, cf.flag_id), 0,
       CASE WHEN c.status = 'reversed' THEN c.outcome_note END
{_CLOSED_CHARGES}
LEFT JOIN {_OPEN_FLAGS} fl ON fl.visit_id = c.visit_id
LEFT JOIN {_CLEARED_FLAGS} cf ON cf.visit_id = c.visit_id
LEFT JOIN {_RECOVERIES} rc ON rc.visit_id = c.visit_id AND rc.provider_id = c.provider_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN c.status = 'posted' AND fl.flag_id IS NULL THEN c.amount_fen ELSE 0 END AS amount_fen,
           CASE WHEN c.status = 'posted' AND fl.flag_id IS NULL THEN c.covered_fen ELSE 0 END AS covered_fen,
           CASE WHEN c.status = 'posted' AND fl.flag_id IS NULL THEN c.beneficiary_pays_fen ELSE 0 END
               AS self_pay_fen
) p
CROSS JOIN {_ISSUED} i
WHERE t.id = ANY(CAST(:ids AS uuid[])) AND rc.recovery_id IS NULL
  AND (p.amount_fen <> i.amount_fen OR p.covered_fen <> i.covered_fen)
""")

# 追回 (changsha-2024-purchased-door-to-door-rules.md 第十八条（四）): a visit under a recovery order
# that was paid on an issued statement gets one recovery line on the provider's next statement:
# minus what is still paid for it (the net of its issued charge and adjustment lines).
_INSERT_RECOVERIES = text(f"""
INSERT INTO statement_lines ({_COLUMNS})
SELECT md5(t.id::text || c.id::text || 'recovery')::uuid, t.id, 'recovery', c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       -i.covered_fen, -i.covered_fen, 0, 'recovery_ordered', rc.recovery_id, 0, NULL
{_CLOSED_CHARGES}
JOIN {_RECOVERIES} rc ON rc.visit_id = c.visit_id AND rc.provider_id = c.provider_id
CROSS JOIN {_ISSUED} i
WHERE t.id = ANY(CAST(:ids AS uuid[])) AND i.recoveries = 0 AND i.obtained_fen > 0
""")

# 罚款 (nanchang-2019-home-care-regulation.md 第四十四条: 被骗取资金百分之十以上百分之五十以下, 10 % to
# 50 % of the subsidy obtained by fraud; the rate is audit's order): with the recovery, a fine
# line of the amount obtained for the visit times the order's rate, rounded half-up to the fen
# (billing's one rounding rule, pricing.half_up_div).
_INSERT_FINES = text(f"""
INSERT INTO statement_lines ({_COLUMNS})
SELECT md5(t.id::text || c.id::text || 'fine')::uuid, t.id, 'fine', c.id, c.visit_id,
       c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
       -f.fen, -f.fen, 0, 'recovery_fine', rc.recovery_id, 0,
       rc.fine_rate_percent || '% × ' || i.obtained_fen
{_CLOSED_CHARGES}
JOIN {_RECOVERIES} rc ON rc.visit_id = c.visit_id AND rc.provider_id = c.provider_id
CROSS JOIN {_ISSUED} i
CROSS JOIN LATERAL (
    SELECT (2 * CAST(i.obtained_fen AS bigint) * rc.fine_rate_percent + 100) / 200 AS fen
) f
WHERE t.id = ANY(CAST(:ids AS uuid[])) AND rc.fine_rate_percent IS NOT NULL AND i.fines = 0
  AND i.obtained_fen > 0 AND f.fen > 0
""")

# 抽查扣减 (claim sampling, where the policy enables it): for each posted, payable, unsampled charge
# of the sampled month, minus failed/sampled of its covered amount, rounded half-up; one sample per
# charge (the first published), booked once.
_INSERT_DEDUCTIONS = text(f"""
INSERT INTO statement_lines ({_COLUMNS})
SELECT * FROM (
    SELECT DISTINCT ON (t.id, c.id)
           md5(t.id::text || c.id::text || 'deduction')::uuid, t.id, 'deduction', c.id, c.visit_id,
           c.beneficiary_id, c.service_code, c.visit_on, c.period, c.unit, c.unit_price_fen,
           -d.fen AS amount_fen, -d.fen, 0, 'claim_sampling', s.sample_id, 0,
           s.failed || '/' || s.sampled
    FROM statements t
    JOIN claim_samples s
      ON s.provider_id = t.provider_id AND s.district_code = t.district_code AND s.period <= t.period
     AND s.applied AND s.failed > 0
    JOIN charges c
      ON c.provider_id = s.provider_id AND c.district_code = s.district_code AND c.period = s.period
     AND c.status = 'posted'
    LEFT JOIN {_OPEN_FLAGS} fl ON fl.visit_id = c.visit_id
    LEFT JOIN {_RECOVERIES} rc ON rc.visit_id = c.visit_id AND rc.provider_id = c.provider_id
    CROSS JOIN LATERAL (
        SELECT (2 * c.covered_fen * s.failed + s.sampled) / (2 * s.sampled) AS fen
    ) d
    WHERE t.id = ANY(CAST(:ids AS uuid[])) AND fl.flag_id IS NULL AND rc.recovery_id IS NULL
      AND NOT (s.sampled_visit_ids @> to_jsonb(c.visit_id::text))
      AND NOT EXISTS (
          SELECT 1 FROM statement_lines l
          JOIN statements st ON st.id = l.statement_id AND st.status = 'issued'
          WHERE l.charge_id = c.id AND l.kind = 'deduction'
      )
    ORDER BY t.id, c.id, s.published_at, s.sample_id
) x
WHERE x.amount_fen <> 0
""")  # noqa: S608 (the module's constants only)

# Totals are sums of the lines, nothing else: they reconcile with the lines by construction.
_UPDATE_TOTALS = text("""
UPDATE statements s
SET gross_fen = x.gross_fen, covered_fen = x.covered_fen, self_pay_fen = x.self_pay_fen,
    adjusted_fen = x.adjusted_fen, charge_count = x.charge_count,
    adjustment_count = x.adjustment_count, withheld_count = x.withheld_count,
    withheld_fen = x.withheld_fen, recovered_fen = x.recovered_fen, deducted_fen = x.deducted_fen,
    generated_at = :now, version = s.version + 1
FROM (
    SELECT t.id, coalesce(sum(l.amount_fen), 0) AS gross_fen,
           coalesce(sum(l.covered_fen), 0) AS covered_fen,
           coalesce(sum(l.self_pay_fen), 0) AS self_pay_fen,
           coalesce(sum(l.covered_fen) FILTER (WHERE l.kind = 'adjustment'), 0) AS adjusted_fen,
           count(l.id) FILTER (WHERE l.kind = 'charge') AS charge_count,
           count(l.id) FILTER (WHERE l.kind = 'adjustment') AS adjustment_count,
           count(l.id) FILTER (WHERE l.kind = 'withheld') AS withheld_count,
           coalesce(sum(l.withheld_fen), 0) AS withheld_fen,
           coalesce(sum(l.covered_fen) FILTER (WHERE l.kind IN ('recovery', 'fine')), 0) AS recovered_fen,
           coalesce(sum(l.covered_fen) FILTER (WHERE l.kind = 'deduction'), 0) AS deducted_fen
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
    ref_id: UUID | None = None
    withheld_fen: int = 0
    detail: str | None = None


@dataclass(frozen=True)
class Clawback:
    """What one recovery order takes back on a statement: recovery and fine lines, as positives."""

    recovery_id: UUID
    visit_ids: tuple[UUID, ...]
    recovered_fen: int
    fine_fen: int


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
    ) -> tuple[Statement, bool]:
        """The statement of a settlement, created empty as a preview on the first run (``True``);
        locked until the transaction ends, so two runs of one statement take turns."""
        inserted = await self.session.execute(
            text(
                "INSERT INTO statements (id, provider_id, district_code, period, status, gross_fen,"
                " covered_fen, self_pay_fen, adjusted_fen, charge_count, adjustment_count,"
                " withheld_count, generated_at, version)"
                " VALUES (:s, :p, :d, :m, 'preview', 0, 0, 0, 0, 0, 0, 0, :now, 1)"
                " ON CONFLICT (id) DO NOTHING RETURNING id"
            ),
            {"s": statement_id, "p": provider_id, "d": district_code, "m": period, "now": now},
        )
        created = inserted.first() is not None
        statement = await self.get(statement_id, for_update=True)
        assert statement is not None
        return statement, created

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
        await self.session.execute(_INSERT_RECOVERIES, {"ids": ids})
        await self.session.execute(_INSERT_FINES, {"ids": ids})
        await self.session.execute(_INSERT_DEDUCTIONS, {"ids": ids})
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
            " UNION SELECT provider_id, district_code FROM claim_samples"
            " WHERE applied AND period <= :m AND district_code LIKE :r"
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

    async def extra_line_count(self, statement_id: UUID) -> int:
        """Lines that are neither charges, adjustments nor withheld: recoveries, fines, deductions."""
        query = text(
            "SELECT count(*) FROM statement_lines WHERE statement_id = :s"
            " AND kind IN ('recovery', 'fine', 'deduction')"
        )
        return int((await self.session.execute(query, {"s": statement_id})).scalar_one())

    async def line_counts(self, statement_ids: list[UUID]) -> dict[UUID, int]:
        """How many lines each statement has (one query for a whole month's run)."""
        if not statement_ids:
            return {}
        query = text(
            "SELECT statement_id, count(*) AS n FROM statement_lines"
            " WHERE statement_id = ANY(CAST(:ids AS uuid[])) GROUP BY statement_id"
        )
        counts = {
            row.statement_id: int(row.n) for row in await self.session.execute(query, {"ids": statement_ids})
        }
        return {sid: counts.get(sid, 0) for sid in statement_ids}

    async def clawbacks(self, statement_id: UUID) -> list[Clawback]:
        """Per recovery order, what the statement's recovery and fine lines take back (positive
        figures) and from which visits."""
        query = text(
            "SELECT ref_id, array_agg(DISTINCT visit_id ORDER BY visit_id) AS visit_ids,"
            " -coalesce(sum(covered_fen) FILTER (WHERE kind = 'recovery'), 0) AS recovered_fen,"
            " -coalesce(sum(covered_fen) FILTER (WHERE kind = 'fine'), 0) AS fine_fen"
            " FROM statement_lines WHERE statement_id = :s AND kind IN ('recovery', 'fine')"
            " AND ref_id IS NOT NULL GROUP BY ref_id ORDER BY ref_id"
        )
        return [
            Clawback(row.ref_id, tuple(row.visit_ids), int(row.recovered_fen), int(row.fine_fen))
            for row in await self.session.execute(query, {"s": statement_id})
        ]

    async def recovery_ids(self, statement_id: UUID) -> list[UUID]:
        """The recovery orders a statement's recovery and fine lines carry out."""
        query = text(
            "SELECT DISTINCT ref_id FROM statement_lines WHERE statement_id = :s"
            " AND kind IN ('recovery', 'fine') AND ref_id IS NOT NULL ORDER BY ref_id"
        )
        return [row.ref_id for row in await self.session.execute(query, {"s": statement_id})]

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

    async def count_lines(self, statement_id: UUID) -> int:
        query = text("SELECT count(*) FROM statement_lines WHERE statement_id = :s")
        return int((await self.session.execute(query, {"s": statement_id})).scalar_one())

    async def line_batches(self, statement_id: UUID, size: int) -> AsyncIterator[list[StatementLine]]:
        """Every line in reading order, streamed from the server in batches (background exports)."""
        query = select(LINES).where(LINES.c.statement_id == statement_id).order_by(*LINE_ORDER)
        result = await self.session.stream(query.execution_options(yield_per=size))
        async for batch in result.partitions(size):
            yield [_line(r) for r in batch]

    async def all_lines(self, statement_id: UUID) -> list[StatementLine]:
        """Every line in reading order (exports)."""
        query = select(LINES).where(LINES.c.statement_id == statement_id).order_by(*LINE_ORDER)
        return [_line(r) for r in await self.session.execute(query)]
