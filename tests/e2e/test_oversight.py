"""Oversight across the services, as separate processes over the real broker and PostgreSQL:
an emergency that changes a person's condition reaches their assessment and entitlement, and a
visit audit finds was not delivered is kept from the provider's money and recovered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from eldercare.common.clock import local_date, month_of, utcnow
from eldercare.devstack.scenario import (
    DISTRICT,
    Stack,
    care_plan,
    enrol,
    items_for_total,
    set_prices,
    set_up_provider,
    visit,
    window,
)

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]


async def timeline_types(s: Stack, party: str, party_id: str) -> list[str]:
    """The event types audit's trail holds about one beneficiary or provider, from every service."""
    url = f"{s.audit}/v1/timelines/{party}/{party_id}?limit=200"
    return [e["event_type"] for e in (await s.call("GET", url, "auditor", region=DISTRICT))["items"]]


async def test_a_hospitalisation_opens_an_immediate_reassessment_that_changes_the_entitlement_next_month(
    stack: Stack, processes: Any
) -> None:
    s = stack
    _, beneficiary = await enrol(s, seq=3, total=70)  # level 1
    assert beneficiary["assessment_level"] == 1
    setup = await set_up_provider(s, "芙蓉区安康服务站", "52110108123456788F")
    plan = await care_plan(s, setup, beneficiary["id"])
    provider = {"provider_id": setup.provider["id"]}

    # The provider's 24-hour line takes the call and closes it: the person went to hospital.
    emergency = await s.call(
        "POST", f"{s.dispatch}/v1/emergencies", "provider_admin",
        {"beneficiary_id": beneficiary["id"], "kind": "fall", "source": "phone"}, **provider,
    )  # fmt: skip
    assert emergency["provider_id"] == setup.provider["id"]
    assert emergency["care_plan_id"] == plan["id"]
    await s.call(
        "POST", f"{s.dispatch}/v1/emergencies/{emergency['id']}/resolutions", "provider_admin",
        {"outcome": "hospitalised"}, **provider,
    )  # fmt: skip

    # Assessment opens an immediate reassessment (GB/T 42195 A.1.3 即时评估) for that person.
    async def immediate_task() -> dict[str, Any] | None:
        url = f"{s.assessment}/v1/assessments?status=pending&limit=200"
        items = (await s.call("GET", url, "assessor", region=DISTRICT))["items"]
        mine = [a for a in items if a["reason"] == "immediate" and a["person_id"] == beneficiary["person_id"]]
        return mine[0] if mine else None

    task = await s.eventually(immediate_task, "assessment to open the immediate reassessment")
    result = await s.call(
        "POST", f"{s.assessment}/v1/assessments/{task['id']}/results", "assessor",
        {
            "items": items_for_total(50),  # 46-65: level 2
            "coma": False, "diagnoses": [], "psychiatric_specialist_diagnosis": False,
            "risk_events_30d": {"fall": 1, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0},
            "assessors": ["assessor-001", "assessor-002"],
            "information_provider": {"name": "家属", "relation": "child"},
            "assessed_on": datetime.now(UTC).date().isoformat(),
        },
        region=DISTRICT,
    )  # fmt: skip
    assert result["final_level"]["code"] == 2

    # Intake re-evaluates the beneficiary under the pack they were enrolled under, from next month.
    async def changed() -> dict[str, Any] | None:
        url = f"{s.intake}/v1/beneficiaries/{beneficiary['id']}"
        b = await s.call("GET", url, "district_officer", region=DISTRICT)
        history = [h for h in b.get("entitlement_history", []) if h["reason"] == "reassessment"]
        return history[-1] if history else None

    change = await s.eventually(changed, "intake to apply the reassessment")
    assert change["assessment_level"] == 2
    assert change["assessment_id"] == result["id"]
    today = local_date(utcnow())  # Asia/Shanghai
    next_month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    assert change["effective_on"] == next_month.isoformat()

    async def recorded() -> list[str] | None:
        types = await timeline_types(s, "beneficiaries", beneficiary["id"])
        return types if "intake.beneficiary.entitlement_changed.v1" in types else None

    types = await s.eventually(recorded, "the trail to hold the entitlement change")
    for expected in ("dispatch.emergency.raised.v1", "dispatch.emergency.resolved.v1"):
        assert expected in types


