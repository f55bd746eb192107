"""Issue #5's "done means", as separate processes over the real broker and PostgreSQL: a provider
admin onboards a caregiver, activates a plan with a signed agreement and preferred days, dispatch
generates its visits, the admin publishes an optimised schedule, and the caregiver works the day's
visit through the app's API with verification; billing charges it and audit's trail holds it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from eldercare.common.clock import DISPLAY_ZONE, month_of
from eldercare.devstack.scenario import DISTRICT, Stack, enrol, set_prices, set_up_provider

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


def two_slots_ahead() -> tuple[date, list[dict[str, Any]]]:
    """Two one-hour windows on one local day, neither begun: 15 and 85 minutes from now, or, when
    they would run past midnight, early tomorrow. With ``frequency_per_month`` 8 over two slots of
    one weekday, every week's pair of slots holds at least one of the month's visits."""
    now = datetime.now(DISPLAY_ZONE).replace(second=0, microsecond=0)
    first = now + timedelta(minutes=15)
    if (first + timedelta(minutes=130)).date() != now.date():
        first = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), DISPLAY_ZONE)
        first += timedelta(minutes=15)
    day = first.date()
    slots = []
    for start in (first, first + timedelta(minutes=70)):
        end = start + timedelta(minutes=60)
        slots.append({"weekday": day.isoweekday(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"})
    return day, slots


async def test_a_plan_with_preferred_days_becomes_a_scheduled_visit_a_caregiver_works_and_billing_charges(
    stack: Stack, processes: Any
) -> None:
    s = stack
    journey, beneficiary = await enrol(s, seq=5)
    home = journey.person["home_point"]
    setup = await set_up_provider(s, "芙蓉区和美服务中心", "521101083456789090")
    provider = {"provider_id": setup.provider["id"]}
    await set_prices(s)

    # The provider admin onboards a caregiver with a working day starting near the beneficiary.
    caregiver = await s.call(
        "POST", f"{s.dispatch}/v1/caregivers", "provider_admin",
        {
            "name": "和美护理员", "phone": "13900002222", "qualifications": ["certified_elderly_care_worker"],
            "health_certificate_valid_until": "2027-12-31",
            "workday": {
                "home": {"lat": home["lat"] + 0.003, "lon": home["lon"]},
                "shift_start": "00:00", "shift_end": "23:59", "max_visits_per_day": 12,
            },
        },
        **provider,
    )  # fmt: skip
    me = {**provider, "caregiver_id": caregiver["id"]}

    # A plan with a signed agreement and two preferred windows on the coming day.
    day, slots = two_slots_ahead()

    async def activate() -> dict[str, Any] | None:
        body = {
            "beneficiary_id": beneficiary["id"],
            "service_codes": ["CS15", "CS22", "CS25"],
            "frequency_per_month": 8,
            "self_paid_per_month": 5,
            "minutes_per_visit": 15,
            "schedule": {"slots": slots},
            "agreement": {"signed_on": date.today().isoformat(), "duration_months": 12},
        }
        return await s.call("POST", f"{s.dispatch}/v1/care-plans", "provider_admin", body, **provider)  # type: ignore[no-any-return]

    plan = await s.eventually(activate, "dispatch to know the beneficiary")
    assert plan["status"] == "active" and plan["schedule"]["slots"][0]["weekday"] == day.isoweekday()

    # The admin publishes the day's optimised schedule: the generated visits go to the caregiver.
    schedule = await s.call(
        "POST", f"{s.dispatch}/v1/schedules", "provider_admin",
        {"date": day.isoformat(), "district_code": DISTRICT, "seconds": 2}, **provider,
    )  # fmt: skip
    routes = {r["caregiver_id"]: r for r in schedule["routes"]}
    assert caregiver["id"] in routes, schedule
    booked = [v for v in routes[caregiver["id"]]["visits"] if v["service_code"] == "CS22"]
    assert booked, routes[caregiver["id"]]

    # The caregiver's phone shows the day and works the CS22 visit.
    mine = await s.call(
        "GET", f"{s.dispatch}/v1/caregivers/{caregiver['id']}/visits?on={day.isoformat()}", "caregiver", **me
    )
    listed = {v["id"]: v for v in mine["items"]}
    visit_id = str(booked[0]["visit_id"])
    assert visit_id in listed and listed[visit_id]["care_plan_id"] == plan["id"]
    window_start = datetime.fromisoformat(listed[visit_id]["window_start_at"]).astimezone(DISPLAY_ZONE)
    assert f"{window_start:%H:%M}" in {slot["start"] for slot in slots}

    # Intake's sealed contact reached dispatch: the caregiver finds the door, phones masked.
    async def contact() -> dict[str, Any] | None:
        return await s.call("GET", f"{s.dispatch}/v1/visits/{visit_id}/beneficiary", "caregiver", **me)  # type: ignore[no-any-return]

    shown = await s.eventually(contact, "dispatch to hold the beneficiary's contact")
    person = journey.person
    assert (shown["name"], shown["address"]) == (person["name"], person["address"])
    assert (shown["phone"], shown["masked"]) == (f"{person['phone'][:3]}****{person['phone'][-4:]}", True)

    url = f"{s.dispatch}/v1/visits/{visit_id}"
    await s.call("POST", f"{url}/acceptances", "caregiver", {}, **me)
    await s.call("POST", f"{url}/check-ins", "caregiver", {"location": home, "accuracy_m": 10}, **me)
    record = {"notes": "上门探访", "items_done": ["CS22"]}
    done = await s.call("POST", f"{url}/check-outs", "caregiver", {"location": home, "record": record}, **me)
    assert done["status"] == "completed" and done["verified"] is True

    # Billing charges the verified visit; audit's trail holds its booking and completion.
    async def charged() -> list[Any] | None:
        charges = await s.call(
            "GET", f"{s.billing}/v1/charges?visit_id={visit_id}", "district_officer", region=DISTRICT
        )
        return charges["items"] or None

    charges = await s.eventually(charged, "billing to charge the visit")
    assert len(charges) == 1 and charges[0]["period"] == month_of(datetime.now(UTC))

    async def in_trail() -> list[str] | None:
        url = f"{s.audit}/v1/timelines/beneficiaries/{beneficiary['id']}?limit=200"
        types = [e["event_type"] for e in (await s.call("GET", url, "auditor", region=DISTRICT))["items"]]
        return types if "dispatch.visit.completed.v1" in types else None

    types = await s.eventually(in_trail, "audit's timeline to hold the visit")
    assert "dispatch.care_plan.activated.v1" in types and "dispatch.visit.scheduled.v1" in types
