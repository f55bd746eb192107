"""Rating formulas and provider ratings (绩效评估, huzhou-2022-home-care-regulation.md 第三十七条:
评估结果应当向社会公开). A city admin publishes a formula version; auditors, district officers and
city admins rate a district's month; the ratings are read by them, the city platform (region) and
each provider (its own).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from eldercare.audit.application import ratings as handlers
from eldercare.audit.domain.rating import BASIS, METRICS, Rating, RatingFormula
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import Runtime, execute, runtime

formulas = APIRouter(prefix="/v1/rating-formulas", tags=["provider ratings"])
ratings = APIRouter(prefix="/v1/provider-ratings", tags=["provider ratings"])

CityAdmin = Annotated[Principal, Depends(require(Role.city_admin))]
Rater = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]
Reader = Annotated[
    Principal,
    Depends(
        require(Role.auditor, Role.district_officer, Role.city_admin, Role.city_platform, Role.provider_admin)
    ),
]
Rt = Annotated[Runtime, Depends(runtime)]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class GradeBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grade: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9+-]{1,16}$")]
    min_score: float = Field(ge=0, le=100)


class FormulaCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z._-]{1,32}$")]
    weights: dict[str, float] = Field(description=f"Per metric ({', '.join(METRICS)}); they sum to 1")
    grades: list[GradeBody] = Field(min_length=1, max_length=10, description="Highest minimum first")
    on_time_minutes: int = Field(ge=0, le=240, description="Punctual: checked in at most this late")


class FormulaRead(BaseModel):
    version: str
    weights: dict[str, float]
    grades: list[GradeBody]
    on_time_minutes: int
    published_by: str
    published_at: datetime
    basis: list[str] = list(BASIS)

    @classmethod
    def from_domain(cls, f: RatingFormula) -> FormulaRead:
        return cls(
            version=f.version,
            weights=f.weights,
            grades=[GradeBody(grade=g, min_score=m) for g, m in f.grades],
            on_time_minutes=f.on_time_minutes,
            published_by=f.published_by,
            published_at=f.published_at,
        )


class RatingRunCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    period: Month
    formula_version: str = Field(max_length=32)


class RatingRead(BaseModel):
    district_code: str
    period: str
    provider_id: UUID
    formula_version: str
    score: float
    grade: str
    metrics: dict[str, float | None] = Field(description="Each in [0, 1]; null without data")
    weights_used: dict[str, float] = Field(
        description="The formula's weights renormalised over the metrics present"
    )
    inputs: dict[str, Any] = Field(description="The objective data behind the metrics")


class RatingRunRead(BaseModel):
    district_code: str
    period: str
    formula: FormulaRead
    ratings: list[RatingRead]

    @classmethod
    def from_run(cls, run: handlers.RatingRun) -> RatingRunRead:
        def one(r: Rating) -> RatingRead:
            return RatingRead(
                district_code=run.district_code,
                period=run.period,
                provider_id=r.provider_id,
                formula_version=run.formula.version,
                score=r.score,
                grade=r.grade,
                metrics=r.metrics,
                weights_used=r.weights_used,
                inputs=r.inputs,
            )

        return cls(
            district_code=run.district_code,
            period=run.period,
            formula=FormulaRead.from_domain(run.formula),
            ratings=[one(r) for r in sorted(run.ratings, key=lambda r: -r.score)],
        )


@formulas.post("", response_model=FormulaRead, status_code=201, summary="Publish a rating formula version")
async def publish_formula(body: FormulaCreate, principal: CityAdmin, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.PublishFormula(
        body.version,
        body.weights,
        [(g.grade, g.min_score) for g in body.grades],
        body.on_time_minutes,
        principal,
    )
    return await execute(
        rt, lambda uow: handlers.publish_formula(cmd, uow), FormulaRead.from_domain, idempotency=idem
    )


@formulas.get("", response_model=list[FormulaRead], summary="Every published formula version")
async def list_formulas(principal: Reader, rt: Rt) -> list[FormulaRead]:
    async with rt.read_session() as session:
        return [FormulaRead.from_domain(f) for f in await handlers.list_formulas(session)]


@ratings.post(
    "",
    response_model=RatingRunRead,
    status_code=201,
    summary="Rate every provider of a district's past month on a formula version (a re-run replaces)",
)
async def rate_providers(body: RatingRunCreate, principal: Rater, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.RateProviders(body.district_code, body.period, body.formula_version, principal)
    return await execute(
        rt, lambda uow: handlers.rate_providers(cmd, uow), RatingRunRead.from_run, idempotency=idem
    )


@ratings.get("", response_model=list[RatingRead], summary="Published ratings, best first per month")
async def list_ratings(
    principal: Reader,
    rt: Rt,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    provider_id: Annotated[UUID | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RatingRead]:
    async with rt.read_session() as session:
        rows = await handlers.list_ratings(
            session, principal, period=period, provider_id=provider_id, limit=limit
        )
    return [
        RatingRead(
            district_code=r.district_code,
            period=r.period,
            provider_id=r.provider_id,
            formula_version=r.formula_version,
            score=r.score,
            grade=r.grade,
            metrics=r.metrics,
            weights_used=r.weights_used,
            inputs=r.inputs,
        )
        for r in rows
    ]
