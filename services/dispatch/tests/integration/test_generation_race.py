"""Visit generation racing itself against the real database, committing for real (cleaned up
after): two runs that both read before either wrote, and two sweeps at once, create each visit once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from eldercare.common.clock import local_date, utcnow
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.models import (
    BeneficiaryRow,
    CarePlanRow,
    CarePlanVersionRow,
    ProviderRow,
    VisitRow,
)
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.adapters.repositories.beneficiaries import BeneficiaryRepository
from eldercare.dispatch.adapters.repositories.care_plans import CarePlanRepository
from eldercare.dispatch.adapters.repositories.providers import ProviderRepository
from eldercare.dispatch.application.visit_generation import generate_due, generate_for_plan
from eldercare.dispatch.domain.beneficiaries import Beneficiary, BeneficiaryStatus
from eldercare.dispatch.domain.care_plans import Agreement, CarePlan
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.plan_schedule import PreferredSlot
from eldercare.dispatch.domain.providers import Provider

SCHEDULE = (PreferredSlot(2, time(9), time(11)), PreferredSlot(5, time(14), time(16)))


@pytest.fixture
async def committing(database_url: str) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], UUID]]:
    """Sessions on their own connections, and a committed plan (Tue and Fri, 8 a month, two items);
    every row is deleted after."""
    engine = create_async_engine(database_url, pool_size=6)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    now = datetime.now(UTC)
    provider = Provider(
        name="竞争测试服务中心",
        credit_code=f"52430102{uuid4().int % 10**10:010d}",
        credit_code_needs_manual_check=True,
        district_code="430102",
        address="芙蓉区",
        phone="073188880000",
        service_codes=("CS22", "CS25"),
        has_food_licence=False,
        registered_by="test",
        # Written straight to the table: as a provider from before the 第七条 facts were tracked.
        registered_before_conditions=True,
    )
    beneficiary = Beneficiary(
        id=uuid4(),
        district_code="430102",
        community_code="430102001001",
        home_point=Point(28.1941, 112.9761),
        service_categories=("welfare_visit", "health_management", "daily_living"),
        emergency_help_required=False,
        status=BeneficiaryStatus.active,
        enrolled_at=now,
        status_changed_at=now,
    )
    plan = CarePlan(
        beneficiary_id=beneficiary.id,
        provider_id=provider.id,
        district_code="430102",
        community_code="430102001001",
        service_codes=("CS22", "CS25"),
        frequency_per_month=8,
        agreement=Agreement(signed_on=local_date(now), duration_months=12),
        activated_at=now,
        created_by="test",
        minutes_per_visit=60,
        schedule=SCHEDULE,
    )
    async with sessions() as s, s.begin():
        await ProviderRepository(s).add(provider)
        await BeneficiaryRepository(s).add(beneficiary)
        await CarePlanRepository(s).add(plan)
    try:
        yield sessions, plan.id
    finally:
        async with engine.begin() as conn:
            await conn.execute(delete(VisitRow).where(VisitRow.care_plan_id == plan.id))
            await conn.execute(delete(CarePlanVersionRow).where(CarePlanVersionRow.care_plan_id == plan.id))
            await conn.execute(delete(CarePlanRow).where(CarePlanRow.id == plan.id))
            await conn.execute(delete(BeneficiaryRow).where(BeneficiaryRow.id == beneficiary.id))
            await conn.execute(delete(ProviderRow).where(ProviderRow.id == provider.id))
        await engine.dispose()


async def keys(sessions, plan_id: UUID) -> list[tuple[str, datetime]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = await s.execute(
            select(VisitRow.service_code, VisitRow.generated_for_at).where(VisitRow.care_plan_id == plan_id)
        )
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_two_runs_that_read_before_either_wrote_create_each_visit_once(committing) -> None:  # type: ignore[no-untyped-def]
    sessions, plan_id = committing
    both_read = asyncio.Barrier(2)

    async def run() -> int:
        async with UnitOfWork(sessions, MESSAGING, source="test") as uow:
            plan = await CarePlanRepository(uow.session).get(plan_id)
            assert plan is not None
            await both_read.wait()
            today = local_date(utcnow())
            out = await generate_for_plan(
                plan, first=today, last=today + timedelta(days=13), now=utcnow(), uow=uow
            )
            await asyncio.sleep(0.05)  # hold the transaction: the other's inserts wait on the index
            await uow.commit()
            return len(out.created)

    created = await asyncio.wait_for(asyncio.gather(run(), run()), timeout=30)
    found = await keys(sessions, plan_id)
    assert len(found) == len(set(found)) == sum(created) > 0


async def test_two_sweeps_at_once_share_the_plans_and_create_each_visit_once(committing) -> None:  # type: ignore[no-untyped-def]
    sessions, plan_id = committing

    async def sweep() -> int:
        async with UnitOfWork(sessions, MESSAGING, source="test") as uow:
            runs = await generate_due(uow, now=utcnow(), horizon_days=14, after=None, limit=1000)
            await asyncio.sleep(0.05)
            await uow.commit()
        return sum(len(r.created) for r in runs if r.care_plan_id == plan_id)

    created = await asyncio.wait_for(asyncio.gather(sweep(), sweep()), timeout=30)
    found = await keys(sessions, plan_id)
    assert len(found) == len(set(found)) == sum(created) > 0
