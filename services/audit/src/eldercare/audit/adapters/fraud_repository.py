"""Visits, beneficiaries and hospital stays as audit learns them from events, and visit flags."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import (
    AuditBeneficiaryRow,
    AuditVisitPhotoRow,
    AuditVisitRow,
    BeneficiaryStatusChangeRow,
    HospitalStayRow,
    VisitFlagRow,
)
from eldercare.audit.domain.fraud import (
    HospitalStay,
    InactivePeriod,
    StatusChange,
    VisitRecord,
    china_day,
    inactive_periods,
)
from eldercare.audit.domain.visit_flag import FlagSource, FlagStatus, VisitFlag
from eldercare.common.clock import DISPLAY_ZONE

HOSPITALISED = "hospitalised"


@dataclass(frozen=True)
class FlagFilter:
    region_prefix: str | None = None
    provider_id: UUID | None = None
    visit_id: UUID | None = None
    status: FlagStatus | None = None
    signal: str | None = None
    assignee: str | None = None


class FraudRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------ what the events tell

    async def upsert_visit(self, visit_id: UUID, **values: Any) -> None:
        """Merge what one event says about a visit; events of one visit may arrive in any order,
        so a later event never blanks what an earlier one set."""
        stmt = insert(AuditVisitRow).values(visit_id=visit_id, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[AuditVisitRow.visit_id], set_={k: stmt.excluded[k] for k in values}
        )
        await self.session.execute(stmt)

    async def add_photos(self, visit_id: UUID, hashes: Iterable[str]) -> None:
        """Keep the photo hashes a visit carried; a redelivered event adds nothing."""
        rows = [{"sha256": sha, "visit_id": visit_id} for sha in dict.fromkeys(hashes)]
        if rows:
            await self.session.execute(insert(AuditVisitPhotoRow).values(rows).on_conflict_do_nothing())

    async def upsert_beneficiary(self, beneficiary_id: UUID, **values: Any) -> None:
        stmt = insert(AuditBeneficiaryRow).values(beneficiary_id=beneficiary_id, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[AuditBeneficiaryRow.beneficiary_id],
            set_={k: stmt.excluded[k] for k in values},
            # An older status change delivered late must not overwrite a newer one.
            where=AuditBeneficiaryRow.changed_at <= stmt.excluded.changed_at,
        )
        await self.session.execute(stmt)

    async def add_status_change(self, change: StatusChange, district_code: str) -> None:
        """Keep one of intake's status changes in the history; the same change again adds nothing."""
        stmt = insert(BeneficiaryStatusChangeRow).values(
            beneficiary_id=change.beneficiary_id,
            changed_at=change.changed_at,
            effective_on=change.effective_on,
            status=change.status,
            district_code=district_code,
        )
        await self.session.execute(stmt.on_conflict_do_nothing())

    async def inactive_of(self, beneficiary_ids: Iterable[UUID]) -> list[InactivePeriod]:
        """The suspended or terminated stretches of these beneficiaries (their whole history)."""
        ids = list(set(beneficiary_ids))
        if not ids:
            return []
        return await self._inactive(BeneficiaryStatusChangeRow.beneficiary_id.in_(ids))

    async def inactive_in_region(self, region_prefix: str) -> list[InactivePeriod]:
        return await self._inactive(BeneficiaryStatusChangeRow.district_code.startswith(region_prefix))

    async def _inactive(self, where: Any) -> list[InactivePeriod]:
        c = BeneficiaryStatusChangeRow
        query = select(c.beneficiary_id, c.status, c.effective_on, c.changed_at).where(where)
        rows = (await self.session.execute(query)).all()
        return inactive_periods(
            StatusChange(r.beneficiary_id, r.status, r.effective_on, r.changed_at) for r in rows
        )

    async def upsert_emergency(self, emergency_id: UUID, **values: Any) -> None:
        stmt = insert(HospitalStayRow).values(emergency_id=emergency_id, **values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[HospitalStayRow.emergency_id], set_={k: stmt.excluded[k] for k in values}
        )
        await self.session.execute(stmt)

    async def get_visit(self, visit_id: UUID) -> AuditVisitRow | None:
        return await self.session.get(AuditVisitRow, visit_id)

    async def get_beneficiary(self, beneficiary_id: UUID) -> AuditBeneficiaryRow | None:
        return await self.session.get(AuditBeneficiaryRow, beneficiary_id)

    async def get_stay(self, emergency_id: UUID) -> HospitalStay | None:
        row = await self.session.get(HospitalStayRow, emergency_id)
        return _stay(row) if row is not None else None

    # ------------------------------------------------------------ reading visits for the rules

    def _records(self) -> Select[Any]:
        # Columns, not ORM entities: the batch reads a period's visits, possibly millions of rows.
        v = AuditVisitRow
        return (
            select(
                v.visit_id,
                v.provider_id,
                v.caregiver_id,
                v.beneficiary_id,
                v.district_code,
                v.checked_in_at,
                v.checked_out_at,
                v.scheduled_start_at,
                v.scheduled_end_at,
                v.location_ok,
                AuditBeneficiaryRow.home_lat,
                AuditBeneficiaryRow.home_lon,
            )
            .outerjoin(AuditBeneficiaryRow, AuditBeneficiaryRow.beneficiary_id == v.beneficiary_id)
            .where(
                v.checked_in_at.is_not(None),
                v.checked_out_at.is_not(None),
                v.caregiver_id.is_not(None),
                v.cancelled_kind.is_(None),
            )
        )

    async def caregiver_visits(
        self, caregiver_id: UUID, around: datetime, span: timedelta
    ) -> list[VisitRecord]:
        query = self._records().where(
            AuditVisitRow.caregiver_id == caregiver_id,
            AuditVisitRow.checked_in_at >= around - span,
            AuditVisitRow.checked_in_at <= around + span,
        )
        return [_record(row) for row in (await self.session.execute(query)).all()]

    async def beneficiary_visits(
        self, beneficiary_id: UUID, start: datetime, last_day: date
    ) -> list[VisitRecord]:
        query = self._records().where(
            AuditVisitRow.beneficiary_id == beneficiary_id,
            AuditVisitRow.checked_in_at >= start,
            AuditVisitRow.checked_in_at < _day_end(last_day),
        )
        return [_record(row) for row in (await self.session.execute(query)).all()]

    async def beneficiary_visits_from(self, beneficiary_id: UUID, start: datetime) -> list[VisitRecord]:
        query = self._records().where(
            AuditVisitRow.beneficiary_id == beneficiary_id, AuditVisitRow.checked_in_at >= start
        )
        return [_record(row) for row in (await self.session.execute(query)).all()]

    async def district_visits(
        self, region_prefix: str, start: datetime, end: datetime, *, chunk: int = 10_000
    ) -> AsyncIterator[VisitRecord]:
        """A period's visits of a region, for the batch scan (possibly millions of rows).

        Read through the asyncpg connection under the session's transaction, a chunk per round
        trip: SQLAlchemy's per-row result processing cost more than the scan itself (profiled).
        """
        connection = await self.session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        # A cursor lives in a transaction; SQLAlchemy begins its own lazily, at its first statement.
        await connection.execute(select(1))
        cursor = await driver.cursor(DISTRICT_VISITS_SQL, f"{region_prefix}%", start, end)
        while rows := await cursor.fetch(chunk):
            for row in rows:
                yield _record(tuple(row))

    async def photo_partners(self, visit_id: UUID, span: timedelta) -> list[VisitRecord]:
        """The visit and every visit sharing a photo hash with it, checked in within ``span`` of
        it (any caregiver, any district), each with the hashes it shares (``reused_photo``)."""
        mine, theirs = (
            AuditVisitPhotoRow.__table__.alias("mine"),
            AuditVisitPhotoRow.__table__.alias("theirs"),
        )
        pairs = select(theirs.c.visit_id, theirs.c.sha256).join(mine, mine.c.sha256 == theirs.c.sha256)
        shared = _hashes_by_visit(
            (await self.session.execute(pairs.where(mine.c.visit_id == visit_id))).all()
        )
        if len(shared) < 2:
            return []
        visit = await self.session.get(AuditVisitRow, visit_id)
        if visit is None or visit.checked_in_at is None:
            return []
        around = visit.checked_in_at
        query = self._records().where(
            AuditVisitRow.visit_id.in_(list(shared)),
            AuditVisitRow.checked_in_at > around - span,
            AuditVisitRow.checked_in_at < around + span,
        )
        records = [_record(row) for row in (await self.session.execute(query)).all()]
        return [replace(r, photos=tuple(sorted(shared[r.visit_id]))) for r in records]

    async def region_photos(
        self, region_prefix: str, start: datetime, end: datetime
    ) -> tuple[dict[UUID, set[str]], list[VisitRecord]]:
        """For the batch: the photo hashes of the region's visits checked in from ``start`` to
        ``end``, and the visits outside the region in that time that share one of them (with the
        hashes they share)."""
        v, p = AuditVisitRow, AuditVisitPhotoRow
        inside = (
            select(p.visit_id, p.sha256)
            .join(v, v.visit_id == p.visit_id)
            .where(v.district_code.startswith(region_prefix), v.checked_in_at >= start, v.checked_in_at < end)
        )
        own = _hashes_by_visit((await self.session.execute(inside)).all())
        if not own:
            return {}, []
        mine, theirs = p.__table__.alias("mine"), p.__table__.alias("theirs")
        other = v.__table__.alias("other")
        outside = (
            select(theirs.c.visit_id, theirs.c.sha256)
            .join(mine, mine.c.sha256 == theirs.c.sha256)
            .join(other, other.c.visit_id == theirs.c.visit_id)
            .where(
                mine.c.visit_id.in_(
                    select(v.visit_id).where(
                        v.district_code.startswith(region_prefix),
                        v.checked_in_at >= start,
                        v.checked_in_at < end,
                    )
                ),
                ~other.c.district_code.startswith(region_prefix),
                other.c.checked_in_at >= start,
                other.c.checked_in_at < end,
            )
            .distinct()
        )
        shared = _hashes_by_visit((await self.session.execute(outside)).all())
        if not shared:
            return own, []
        query = self._records().where(AuditVisitRow.visit_id.in_(list(shared)))
        records = [_record(row) for row in (await self.session.execute(query)).all()]
        return own, [replace(r, photos=tuple(sorted(shared[r.visit_id]))) for r in records]

    async def stays_of(self, beneficiary_ids: Iterable[UUID]) -> list[HospitalStay]:
        ids = list(set(beneficiary_ids))
        if not ids:
            return []
        query = select(HospitalStayRow).where(
            HospitalStayRow.beneficiary_id.in_(ids), HospitalStayRow.outcome == HOSPITALISED
        )
        return [_stay(row) for row in (await self.session.scalars(query)).all()]

    async def stays_in_region(self, region_prefix: str, start: datetime, end: datetime) -> list[HospitalStay]:
        query = select(HospitalStayRow).where(
            HospitalStayRow.district_code.startswith(region_prefix),
            HospitalStayRow.outcome == HOSPITALISED,
            HospitalStayRow.resolved_at >= start - timedelta(days=1),
            HospitalStayRow.resolved_at < end + timedelta(days=1),
        )
        return [_stay(row) for row in (await self.session.scalars(query)).all()]

    # ------------------------------------------------------------ flags

    async def add_flags_once(self, flags: list[VisitFlag], *, chunk: int = 1000) -> set[UUID]:
        """Insert the flags whose visit does not carry their signal yet; the ids of those inserted.
        One compiled statement, executed over ``chunk`` flags at a time: a batch scan may raise
        thousands."""
        stmt = (
            insert(VisitFlagRow)
            .on_conflict_do_nothing(constraint="uq_visit_flags_visit_signal")
            .returning(VisitFlagRow.id)
        )
        added: set[UUID] = set()
        for i in range(0, len(flags), chunk):
            result = await self.session.execute(stmt, [_flag_values(f) for f in flags[i : i + chunk]])
            added.update(result.scalars().all())
        return added

    async def get_flag(self, flag_id: UUID) -> VisitFlag | None:
        row = await self.session.get(VisitFlagRow, flag_id)
        return flag_to_domain(row) if row else None

    async def flags_of_visits(self, visit_ids: Iterable[UUID]) -> list[VisitFlag]:
        query = select(VisitFlagRow).where(VisitFlagRow.visit_id.in_(list(visit_ids)))
        return [flag_to_domain(r) for r in (await self.session.scalars(query)).all()]

    async def save_flag(self, flag: VisitFlag) -> None:
        row = await self.session.get(VisitFlagRow, flag.id)
        if row is None:
            raise LookupError(f"flag {flag.id} was never added")
        row.status = flag.status.value
        row.resolved_by, row.resolved_at = flag.resolved_by, flag.resolved_at
        row.resolution_notes, row.finding_id = flag.resolution_notes, flag.finding_id
        row.assignee = flag.assignee
        await self.session.flush()

    async def list_flags(self, where: FlagFilter, *, after: UUID | None, limit: int) -> list[VisitFlag]:
        query = select(VisitFlagRow)
        if where.region_prefix is not None:
            query = query.where(VisitFlagRow.district_code.startswith(where.region_prefix))
        if where.provider_id is not None:
            query = query.where(VisitFlagRow.provider_id == where.provider_id)
        if where.visit_id is not None:
            query = query.where(VisitFlagRow.visit_id == where.visit_id)
        if where.status is not None:
            query = query.where(VisitFlagRow.status == where.status.value)
        if where.signal is not None:
            query = query.where(VisitFlagRow.signal == where.signal)
        if where.assignee is not None:
            query = query.where(VisitFlagRow.assignee == where.assignee)
        if after is not None:
            query = query.where(VisitFlagRow.id > after)
        rows = (await self.session.scalars(query.order_by(VisitFlagRow.id).limit(limit))).all()
        return [flag_to_domain(r) for r in rows]


