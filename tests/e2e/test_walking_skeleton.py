"""One beneficiary's path through all five services, running as separate processes, over HTTP and
the real broker and PostgreSQL (issue #2, §4)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from typing import Any

import pytest

from eldercare.common.clock import month_of
from eldercare.devstack.scenario import (
    DISTRICT,
    Stack,
    care_plan,
    enrol,
    set_prices,
    set_up_provider,
    visit,
    window,
)

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def prorated(monthly_fen: int, effective_on: str) -> int:
    """The month's entitlement from ``effective_on`` to the month's end, by days, rounded half-up."""
    start = date.fromisoformat(effective_on)
    days = calendar.monthrange(start.year, start.month)[1]
    active = days - start.day + 1
    return (2 * monthly_fen * active + days) // (2 * days)


async def test_a_beneficiary_goes_from_application_to_a_charged_visit_and_a_follow_up(
    stack: Stack, processes: Any
) -> None:
    s = stack
    journey, beneficiary = await enrol(s, seq=1)
    assert beneficiary["monthly_amount_fen"] > 0

    setup = await set_up_provider(s, "芙蓉区颐养服务中心", "521101080000000195")
    await set_prices(s)
    plan = await care_plan(s, setup, beneficiary["id"])
    assert plan["status"] == "active"
    done = await visit(s, setup, plan, journey.person["home_point"], *window())
    assert done["status"] == "completed"
    assert done["verified"] is True

    period = month_of(datetime.now(UTC))

    async def charged() -> dict[str, Any] | None:
        url = f"{s.billing}/v1/accounts?beneficiary_id={beneficiary['id']}&period={period}"
        items = (await s.call("GET", url, "district_officer", region=DISTRICT))["items"]
        return items[0] if items and items[0]["used_fen"] > 0 else None

    account = await s.eventually(charged, "billing to charge the visit")
    # The month is entitled from the enrolment day on, prorated by days (billing's default).
    assert account["entitlement_fen"] == prorated(
        beneficiary["monthly_amount_fen"], beneficiary["effective_on"]
    )
    # CS22, one visit at the district's price: the entitlement covers what it can, the rest is self-pay.
    assert account["used_fen"] == min(5000, account["entitlement_fen"])
    assert account["used_fen"] + account["beneficiary_pays_fen"] == 5000
    assert account["remaining_fen"] == account["entitlement_fen"] - account["used_fen"]

    settlements = await s.call(
        "GET", f"{s.billing}/v1/settlements?provider_id={setup.provider['id']}&period={period}",
        "provider_admin", provider_id=setup.provider["id"],
    )  # fmt: skip
    # The provider's running settlement holds what the entitlement covers.
    assert [(x["total_fen"], x["charge_count"]) for x in settlements["items"]] == [(account["used_fen"], 1)]

    async def followed_up() -> list[Any] | None:
        url = f"{s.audit}/v1/follow-ups?beneficiary_id={beneficiary['id']}"
        items = (await s.call("GET", url, "auditor", region=DISTRICT))["items"]
        return items or None

    follow_ups = await s.eventually(followed_up, "audit to open the follow-up call")
    assert len(follow_ups) == 1 and follow_ups[0]["status"] == "open"

    async def trail_complete() -> list[str] | None:
        url = f"{s.audit}/v1/audit-trail?limit=200"
        types = [e["event_type"] for e in (await s.call("GET", url, "auditor", region=DISTRICT))["items"]]
        return types if "billing.charge.posted.v1" in types else None

    types = await s.eventually(trail_complete, "the audit trail to hold the charge")
    for expected in (
        "intake.application.submitted.v1",
        "intake.application.assessment_requested.v1",
        "assessment.assessment.completed.v1",
        "intake.application.decided.v1",
        "intake.beneficiary.enrolled.v1",
        "dispatch.care_plan.activated.v1",
        "dispatch.visit.completed.v1",
        "billing.charge.posted.v1",
    ):
        assert expected in types
    verification = await s.call("GET", f"{s.audit}/v1/audit-trail/verification", "auditor", region=DISTRICT)
    assert verification["valid"] is True

    # PIPL: the applicant's full ID number and phone went through intake, but no log line holds them.
    logs = processes.logs(tail=None)
    assert journey.person["id_number"] not in logs
    assert journey.person["phone"] not in logs


async def test_a_worker_killed_mid_flow_loses_nothing_and_applies_nothing_twice(
    stack: Stack, processes: Any
) -> None:
    s = stack
    journey, beneficiary = await enrol(s, seq=2)
    setup = await set_up_provider(s, "芙蓉区康乐服务社", "91110108000000027Y")
    await set_prices(s)
    plan = await care_plan(s, setup, beneficiary["id"])

    # Billing's worker dies (SIGKILL: no clean shutdown, offsets possibly uncommitted) while
    # visits complete; its events wait in Kafka, then a new worker picks them up.
    processes.kill("billing-worker")
    visits = [await visit(s, setup, plan, journey.person["home_point"], *window(90 * i)) for i in range(3)]
    assert all(v["verified"] for v in visits)
    processes.start("billing-worker")

    period = month_of(datetime.now(UTC))

    async def charged_total(at_least: int) -> dict[str, Any] | None:
        url = f"{s.billing}/v1/accounts?beneficiary_id={beneficiary['id']}&period={period}"
        items = (await s.call("GET", url, "district_officer", region=DISTRICT))["items"]
        return (
            items[0]
            if items and items[0]["used_fen"] + items[0]["beneficiary_pays_fen"] >= at_least
            else None
        )

    async def all_charged() -> dict[str, Any] | None:
        return await charged_total(15000)

    account = await s.eventually(all_charged, "billing to charge three visits after its restart")
    # Killing the dispatch relay mid-stream as well: restart re-sends what it had not marked.
    processes.kill("dispatch-worker")
    processes.start("dispatch-worker")
    extra = await visit(s, setup, plan, journey.person["home_point"], *window(400))
    assert extra["verified"]

    async def four_charged() -> dict[str, Any] | None:
        return await charged_total(20000)

    account = await s.eventually(four_charged, "the fourth charge")
    # Exactly four visits at 5000 fen: nothing lost, nothing doubled.
    assert account["used_fen"] + account["beneficiary_pays_fen"] == 20000
    assert account["charge_count"] == 4
    for v in [*visits, extra]:
        charges = await s.call(
            "GET", f"{s.billing}/v1/charges?visit_id={v['id']}", "district_officer", region=DISTRICT
        )
        assert len(charges["items"]) == 1
