"""Statements after the fact: reversals, audit flags (withheld, released), fund recoveries with
fines, claim-sampling deductions, the SettlementIssued event, and the traces that link them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select

from eldercare.billing.adapters.orm import MESSAGING
from eldercare.common.contracts import VisitCompleted
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"


@dataclass
class Month:
    """March 2026: one beneficiary (20,000 fen a month), provider A, three CS22 visits at 5,000."""

    beneficiary_id: UUID
    provider_id: UUID
    visits: list[VisitCompleted]


@pytest.fixture
async def month(deliver, events, make_price_list) -> Month:  # type: ignore[no-untyped-def]
    await make_price_list()
    enrolled = events.enrolled(monthly_amount_fen=20000)
    await deliver(enrolled)
    provider = uuid4()
    visits = [
        events.completed(enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 3, d, 1, tzinfo=UTC))
        for d in (3, 10, 17)
    ]
    for visit in visits:
        await deliver(visit)
    return Month(enrolled.beneficiary_id, provider, visits)


def officer(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("district_officer", region=DISTRICT)


def finance(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("finance", region=DISTRICT)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def run(client: httpx.AsyncClient, tokens: Tokens, provider_id: UUID, period: str) -> Any:
    body = {"provider_id": str(provider_id), "district_code": DISTRICT, "period": period}
    return await ok(await client.post("/v1/settlement-runs", json=body, headers=officer(tokens)), 201)


async def issue(client: httpx.AsyncClient, tokens: Tokens, provider_id: UUID, period: str) -> Any:
    statement = await run(client, tokens, provider_id, period)
    sid = statement["settlement_id"]
    return await ok(await client.post(f"/v1/settlements/{sid}/issues", headers=finance(tokens)), 201)


async def lines(client: httpx.AsyncClient, tokens: Tokens, statement: Any) -> list[dict[str, Any]]:
    sid = statement["settlement_id"]
    page = await ok(await client.get(f"/v1/settlements/{sid}/lines?limit=100", headers=officer(tokens)))
    return list(page["items"])


def by_kind(found: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [ln for ln in found if ln["kind"] == kind]


def reconciles(statement: Any, found: list[dict[str, Any]]) -> bool:
    return (
        statement["covered_fen"] == sum(ln["covered_fen"] for ln in found)
        and statement["withheld_fen"] == sum(ln["withheld_fen"] for ln in found)
        and statement["recovered_fen"]
        == sum(ln["covered_fen"] for ln in found if ln["kind"] in ("recovery", "fine"))
        and statement["deducted_fen"] == sum(ln["covered_fen"] for ln in found if ln["kind"] == "deduction")
    )


class TestReversal:
    async def test_a_visit_voided_before_the_issue_leaves_the_statement_as_a_withheld_line(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        await deliver(events.cancelled(month.visits[0], "voided", reason="照片造假"))
        statement = await run(client, tokens, month.provider_id, "2026-03")
        found = await lines(client, tokens, statement)
        [withheld] = by_kind(found, "withheld")
        assert (withheld["visit_id"], withheld["reason"], withheld["detail"], withheld["amount_fen"]) == (
            str(month.visits[0].visit_id),
            "visit_voided",
            "照片造假",
            0,
        )
        assert (statement["covered_fen"], statement["charge_count"]) == (10000, 2)

    async def test_a_visit_voided_after_the_issue_is_an_adjustment_on_the_next_run(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        march = await issue(client, tokens, month.provider_id, "2026-03")
        assert march["covered_fen"] == 15000
        await deliver(events.cancelled(month.visits[1], "voided", reason="复核作废"))
        april = await run(client, tokens, month.provider_id, "2026-04")
        [adjustment] = await lines(client, tokens, april)
        assert (adjustment["kind"], adjustment["reason"], adjustment["detail"]) == (
            "adjustment",
            "visit_voided",
            "复核作废",
        )
        assert (adjustment["covered_fen"], adjustment["charge_period"]) == (-5000, "2026-03")
        assert (april["covered_fen"], april["adjusted_fen"]) == (-5000, -5000)
        page = await ok(await client.get("/v1/charges?status=reversed", headers=officer(tokens)))
        [reversed_] = page["items"]
        assert (reversed_["visit_id"], reversed_["status_label"], reversed_["outcome_note"]) == (
            str(month.visits[1].visit_id),
            "已冲销",
            "复核作废",
        )
        assert reversed_["reversed_at"] is not None


class TestFlags:
    async def test_a_flag_before_the_completion_withholds_the_visit_with_the_flag(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        enrolled = events.enrolled()
        await deliver(enrolled)
        visit = events.completed(enrolled.beneficiary_id, uuid4())
        raised = events.flag_raised(visit)
        await deliver(raised)  # audit's topic overtook dispatch's
        await deliver(visit)
        statement = await run(client, tokens, visit.provider_id, "2026-03")
        found = await lines(client, tokens, statement)
        [withheld] = found
        assert (withheld["kind"], withheld["reason"], withheld["ref_id"], withheld["withheld_fen"]) == (
            "withheld",
            "visit_flagged",
            str(raised.flag_id),
            5000,
        )
        assert (statement["covered_fen"], statement["withheld_fen"]) == (0, 5000)
        trace = await ok(
            await client.get(
                f"/v1/settlements/{statement['settlement_id']}/lines/{withheld['id']}/trace",
                headers=officer(tokens),
            )
        )
        assert [(f["flag_id"], f["signal"], f["withholds"]) for f in trace["flags"]] == [
            (str(raised.flag_id), "overlapping_visits", True)
        ]

    async def test_a_cleared_flag_releases_the_visit_into_the_next_run(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        raised = events.flag_raised(month.visits[2])
        await deliver(raised)
        march = await issue(client, tokens, month.provider_id, "2026-03")
        assert (march["covered_fen"], march["withheld_fen"]) == (10000, 5000)
        await deliver(events.flag_resolved(raised, "cleared"))
        april = await run(client, tokens, month.provider_id, "2026-04")
        [released] = await lines(client, tokens, april)
        assert (released["kind"], released["reason"], released["covered_fen"], released["ref_id"]) == (
            "adjustment",
            "flag_cleared",
            5000,
            str(raised.flag_id),
        )

    async def test_with_two_open_flags_the_line_names_the_latest_and_the_trace_both(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        signal = events.flag_raised(month.visits[0], raised_at=datetime(2026, 3, 11, 2, tzinfo=UTC))
        survey = events.flag_raised(
            month.visits[0],
            source="survey",
            signal="not_delivered",
            raised_at=datetime(2026, 3, 25, 2, tzinfo=UTC),
        )
        await deliver(survey)
        await deliver(signal)
        statement = await run(client, tokens, month.provider_id, "2026-03")
        [withheld] = by_kind(await lines(client, tokens, statement), "withheld")
        assert (withheld["ref_id"], withheld["withheld_fen"]) == (str(survey.flag_id), 5000)
        trace = await ok(
            await client.get(
                f"/v1/settlements/{statement['settlement_id']}/lines/{withheld['id']}/trace",
                headers=officer(tokens),
            )
        )
        assert {f["flag_id"] for f in trace["flags"]} == {str(signal.flag_id), str(survey.flag_id)}

    async def test_a_confirmed_flag_keeps_the_visit_withheld_whatever_the_order(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        raised = events.flag_raised(month.visits[0])
        await deliver(events.flag_resolved(raised, "confirmed"))  # the resolution came first
        await deliver(raised)
        statement = await run(client, tokens, month.provider_id, "2026-03")
        [withheld] = by_kind(await lines(client, tokens, statement), "withheld")
        assert (withheld["visit_id"], withheld["reason"]) == (str(month.visits[0].visit_id), "visit_flagged")

    async def test_a_flag_on_a_paid_visit_withholds_it_from_the_next_run(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        await issue(client, tokens, month.provider_id, "2026-03")
        await deliver(events.flag_raised(month.visits[0]))
        april = await run(client, tokens, month.provider_id, "2026-04")
        [adjustment] = await lines(client, tokens, april)
        assert (adjustment["reason"], adjustment["covered_fen"]) == ("visit_flagged", -5000)


class TestRecovery:
    async def test_a_paid_visit_is_recovered_with_a_fine_on_the_next_statement_linked_to_the_order(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events, sessions
    ) -> None:
        await issue(client, tokens, month.provider_id, "2026-03")
        order = events.recovery_ordered(month.provider_id, [month.visits[0].visit_id], fine_rate_percent=25)
        await deliver(order)
        await deliver(order)  # redelivered: booked once
        april = await run(client, tokens, month.provider_id, "2026-04")
        found = await lines(client, tokens, april)
        [recovery], [fine] = by_kind(found, "recovery"), by_kind(found, "fine")
        assert (recovery["covered_fen"], recovery["ref_id"], recovery["reason"]) == (
            -5000,
            str(order.recovery_id),
            "recovery_ordered",
        )
        # Nanchang 第四十四条: 25 % of the 5,000 fen obtained.
        assert (fine["covered_fen"], fine["ref_id"], fine["detail"]) == (
            -1250,
            str(order.recovery_id),
            "25% × 5000",
        )
        assert (april["recovered_fen"], april["covered_fen"]) == (-6250, -6250)
        assert reconciles(april, found)
        trace = await ok(
            await client.get(
                f"/v1/settlements/{april['settlement_id']}/lines/{recovery['id']}/trace",
                headers=officer(tokens),
            )
        )
        assert trace["recovery"]["recovery_id"] == str(order.recovery_id)
        assert trace["recovery"]["finding_ids"] == [str(f) for f in order.finding_ids]

        # Issuing April publishes SettlementIssued with the recovery; May books nothing again.
        sid = april["settlement_id"]
        await ok(await client.post(f"/v1/settlements/{sid}/issues", headers=finance(tokens)), 201)
        async with sessions() as s:
            rows = (
                await s.execute(
                    select(MESSAGING.outbox).where(MESSAGING.outbox.c.topic == "billing.settlement")
                )
            ).all()
        april_events = [
            (dict(r.headers)["ce_type"], json.loads(r.payload))
            for r in rows
            if json.loads(r.payload)["period"] == "2026-04"
        ]
        issued = [e for t, e in april_events if t == "billing.settlement.issued.v1"]
        assert [(e["recovery_ids"], e["subsidy_fen"], e["adjustment_fen"], e["lines"]) for e in issued] == [
            ([str(order.recovery_id)], -6250, -6250, 2)
        ]
        # ClawbackApplied, once, with the recovery and the fine as positive figures.
        applied = [e for t, e in april_events if t == "billing.settlement.clawback_applied.v1"]
        assert [
            (e["recovery_id"], e["statement_id"], e["visit_ids"], e["recovered_fen"], e["fine_fen"])
            for e in applied
        ] == [(str(order.recovery_id), sid, [str(month.visits[0].visit_id)], 5000, 1250)]
        may = await run(client, tokens, month.provider_id, "2026-05")
        assert await lines(client, tokens, may) == []

    async def test_a_visit_not_yet_paid_is_withheld_instead_of_recovered(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        order = events.recovery_ordered(month.provider_id, [month.visits[1].visit_id], fine_rate_percent=50)
        await deliver(order)
        march = await run(client, tokens, month.provider_id, "2026-03")
        found = await lines(client, tokens, march)
        [withheld] = by_kind(found, "withheld")
        assert (withheld["visit_id"], withheld["reason"], withheld["ref_id"], withheld["withheld_fen"]) == (
            str(month.visits[1].visit_id),
            "recovery_ordered",
            str(order.recovery_id),
            5000,
        )
        assert by_kind(found, "fine") == [] and by_kind(found, "recovery") == []
        assert march["covered_fen"] == 10000

    async def test_a_paid_visit_a_flag_withheld_is_fined_on_what_was_obtained(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        await issue(client, tokens, month.provider_id, "2026-03")
        raised = events.flag_raised(month.visits[0])
        await deliver(raised)
        await issue(client, tokens, month.provider_id, "2026-04")  # -5000 withheld back
        await deliver(events.flag_resolved(raised, "confirmed"))
        await deliver(
            events.recovery_ordered(month.provider_id, [month.visits[0].visit_id], fine_rate_percent=10)
        )
        may = await run(client, tokens, month.provider_id, "2026-05")
        found = await lines(client, tokens, may)
        assert sorted((ln["kind"], ln["covered_fen"]) for ln in found) == [("fine", -500), ("recovery", 0)]


class TestClaimSampling:
    async def test_off_by_default_a_sample_deducts_nothing(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver, events
    ) -> None:
        await deliver(
            events.claim_sample(month.provider_id, [month.visits[0].visit_id], [month.visits[0].visit_id])
        )
        march = await run(client, tokens, month.provider_id, "2026-03")
        assert (march["deducted_fen"], march["covered_fen"]) == (0, 15000)

    async def test_where_enabled_the_unsampled_visits_lose_the_failure_rate_traceably(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, deliver_with, events, settings
    ) -> None:
        await issue(client, tokens, month.provider_id, "2026-03")
        enabled = settings.model_copy(update={"claim_sampling_deductions": True})
        # 3 sampled (visit 0 and two of another month's list), 1 failed: 1/3 of the unsampled ones.
        sample = events.claim_sample(
            month.provider_id, [month.visits[0].visit_id, uuid4(), uuid4()], [month.visits[0].visit_id]
        )
        await deliver_with(sample, enabled)
        april = await run(client, tokens, month.provider_id, "2026-04")
        found = await lines(client, tokens, april)
        deductions = by_kind(found, "deduction")
        # 5000 × 1 / 3 = 1666.67 → 1667, for visits 1 and 2 (visit 0 was sampled).
        assert sorted((d["visit_id"], d["covered_fen"], d["detail"]) for d in deductions) == sorted(
            (str(v.visit_id), -1667, "1/3") for v in month.visits[1:]
        )
        assert {d["ref_id"] for d in deductions} == {str(sample.sample_id)}
        assert (april["deducted_fen"], april["covered_fen"]) == (-3334, -3334)
        assert reconciles(april, found)
        trace = await ok(
            await client.get(
                f"/v1/settlements/{april['settlement_id']}/lines/{deductions[0]['id']}/trace",
                headers=officer(tokens),
            )
        )
        assert (trace["sample"]["sample_id"], trace["sample"]["failed"], trace["sample"]["sampled"]) == (
            str(sample.sample_id),
            1,
            3,
        )


class TestEntitlementTrace:
    async def test_a_line_traces_to_the_assessment_of_the_entitlement_in_force(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, deliver, events, make_price_list
    ) -> None:
        await make_price_list()
        assessment_id = uuid4()
        enrolled = events.enrolled(assessment_id=assessment_id)
        await deliver(enrolled)
        provider = uuid4()
        change = events.entitlement_changed(enrolled, 9000)
        await deliver(change)
        for day in (datetime(2026, 3, 10, 1, tzinfo=UTC), datetime(2026, 4, 10, 1, tzinfo=UTC)):
            await deliver(events.completed(enrolled.beneficiary_id, provider, checked_in_at=day))
        for period, expected in (("2026-03", assessment_id), ("2026-04", change.assessment_id)):
            statement = await run(client, tokens, provider, period)
            [line] = await lines(client, tokens, statement)
            trace = await ok(
                await client.get(
                    f"/v1/settlements/{statement['settlement_id']}/lines/{line['id']}/trace",
                    headers=officer(tokens),
                )
            )
            assert trace["entitlement"]["assessment_id"] == str(expected)
            assert not any(m.startswith("assessment result") for m in trace["missing"])
        assert trace["entitlement"]["monthly_amount_fen_for_period"] == 9000
        assert trace["entitlement"]["changed_from"] == "2026-04-01"