# The query of FraudRepository._records for a region and period, in asyncpg's dialect.
DISTRICT_VISITS_SQL = """
SELECT v.visit_id, v.provider_id, v.caregiver_id, v.beneficiary_id, v.district_code,
       v.checked_in_at, v.checked_out_at, v.scheduled_start_at, v.scheduled_end_at, v.location_ok,
       b.home_lat, b.home_lon
FROM audit_visits v LEFT OUTER JOIN audit_beneficiaries b ON b.beneficiary_id = v.beneficiary_id
WHERE v.checked_in_at IS NOT NULL AND v.checked_out_at IS NOT NULL AND v.caregiver_id IS NOT NULL
  AND v.cancelled_kind IS NULL
  AND v.district_code LIKE $1 AND v.checked_in_at >= $2 AND v.checked_in_at < $3
"""


def _flag_values(flag: VisitFlag) -> dict[str, Any]:
    return {
        "id": flag.id,
        "version": 1,
        "visit_id": flag.visit_id,
        "provider_id": flag.provider_id,
        "caregiver_id": flag.caregiver_id,
        "beneficiary_id": flag.beneficiary_id,
        "district_code": flag.district_code,
        "source": flag.source.value,
        "signal": flag.signal,
        "score": flag.score,
        "evidence": flag.evidence,
        "raised_at": flag.raised_at,
        "status": flag.status.value,
        "finding_id": flag.finding_id,
    }


