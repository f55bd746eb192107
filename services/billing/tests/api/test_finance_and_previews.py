"""Who runs and issues statements (issue #6: "the finance role issues runs"), and the previews and
clawbacks a run or an issue publishes (SettlementPreviewed, ClawbackApplied)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.application.handlers import close_ended_months
from eldercare.common.testing.plugin import Tokens
from eldercare.common.uow import UnitOfWork

DISTRICT = "430102"
PERIOD = "2026-03"


@pytest.fixture
async def provider(deliver, events, make_price_list) -> tuple[UUID, UUID]:  # type: ignore[no-untyped-def]
    """March 2026: one beneficiary (12,000 fen a month) and two CS22 visits at 5,000 of one provider."""
    await make_price_list()
    enrolled = events.enrolled(monthly_amount_fen=12000)
    await deliver(enrolled)
    provider_id = uuid4()
    for day in (3, 10):
        at = datetime(2026, 3, day, 1, tzinfo=UTC)
        await deliver(events.completed(enrolled.beneficiary_id, provider_id, checked_in_at=at))
    return provider_id, enrolled.beneficiary_id


def as_(tokens: Tokens, role: str, region: str = DISTRICT, **claims: Any) -> dict[str, str]:
    return tokens.headers(role, region=region, **claims)


async def run(
    client: httpx.AsyncClient, headers: dict[str, str], provider_id: UUID, period: str = PERIOD
) -> Any:
    body = {"provider_id": str(provider_id), "district_code": DISTRICT, "period": period}
    return await client.post("/v1/settlement-runs", json=body, headers=headers)


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


class TestFinanceRole:
    async def test_finance_runs_issues_and_reads_the_statement(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider
    ) -> None:
        provider_id, _ = provider
        finance = as_(tokens, "finance")
        preview = await ok(await run(client, finance, provider_id), 201)
        sid = preview["settlement_id"]
        issued = await ok(await client.post(f"/v1/settlements/{sid}/issues", headers=finance), 201)
        assert (issued["status"], issued["covered_fen"]) == ("issued", 10000)
        assert issued["issued_by"]  # the finance officer who issued it
        await ok(await client.get(f"/v1/settlements/{sid}/statement", headers=finance))
        await ok(await client.get(f"/v1/settlements/{sid}/lines", headers=finance))
        await ok(await client.get(f"/v1/charges?provider_id={provider_id}", headers=finance))

    async def test_a_city_finance_officer_issues_for_any_district_of_the_city(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider
    ) -> None:
        provider_id, _ = provider
        sid = (await ok(await run(client, as_(tokens, "district_officer"), provider_id), 201))[
            "settlement_id"
        ]
        city = as_(tokens, "finance", region="4301")
        await ok(await client.post(f"/v1/settlements/{sid}/issues", headers=city), 201)

    @pytest.mark.parametrize("role", ["district_officer", "city_admin", "auditor"])
    async def test_government_staff_other_than_finance_preview_but_may_not_issue(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider, role: str
    ) -> None:
        provider_id, _ = provider
        finance = as_(tokens, "finance")
        sid = (await ok(await run(client, finance, provider_id), 201))["settlement_id"]
        if role != "auditor":  # auditors read; they neither run nor issue
            await ok(await run(client, as_(tokens, role), provider_id), 201)
        else:
            assert (await run(client, as_(tokens, role), provider_id)).status_code == 403
        response = await client.post(f"/v1/settlements/{sid}/issues", headers=as_(tokens, role))
        assert response.status_code == 403
        assert "finance" in response.json()["detail"]

    async def test_a_provider_admin_may_neither_run_nor_issue(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider
    ) -> None:
        provider_id, _ = provider
        sid = (await ok(await run(client, as_(tokens, "finance"), provider_id), 201))["settlement_id"]
        admin = tokens.headers("provider_admin", provider_id=str(provider_id))
        assert (await run(client, admin, provider_id)).status_code == 403
        assert (await client.post(f"/v1/settlements/{sid}/issues", headers=admin)).status_code == 403

    async def test_finance_of_another_district_sees_404_and_may_not_run_here(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider
    ) -> None:
        provider_id, _ = provider
        sid = (await ok(await run(client, as_(tokens, "finance"), provider_id), 201))["settlement_id"]
        other = as_(tokens, "finance", region="430103")
        assert (await client.post(f"/v1/settlements/{sid}/issues", headers=other)).status_code == 404
        for path in ("", "/statement", "/lines", "/statement.csv"):
            assert (await client.get(f"/v1/settlements/{sid}{path}", headers=other)).status_code == 404
        page = await ok(await client.get(f"/v1/settlements?provider_id={provider_id}", headers=other))
        assert page["items"] == []
        # The body names a district the caller does not cover: 403 naming the field.
        response = await run(client, other, provider_id)
        assert response.status_code == 403
        assert "district" in response.json()["detail"]
        # Still a preview: nothing was issued by the other district's finance.
        statement = await ok(
            await client.get(f"/v1/settlements/{sid}/statement", headers=as_(tokens, "finance"))
        )
        assert statement["status"] == "preview"


class TestPreviewedEvents:
    async def test_a_preview_is_published_when_first_run_and_again_only_when_its_figures_change(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider, deliver, events, published
    ) -> None:
        provider_id, beneficiary_id = provider
        officer = as_(tokens, "district_officer")
        first = await ok(await run(client, officer, provider_id), 201)
        await ok(await run(client, officer, provider_id), 201)  # same figures: nothing new
        [(_, previewed)] = await published("billing.settlement.previewed")
        assert (previewed["statement_id"], previewed["period"], previewed["lines"]) == (
            first["settlement_id"],
            PERIOD,
            2,
        )
        assert (previewed["subsidy_fen"], previewed["self_pay_fen"], previewed["withheld_fen"]) == (
            10000,
            0,
            0,
        )

        await deliver(events.completed(beneficiary_id, provider_id))  # 10 March again: 2,000 + 3,000 self-pay
        await ok(await run(client, officer, provider_id), 201)
        figures = [
            (e["lines"], e["subsidy_fen"], e["self_pay_fen"])
            for _, e in await published("billing.settlement.previewed")
        ]
        assert figures == [(2, 10000, 0), (3, 12000, 3000)]

    async def test_issuing_publishes_no_preview_and_an_issued_statement_is_not_previewed_again(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider, published
    ) -> None:
        provider_id, _ = provider
        finance = as_(tokens, "finance")
        sid = (await ok(await run(client, finance, provider_id), 201))["settlement_id"]
        await ok(await client.post(f"/v1/settlements/{sid}/issues", headers=finance), 201)
        await ok(await run(client, finance, provider_id), 201)
        kinds = [t for t, _ in await published("billing.settlement.")]
        assert kinds == ["billing.settlement.previewed.v1", "billing.settlement.issued.v1"]

    async def test_a_month_wide_run_previews_each_provider_once(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider, deliver, events, published
    ) -> None:
        provider_id, beneficiary_id = provider
        other = uuid4()
        await deliver(events.completed(beneficiary_id, other))
        body = {"region_code": DISTRICT, "period": PERIOD}
        officer = as_(tokens, "district_officer")
        await ok(await client.post("/v1/monthly-settlement-runs", json=body, headers=officer), 201)
        await ok(await client.post("/v1/monthly-settlement-runs", json=body, headers=officer), 201)
        previewed = sorted(e["provider_id"] for _, e in await published("billing.settlement.previewed"))
        assert previewed == sorted([str(provider_id), str(other)])


class TestClawbackApplied:
    async def test_a_recovery_carried_out_by_an_issued_statement_is_applied_once(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider, deliver, events, published
    ) -> None:
        provider_id, _ = provider
        finance = as_(tokens, "finance")
        march = await ok(await run(client, finance, provider_id), 201)
        await ok(await client.post(f"/v1/settlements/{march['settlement_id']}/issues", headers=finance), 201)
        lines = (
            await ok(await client.get(f"/v1/settlements/{march['settlement_id']}/lines", headers=finance))
        )["items"]
        visits = sorted(line["visit_id"] for line in lines)
        order = events.recovery_ordered(provider_id, [UUID(v) for v in visits], fine_rate_percent=10)
        await deliver(order)
        # The order withholds both paid charges (ChargeWithheld, recovery_ordered).
        withheld = [(e["visit_id"], e["reason"]) for _, e in await published("billing.charge.withheld")]
        assert sorted(withheld) == [(v, "recovery_ordered") for v in visits]
        april = await ok(await run(client, finance, provider_id, "2026-04"), 201)
        assert await published("billing.settlement.clawback_applied") == []  # a preview applies nothing
        await ok(await client.post(f"/v1/settlements/{april['settlement_id']}/issues", headers=finance), 201)
        [(_, applied)] = await published("billing.settlement.clawback_applied")
        assert (applied["recovery_id"], applied["statement_id"], applied["period"]) == (
            str(order.recovery_id),
            april["settlement_id"],
            "2026-04",
        )
        assert (sorted(applied["visit_ids"]), applied["recovered_fen"], applied["fine_fen"]) == (
            visits,
            10000,
            1000,
        )
        # May carries nothing of it again.
        may = await ok(await run(client, finance, provider_id, "2026-05"), 201)
        await ok(await client.post(f"/v1/settlements/{may['settlement_id']}/issues", headers=finance), 201)
        assert len(await published("billing.settlement.clawback_applied")) == 1


class TestClosedAccounts:
    async def test_an_account_read_shows_when_and_why_it_closed_and_what_lapsed(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, provider, sessions
    ) -> None:
        _, beneficiary_id = provider
        url = f"/v1/accounts?beneficiary_id={beneficiary_id}&period={PERIOD}"
        [account] = (await ok(await client.get(url, headers=as_(tokens, "finance"))))["items"]
        assert (account["closed_at"], account["close_reason"], account["lapsed_fen"]) == (None, None, None)
        async with UnitOfWork(sessions, MESSAGING, source="billing") as uow:
            await close_ended_months(uow, now=datetime(2026, 4, 1, 1, tzinfo=UTC))
            await uow.commit()
        [account] = (await ok(await client.get(url, headers=as_(tokens, "finance"))))["items"]
        assert (account["close_reason"], account["used_fen"], account["lapsed_fen"]) == (
            "month_ended",
            10000,
            2000,
        )
        assert account["closed_at"] is not None