async def test_a_visit_a_survey_finds_not_delivered_is_withheld_and_its_recovery_ordered(
    stack: Stack, processes: Any
) -> None:
    s = stack
    journey, beneficiary = await enrol(s, seq=4)
    setup = await set_up_provider(s, "芙蓉区福寿服务社", "52110108234567894Y")
    await set_prices(s)
    plan = await care_plan(s, setup, beneficiary["id"])
    done = await visit(s, setup, plan, journey.person["home_point"], *window())
    assert done["status"] == "completed"
    period = month_of(datetime.now(UTC))

    async def charged() -> dict[str, Any] | None:
        url = f"{s.billing}/v1/charges?visit_id={done['id']}"
        items = (await s.call("GET", url, "district_officer", region=DISTRICT))["items"]
        return items[0] if items else None

    charge = await s.eventually(charged, "billing to charge the visit")
    assert charge["covered_fen"] > 0

    # The follow-up caller hears the service was never delivered.
    survey = await s.call(
        "POST", f"{s.audit}/v1/survey-responses", "auditor",
        {
            "questionnaire_version": "2026.1", "visit_id": done["id"], "outcome": "reached",
            "answers": {
                "delivered_as_recorded": False, "on_time": False, "complete": False, "respectful": True,
                "sold_or_asked": False, "overall_satisfaction": 1,
            },
        },
        region=DISTRICT,
    )  # fmt: skip
    assert survey["flag_id"] is not None

    async def statement_line(reason: str) -> dict[str, Any] | None:
        run = await s.call(
            "POST", f"{s.billing}/v1/settlement-runs", "district_officer",
            {"provider_id": setup.provider["id"], "district_code": DISTRICT, "period": period},
            region=DISTRICT,
        )  # fmt: skip
        url = f"{s.billing}/v1/settlements/{run['settlement_id']}/lines?limit=200"
        lines = (await s.call("GET", url, "district_officer", region=DISTRICT))["items"]
        found = [x for x in lines if x["visit_id"] == done["id"] and x["reason"] == reason]
        return found[0] if found else None

    # Billing keeps the visit's money back from the provider while a flag is open. Audit's own
    # fraud signals may have flagged the visit already (it lasted seconds: short_visit), so the
    # line names whichever flag came first.
    withheld = await s.eventually(lambda: statement_line("visit_flagged"), "billing to withhold the visit")
    url = f"{s.audit}/v1/visit-flags?visit_id={done['id']}"
    flags = (await s.call("GET", url, "auditor", region=DISTRICT))["items"]
    assert survey["flag_id"] in {f["id"] for f in flags}
    assert withheld["ref_id"] in {f["id"] for f in flags}
    assert withheld["withheld_fen"] == charge["covered_fen"]

    # The investigator confirms the flags; the survey's opened a 第十八条（一） finding (not as
    # planned). Finding the service record itself false, they record a （四） finding (false
    # information to obtain subsidies), and the district orders the subsidy recovered.
    for f in flags:
        resolved = await s.call(
            "POST", f"{s.audit}/v1/visit-flags/{f['id']}/resolutions", "auditor",
            {"outcome": "confirmed", "notes": "老人及家属均称当日无人上门"}, region=DISTRICT,
        )  # fmt: skip
        assert resolved["status"] == "confirmed" and resolved["finding_id"] is not None
    finding = await s.call(
        "POST", f"{s.audit}/v1/findings", "auditor",
        {
            "district_code": DISTRICT, "provider_id": setup.provider["id"], "type": "false_information",
            "source": "survey", "source_id": survey["id"], "evidence": ["回访录音：当日无人上门"],
            "description": "服务记录与回访不符，虚报服务骗取补贴", "visit_ids": [done["id"]],
        },
        region=DISTRICT,
    )  # fmt: skip
    recovery = await s.call(
        "POST", f"{s.audit}/v1/funds-recoveries", "district_officer",
        {"finding_ids": [finding["id"]]}, region=DISTRICT,
    )  # fmt: skip
    assert recovery["visit_ids"] == [done["id"]]

    # Not yet paid (the month is open), so billing withholds it under the recovery order.
    ordered = await s.eventually(lambda: statement_line("recovery_ordered"), "billing to act on the order")
    assert ordered["ref_id"] == recovery["id"]
    assert ordered["withheld_fen"] == charge["covered_fen"]

    async def recorded() -> list[str] | None:
        types = await timeline_types(s, "providers", setup.provider["id"])
        return types if "audit.recovery.ordered.v1" in types else None

    types = await s.eventually(recorded, "the trail to hold the recovery order")
    assert "audit.visit_flag.raised.v1" in types and "audit.visit_flag.resolved.v1" in types
