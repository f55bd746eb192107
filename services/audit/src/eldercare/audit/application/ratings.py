"""Rating formulas and provider ratings (huzhou-2022 第三十七条). Handlers never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.models import ProviderRatingRow
from eldercare.audit.adapters.rating_repository import RatingRepository
from eldercare.audit.application.sampling import period_bounds
from eldercare.audit.domain.errors import InvalidFormula, RatingConflict
from eldercare.audit.domain.rating import Rating, RatingFormula, rate
from eldercare.common.auth import Principal, Role
from eldercare.common.clock import utcnow
from eldercare.common.uow import UnitOfWork


@dataclass(frozen=True)
class PublishFormula:
    version: str
    weights: dict[str, float]
    grades: list[tuple[str, float]]
    on_time_minutes: int
    principal: Principal


async def publish_formula(cmd: PublishFormula, uow: UnitOfWork) -> RatingFormula:
    formula = RatingFormula.publish(
        cmd.version,
        cmd.weights,
        cmd.grades,
        cmd.on_time_minutes,
        by=cmd.principal.subject,
        at=utcnow(),
    )
    if not await RatingRepository(uow.session).add_formula(formula):
        raise RatingConflict(f"formula version {cmd.version} is published already; publish a new version")
    return formula


@dataclass(frozen=True)
class RateProviders:
    district_code: str
    period: str
    formula_version: str
    principal: Principal


@dataclass(frozen=True)
class RatingRun:
    district_code: str
    period: str
    formula: RatingFormula
    ratings: list[Rating]


async def rate_providers(cmd: RateProviders, uow: UnitOfWork) -> RatingRun:
    """Every provider with a completed visit in the district and month, on the formula named."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise InvalidFormula("the district is outside the caller's region", field="district_code")
    repo = RatingRepository(uow.session)
    formula = await repo.get_formula(cmd.formula_version)
    if formula is None:
        raise InvalidFormula("unknown formula version", field="formula_version")
    start, end = period_bounds(cmd.period)
    now = utcnow()
    if end > now:
        raise InvalidFormula("a month is rated once it is over", field="period")
    inputs = await repo.inputs(cmd.district_code, start, end, timedelta(minutes=formula.on_time_minutes))
    ratings = [rate(i, formula) for i in inputs]
    await repo.save_ratings(
        cmd.district_code, cmd.period, formula.version, ratings, cmd.principal.subject, now
    )
    return RatingRun(cmd.district_code, cmd.period, formula, ratings)


async def list_formulas(session: AsyncSession) -> list[RatingFormula]:
    return await RatingRepository(session).list_formulas()


async def list_ratings(
    session: AsyncSession, principal: Principal, *, period: str | None, provider_id: UUID | None, limit: int
) -> list[ProviderRatingRow]:
    """Published ratings: government staff and the city platform by region, a provider its own."""
    if principal.has_role(Role.provider_admin) and principal.provider_id is not None:
        return await RatingRepository(session).list_ratings(
            region_prefix=None, provider_id=principal.provider_id, period=period, limit=limit
        )
    if principal.region is None:
        return []
    return await RatingRepository(session).list_ratings(
        region_prefix=principal.region, provider_id=provider_id, period=period, limit=limit
    )