def _hashes_by_visit(rows: Iterable[Any]) -> dict[UUID, set[str]]:
    hashes: dict[UUID, set[str]] = defaultdict(set)
    for visit_id, sha in rows:
        hashes[visit_id].add(sha)
    return dict(hashes)


def _day_end(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=DISPLAY_ZONE)


def _record(row: Any) -> VisitRecord:
    (
        visit_id,
        provider_id,
        caregiver_id,
        beneficiary_id,
        district,
        checked_in,
        checked_out,
        start,
        end,
        ok,
        lat,
        lon,
    ) = row
    planned = int((end - start).total_seconds() // 60) or None if start and end else None
    return VisitRecord(
        visit_id=visit_id,
        provider_id=provider_id,
        caregiver_id=caregiver_id,
        beneficiary_id=beneficiary_id,
        district_code=district,
        checked_in_at=checked_in,
        checked_out_at=checked_out,
        planned_minutes=planned,
        location_ok=ok,
        home=(lat, lon) if lat is not None and lon is not None else None,
    )


def _stay(row: HospitalStayRow) -> HospitalStay:
    start = row.raised_at or row.resolved_at
    assert start is not None  # a row is written with one or the other
    end = row.resolved_at or start
    return HospitalStay(row.beneficiary_id, start, china_day(end), row.emergency_id)


def flag_to_domain(row: VisitFlagRow) -> VisitFlag:
    return VisitFlag(
        id=row.id,
        visit_id=row.visit_id,
        provider_id=row.provider_id,
        caregiver_id=row.caregiver_id,
        beneficiary_id=row.beneficiary_id,
        district_code=row.district_code,
        source=FlagSource(row.source),
        signal=row.signal,
        score=row.score,
        evidence=dict(row.evidence),
        raised_at=row.raised_at,
        status=FlagStatus(row.status),
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        resolution_notes=row.resolution_notes,
        finding_id=row.finding_id,
        assignee=row.assignee,
    )
