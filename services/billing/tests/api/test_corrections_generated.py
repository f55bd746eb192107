"""On generated months with random cancellations, flags, clearances and recoveries before and
after the issue, what the issued statements pay for each visit (charge, adjustment and recovery
lines) is exactly what is payable for it in the end, the fines are rate × what was paid, and every
statement's totals are the sums of its lines."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
RATE = 20


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_issued_statements_pay_each_visit_what_is_payable_in_the_end(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, deliver, events, make_price_list, seed: int
) -> None:
    rng = random.Random(seed)
    headers = tokens.headers("district_officer", region=DISTRICT)
    issuer = tokens.headers("finance", region=DISTRICT)
    await make_price_list()
    enrolled = events.enrolled(monthly_amount_fen=10_000_000)
    await deliver(enrolled)
    provider = uuid4()
    visits = [
        events.completed(
            enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 3, 1 + n % 28, 1, tzinfo=UTC)
        )
        for n in range(24)
    ]
    state = {
        v.visit_id: {"cancelled": False, "flags": {}, "recovered": False, "paid_in_march": False}
        for v in visits
    }
    pending_flags = []

    async def act(visit, issued: bool) -> None:  # type: ignore[no-untyped-def]
        s = state[visit.visit_id]
        choice = rng.choice(["none", "cancel", "flag", "flag_clear", "recover"])
        if choice == "cancel":
            await deliver(events.cancelled(visit, rng.choice(["voided", "cancelled"])))
            s["cancelled"] = True
        elif choice in ("flag", "flag_clear"):
            raised = events.flag_raised(visit)
            await deliver(raised)
            s["flags"][raised.flag_id] = "open"
            if choice == "flag_clear":
                await deliver(events.flag_resolved(raised, "cleared"))
                s["flags"][raised.flag_id] = "cleared"
            elif not issued:
                pending_flags.append((visit.visit_id, raised))
        elif choice == "recover":
            await deliver(events.recovery_ordered(provider, [visit.visit_id], fine_rate_percent=RATE))
            s["recovered"] = True

    for visit in visits:
        await deliver(visit)
        await act(visit, issued=False)

    def payable(s: dict[str, Any]) -> int:
        withheld = s["cancelled"] or s["recovered"] or any(o != "cleared" for o in s["flags"].values())
        return 0 if withheld else 5000

    for s in state.values():
        s["paid_in_march"] = payable(s) == 5000

    body = {"provider_id": str(provider), "district_code": DISTRICT, "period": "2026-03"}
    march = await ok(await client.post("/v1/settlement-runs", json=body, headers=headers), 201)
    await ok(await client.post(f"/v1/settlements/{march['settlement_id']}/issues", headers=issuer), 201)

    # After the issue: more of the same, and some of the open flags resolved either way.
    for visit in visits:
        if rng.random() < 0.5 and not state[visit.visit_id]["recovered"]:
            await act(visit, issued=True)
    for visit_id, raised in pending_flags:
        outcome = rng.choice(["cleared", "confirmed", None])
        if outcome is not None:
            await deliver(events.flag_resolved(raised, outcome))
            state[visit_id]["flags"][raised.flag_id] = outcome

    body["period"] = "2026-04"
    april = await ok(await client.post("/v1/settlement-runs", json=body, headers=headers), 201)
    await ok(await client.post(f"/v1/settlements/{april['settlement_id']}/issues", headers=issuer), 201)

    paid: dict[str, int] = {}
    fines: dict[str, int] = {}
    for statement in (march, april):
        sid = statement["settlement_id"]
        page = await ok(await client.get(f"/v1/settlements/{sid}/lines?limit=100", headers=headers))
        lines = page["items"]
        issued = await ok(await client.get(f"/v1/settlements/{sid}/statement", headers=headers))
        assert issued["covered_fen"] == sum(ln["covered_fen"] for ln in lines)
        assert issued["withheld_fen"] == sum(ln["withheld_fen"] for ln in lines)
        for ln in lines:
            if ln["kind"] in ("charge", "adjustment", "recovery"):
                paid[ln["visit_id"]] = paid.get(ln["visit_id"], 0) + ln["covered_fen"]
            if ln["kind"] == "fine":
                fines[ln["visit_id"]] = fines.get(ln["visit_id"], 0) + ln["covered_fen"]

    for visit in visits:
        s = state[visit.visit_id]
        key = str(visit.visit_id)
        assert paid.get(key, 0) == payable(s), (s, paid.get(key))
        expected_fine = -(5000 * RATE // 100) if s["recovered"] and s["paid_in_march"] else 0
        assert fines.get(key, 0) == expected_fine, s
