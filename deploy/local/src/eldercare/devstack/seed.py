"""``eldercare seed``: synthetic demo data, loaded through the services' own HTTP APIs.

A district (芙蓉区, 430102) with three communities, two providers with a caregiver each (and a
second caregiver with a working day, for the day planner), and a dozen applications left in
different states of the process. The enrolled beneficiaries get care plans with preferred weekdays
and windows, so dispatch generates their visits for the next two weeks, one completed visit each,
and the first day ahead with such visits is planned (POST /v1/schedules). The people are
synthetic: their ID numbers have valid check digits but belong to no one.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from eldercare.common.clock import DISPLAY_ZONE
from eldercare.devstack.scenario import (
    COMMUNITIES,
    DISTRICT,
    Journey,
    ProviderSetup,
    Stack,
    applicant,
    care_plan,
    set_prices,
    set_up_provider,
    visit,
)

# (community, total GB/T 42195 score, where the application stops)
APPLICATIONS = [
    (COMMUNITIES[0], 70, "submitted"),
    (COMMUNITIES[1], 60, "submitted"),
    (COMMUNITIES[2], 55, "returned"),
    (COMMUNITIES[0], 50, "rejected_by_street"),
    (COMMUNITIES[1], 72, "assessment_requested"),
    (COMMUNITIES[2], 40, "assessment_requested"),
    (COMMUNITIES[0], 90, "assessed"),  # 能力完好: the district will find 第五条 unmet
    (COMMUNITIES[1], 45, "assessed"),
    (COMMUNITIES[2], 68, "enrolled"),
    (COMMUNITIES[0], 35, "enrolled"),
    (COMMUNITIES[1], 20, "enrolled"),
    (COMMUNITIES[2], 80, "enrolled"),
]


async def walk(stack: Stack, seq: int, community: str, total: int, stop: str) -> Journey:
    born = date(1936 + seq, 1 + seq % 12, 1 + seq)
    journey = Journey(stack, applicant(seq, community=community, born=born))
    await journey.apply()
    if stop == "submitted":
        return journey
    if stop in ("returned", "rejected_by_street"):
        await journey.review("return" if stop == "returned" else "reject")
        return journey
    await journey.review("pass")
    if stop == "assessment_requested":
        return journey
    await journey.assess(total)
    await journey.wait_status("assessed")
    if stop == "enrolled":
        await journey.decide("approve")
    return journey


# Preferred windows of the demo plans (local time): Tuesday and Friday mornings, Thursday afternoon.
SCHEDULE = {
    "slots": [
        {"weekday": 2, "start": "08:30", "end": "11:30"},
        {"weekday": 4, "start": "14:00", "end": "17:00"},
        {"weekday": 5, "start": "08:30", "end": "11:30"},
    ]
}


async def planner_caregiver(stack: Stack, setup: ProviderSetup, home: dict[str, float]) -> dict[str, Any]:
    """A caregiver with a working day, so the day planner has someone to give visits to."""
    return await stack.call(  # type: ignore[no-any-return]
        "POST", f"{stack.dispatch}/v1/caregivers", "provider_admin",
        {
            "name": "排班护理员", "phone": "13900003333", "qualifications": ["certified_elderly_care_worker"],
            "health_certificate_valid_until": "2027-12-31",
            "workday": {"home": home, "shift_start": "08:00", "shift_end": "18:00", "max_visits_per_day": 8},
        },
        provider_id=setup.provider["id"],
    )  # fmt: skip


async def plan_next_day(stack: Stack, setup: ProviderSetup) -> dict[str, Any] | None:
    """Publish the plan of the first day after today with generated visits waiting for a caregiver."""
    waiting = await stack.call(
        "GET", f"{stack.dispatch}/v1/visits?unassigned=true&status=scheduled&limit=200", "provider_admin",
        provider_id=setup.provider["id"],
    )  # fmt: skip
    today = datetime.now(DISPLAY_ZONE).date()
    days = sorted(
        {
            day
            for v in waiting["items"]
            if (day := datetime.fromisoformat(v["scheduled_start_at"]).astimezone(DISPLAY_ZONE).date())
            > today
        }
    )
    if not days:
        return None
    return await stack.call(  # type: ignore[no-any-return]
        "POST", f"{stack.dispatch}/v1/schedules", "provider_admin",
        {"date": days[0].isoformat(), "district_code": DISTRICT, "seconds": 2},
        provider_id=setup.provider["id"],
    )  # fmt: skip


async def seed(stack: Stack, *, log: bool = True) -> None:
    say = print if log else (lambda *_: None)
    say("providers and prices ...")
    providers = [
        await set_up_provider(stack, "芙蓉区颐养居家服务中心", "521101080000000195"),
        await set_up_provider(stack, "长沙康乐护理服务有限公司", "91110108000000027Y"),
    ]
    await set_prices(stack)
    enrolled: list[Journey] = []
    for seq, (community, total, stop) in enumerate(APPLICATIONS, start=1):
        journey = await walk(stack, seq, community, total, stop)
        say(f"application {seq:2d}: {journey.application.get('status', '?'):22s} {journey.application['id']}")
        if stop == "enrolled":
            enrolled.append(journey)
    for i, journey in enumerate(enrolled):
        setup = providers[i % len(providers)]
        plan = await care_plan(stack, setup, journey.application["beneficiary_id"], schedule=SCHEDULE)
        start = datetime.now(UTC) - timedelta(hours=2)
        await visit(
            stack,
            setup,
            plan,
            journey.person["home_point"],
            start.isoformat(),
            (start + timedelta(hours=1)).isoformat(),
        )
        say(f"beneficiary {journey.application['beneficiary_id']}: care plan and one completed visit")
    for setup, journey in zip(providers, enrolled, strict=False):
        caregiver = await planner_caregiver(stack, setup, journey.person["home_point"])
        day = await plan_next_day(stack, setup)
        if day is None:
            say(f"provider {setup.provider['name']}: no generated visit ahead to plan")
            continue
        booked = sum(len(r["visits"]) for r in day["routes"])
        say(
            f"provider {setup.provider['name']}: {day['date']} planned, {booked} visits to caregiver "
            f"{caregiver['id']}, {len(day['unassigned'])} left unassigned"
        )
    for setup in providers:
        say(f"provider {setup.provider['id']} ({setup.provider['name']}); caregiver {setup.caregiver['id']}")


def run(stack: Stack) -> None:
    async def go() -> None:
        try:
            await seed(stack)
        finally:
            await stack.close()

    asyncio.run(go())
