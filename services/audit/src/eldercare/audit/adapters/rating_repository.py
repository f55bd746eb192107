"""Rating formulas, provider ratings, and the objective inputs read from audit's own records."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Integer, and_, case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import (
    AuditVisitRow,
    ComplaintRow,
    FindingRow,
    ProviderRatingRow,
    RatingFormulaRow,
    RectificationNoticeRow,
    SurveyResponseRow,
)
from eldercare.audit.domain.rating import ProviderInputs, Rating, RatingFormula


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_formula(self, f: RatingFormula) -> bool:
        stmt = (
            insert(RatingFormulaRow)
            .values(
                version=f.version,
                weights=f.weights,
                grades=[[g, m] for g, m in f.grades],
                on_time_minutes=f.on_time_minutes,
                published_by=f.published_by,
                published_at=f.published_at,
            )
            .on_conflict_do_nothing(index_elements=[RatingFormulaRow.version])
            .returning(RatingFormulaRow.version)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none() is not None

    async def get_formula(self, version: str) -> RatingFormula | None:
        row = await self.session.get(RatingFormulaRow, version)
        if row is None:
            return None
        return RatingFormula(
            row.version,
            dict(row.weights),
            [(g, float(m)) for g, m in row.grades],
            row.on_time_minutes,
            row.published_by,
            row.published_at,
        )

    async def list_formulas(self) -> list[RatingFormula]:
        versions = (
            await self.session.scalars(
                select(RatingFormulaRow.version).order_by(RatingFormulaRow.published_at)
            )
        ).all()
        return [f for v in versions if (f := await self.get_formula(v)) is not None]

    async def inputs(
        self, district_code: str, start: datetime, end: datetime, on_time: timedelta
    ) -> list[ProviderInputs]:
        """Per provider with a completed visit in the district checked in within [start, end)."""
        v = AuditVisitRow
        completed = and_(v.checked_out_at.is_not(None), v.cancelled_kind.is_(None))
        visits = (
            await self.session.execute(
                select(
                    v.provider_id,
                    func.count().filter(completed),
                    func.count().filter(completed, v.verified.is_(True)),
                    func.count().filter(completed, v.scheduled_start_at.is_not(None)),
                    func.count().filter(completed, v.checked_in_at <= v.scheduled_start_at + on_time),
                )
                .where(v.district_code == district_code, v.checked_in_at >= start, v.checked_in_at < end)
                .group_by(v.provider_id)
            )
        ).all()
        counts: dict[UUID, dict[str, int]] = defaultdict(dict)
        for provider, done, verified, planned, on_time_count in visits:
            if done:
                counts[provider] |= {
                    "visits_completed": done,
                    "visits_verified": verified,
                    "visits_with_plan": planned,
                    "visits_on_time": on_time_count,
                }
        providers = set(counts)
        if not providers:
            return []
        await self._missed(counts, district_code, start, end)
        await self._surveys(counts, district_code, start, end)
        await self._complaints(counts, district_code, start, end)
        await self._findings(counts, district_code, start, end)
        return [ProviderInputs(p, **counts[p]) for p in sorted(providers, key=str)]

    async def _missed(
        self, counts: dict[UUID, dict[str, int]], district: str, start: datetime, end: datetime
    ) -> None:
        v = AuditVisitRow
        rows = await self.session.execute(
            select(v.provider_id, func.count())
            .where(
                v.district_code == district,
                v.cancelled_kind == "missed",
                v.scheduled_start_at >= start,
                v.scheduled_start_at < end,
                v.provider_id.in_(counts),
            )
            .group_by(v.provider_id)
        )
        for provider, n in rows.all():
            counts[provider]["visits_missed"] = n

    async def _surveys(
        self, counts: dict[UUID, dict[str, int]], district: str, start: datetime, end: datetime
    ) -> None:
        s = SurveyResponseRow
        rows = await self.session.execute(
            select(s.provider_id, func.count(), func.coalesce(func.sum(s.satisfaction), 0))
            .where(
                s.district_code == district,
                s.outcome == "reached",
                s.satisfaction.is_not(None),
                s.recorded_at >= start,
                s.recorded_at < end,
                s.provider_id.in_(counts),
            )
            .group_by(s.provider_id)
        )
        for provider, n, total in rows.all():
            counts[provider] |= {"surveys_reached": n, "satisfaction_sum": int(total)}

    async def _complaints(
        self, counts: dict[UUID, dict[str, int]], district: str, start: datetime, end: datetime
    ) -> None:
        c = ComplaintRow
        rows = await self.session.execute(
            select(c.provider_id, func.count())
            .where(
                c.district_code == district,
                c.substantiated.is_(True),
                c.received_at >= start,
                c.received_at < end,
                c.provider_id.in_(counts),
            )
            .group_by(c.provider_id)
        )
        for provider, n in rows.all():
            counts[provider]["complaints_substantiated"] = n

    async def _findings(
        self, counts: dict[UUID, dict[str, int]], district: str, start: datetime, end: datetime
    ) -> None:
        f, n = FindingRow, RectificationNoticeRow
        rectified = case((n.status == "rectified", 1), else_=0)
        rows = await self.session.execute(
            select(f.provider_id, func.count(), func.coalesce(func.sum(rectified), 0).cast(Integer))
            .outerjoin(n, n.id == f.notice_id)
            .where(
                f.district_code == district,
                f.recorded_at >= start,
                f.recorded_at < end,
                f.provider_id.in_(counts),
            )
            .group_by(f.provider_id)
        )
        for provider, total, done in rows.all():
            counts[provider] |= {"findings_unrectified": total - done, "findings_rectified": done}

    async def save_ratings(
        self, district: str, period: str, version: str, ratings: list[Rating], by: str, at: datetime
    ) -> None:
        """Store (or replace: a re-run recomputes from the same records) the period's ratings."""
        for r in ratings:
            values: dict[str, Any] = {
                "score": r.score,
                "grade": r.grade,
                "metrics": r.metrics,
                "weights_used": r.weights_used,
                "inputs": r.inputs,
                "rated_by": by,
                "rated_at": at,
            }
            stmt = insert(ProviderRatingRow).values(
                district_code=district,
                period=period,
                provider_id=r.provider_id,
                formula_version=version,
                **values,
            )
            await self.session.execute(
                stmt.on_conflict_do_update(constraint="uq_provider_ratings_once", set_=values)
            )

    async def list_ratings(
        self, *, region_prefix: str | None, provider_id: UUID | None, period: str | None, limit: int
    ) -> list[ProviderRatingRow]:
        query = select(ProviderRatingRow)
        if region_prefix is not None:
            query = query.where(ProviderRatingRow.district_code.startswith(region_prefix))
        if provider_id is not None:
            query = query.where(ProviderRatingRow.provider_id == provider_id)
        if period is not None:
            query = query.where(ProviderRatingRow.period == period)
        query = query.order_by(ProviderRatingRow.period.desc(), ProviderRatingRow.score.desc()).limit(limit)
        return list((await self.session.scalars(query)).all())
