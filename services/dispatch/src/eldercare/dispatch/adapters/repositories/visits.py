"""Visits and the caregiver's time they occupy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.clock import DISPLAY_ZONE
from eldercare.dispatch.adapters.models import CaregiverActionRow, VisitRow
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.offline import CaregiverAction
from eldercare.dispatch.domain.verification import Flag
from eldercare.dispatch.domain.visits import LocationCheck, Photo, ReviewStatus, Visit, VisitStatus

_DONE = VisitStatus.completed.value


@dataclass(frozen=True)
class VisitFilter:
    """What ``GET /v1/visits`` asks for; the tenancy (``provider_id`` or ``region``) comes from the
    caller's token, never from the query."""

    provider_id: UUID | None = None
    region: str | None = None
    care_plan_id: UUID | None = None
    beneficiary_id: UUID | None = None
    caregiver_id: UUID | None = None
    status: VisitStatus | None = None
    unassigned: bool | None = None
    # A local (Asia/Shanghai) day: the visits booked to start on it.
    on: date | None = None


class VisitRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, visit_id: UUID, *, for_update: bool = False) -> Visit | None:
        """``for_update`` serialises check-in and check-out of one visit: the second of two racing
        check-ins then sees the first and answers 409, instead of both succeeding."""
        row = await self.session.get(VisitRow, visit_id, with_for_update=for_update or None)
        return to_domain(row) if row else None

    async def list_page(self, f: VisitFilter, *, after: UUID | None, limit: int) -> list[Visit]:
        """Visits by id (the cursor: uuid7, so in order of creation) with the filters given."""
        query = select(VisitRow)
        if f.provider_id is not None:
            query = query.where(VisitRow.provider_id == f.provider_id)
        if f.region is not None:
            query = query.where(VisitRow.community_code.startswith(f.region, autoescape=True))
        for column, value in (
            (VisitRow.care_plan_id, f.care_plan_id),
            (VisitRow.beneficiary_id, f.beneficiary_id),
            (VisitRow.caregiver_id, f.caregiver_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if f.status is not None:
            query = query.where(VisitRow.status == f.status.value)
        if f.unassigned is not None:
            query = query.where(
                VisitRow.caregiver_id.is_(None) if f.unassigned else VisitRow.caregiver_id.is_not(None)
            )
        if f.on is not None:
            start = datetime.combine(f.on, time(0), tzinfo=DISPLAY_ZONE)
            query = query.where(
                VisitRow.scheduled_start_at >= start, VisitRow.scheduled_start_at < start + timedelta(days=1)
            )
        if after is not None:
            query = query.where(VisitRow.id > after)
        rows = await self.session.scalars(query.order_by(VisitRow.id).limit(limit))
        return [to_domain(row) for row in rows.all()]

    async def list_occupying(self, caregiver_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        """The caregiver's visits whose time (planned, or actual once completed) meets [start, end)."""
        planned = and_(
            VisitRow.status != _DONE, VisitRow.scheduled_start_at < end, VisitRow.scheduled_end_at > start
        )
        actual = and_(VisitRow.status == _DONE, VisitRow.checked_in_at < end, VisitRow.checked_out_at > start)
        query = select(VisitRow).where(VisitRow.caregiver_id == caregiver_id, or_(planned, actual))
        return [to_domain(row) for row in (await self.session.scalars(query.order_by(VisitRow.id))).all()]

    async def list_unassigned(
        self, provider_id: UUID, district_code: str, start: datetime, end: datetime
    ) -> list[Visit]:
        """The provider's visits still without a caregiver whose booked slot starts in [start, end)."""
        query = select(VisitRow).where(
            VisitRow.provider_id == provider_id,
            VisitRow.district_code == district_code,
            VisitRow.caregiver_id.is_(None),
            VisitRow.status == VisitStatus.scheduled.value,
            VisitRow.scheduled_start_at >= start,
            VisitRow.scheduled_start_at < end,
        )
        rows = await self.session.scalars(query.order_by(VisitRow.id).with_for_update())
        return [to_domain(row) for row in rows.all()]

    async def list_not_started(self, caregiver_id: UUID) -> list[Visit]:
        """The caregiver's booked visits not yet checked in, locked, in id order."""
        query = select(VisitRow).where(
            VisitRow.caregiver_id == caregiver_id, VisitRow.status == VisitStatus.scheduled.value
        )
        rows = await self.session.scalars(query.order_by(VisitRow.id).with_for_update())
        return [to_domain(row) for row in rows.all()]

    async def list_for_caregiver(self, caregiver_id: UUID, start: datetime, end: datetime) -> list[Visit]:
        """The caregiver's visits booked to start in [start, end), in time order."""
        query = select(VisitRow).where(
            VisitRow.caregiver_id == caregiver_id,
            VisitRow.scheduled_start_at >= start,
            VisitRow.scheduled_start_at < end,
        )
        rows = await self.session.scalars(query.order_by(VisitRow.scheduled_start_at, VisitRow.id))
        return [to_domain(row) for row in rows.all()]

    async def list_pending_review(
        self, *, provider_id: UUID | None, region: str | None, after: UUID | None, limit: int
    ) -> list[Visit]:
        """Held records waiting for review, oldest first by id; of one provider or of a region."""
        query = select(VisitRow).where(VisitRow.review_status == ReviewStatus.pending.value)
        if provider_id is not None:
            query = query.where(VisitRow.provider_id == provider_id)
        if region is not None:
            query = query.where(VisitRow.community_code.startswith(region, autoescape=True))
        if after is not None:
            query = query.where(VisitRow.id > after)
        rows = await self.session.scalars(query.order_by(VisitRow.id).limit(limit))
        return [to_domain(row) for row in rows.all()]

    async def list_overdue(self, before: datetime, limit: int) -> list[Visit]:
        """Visits not started whose window ended before ``before``, locked; a concurrent sweep skips
        the rows this one holds instead of waiting for them."""
        end = func.coalesce(VisitRow.window_end_at, VisitRow.scheduled_end_at)
        query = (
            select(VisitRow)
            .where(VisitRow.status == VisitStatus.scheduled.value, end <= before)
            .order_by(end)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [to_domain(row) for row in (await self.session.scalars(query)).all()]

    async def list_not_started_of_beneficiary(self, beneficiary_id: UUID) -> list[Visit]:
        query = select(VisitRow).where(
            VisitRow.beneficiary_id == beneficiary_id, VisitRow.status == VisitStatus.scheduled.value
        )
        rows = await self.session.scalars(query.order_by(VisitRow.id).with_for_update())
        return [to_domain(row) for row in rows.all()]

    async def list_not_started_of_plan(self, care_plan_id: UUID) -> list[Visit]:
        """The plan's visits still booked or waiting for the planner, locked."""
        query = select(VisitRow).where(
            VisitRow.care_plan_id == care_plan_id, VisitRow.status == VisitStatus.scheduled.value
        )
        rows = await self.session.scalars(query.order_by(VisitRow.id).with_for_update())
        return [to_domain(row) for row in rows.all()]

    async def last_check_out(self, caregiver_id: UUID, before: datetime) -> tuple[Point, datetime] | None:
        """Where and when the caregiver last checked out before ``before`` (impossible travel)."""
        query = (
            select(VisitRow.check_out_lat, VisitRow.check_out_lon, VisitRow.checked_out_at)
            .where(
                VisitRow.caregiver_id == caregiver_id,
                VisitRow.checked_out_at.is_not(None),
                VisitRow.checked_out_at <= before,
            )
            .order_by(VisitRow.checked_out_at.desc())
            .limit(1)
        )
        row = (await self.session.execute(query)).first()
        if row is None or row.check_out_lat is None:
            return None
        return Point(row.check_out_lat, row.check_out_lon), row.checked_out_at

    async def latest_points(self, provider_id: UUID, since: datetime) -> dict[UUID, Point]:
        """Each of the provider's caregivers' latest check-in or check-out point since ``since``."""
        at = func.coalesce(VisitRow.checked_out_at, VisitRow.checked_in_at)
        lat = func.coalesce(VisitRow.check_out_lat, VisitRow.check_in_lat)
        lon = func.coalesce(VisitRow.check_out_lon, VisitRow.check_in_lon)
        query = (
            select(VisitRow.caregiver_id, lat.label("lat"), lon.label("lon"))
            .where(VisitRow.provider_id == provider_id, VisitRow.checked_in_at >= since)
            .order_by(at)
        )
        # A provider's visits of one day: few rows; the latest of each caregiver wins.
        rows = (await self.session.execute(query)).all()
        return {r.caregiver_id: Point(r.lat, r.lon) for r in rows if r.lat is not None}

    async def busy_caregivers(self, provider_id: UUID) -> set[UUID]:
        """The provider's caregivers now in a visit."""
        query = select(VisitRow.caregiver_id).where(
            VisitRow.provider_id == provider_id, VisitRow.status == VisitStatus.in_progress.value
        )
        return {c for c in (await self.session.scalars(query)).all() if c is not None}

    async def get_in_progress(self, caregiver_id: UUID) -> Visit | None:
        query = select(VisitRow).where(
            VisitRow.caregiver_id == caregiver_id, VisitRow.status == VisitStatus.in_progress.value
        )
        row = (await self.session.scalars(query.limit(1))).first()
        return to_domain(row) if row else None

    async def add(self, visit: Visit) -> None:
        row = VisitRow(id=visit.id)
        _copy_into(row, visit)
        self.session.add(row)
        await self.session.flush()

    async def save(self, visit: Visit) -> None:
        row = await self.session.get(VisitRow, visit.id)
        if row is None:
            raise LookupError(f"visit {visit.id} was never added")
        _copy_into(row, visit)
        await self.session.flush()


def to_domain(row: VisitRow) -> Visit:
    return Visit(
        id=row.id,
        care_plan_id=row.care_plan_id,
        beneficiary_id=row.beneficiary_id,
        provider_id=row.provider_id,
        caregiver_id=row.caregiver_id,
        district_code=row.district_code,
        community_code=row.community_code,
        service_code=row.service_code,
        scheduled_start_at=row.scheduled_start_at,
        scheduled_end_at=row.scheduled_end_at,
        scheduled_by=row.scheduled_by,
        window_start_at=row.window_start_at,
        window_end_at=row.window_end_at,
        status=VisitStatus(row.status),
        checked_in_at=row.checked_in_at,
        check_in=_check(row, "check_in"),
        checked_out_at=row.checked_out_at,
        check_out=_check(row, "check_out"),
        notes=row.notes,
        items_done=tuple(row.items_done or ()),
        duration_minutes=row.duration_minutes,
        verified=row.verified,
        verification_notes=tuple(row.verification_notes or ()),
        flags=tuple(Flag.from_dict(f) for f in row.verification_flags or ()),
        review_status=ReviewStatus(row.review_status) if row.review_status else None,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        review_comment=row.review_comment,
        ended_at=row.ended_at,
        end_reason=row.end_reason,
        accepted_at=row.accepted_at,
        trip_started_at=row.trip_started_at,
        check_in_device_at=row.check_in_device_at,
        check_out_device_at=row.check_out_device_at,
        photos=tuple(_photo(p) for p in row.photos or ()),
        signature_sha256=row.signature_sha256,
        missed_reason=row.missed_reason,
        rescheduled_as=row.rescheduled_as,
        vital_signs_sealed=row.vital_signs_sealed,
        extra_items=tuple((str(c), str(r)) for c, r in row.extra_items or ()),
        generated_for_at=row.generated_for_at,
        generation_released=row.generation_released,
    )


def _photo(data: dict[str, object]) -> Photo:
    lat, lon = data.get("lat"), data.get("lon")
    return Photo(
        sha256=str(data["sha256"]),
        taken_at=datetime.fromisoformat(str(data["taken_at"])),
        stage=str(data["stage"]),
        point=Point(float(lat), float(lon))
        if isinstance(lat, int | float) and isinstance(lon, int | float)
        else None,
    )


def _photo_dict(p: Photo) -> dict[str, object]:
    return {
        "sha256": p.sha256,
        "taken_at": p.taken_at.isoformat(),
        "stage": p.stage,
        "lat": p.point.lat if p.point else None,
        "lon": p.point.lon if p.point else None,
    }


def _check(row: VisitRow, prefix: str) -> LocationCheck | None:
    lat, lon = getattr(row, f"{prefix}_lat"), getattr(row, f"{prefix}_lon")
    if lat is None or lon is None:
        return None
    return LocationCheck(
        point=Point(lat, lon),
        accuracy_m=getattr(row, f"{prefix}_accuracy_m"),
        distance_m=getattr(row, f"{prefix}_distance_m"),
        ok=bool(getattr(row, f"{prefix}_location_ok")),
        problem=getattr(row, f"{prefix}_problem"),
    )


def _put_check(row: VisitRow, prefix: str, check: LocationCheck | None) -> None:
    setattr(row, f"{prefix}_lat", check.point.lat if check else None)
    setattr(row, f"{prefix}_lon", check.point.lon if check else None)
    setattr(row, f"{prefix}_accuracy_m", check.accuracy_m if check else None)
    setattr(row, f"{prefix}_distance_m", check.distance_m if check else None)
    setattr(row, f"{prefix}_location_ok", check.ok if check else None)
    setattr(row, f"{prefix}_problem", check.problem if check else None)


def _copy_into(row: VisitRow, v: Visit) -> None:
    row.care_plan_id = v.care_plan_id
    row.beneficiary_id = v.beneficiary_id
    row.provider_id = v.provider_id
    row.caregiver_id = v.caregiver_id
    row.district_code = v.district_code
    row.community_code = v.community_code
    row.service_code = v.service_code
    row.scheduled_start_at = v.scheduled_start_at
    row.scheduled_end_at = v.scheduled_end_at
    row.scheduled_by = v.scheduled_by
    row.window_start_at = v.window_start_at
    row.window_end_at = v.window_end_at
    row.status = v.status.value
    row.checked_in_at = v.checked_in_at
    _put_check(row, "check_in", v.check_in)
    row.checked_out_at = v.checked_out_at
    _put_check(row, "check_out", v.check_out)
    row.notes = v.notes
    row.items_done = list(v.items_done)
    row.duration_minutes = v.duration_minutes
    row.verified = v.verified
    row.verification_notes = list(v.verification_notes)
    row.verification_flags = [f.as_dict() for f in v.flags]
    row.review_status = v.review_status.value if v.review_status else None
    row.reviewed_by, row.reviewed_at, row.review_comment = v.reviewed_by, v.reviewed_at, v.review_comment
    row.ended_at, row.end_reason = v.ended_at, v.end_reason
    row.accepted_at, row.trip_started_at = v.accepted_at, v.trip_started_at
    row.check_in_device_at, row.check_out_device_at = v.check_in_device_at, v.check_out_device_at
    row.photos = [_photo_dict(p) for p in v.photos]
    row.signature_sha256 = v.signature_sha256
    row.missed_reason, row.rescheduled_as = v.missed_reason, v.rescheduled_as
    row.vital_signs_sealed = v.vital_signs_sealed
    row.extra_items = [[c, r] for c, r in v.extra_items]
    row.generated_for_at, row.generation_released = v.generated_for_at, v.generation_released


class CaregiverActionRepository:
    """The caregiver app's calls by their client-generated id."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, client_id: UUID) -> CaregiverAction | None:
        row = await self.session.get(CaregiverActionRow, client_id)
        if row is None:
            return None
        return CaregiverAction(
            row.client_id,
            row.caregiver_id,
            row.visit_id,
            row.kind,
            row.device_at,
            row.received_at,
            row.clock_skew_seconds,
            row.device_sent_at,
        )

    async def list_of_visit(self, visit_id: UUID) -> list[CaregiverAction]:
        query = select(CaregiverActionRow).where(CaregiverActionRow.visit_id == visit_id)
        return [
            CaregiverAction(
                r.client_id,
                r.caregiver_id,
                r.visit_id,
                r.kind,
                r.device_at,
                r.received_at,
                r.clock_skew_seconds,
                r.device_sent_at,
            )
            for r in (await self.session.scalars(query)).all()
        ]

    async def add(self, action: CaregiverAction) -> None:
        self.session.add(
            CaregiverActionRow(
                client_id=action.client_id,
                caregiver_id=action.caregiver_id,
                visit_id=action.visit_id,
                kind=action.kind,
                device_at=action.device_at,
                received_at=action.received_at,
                clock_skew_seconds=action.clock_skew_seconds,
                device_sent_at=action.sent_at,
            )
        )
        await self.session.flush()
