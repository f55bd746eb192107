"""Spot-check samples (changsha-2024 第十九条) and the results of spot checks. Handlers never commit."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.audit.adapters.sample_repository import SampleRepository
from eldercare.audit.adapters.spot_check_repository import SpotCheckRepository
from eldercare.audit.application.fraud import raise_flag
from eldercare.audit.domain.errors import InvalidSample, SampleNotSettled
from eldercare.audit.domain.sampling import (
    SAMPLING_BASIS,
    Candidate,
    SamplingMethod,
    SpotCheckSample,
    draw,
)
from eldercare.audit.domain.spot_check import SpotCheck, SpotCheckReason, SpotCheckStatus
from eldercare.audit.domain.visit_flag import NOT_DELIVERED, FlagSource, VisitFlag
from eldercare.common.auth import Principal
from eldercare.common.clock import DISPLAY_ZONE, utcnow
from eldercare.common.contracts import ClaimDeductionPublished
from eldercare.common.errors import NotFound, SettingNotConfigured
from eldercare.common.uow import UnitOfWork

CLAIM_SAMPLING_BASIS = "claim sampling enabled by the city's policy (AUDIT_CLAIM_SAMPLING_ENABLED)"
RISK_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class SampleView:
    sample: SpotCheckSample
    checks: list[SpotCheck]


@dataclass(frozen=True)
class DrawSample:
    district_code: str
    period: str
    method: SamplingMethod
    sample_size: int | None
    seed: str | None
    principal: Principal


def period_bounds(period: str) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of a China month ``YYYY-MM``."""
    year, month = map(int, period.split("-"))
    start = datetime(year, month, 1, tzinfo=DISPLAY_ZONE)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=DISPLAY_ZONE)
    return start, end


async def draw_sample(cmd: DrawSample, uow: UnitOfWork, default_size: int | None) -> SampleView:
    """抽查: a seeded random sample of the district's visits of a month; one spot check per visit."""
    if not cmd.principal.covers_region(cmd.district_code):
        raise InvalidSample("the district is outside the caller's region", field="district_code")
    start, end = period_bounds(cmd.period)
    now = utcnow()
    if start > now:
        raise InvalidSample("the period has not begun", field="period")
    size = cmd.sample_size or default_size
    if size is None:
        raise SettingNotConfigured(
            "AUDIT_SPOT_CHECK_SAMPLE_SIZE is not set and the request names no sample_size "
            "(changsha-2024-purchased-door-to-door-rules.md 第十九条 fixes none)"
        )
    repo = SampleRepository(uow.session)
    if await repo.exists(cmd.district_code, cmd.period):
        raise SampleNotSettled(f"the district's sample of {cmd.period} is already drawn")
    population = await repo.population(cmd.district_code, start, end)
    by_visit = {v.visit_id: v for v in population}
    counts = Counter(v.provider_id for v in population)
    found = await repo.risks(cmd.district_code, set(counts), end - RISK_WINDOW, end)
    risks = {p: replace(r, visits=counts[p]) for p, r in found.items()}
    seed = cmd.seed or secrets.token_hex(16)
    drawn = draw(
        [Candidate(v.visit_id, v.provider_id) for v in population],
        size,
        seed,
        cmd.method,
        risks if cmd.method is SamplingMethod.risk_weighted else None,
    )
    sample = SpotCheckSample(
        district_code=cmd.district_code,
        period=cmd.period,
        method=cmd.method,
        seed=seed,
        sample_size=size,
        population=len(population),
        risks=tuple(risks.values()),
        drawn_by=cmd.principal.subject,
        drawn_at=now,
    )
    await repo.add(sample)
    checks = []
    spot_checks = SpotCheckRepository(uow.session)
    for c in drawn:
        v = by_visit[c.visit_id]
        check = SpotCheck(
            visit_id=v.visit_id,
            beneficiary_id=v.beneficiary_id,
            provider_id=v.provider_id,
            caregiver_id=v.caregiver_id,
            district_code=cmd.district_code,
            service_code=v.service_code,
            reason=SpotCheckReason.sample,
            findings=[],
            opened_at=now,
            sample_id=sample.id,
        )
        await spot_checks.add(check)
        checks.append(check)
    return SampleView(sample, checks)


@dataclass(frozen=True)
class RecordSpotCheckResult:
    spot_check_id: UUID
    delivered: bool
    notes: str
    principal: Principal


async def record_result(cmd: RecordSpotCheckResult, uow: UnitOfWork, claim_sampling: bool) -> SpotCheck:
    """The verdict on one visit; not delivered flags it (billing withholds); the last result of a
    sample publishes its claim deductions where the city's policy enables claim sampling."""
    repo = SpotCheckRepository(uow.session)
    check = await repo.get(cmd.spot_check_id)
    if check is None:
        raise NotFound("spot check not found")
    cmd.principal.ensure_region(check.district_code, "spot check")
    samples = SampleRepository(uow.session)
    sample = await samples.get(check.sample_id, for_update=True) if check.sample_id else None
    now = utcnow()
    check.record_result(delivered=cmd.delivered, notes=cmd.notes, by=cmd.principal.subject, at=now)
    await repo.save(check)
    if check.status is SpotCheckStatus.failed:
        await raise_flag(
            VisitFlag(
                visit_id=check.visit_id,
                provider_id=check.provider_id,
                caregiver_id=check.caregiver_id,
                beneficiary_id=check.beneficiary_id,
                district_code=check.district_code,
                source=FlagSource.spot_check,
                signal=NOT_DELIVERED,
                score=100,
                evidence={"spot_check_id": str(check.id), "notes": cmd.notes},
                raised_at=now,
            ),
            uow,
        )
    if sample is not None and claim_sampling:
        await _publish_deductions(sample, await repo.list_by_sample(sample.id), samples, uow, now)
    return check


async def _publish_deductions(
    sample: SpotCheckSample,
    checks: list[SpotCheck],
    samples: SampleRepository,
    uow: UnitOfWork,
    now: datetime,
) -> None:
    results = [
        (
            c.visit_id,
            c.provider_id,
            None if c.status is SpotCheckStatus.open else c.status is SpotCheckStatus.passed,
        )
        for c in checks
    ]
    deductions = sample.deductions(results)
    for d in deductions:
        uow.publish(
            ClaimDeductionPublished(
                sample_id=sample.id,
                provider_id=d.provider_id,
                district_code=sample.district_code,
                period=sample.period,
                seed=sample.seed,
                sampled_visit_ids=list(d.sampled_visit_ids),
                failed_visit_ids=list(d.failed_visit_ids),
                sampled=len(d.sampled_visit_ids),
                failed=len(d.failed_visit_ids),
                basis=[SAMPLING_BASIS, CLAIM_SAMPLING_BASIS],
                published_at=now,
            )
        )
    if deductions:
        await samples.mark_published(sample.id, now)


# ---------------------------------------------------------------- reads


async def list_samples(
    session: AsyncSession, principal: Principal, *, after: UUID | None, limit: int
) -> list[SpotCheckSample]:
    if principal.region is None:
        return []
    return await SampleRepository(session).list_in_region(principal.region, after=after, limit=limit)


async def get_sample(session: AsyncSession, sample_id: UUID, principal: Principal) -> SampleView:
    sample = await SampleRepository(session).get(sample_id)
    if sample is None:
        raise NotFound("spot-check sample not found")
    principal.ensure_region(sample.district_code, "spot-check sample")
    return SampleView(sample, await SpotCheckRepository(session).list_by_sample(sample.id))
