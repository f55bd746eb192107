"""Issue #5: a price list or an entitlement that arrives after a plan is in force re-checks the
plan's fit in the consumer's transaction; a plan now over the entitlement is kept as signed and
marked ``over_entitlement``, shown on the plan and listed by ``GET /v1/care-plans?fit=...`` to its
provider and its district."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from eldercare.common.clock import local_date, utcnow

from .test_check_ins_and_outs import problem
from .test_plan_fit import FULL, entitlement_changed, prices


def first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


async def read_plan(world, plan: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await world.client.get(f"/v1/care-plans/{plan['id']}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def listed(world, headers: dict[str, str], **params: Any) -> list[str]:  # type: ignore[no-untyped-def]
    response = await world.client.get("/v1/care-plans", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [p["id"] for p in response.json()["items"]]


async def over_entitlement_plan(world) -> tuple[dict[str, Any], dict[str, Any], date]:  # type: ignore[no-untyped-def]
    """A plan that fits (5 covered visits x 12,000 = 60,000 fen), then an entitlement of 24,000
    fen from next month."""
    await world.deliver(prices(*FULL))
    provider = await world.provider()
    beneficiary = await world.beneficiary()
    plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=3)
    assert plan["fit"]["status"] == "fits"
    since = first_of_next_month(local_date(utcnow()))
    await world.deliver(entitlement_changed(beneficiary.beneficiary_id, 24000, datetime.now(UTC), since))
    return provider, plan, since


class TestALatePriceList:
    async def test_an_unchecked_plan_fits_once_the_prices_arrive(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=3)
        assert plan["fit"]["status"] == "unchecked"
        before = len(await outbox())
        await world.deliver(prices(*FULL))
        fit = (await read_plan(world, plan, world.admin(provider["id"])))["fit"]
        assert (fit["status"], fit["monthly_cost_fen"], fit["note"], fit["checked_on"]) == (
            "fits",
            60000,
            None,
            local_date(utcnow()).isoformat(),
        )
        assert len(await outbox()) == before  # a re-check publishes nothing

    async def test_a_list_of_another_region_leaves_the_plan_unchecked(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        await world.deliver(prices(*FULL, region="430103"))
        assert (await read_plan(world, plan, world.officer()))["fit"]["status"] == "unchecked"

    async def test_dearer_prices_from_a_later_day_put_the_plan_over_from_that_day(self, world) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(prices(*FULL))
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id, self_paid_per_month=3)
        since = local_date(utcnow()) + timedelta(days=10)
        dearer = (("CS15", "visit", 2000), ("CS22", "visit", 5000), ("CS25", "hour", 6000))
        await world.deliver(prices(*dearer, region="4301", since=since))
        fit = (await read_plan(world, plan, world.officer()))["fit"]
        assert (fit["status"], fit["monthly_cost_fen"], fit["checked_on"]) == (
            "over_entitlement",
            65000,
            since.isoformat(),
        )
        assert fit["note"].startswith(f"from {since.isoformat()}: the plan costs 65000 fen a month")
        assert f"price list of {since.isoformat()} for 4301" in fit["note"] and "60000 fen" in fit["note"]


class TestAReducedEntitlement:
    async def test_a_plan_that_fit_is_marked_over_and_kept_as_signed(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        provider, plan, since = await over_entitlement_plan(world)
        got = await read_plan(world, plan, world.admin(provider["id"]))
        assert (got["status"], got["version"], got["frequency_per_month"]) == ("active", 1, 8)
        fit = got["fit"]
        assert (fit["status"], fit["status_label"], fit["monthly_cost_fen"], fit["checked_on"]) == (
            "over_entitlement",
            "超出待遇额度（需调整方案或标明自费）",
            60000,
            since.isoformat(),
        )
        assert fit["note"].startswith(f"from {since.isoformat()}: the plan costs 60000 fen a month")
        assert "24000 fen" in fit["note"] and "self_paid_per_month" in fit["note"]
        assert "price list of 2024-01-01 for 430102" in fit["note"]
        assert [t for t, _ in await outbox() if t.startswith("dispatch.care_plan")] == [
            "dispatch.care_plan.activated.v1"
        ]
        # The version keeps its fit as checked when it took effect.
        versions = (
            await world.client.get(f"/v1/care-plans/{plan['id']}/versions", headers=world.officer())
        ).json()["items"]
        assert [(v["version"], v["fit"]["status"], v["self_paid_per_month"]) for v in versions] == [
            (1, "fits", 3)
        ]

    async def test_a_new_version_with_more_self_paid_visits_fits_again(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, plan, _ = await over_entitlement_plan(world)
        body = {
            "service_codes": ["CS15", "CS22", "CS25"],
            "frequency_per_month": 8,
            "agreement": {"signed_on": local_date(utcnow()).isoformat(), "duration_months": 12},
            "self_paid_per_month": 6,
        }
        url = f"/v1/care-plans/{plan['id']}/versions"
        response = await world.client.post(url, json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 201, response.text
        assert response.json()["fit"]["status"] == "fits"
        assert await listed(world, world.admin(provider["id"]), fit="over_entitlement") == []
        versions = (await world.client.get(url, headers=world.officer())).json()["items"]
        assert [(v["version"], v["fit"]["status"], v["self_paid_per_month"]) for v in versions] == [
            (1, "fits", 3),
            (2, "fits", 6),
        ]


class TestInputsAnnouncedAhead:
    async def test_a_version_that_fits_today_but_not_from_next_month_is_accepted_and_marked(
        self, world
    ) -> None:  # type: ignore[no-untyped-def]
        provider, plan, since = await over_entitlement_plan(world)
        body = {
            "service_codes": ["CS15", "CS22", "CS25"],
            "frequency_per_month": 8,
            "agreement": {"signed_on": local_date(utcnow()).isoformat(), "duration_months": 12},
            "self_paid_per_month": 4,  # 48,000 fen: within 60,000 today, over 24,000 from `since`
        }
        url = f"/v1/care-plans/{plan['id']}/versions"
        response = await world.client.post(url, json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 201, response.text
        fit = response.json()["fit"]
        assert (fit["status"], fit["monthly_cost_fen"], fit["checked_on"]) == (
            "over_entitlement",
            48000,
            since.isoformat(),
        )

    async def test_a_late_list_of_a_past_day_does_not_hide_an_excess_already_announced(self, world) -> None:  # type: ignore[no-untyped-def]
        _, plan, since = await over_entitlement_plan(world)
        await world.deliver(prices(*FULL, since=date(2025, 6, 1)))
        fit = (await read_plan(world, plan, world.officer()))["fit"]
        assert (fit["status"], fit["checked_on"]) == ("over_entitlement", since.isoformat())
        assert "price list of 2025-06-01 for 430102" in fit["note"]


class TestAReEnrolment:
    async def test_a_re_enrolment_with_a_smaller_amount_re_checks_the_plan_today(self, world) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(prices(*FULL))
        provider = await world.provider()
        first = await world.beneficiary()
        plan = await world.care_plan(provider["id"], first.beneficiary_id, self_paid_per_month=3)
        await world.beneficiary(
            beneficiary_id=first.beneficiary_id,
            entitlement={"monthly_amount_fen": 30000},
            enrolled_at=first.enrolled_at + timedelta(days=1),
        )
        fit = (await read_plan(world, plan, world.officer()))["fit"]
        today = local_date(utcnow()).isoformat()
        assert (fit["status"], fit["checked_on"]) == ("over_entitlement", today)
        assert fit["note"].startswith(f"from {today}:") and "30000 fen" in fit["note"]


class TestTheList:
    async def test_the_provider_and_its_district_see_the_plans_over_the_entitlement(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, plan, _ = await over_entitlement_plan(world)
        fitting = await world.care_plan(
            provider["id"], (await world.beneficiary()).beneficiary_id, self_paid_per_month=3
        )
        admin = world.admin(provider["id"])
        assert await listed(world, admin, fit="over_entitlement") == [plan["id"]]
        assert await listed(world, world.officer(), fit="over_entitlement") == [plan["id"]]
        community = world.tokens.headers("community_worker", region=plan["community_code"])
        assert await listed(world, community, fit="over_entitlement") == [plan["id"]]
        assert sorted(await listed(world, admin)) == sorted([plan["id"], fitting["id"]])

    async def test_other_tenants_see_nothing_and_a_caregiver_may_not_ask(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, plan, _ = await over_entitlement_plan(world)
        assert await listed(world, world.admin(provider["id"]), fit="over_entitlement") == [plan["id"]]
        other = await world.provider()
        assert await listed(world, world.admin(other["id"]), fit="over_entitlement") == []
        assert await listed(world, world.officer(world.other_district), fit="over_entitlement") == []
        caregiver = await world.caregiver_of(provider["id"])
        response = await world.client.get(
            "/v1/care-plans", headers=world.caregiver(provider["id"], caregiver["id"])
        )
        assert response.status_code == 403
        assert (await world.client.get("/v1/care-plans")).status_code == 401

    async def test_filters_by_beneficiary_and_status_with_cursor_pages(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        admin = world.admin(provider["id"])
        first = await world.beneficiary()
        plans = [
            await world.care_plan(provider["id"], first.beneficiary_id),
            await world.care_plan(provider["id"], (await world.beneficiary()).beneficiary_id),
        ]
        ended = await world.client.post(
            f"/v1/care-plans/{plans[0]['id']}/ends", json={"reason": "家属申请"}, headers=admin
        )
        assert ended.status_code == 201
        assert await listed(world, admin, beneficiary_id=str(first.beneficiary_id)) == [plans[0]["id"]]
        assert await listed(world, admin, status="active") == [plans[1]["id"]]
        assert await listed(world, admin, status="ended") == [plans[0]["id"]]
        page = (await world.client.get("/v1/care-plans", params={"limit": 1}, headers=admin)).json()
        assert [p["id"] for p in page["items"]] == [plans[0]["id"]] and page["next_cursor"]
        rest = (
            await world.client.get(
                "/v1/care-plans", params={"limit": 1, "cursor": page["next_cursor"]}, headers=admin
            )
        ).json()
        assert [p["id"] for p in rest["items"]] == [plans[1]["id"]] and rest["next_cursor"] is None

    async def test_bad_query_parameters_are_422_naming_them(self, world) -> None:  # type: ignore[no-untyped-def]
        headers = world.officer()
        for params, field in (
            ({"fit": "too_dear"}, "query.fit"),
            ({"status": "paused"}, "query.status"),
            ({"beneficiary_id": "not-a-uuid"}, "query.beneficiary_id"),
            ({"limit": 0}, "query.limit"),
            ({"cursor": "%%%"}, "query.cursor"),
        ):
            response = await world.client.get("/v1/care-plans", params=params, headers=headers)
            assert response.status_code == 422, (params, response.text)
            assert [e["field"] for e in problem(response)["errors"]] == [field]
