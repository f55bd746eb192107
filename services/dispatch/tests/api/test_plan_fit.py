"""Issue #5: a care plan must fit the beneficiary's monthly entitlement (money at billing's price
list, and/or minutes); the excess only as self-paid visits. Prices and entitlements come in
through the real consumer handlers (PriceListPublished, BeneficiaryEntitlementChanged)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from aiokafka.structs import ConsumerRecord
from sqlalchemy import func, select, update

from eldercare.common.clock import local_date, utcnow
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import REGISTRY, BeneficiaryEntitlementChanged, PriceListPublished
from eldercare.common.testing.records import kafka_record
from eldercare.dispatch.adapters.models import BeneficiaryEntitlementRow, CarePlanRow, PriceListRow
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.consumers import SUBSCRIPTIONS

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def prices(*items: tuple[str, str, int], region: str = "430102", since: date = date(2024, 1, 1), **kw: Any):  # type: ignore[no-untyped-def]
    return PriceListPublished(
        price_list_id=kw.get("price_list_id", uuid4()),
        region_code=region,
        effective_from=since,
        items=[{"service_code": c, "unit": u, "unit_price_fen": f} for c, u, f in items],
        published_at=T0,
    )


# CS15 1,000 a visit, CS22 5,000 a visit, CS25 6,000 an hour: 12,000 fen for one 60-minute visit of each.
FULL = (("CS15", "visit", 1000), ("CS22", "visit", 5000), ("CS25", "hour", 6000))


def errors(response) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [(e["field"], e["message"]) for e in response.json()["errors"]]


async def plan_count(sessions) -> int:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(CarePlanRow)) or 0)


class TestMoney:
    async def test_over_the_amount_is_refused_naming_the_field_and_nothing_is_written(  # type: ignore[no-untyped-def]
        self, world, outbox, sessions
    ) -> None:
        await world.deliver(prices(*FULL))
        provider = await world.provider()
        beneficiary = await world.beneficiary()  # 60,000 fen a month
        body = world.plan_body(beneficiary.beneficiary_id)  # 3 items x 8 visits = 96,000 fen
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        [(field, message)] = errors(response)
        assert field == "frequency_per_month"
        assert "96000 fen" in message and "60000 fen" in message and "self_paid_per_month" in message
        assert "price list of 2024-01-01 for 430102" in message
        assert await outbox() == [] and await plan_count(sessions) == 0

    async def test_the_excess_visits_marked_self_paid_fit(self, world) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(prices(*FULL))
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=3)
        # 5 covered visits x 12,000 = 60,000: exactly the entitlement.
        assert (plan["self_paid_per_month"], plan["minutes_per_visit"]) == (3, 60)
        assert plan["fit"] == {
            "status": "fits",
            "status_label": "在待遇额度内",
            "monthly_cost_fen": 60000,
            "monthly_minutes": 900,
            "note": None,
            "checked_on": local_date(utcnow()).isoformat(),
        }
        got = (await world.client.get(f"/v1/care-plans/{plan['id']}", headers=world.officer())).json()
        assert got["fit"] == plan["fit"]

    async def test_an_hourly_price_is_pro_rata_on_the_visit_and_half_up_to_the_fen(self, world) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(prices(("CS25", "hour", 6001)))
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(
            provider["id"], beneficiary.beneficiary_id, service_codes=["CS25"], minutes_per_visit=45
        )
        # 6,001 x 45 / 60 = 4,500.75 -> 4,501 a visit; 8 visits.
        assert plan["fit"]["monthly_cost_fen"] == 8 * 4501
        assert plan["fit"]["monthly_minutes"] == 8 * 45

    async def test_more_self_paid_than_visits_is_refused(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        body = world.plan_body(beneficiary.beneficiary_id, self_paid_per_month=9)
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        assert [f for f, _ in errors(response)] == ["self_paid_per_month"]

    async def test_the_latest_list_in_force_for_the_district_prices(self, world) -> None:  # type: ignore[no-untyped-def]
        # The city's list, then the district's from a later date; a list of the future is not in force.
        await world.deliver(prices(("CS22", "visit", 9000), region="4301", since=date(2024, 1, 1)))
        await world.deliver(prices(("CS22", "visit", 4000), since=date(2025, 1, 1)))
        await world.deliver(prices(("CS22", "visit", 1), since=date.today() + timedelta(days=40)))
        await world.deliver(prices(("CS22", "visit", 1), region="430103"))
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, service_codes=["CS22"])
        assert plan["fit"]["monthly_cost_fen"] == 8 * 4000


class TestNoPriceInForce:
    async def test_an_unpriced_item_is_accepted_unchecked_naming_it(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(prices(("CS22", "visit", 3000), ("CS25", "visit", 3000)))
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)  # 48,000 priced
        assert plan["fit"]["status"] == "unchecked"
        assert plan["fit"]["monthly_cost_fen"] is None
        # The local day (Asia/Shanghai), as the check uses: from 16:00 UTC it is the next day.
        today = local_date(utcnow()).isoformat()
        assert plan["fit"]["note"] == f"no price in force for CS15 in 430102 on {today}"
        assert [t for t, _ in await outbox()] == ["dispatch.care_plan.activated.v1"]

    async def test_priced_items_already_over_the_amount_are_refused_all_the_same(self, world) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(prices(("CS22", "visit", 5000), ("CS25", "visit", 4000)))
        provider = await world.provider()
        beneficiary = await world.beneficiary(entitlement={"monthly_amount_fen": 30000})
        body = world.plan_body(beneficiary.beneficiary_id)
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        [(field, message)] = errors(response)
        assert field == "frequency_per_month" and "72000 fen" in message and "without CS15" in message
        # The e2e scenario's plan: 5 of 8 visits self-paid, 3 x 9,000 = 27,000 within 30,000.
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=5)
        assert plan["fit"]["status"] == "unchecked"

    async def test_no_price_list_at_all_is_unchecked(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        assert plan["fit"]["status"] == "unchecked" and "CS15, CS22, CS25" in plan["fit"]["note"]


class TestMinutes:
    async def test_a_minutes_entitlement_counts_the_visits_within_it(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary(
            entitlement={"monthly_amount_fen": None, "monthly_minutes": 600}
        )
        body = world.plan_body(beneficiary.beneficiary_id)  # 3 x 8 x 60 = 1,440 minutes
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        [(field, message)] = errors(response)
        assert field == "frequency_per_month" and "1440 minutes" in message and "600 minutes" in message
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=5)
        # No money entitlement: prices do not matter, the minutes fit (3 x 3 x 60 = 540).
        assert plan["fit"] == {
            "status": "fits",
            "status_label": "在待遇额度内",
            "monthly_cost_fen": None,
            "monthly_minutes": 540,
            "note": None,
            "checked_on": local_date(utcnow()).isoformat(),
        }


def entitlement_changed(
    beneficiary_id: UUID, amount: int, at: datetime, on: date
) -> BeneficiaryEntitlementChanged:
    return BeneficiaryEntitlementChanged(
        beneficiary_id=beneficiary_id,
        district_code="430102",
        reason="reassessment",
        assessment_level=1,
        policy={"pack_id": "changsha-2024", "version": "2024.1"},
        entitlement={
            "monthly_amount_fen": amount,
            "service_categories": ["daily_living", "welfare_visit", "health_management", "emotional_comfort"],
            "basis": [{"source": "changsha-2024-purchased-door-to-door-rules.md", "article": "第五条"}],
        },
        effective_on=on,
        changed_at=at,
    )


class TestEntitlementChangesAndVersions:
    async def test_a_new_version_is_checked_against_the_changed_entitlement(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(prices(*FULL))
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=3)
        this_month = date.today().replace(day=1)
        lowered = entitlement_changed(beneficiary.beneficiary_id, 24000, datetime.now(UTC), this_month)
        await world.deliver(lowered)
        await world.deliver(lowered)  # redelivered: kept once
        stale = entitlement_changed(
            beneficiary.beneficiary_id, 99999, datetime.now(UTC) - timedelta(days=1), this_month
        )
        await world.deliver(stale)  # an older record of the same month does not win
        async with sessions() as s:
            rows = (await s.scalars(select(BeneficiaryEntitlementRow))).all()
        assert sorted((r.effective_on, r.monthly_amount_fen) for r in rows)[-1] == (this_month, 24000)
        url = f"/v1/care-plans/{plan['id']}/versions"
        body = {
            "service_codes": ["CS15", "CS22", "CS25"],
            "frequency_per_month": 8,
            "agreement": {"signed_on": date.today().isoformat(), "duration_months": 12},
            "self_paid_per_month": 3,
        }
        response = await world.client.post(url, json=body, headers=world.admin(provider["id"]))
        [(field, message)] = errors(response)
        assert field == "frequency_per_month" and "60000 fen" in message and "24000 fen" in message
        response = await world.client.post(
            url, json={**body, "self_paid_per_month": 6}, headers=world.admin(provider["id"])
        )
        assert response.status_code == 201, response.text
        assert (response.json()["version"], response.json()["fit"]["monthly_cost_fen"]) == (2, 24000)


class TestConsumers:
    async def test_a_redelivered_price_list_is_kept_once(self, deliver, sessions) -> None:  # type: ignore[no-untyped-def]
        event = prices(*FULL)
        await deliver(event)
        await deliver(event)
        async with sessions() as s:
            [row] = (await s.scalars(select(PriceListRow))).all()
        assert (row.id, row.region_code, row.effective_from) == (
            event.price_list_id,
            "430102",
            date(2024, 1, 1),
        )
        assert row.items[2] == {"service_code": "CS25", "unit": "hour", "unit_price_fen": 6000}

    async def test_an_enrolment_keeps_the_monthly_entitlement(self, deliver, make_enrolled, sessions) -> None:  # type: ignore[no-untyped-def]
        event = make_enrolled(entitlement={"monthly_amount_fen": 30000, "monthly_minutes": 600})
        await deliver(event)
        await deliver(event)
        async with sessions() as s:
            [row] = (await s.scalars(select(BeneficiaryEntitlementRow))).all()
        assert (row.beneficiary_id, row.effective_on) == (event.beneficiary_id, event.effective_on)
        assert (row.monthly_amount_fen, row.monthly_minutes) == (30000, 600)

    async def test_through_the_runner_a_duplicate_is_skipped_and_a_malformed_list_dead_lettered(  # type: ignore[no-untyped-def]
        self, sessions, settings
    ) -> None:
        dead_letters: list[str] = []

        class Producer:  # the dead-letter topic's side of the broker
            async def send_and_wait(self, topic: str, *args: Any, **kwargs: Any) -> None:
                dead_letters.append(topic)

        runner = ConsumerRunner(settings, SUBSCRIPTIONS[0], sessions, MESSAGING, producer=Producer())  # type: ignore[arg-type]
        envelope = REGISTRY.envelope(prices(*FULL), source="billing")

        def record(offset: int, value: bytes) -> ConsumerRecord[bytes, bytes]:
            return kafka_record(envelope, offset=offset, value=value)

        body = json.dumps(envelope.data).encode()
        assert await runner.handle_record(record(1, body)) == "handled"
        assert await runner.handle_record(record(1, body)) == "duplicate"
        broken = json.dumps({**envelope.data, "items": [{"service_code": "X", "unit": "day"}]}).encode()
        assert await runner.handle_record(record(2, broken)) == "dead_lettered"
        assert dead_letters == ["billing.price_list.dlq"]
        async with sessions() as s:
            assert await s.scalar(select(func.count()).select_from(PriceListRow)) == 1


class TestPlansBeforeTheCheck:
    async def test_a_plan_activated_before_the_check_is_untouched_until_its_next_version(  # type: ignore[no-untyped-def]
        self, world, sessions
    ) -> None:
        await world.deliver(prices(*FULL))
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=3)
        async with sessions.begin() as s:  # as revision 0016 leaves a plan written before it
            await s.execute(
                update(CarePlanRow)
                .where(CarePlanRow.id == UUID(plan["id"]))
                .values(
                    fit_status=None,
                    fit_monthly_cost_fen=None,
                    fit_monthly_minutes=None,
                    minutes_per_visit=None,
                    self_paid_per_month=0,
                )
            )
        got = (await world.client.get(f"/v1/care-plans/{plan['id']}", headers=world.officer())).json()
        assert (got["fit"], got["minutes_per_visit"], got["status"]) == (None, None, "active")
