"""Settlement runs and statements: preview, idempotent reruns, issue, adjustments after issue,
exports with Chinese headers, line traces, and who may see or run what."""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from openpyxl import load_workbook

from eldercare.common.clock import month_of, utcnow
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
PERIOD = "2026-03"
APRIL_VISIT = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)


def next_month(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


@dataclass
class Month:
    beneficiary_id: UUID
    provider_id: UUID
    other_provider_id: UUID
    posted_visits: list[UUID]
    held_visit: UUID


@pytest.fixture
async def month(deliver, events, make_price_list) -> Month:  # type: ignore[no-untyped-def]
    """March 2026 in 芙蓉区: one beneficiary with 12,000 fen a month; provider A makes three
    CS22 visits at 5,000 (the third partly self-paid) and one unverified visit; provider B one."""
    await make_price_list()
    enrolled = events.enrolled(monthly_amount_fen=12000)
    await deliver(enrolled)
    a, b = uuid4(), uuid4()
    posted = [
        events.completed(enrolled.beneficiary_id, a, checked_in_at=datetime(2026, 3, d, 1, tzinfo=UTC))
        for d in (3, 10, 17)
    ]
    held = events.completed(enrolled.beneficiary_id, a, verified=False, verification_notes=["no photo"])
    for visit in [*posted, held, events.completed(enrolled.beneficiary_id, b)]:
        await deliver(visit)
    return Month(enrolled.beneficiary_id, a, b, [v.visit_id for v in posted], held.visit_id)


def officer(tokens: Tokens, region: str = DISTRICT) -> dict[str, str]:
    return tokens.headers("district_officer", region=region)


def finance(tokens: Tokens, region: str = DISTRICT) -> dict[str, str]:
    """The bureau's finance staff, who issue statements (issue #6)."""
    return tokens.headers("finance", region=region)


async def run(
    client: httpx.AsyncClient, headers: dict[str, str], provider_id: UUID, period: str = PERIOD, **extra: Any
) -> httpx.Response:
    body = {"provider_id": str(provider_id), "district_code": DISTRICT, "period": period, **extra}
    return await client.post("/v1/settlement-runs", json=body, headers=headers)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def lines_of(
    client: httpx.AsyncClient, settlement_id: str, headers: dict[str, str]
) -> list[dict[str, Any]]:
    page = await ok(await client.get(f"/v1/settlements/{settlement_id}/lines?limit=100", headers=headers))
    assert page["next_cursor"] is None
    return page["items"]


class TestRuns:
    async def test_a_run_previews_one_line_per_charged_visit_with_subsidy_and_self_pay_totals(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        statement = await ok(await run(client, officer(tokens), month.provider_id), 201)
        assert (statement["status"], statement["status_label"]) == ("preview", "预览")
        assert (statement["gross_fen"], statement["covered_fen"], statement["self_pay_fen"]) == (
            15000,
            12000,
            3000,
        )
        assert (statement["charge_count"], statement["adjustment_count"], statement["withheld_count"]) == (
            3,
            0,
            1,
        )
        lines = await lines_of(client, statement["settlement_id"], officer(tokens))
        charged = sorted((ln for ln in lines if ln["kind"] == "charge"), key=lambda ln: ln["visit_on"])
        assert [ln["visit_id"] for ln in charged] == [str(v) for v in month.posted_visits]
        assert [(ln["covered_fen"], ln["self_pay_fen"]) for ln in charged] == [
            (5000, 0),
            (5000, 0),
            (2000, 3000),
        ]
        [withheld] = [ln for ln in lines if ln["kind"] == "withheld"]
        assert (withheld["visit_id"], withheld["amount_fen"], withheld["reason"]) == (
            str(month.held_visit),
            0,
            "unverified",
        )

    async def test_running_twice_gives_the_same_statement(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        first = await ok(await run(client, officer(tokens), month.provider_id), 201)
        first_lines = await lines_of(client, first["settlement_id"], officer(tokens))
        second = await ok(await run(client, officer(tokens), month.provider_id), 201)
        second_lines = await lines_of(client, second["settlement_id"], officer(tokens))
        ignore = {"generated_at"}
        assert {k: v for k, v in first.items() if k not in ignore} == {
            k: v for k, v in second.items() if k not in ignore
        }
        assert first_lines == second_lines

    async def test_a_run_for_a_future_month_is_refused_naming_the_period(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        response = await run(
            client, officer(tokens), month.provider_id, period=next_month(month_of(utcnow()))
        )
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "period" in response.text

    async def test_a_malformed_period_is_refused_naming_the_field(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        response = await run(client, officer(tokens), month.provider_id, period="2026-13")
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["period"]

    async def test_an_officer_cannot_run_another_districts_settlement(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        response = await run(client, officer(tokens, "430103"), month.provider_id)
        assert response.status_code == 403
        assert "district_code" in response.text

    async def test_a_provider_admin_cannot_run_a_settlement(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        headers = tokens.headers("provider_admin", provider_id=str(month.provider_id))
        assert (await run(client, headers, month.provider_id)).status_code == 403


class TestIssue:
    async def test_an_issued_statement_no_longer_changes_and_a_late_charge_is_adjusted_next_month(
        self,
        client: httpx.AsyncClient,
        tokens: Tokens,
        month: Month,
        deliver,
        events,  # type: ignore[no-untyped-def]
    ) -> None:
        preview = await ok(await run(client, officer(tokens), month.provider_id), 201)
        sid = preview["settlement_id"]
        issued = await ok(await client.post(f"/v1/settlements/{sid}/issues", headers=finance(tokens)), 201)
        assert (issued["status"], issued["covered_fen"], issued["issued_by"]) == (
            "issued",
            12000,
            issued["issued_by"],
        )
        assert issued["issued_at"] is not None
        # A March visit arrives after the issue: the enrolment of another beneficiary covers it.
        late_beneficiary = events.enrolled(monthly_amount_fen=4000)
        await deliver(late_beneficiary)
        late = events.completed(late_beneficiary.beneficiary_id, month.provider_id)
        await deliver(late)

        rerun = await ok(await run(client, officer(tokens), month.provider_id), 201)
        assert {k: rerun[k] for k in ("status", "covered_fen", "charge_count", "issued_at")} == {
            k: issued[k] for k in ("status", "covered_fen", "charge_count", "issued_at")
        }
        april = await ok(await run(client, officer(tokens), month.provider_id, period="2026-04"), 201)
        assert (
            april["adjustment_count"],
            april["adjusted_fen"],
            april["covered_fen"],
            april["self_pay_fen"],
        ) == (
            1,
            4000,
            4000,
            1000,
        )
        [adjustment] = await lines_of(client, april["settlement_id"], officer(tokens))
        assert (adjustment["kind"], adjustment["visit_id"], adjustment["charge_period"]) == (
            "adjustment",
            str(late.visit_id),
            PERIOD,
        )
        assert (adjustment["reason"], adjustment["reason_label"]) == ("late_charge", "结算单出具后入账的服务")

    async def test_an_adjustment_issued_once_is_not_repeated(
        self,
        client: httpx.AsyncClient,
        tokens: Tokens,
        month: Month,
        deliver,
        events,  # type: ignore[no-untyped-def]
    ) -> None:
        march = await ok(await run(client, officer(tokens), month.provider_id), 201)
        await ok(
            await client.post(f"/v1/settlements/{march['settlement_id']}/issues", headers=finance(tokens)),
            201,
        )
        await deliver(events.completed(month.beneficiary_id, month.provider_id))  # late, all self-paid
        april = await ok(await run(client, officer(tokens), month.provider_id, period="2026-04"), 201)
        await ok(
            await client.post(f"/v1/settlements/{april['settlement_id']}/issues", headers=finance(tokens)),
            201,
        )
        may = await ok(await run(client, officer(tokens), month.provider_id, period="2026-05"), 201)
        assert (april["adjustment_count"], april["self_pay_fen"]) == (1, 5000)
        assert (may["adjustment_count"], may["gross_fen"]) == (0, 0)

    async def test_re_issuing_an_issued_statement_is_a_conflict(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        await ok(await client.post(f"/v1/settlements/{sid}/issues", headers=finance(tokens)), 201)
        again = await client.post(f"/v1/settlements/{sid}/issues", headers=finance(tokens))
        assert again.status_code == 409

    async def test_the_current_month_can_be_previewed_but_not_issued(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        current = month_of(utcnow())
        sid = (await ok(await run(client, officer(tokens), month.provider_id, period=current), 201))[
            "settlement_id"
        ]
        response = await client.post(f"/v1/settlements/{sid}/issues", headers=finance(tokens))
        assert response.status_code == 409
        assert "not over" in response.json()["detail"]

    async def test_another_districts_finance_cannot_issue_and_sees_404(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        response = await client.post(f"/v1/settlements/{sid}/issues", headers=finance(tokens, "430103"))
        assert response.status_code == 404

    async def test_issuing_before_any_run_is_a_conflict(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        page = await ok(
            await client.get(f"/v1/settlements?provider_id={month.provider_id}", headers=officer(tokens))
        )
        [settlement] = page["items"]
        response = await client.post(f"/v1/settlements/{settlement['id']}/issues", headers=finance(tokens))
        assert response.status_code == 409


class TestExports:
    async def test_a_provider_admin_downloads_their_statement_as_csv_with_chinese_headers(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        headers = tokens.headers("provider_admin", provider_id=str(month.provider_id))
        response = await client.get(f"/v1/settlements/{sid}/statement.csv", headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:4] == ["结算单编号", "服务机构编号", "区县代码", "结算月份"]
        assert rows[1][3:8] == [PERIOD, "预览", "15000", "12000", "3000"]
        assert rows[3][:3] == ["行号", "类型", "服务日期"]
        body = rows[4:]
        assert [r[1] for r in body] == ["服务费用", "服务费用", "服务费用", "不予结算"]
        assert sum(int(r[11]) for r in body) == 12000
        assert body[3][13] == "服务未通过核验"

    async def test_a_district_officer_downloads_the_xlsx_with_both_sheets(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        response = await client.get(f"/v1/settlements/{sid}/statement.xlsx", headers=officer(tokens))
        assert response.status_code == 200
        book = load_workbook(io.BytesIO(response.content), read_only=True)
        assert book.sheetnames == ["结算汇总", "结算明细"]
        detail = list(book["结算明细"].iter_rows(values_only=True))
        assert detail[0][10:13] == ("金额（分）", "补贴支付（分）", "个人自付（分）")
        assert [row[11] for row in detail[1:]] == [5000, 5000, 2000, 0]

    @pytest.mark.parametrize(
        "suffix", ["statement.csv", "statement.xlsx", "statement.pdf", "statement", "lines"]
    )
    async def test_another_provider_or_district_gets_404_for_the_statement(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month, suffix: str
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        for headers in (
            tokens.headers("provider_admin", provider_id=str(month.other_provider_id)),
            officer(tokens, "430103"),
        ):
            response = await client.get(f"/v1/settlements/{sid}/{suffix}", headers=headers)
            assert response.status_code == 404, (suffix, headers)


class TestTrace:
    async def test_a_line_traces_to_its_visit_price_list_and_entitlement_clauses(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        lines = await lines_of(client, sid, officer(tokens))
        line = next(ln for ln in lines if ln["visit_id"] == str(month.posted_visits[0]))
        trace = await ok(
            await client.get(f"/v1/settlements/{sid}/lines/{line['id']}/trace", headers=officer(tokens))
        )
        assert trace["line"]["id"] == line["id"]
        assert trace["charge"]["id"] == line["charge_id"]
        visit = trace["visit"]
        assert (visit["visit_id"], visit["verified"], visit["duration_minutes"]) == (
            line["visit_id"],
            True,
            60,
        )
        assert visit["care_plan_id"] is not None and visit["checked_out_at"] is not None
        assert (trace["price"]["unit_price_fen"], trace["price"]["region_code"]) == (5000, DISTRICT)
        entitlement = trace["entitlement"]
        assert (entitlement["policy_pack_id"], entitlement["policy_version"]) == ("changsha-2024", "2024.1")
        assert entitlement["basis"][0]["article"] == "第五条"
        assert (entitlement["status_on_visit_day"], entitlement["assessment_level"]) == ("active", 1)
        assert any("assessment" in m for m in trace["missing"])

    async def test_another_provider_cannot_trace_a_line(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        [line, *_] = await lines_of(client, sid, officer(tokens))
        headers = tokens.headers("provider_admin", provider_id=str(month.other_provider_id))
        response = await client.get(f"/v1/settlements/{sid}/lines/{line['id']}/trace", headers=headers)
        assert response.status_code == 404

    async def test_an_unknown_line_is_404(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        sid = (await ok(await run(client, officer(tokens), month.provider_id), 201))["settlement_id"]
        response = await client.get(f"/v1/settlements/{sid}/lines/{uuid4()}/trace", headers=officer(tokens))
        assert response.status_code == 404


async def test_statement_totals_agree_to_the_fen_with_a_plain_recomputation_from_visits_and_prices(
    client: httpx.AsyncClient,
    tokens: Tokens,
    deliver,
    events,
    make_price_list,  # type: ignore[no-untyped-def]
) -> None:
    """Generated March: 6 beneficiaries, 2 providers, 60 visits of two services at random times
    and durations; the expected split is recomputed here from the prices and entitlements alone."""
    rng = random.Random(20260301)
    await make_price_list(items=(("CS22", "visit", 5000), ("CS25", "hour", 6000)))
    prices = {"CS22": lambda m: 5000, "CS25": lambda m: (2 * 6000 * m + 60) // 120}
    beneficiaries = {}
    for _ in range(6):
        enrolled = events.enrolled(monthly_amount_fen=rng.choice([0, 8000, 20000]))
        await deliver(enrolled)
        beneficiaries[enrolled.beneficiary_id] = enrolled.entitlement.monthly_amount_fen
    providers = [uuid4(), uuid4()]
    remaining = dict(beneficiaries)
    expected = {p: [0, 0, 0] for p in providers}  # gross, covered, self-pay
    for _ in range(60):
        beneficiary = rng.choice(list(beneficiaries))
        provider = rng.choice(providers)
        code = rng.choice(["CS22", "CS25"])
        minutes = rng.randint(10, 150)
        at = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=rng.randint(0, 30 * 24 * 60 - 1))
        await deliver(
            events.completed(
                beneficiary, provider, service_code=code, duration_minutes=minutes, checked_in_at=at
            )
        )
        amount = prices[code](minutes)
        covered = min(amount, remaining[beneficiary])
        remaining[beneficiary] -= covered
        expected[provider] = [
            x + y for x, y in zip(expected[provider], (amount, covered, amount - covered), strict=True)
        ]
    for provider in providers:
        statement = await ok(await run(client, officer(tokens), provider), 201)
        lines = await lines_of(client, statement["settlement_id"], officer(tokens))
        totals = [statement["gross_fen"], statement["covered_fen"], statement["self_pay_fen"]]
        assert totals == expected[provider]
        assert totals == [sum(ln[k] for ln in lines) for k in ("amount_fen", "covered_fen", "self_pay_fen")]
        assert statement["charge_count"] == len(lines)


class TestMonthRuns:
    async def test_a_month_run_previews_every_providers_statement_as_single_runs_would(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        body = {"region_code": DISTRICT, "period": PERIOD}
        response = await client.post("/v1/monthly-settlement-runs", json=body, headers=officer(tokens))
        found = (await ok(response, 201))["statements"]
        assert sorted(s["provider_id"] for s in found) == sorted(
            str(p) for p in (month.provider_id, month.other_provider_id)
        )
        for statement in found:
            single = await ok(await run(client, officer(tokens), UUID(statement["provider_id"])), 201)
            assert (single["settlement_id"], single["covered_fen"], single["charge_count"]) == (
                statement["settlement_id"],
                statement["covered_fen"],
                statement["charge_count"],
            )

    async def test_another_districts_officer_cannot_run_the_month(
        self, client: httpx.AsyncClient, tokens: Tokens, month: Month
    ) -> None:
        body = {"region_code": DISTRICT, "period": PERIOD}
        response = await client.post(
            "/v1/monthly-settlement-runs", json=body, headers=officer(tokens, "430103")
        )
        assert response.status_code == 403
