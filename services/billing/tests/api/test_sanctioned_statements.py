"""A sanctioned provider's statement (changsha-2024-purchased-door-to-door-rules.md 第十八条): visits
after the sanction are withheld lines with reason ``provider_sanctioned`` and no amount, the totals
are those of the paid lines, and the line's trace names the sanction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from eldercare.common.contracts import SanctionImposed
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
PERIOD = "2026-03"


@dataclass
class SanctionedMonth:
    provider_id: UUID
    paid_visits: list[UUID]
    withheld_visits: list[UUID]
    sanction: SanctionImposed


@pytest.fixture
async def sanctioned(deliver, events, make_price_list) -> SanctionedMonth:  # type: ignore[no-untyped-def]
    """March 2026: the provider makes two CS22 visits at 5,000 before its contract is ended on the
    5th, and two after."""
    await make_price_list()
    enrolled = events.enrolled(monthly_amount_fen=20000)
    await deliver(enrolled)
    provider = uuid4()
    sanction = events.sanction_imposed(provider)
    before = [
        events.completed(enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 3, d, 1, tzinfo=UTC))
        for d in (2, 3)
    ]
    after = [
        events.completed(enrolled.beneficiary_id, provider, checked_in_at=datetime(2026, 3, d, 1, tzinfo=UTC))
        for d in (10, 17)
    ]
    for visit in before:
        await deliver(visit)
    await deliver(sanction)
    for visit in after:
        await deliver(visit)
    return SanctionedMonth(provider, [v.visit_id for v in before], [v.visit_id for v in after], sanction)


def officer(tokens: Tokens) -> dict[str, str]:
    return tokens.headers("district_officer", region=DISTRICT)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def run(client: httpx.AsyncClient, tokens: Tokens, provider_id: UUID) -> dict[str, Any]:
    body = {"provider_id": str(provider_id), "district_code": DISTRICT, "period": PERIOD}
    return await ok(await client.post("/v1/settlement-runs", json=body, headers=officer(tokens)), 201)  # type: ignore[no-any-return]


async def lines_of(client: httpx.AsyncClient, sid: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    page = await ok(await client.get(f"/v1/settlements/{sid}/lines?limit=100", headers=headers))
    return page["items"]  # type: ignore[no-any-return]


async def test_visits_after_the_sanction_are_withheld_lines_and_the_totals_are_the_paid_ones(
    client: httpx.AsyncClient, tokens: Tokens, sanctioned: SanctionedMonth
) -> None:
    statement = await run(client, tokens, sanctioned.provider_id)
    lines = await lines_of(client, statement["settlement_id"], officer(tokens))
    withheld = [ln for ln in lines if ln["kind"] == "withheld"]
    assert sorted(ln["visit_id"] for ln in withheld) == sorted(str(v) for v in sanctioned.withheld_visits)
    assert {(ln["reason"], ln["reason_label"], ln["amount_fen"], ln["covered_fen"]) for ln in withheld} == {
        ("provider_sanctioned", "服务机构已被终止合同或列入失信名单", 0, 0)
    }
    charged = [ln for ln in lines if ln["kind"] == "charge"]
    assert sorted(ln["visit_id"] for ln in charged) == sorted(str(v) for v in sanctioned.paid_visits)
    assert (statement["charge_count"], statement["withheld_count"]) == (2, 2)
    assert statement["gross_fen"] == sum(ln["amount_fen"] for ln in lines) == 10000
    assert statement["covered_fen"] == sum(ln["covered_fen"] for ln in lines) == 10000


async def test_the_trace_of_a_withheld_line_names_the_sanction_and_its_basis(
    client: httpx.AsyncClient, tokens: Tokens, sanctioned: SanctionedMonth
) -> None:
    statement = await run(client, tokens, sanctioned.provider_id)
    lines = await lines_of(client, statement["settlement_id"], officer(tokens))
    [line, *_] = [ln for ln in lines if ln["kind"] == "withheld"]
    url = f"/v1/settlements/{statement['settlement_id']}/lines/{line['id']}/trace"
    trace = await ok(await client.get(url, headers=officer(tokens)))
    s = sanctioned.sanction
    assert trace["sanction"]["sanction_id"] == str(s.sanction_id)
    assert trace["sanction"]["notice_id"] == str(s.notice_id)
    assert trace["sanction"]["measures"] == ["end_contract", "blacklist"]
    assert trace["sanction"]["basis"] == ["changsha-2024-purchased-door-to-door-rules.md 第十八条"]
    [paid, *_] = [ln for ln in lines if ln["kind"] == "charge"]
    url = f"/v1/settlements/{statement['settlement_id']}/lines/{paid['id']}/trace"
    assert (await ok(await client.get(url, headers=officer(tokens))))["sanction"] is None


async def test_another_provider_cannot_read_the_trace_of_a_sanctioned_line(
    client: httpx.AsyncClient, tokens: Tokens, sanctioned: SanctionedMonth
) -> None:
    statement = await run(client, tokens, sanctioned.provider_id)
    lines = await lines_of(client, statement["settlement_id"], officer(tokens))
    [line, *_] = [ln for ln in lines if ln["kind"] == "withheld"]
    url = f"/v1/settlements/{statement['settlement_id']}/lines/{line['id']}/trace"
    response = await client.get(url, headers=tokens.headers("provider_admin", provider_id=str(uuid4())))
    assert response.status_code == 404
    own = tokens.headers("provider_admin", provider_id=str(sanctioned.provider_id))
    assert (await ok(await client.get(url, headers=own)))["sanction"]["sanction_id"] == str(
        sanctioned.sanction.sanction_id
    )
