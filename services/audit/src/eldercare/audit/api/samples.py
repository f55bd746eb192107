"""Spot-check samples (抽查, changsha-2024-purchased-door-to-door-rules.md 第十九条) and the result of
each spot check. Both the city and the district bureau spot-check: auditors, district officers and
city admins of the region draw samples and record results.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from eldercare.audit.api.dependencies import Settings
from eldercare.audit.api.schemas import SpotCheckRead
from eldercare.audit.application import sampling as handlers
from eldercare.audit.domain.sampling import SAMPLING_BASIS, SamplingMethod
from eldercare.audit.domain.spot_check import SpotCheckStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

samples = APIRouter(prefix="/v1/spot-check-samples", tags=["spot checks"])
results = APIRouter(prefix="/v1/spot-checks", tags=["spot checks"])

Staff = Annotated[Principal, Depends(require(Role.auditor, Role.district_officer, Role.city_admin))]
Rt = Annotated[Runtime, Depends(runtime)]


class SampleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    period: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = Field(
        description="The China month of the visits (YYYY-MM)"
    )
    method: SamplingMethod = SamplingMethod.uniform
    sample_size: int | None = Field(default=None, ge=1, le=100_000, description="By default the setting")
    seed: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,64}$")] | None = Field(
        default=None, description="To re-draw a recorded sample elsewhere; by default a fresh random one"
    )


class ProviderWeightRead(BaseModel):
    provider_id: UUID
    flags: int = Field(
        description="Visit flags not cleared, in the district, the 365 days to the period's end"
    )
    complaints: int = Field(description="Complaints not found unsubstantiated, same window")
    weight: int = Field(description="1 + flags + complaints (used only by risk_weighted)")
    population_visits: int
    sampled_visits: int


class SampleRead(BaseModel):
    id: UUID
    district_code: str
    period: str
    method: SamplingMethod
    seed: str
    sample_size: int
    population: int
    weights: list[ProviderWeightRead]
    spot_checks: list[SpotCheckRead]
    checked: int
    failed: int
    drawn_by: str
    drawn_at: datetime
    deductions_published_at: datetime | None
    basis: str = SAMPLING_BASIS

    @classmethod
    def from_view(cls, v: handlers.SampleView) -> SampleRead:
        s = v.sample
        sampled = Counter(c.provider_id for c in v.checks)
        return cls(
            id=s.id,
            district_code=s.district_code,
            period=s.period,
            method=s.method,
            seed=s.seed,
            sample_size=s.sample_size,
            population=s.population,
            weights=[
                ProviderWeightRead(
                    provider_id=r.provider_id,
                    flags=r.flags,
                    complaints=r.complaints,
                    weight=r.weight,
                    population_visits=r.visits,
                    sampled_visits=sampled[r.provider_id],
                )
                for r in s.risks
            ],
            spot_checks=[SpotCheckRead.from_domain(c) for c in v.checks],
            checked=sum(c.status is not SpotCheckStatus.open for c in v.checks),
            failed=sum(c.status is SpotCheckStatus.failed for c in v.checks),
            drawn_by=s.drawn_by,
            drawn_at=s.drawn_at,
            deductions_published_at=s.deductions_published_at,
        )


class SampleSummaryRead(BaseModel):
    id: UUID
    district_code: str
    period: str
    method: SamplingMethod
    seed: str
    sample_size: int
    population: int
    drawn_at: datetime
    deductions_published_at: datetime | None


class ResultCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    delivered_as_billed: bool = Field(description="Was the visit delivered as recorded and billed (真实性)?")
    notes: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


@samples.post(
    "",
    response_model=SampleRead,
    status_code=201,
    summary="Draw the district's seeded random sample of a month's visits; one spot check per visit",
)
async def draw_sample(
    body: SampleCreate, principal: Staff, settings: Settings, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.DrawSample(
        body.district_code, body.period, body.method, body.sample_size, body.seed, principal
    )
    size = settings.spot_check_sample_size
    return await execute(
        rt, lambda uow: handlers.draw_sample(cmd, uow, size), SampleRead.from_view, idempotency=idem
    )


@samples.get("", response_model=Page[SampleSummaryRead], summary="Samples of the region")
async def list_samples(
    principal: Staff, rt: Rt, page: Annotated[PageParams, Depends(page_params)]
) -> Page[SampleSummaryRead]:
    async with rt.read_session() as session:
        found = await handlers.list_samples(session, principal, after=page.after, limit=page.limit + 1)
    return make_page(
        [
            SampleSummaryRead(
                id=s.id,
                district_code=s.district_code,
                period=s.period,
                method=s.method,
                seed=s.seed,
                sample_size=s.sample_size,
                population=s.population,
                drawn_at=s.drawn_at,
                deductions_published_at=s.deductions_published_at,
            )
            for s in found
        ],
        page.limit,
    )


@samples.get("/{sample_id}", response_model=SampleRead, summary="One sample, its weights and its checks")
async def get_sample(sample_id: UUID, principal: Staff, rt: Rt) -> SampleRead:
    async with rt.read_session() as session:
        return SampleRead.from_view(await handlers.get_sample(session, sample_id, principal))


@results.post(
    "/{spot_check_id}/results",
    response_model=SpotCheckRead,
    status_code=201,
    summary="Record a spot check's result; not delivered flags the visit (VisitFlagRaised)",
)
async def record_result(
    spot_check_id: UUID, body: ResultCreate, principal: Staff, settings: Settings, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.RecordSpotCheckResult(spot_check_id, body.delivered_as_billed, body.notes, principal)
    claim_sampling = settings.claim_sampling_enabled
    return await execute(
        rt,
        lambda uow: handlers.record_result(cmd, uow, claim_sampling),
        SpotCheckRead.from_domain,
        idempotency=idem,
    )
