"""``eldercare seed``: synthetic demo data, loaded through the services' own HTTP APIs.

A district (芙蓉区, 430102) with three communities, two providers with a caregiver each, and a
dozen applications left in different states of the process. The people are synthetic: their ID
numbers have valid check digits but belong to no one.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from eldercare.devstack.scenario import (
    COMMUNITIES,
    Journey,
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
        plan = await care_plan(stack, setup, journey.application["beneficiary_id"])
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
    for setup in providers:
        say(f"provider {setup.provider['id']} ({setup.provider['name']}); caregiver {setup.caregiver['id']}")


def run(stack: Stack) -> None:
    async def go() -> None:
        try:
            await seed(stack)
        finally:
            await stack.close()

    asyncio.run(go())
