"""The provider registry of issue #5: the Changsha 第七条 conditions as facts with evidence and expiry
(PUT /v1/providers/{id}/conditions/{code}), contracted districts and the price list (PATCH
/v1/providers/{id}), and the refusal of new work to a provider failing a condition on every path
(plan, version, visit booked or left to the planner, generation, day planner)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select

from eldercare.common.clock import local_date, utcnow
from eldercare.dispatch.adapters.models import ProviderConditionFactRow

from .conftest import GENERAL_CONDITIONS
from .test_care_plan_versions import version_body
from .test_plan_fit import prices
from .test_sanctions import sanction
from .test_schedules import WORKDAY, at, day, problem_fields
from .test_visit_generation import TUE_FRI, planned_with, rows, sweep

SHA = "ab" * 32


def today() -> str:
    return local_date(utcnow()).isoformat()


def condition_url(provider: dict[str, Any], code: str) -> str:
    return f"/v1/providers/{provider['id']}/conditions/{code}"


def record(**overrides: Any) -> dict[str, Any]:
    return {
        "status": "met",
        "evidence": {
            "document_ref": "营业执照 52430102MJJ000001X",
            "document_sha256": SHA,
            "note": "核验原件",
        },
        "valid_until": (local_date(utcnow()) + timedelta(days=365)).isoformat(),
        **overrides,
    }


def failed(response: Any) -> set[str]:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "第七条" in response.json()["detail"]
    return {c["code"] for c in response.json()["failed_conditions"]}


async def fail_good_standing(world: Any, provider: dict[str, Any]) -> None:
    """The district learns of a major safety accident (第七条（五）)."""
    await world.record_condition(provider, "good_standing", status="not_met")


class TestRecordingConditions:
    async def test_a_new_provider_shows_every_condition_missing_and_takes_no_new_work(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(conditions=False)
        assert provider["eligible_for_new_work"] is False
        assert [(c["code"], c["clause"], c["status"]) for c in provider["conditions"]] == [
            ("registration", "第七条（一）", "missing"),
            ("qualification_premises", "第七条（二）", "missing"),
            ("help_line_24h", "第七条（三）", "missing"),
            ("staffing", "第七条（四）", "missing"),
            ("good_standing", "第七条（五）", "missing"),
            ("management_rules", "第七条（七）", "missing"),
        ]
        assert {r["code"] for r in provider["ineligible_because"]} == set(GENERAL_CONDITIONS)
        beneficiary = await world.beneficiary()
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert failed(response) == set(GENERAL_CONDITIONS)

    async def test_the_officer_records_a_fact_with_its_evidence_and_expiry(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(conditions=False)
        response = await world.client.put(
            condition_url(provider, "help_line_24h"),
            json=record(),
            headers=world.officer(subject="officer-7"),
        )
        assert response.status_code == 200, response.text
        [line] = [c for c in response.json()["conditions"] if c["code"] == "help_line_24h"]
        assert (line["status"], line["holds_today"], line["required"]) == ("met", True, True)
        assert line["valid_until"] == record()["valid_until"]
        evidence = line["evidence"]
        assert (evidence["document_ref"], evidence["document_sha256"], evidence["note"]) == (
            "营业执照 52430102MJJ000001X",
            SHA,
            "核验原件",
        )
        assert evidence["recorded_by"] == "officer-7" and evidence["recorded_at"]
        read = await world.client.get(f"/v1/providers/{provider['id']}", headers=world.admin(provider["id"]))
        assert read.json()["conditions"] == response.json()["conditions"]

    async def test_every_condition_met_makes_the_provider_eligible(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        assert (provider["eligible_for_new_work"], provider["ineligible_because"]) == (True, [])

    async def test_a_renewal_replaces_the_fact_in_force(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        await fail_good_standing(world, provider)
        renewed = await world.record_condition(provider, "good_standing")
        assert renewed["eligible_for_new_work"] is True

    async def test_a_city_admin_records_too(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(conditions=False)
        headers = world.tokens.headers("city_admin", region="4301")
        assert (
            await world.client.put(condition_url(provider, "staffing"), json=record(), headers=headers)
        ).status_code == 200

    async def test_an_officer_of_another_district_gets_404_and_other_roles_403(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(conditions=False)
        url = condition_url(provider, "staffing")
        other = await world.client.put(url, json=record(), headers=world.officer(world.other_district))
        assert other.status_code == 404
        for headers in (world.admin(provider["id"]), world.caregiver(provider["id"], uuid4())):
            assert (await world.client.put(url, json=record(), headers=headers)).status_code == 403
        assert (await world.client.put(url, json=record())).status_code == 401
        unknown = await world.client.put(
            f"/v1/providers/{uuid4()}/conditions/staffing", json=record(), headers=world.officer()
        )
        assert unknown.status_code == 404

    async def test_bad_input_is_422_naming_the_field_and_writes_nothing(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(conditions=False)
        headers = world.officer()
        unknown = await world.client.put(condition_url(provider, "charisma"), json=record(), headers=headers)
        assert unknown.status_code == 422 and problem_fields(unknown) == ["path.code"]
        bad = record(
            status="maybe", evidence={"document_ref": "", "document_sha256": "xyz"}, valid_until="2027-02-30"
        )
        response = await world.client.put(condition_url(provider, "staffing"), json=bad, headers=headers)
        assert response.status_code == 422
        assert sorted(problem_fields(response)) == [
            "evidence.document_ref",
            "evidence.document_sha256",
            "status",
            "valid_until",
        ]
        past = record(valid_until=(local_date(utcnow()) - timedelta(days=1)).isoformat())
        response = await world.client.put(condition_url(provider, "staffing"), json=past, headers=headers)
        assert response.status_code == 422 and problem_fields(response) == ["valid_until"]
        no_meals = await world.client.put(
            condition_url(provider, "food_licence"), json=record(), headers=headers
        )
        assert no_meals.status_code == 422 and problem_fields(no_meals) == ["code"]
        async with sessions() as s:
            facts = (
                await s.scalars(
                    select(ProviderConditionFactRow).where(
                        ProviderConditionFactRow.provider_id == UUID(provider["id"])
                    )
                )
            ).all()
        assert facts == []


class TestTheFoodLicence:
    """第七条（六）: meal items need a food licence or a kitchen contract on record."""

    async def test_meal_items_need_the_fact_not_the_declared_flag(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(service_codes=["CS01", "CS22"], has_food_licence=False)
        assert [c["code"] for c in provider["conditions"]][5] == "food_licence"
        assert provider["has_food_licence"] is False
        beneficiary = await world.beneficiary()
        body = world.plan_body(beneficiary.beneficiary_id, service_codes=["CS01", "CS22"])
        response = await world.client.post("/v1/care-plans", json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 422 and "第七条（六）" in response.text
        # A plan without meal items is not asked for （六）.
        plain = await world.care_plan(provider["id"], beneficiary.beneficiary_id, service_codes=["CS22"])
        assert plain["service_codes"] == ["CS22"]
        licensed = await world.record_condition(
            provider, "food_licence", evidence={"document_ref": "供餐协议 2026-017"}, valid_until=today()
        )
        assert licensed["has_food_licence"] is True
        other = await world.beneficiary()
        plan = await world.care_plan(provider["id"], other.beneficiary_id, service_codes=["CS01", "CS22"])
        assert plan["service_codes"] == ["CS01", "CS22"]

    async def test_meal_visits_and_the_planner_need_the_licence_on_the_day(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider(service_codes=["CS01", "CS22"], has_food_licence=True)
        await world.caregiver_of(provider["id"], workday=WORKDAY)
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(
            provider["id"], beneficiary.beneficiary_id, service_codes=["CS01", "CS22"]
        )
        admin = world.admin(provider["id"])
        waiting = {
            "care_plan_id": plan["id"],
            "caregiver_id": None,
            "service_code": "CS01",
            "scheduled_start_at": at(11),
            "scheduled_end_at": at(12),
        }
        assert (await world.client.post("/v1/visits", json=waiting, headers=admin)).status_code == 201
        await world.record_condition(provider, "food_licence", status="not_met")
        again = waiting | {"scheduled_start_at": at(15), "scheduled_end_at": at(16)}
        assert failed(await world.client.post("/v1/visits", json=again, headers=admin)) == {"food_licence"}
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
        assert failed(await world.client.post("/v1/schedules", json=body, headers=admin)) == {"food_licence"}
        # Other items go on: （六） binds meal work only.
        other = waiting | {"service_code": "CS22", "scheduled_start_at": at(17), "scheduled_end_at": at(18)}
        assert (await world.client.post("/v1/visits", json=other, headers=admin)).status_code == 201


class TestNoNewWorkWhenAConditionFails:
    async def test_a_new_plan_is_409_naming_the_condition(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        await fail_good_standing(world, provider)
        beneficiary = await world.beneficiary()
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert failed(response) == {"good_standing"}
        assert "第七条（五）" in response.json()["detail"]

    async def test_a_new_version_is_409(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await fail_good_standing(world, scene.provider)
        response = await world.client.post(
            f"/v1/care-plans/{scene.plan['id']}/versions",
            json=version_body(),
            headers=world.admin(scene.provider["id"]),
        )
        assert failed(response) == {"good_standing"}

    async def test_new_visits_booked_or_left_to_the_planner_are_409_and_booked_ones_go_on(
        self, world
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await fail_good_standing(world, scene.provider)
        admin = world.admin(scene.provider["id"])
        booked = world.visit_body(scene.plan, scene.caregiver, hours=2)
        assert failed(await world.client.post("/v1/visits", json=booked, headers=admin)) == {"good_standing"}
        unassigned = world.visit_body(scene.plan, scene.caregiver, hours=3) | {"caregiver_id": None}
        assert failed(await world.client.post("/v1/visits", json=unassigned, headers=admin)) == {
            "good_standing"
        }
        assert (await world.check_in(scene)).status_code == 201

    async def test_generation_skips_the_plans_with_a_reason_and_the_admins_run_is_409(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        provider, _, _, plan = await planned_with(world, schedule=TUE_FRI)
        before = len(await rows(sessions, plan["id"]))
        await fail_good_standing(world, provider)
        [run] = [r for r in await sweep(sessions, days_later=7) if str(r.care_plan_id) == plan["id"]]
        assert run.created == [] and "第七条" in str(run.skipped) and "good_standing" in str(run.skipped)
        assert len(await rows(sessions, plan["id"])) == before
        response = await world.client.post(
            "/v1/visit-generations", json={}, headers=world.admin(provider["id"])
        )
        assert failed(response) == {"good_standing"}

    async def test_no_visit_is_generated_after_a_facts_last_day(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        last = local_date(utcnow()) + timedelta(days=4)
        await world.record_condition(provider, "help_line_24h", valid_until=last.isoformat())
        beneficiary = await world.beneficiary()
        every_day = {"slots": [{"weekday": d, "start": "09:00", "end": "11:00"} for d in range(1, 8)]}
        plan = await world.care_plan(
            provider["id"],
            beneficiary.beneficiary_id,
            service_codes=["CS22"],
            frequency_per_month=28,
            schedule=every_day,
        )
        days = {local_date(v.window_start_at) for v in await rows(sessions, plan["id"])}
        assert days and max(days) <= last
        renewed = (last + timedelta(days=365)).isoformat()
        await world.record_condition(provider, "help_line_24h", valid_until=renewed)
        await sweep(sessions)
        days = {local_date(v.window_start_at) for v in await rows(sessions, plan["id"])}
        assert max(days) > last

    async def test_the_day_planner_is_409(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        await world.caregiver_of(provider["id"], workday=WORKDAY)
        await fail_good_standing(world, provider)
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
        response = await world.client.post("/v1/schedules", json=body, headers=world.admin(provider["id"]))
        assert failed(response) == {"good_standing"}

    async def test_a_sanctioned_providers_waiting_visits_are_still_planned(self, world) -> None:  # type: ignore[no-untyped-def]
        # 第十八条 stops new plans and visits, not the placing of visits already waiting (README).
        provider = await world.provider()
        await world.caregiver_of(provider["id"], workday=WORKDAY)
        await world.deliver(sanction(provider["id"], ["end_contract"]))
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
        response = await world.client.post("/v1/schedules", json=body, headers=world.admin(provider["id"]))
        assert response.status_code == 201, response.text

    async def test_a_fact_that_expired_stops_new_work(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        # A licence recorded last year that ran out yesterday (the route refuses recording one
        # already expired, so the row is written as it would stand today).
        yesterday = local_date(utcnow()) - timedelta(days=1)
        async with sessions() as s:
            s.add(
                ProviderConditionFactRow(
                    id=uuid4(),
                    provider_id=UUID(provider["id"]),
                    code="registration",
                    status="met",
                    valid_until=yesterday,
                    document_ref="营业执照",
                    recorded_by="officer",
                    recorded_at=datetime.now(UTC),
                )
            )
            await s.commit()
        read = (await world.client.get(f"/v1/providers/{provider['id']}", headers=world.officer())).json()
        assert read["eligible_for_new_work"] is False
        assert read["ineligible_because"] == [
            {"code": "registration", "clause": "第七条（一）", "reason": "expired"}
        ]
        beneficiary = await world.beneficiary()
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert failed(response) == {"registration"}
        assert f"expired on {yesterday.isoformat()}" in response.json()["detail"]

    async def test_another_provider_is_not_affected(self, world) -> None:  # type: ignore[no-untyped-def]
        failing = await world.provider()
        await fail_good_standing(world, failing)
        provider, caregiver = await world.staffed_provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        assert (await world.visit(plan, caregiver, hours=2))["status"] == "scheduled"


class TestContractedDistrictsAndPriceList:
    async def test_a_provider_contracted_for_two_districts_plans_in_both(self, world) -> None:  # type: ignore[no-untyped-def]
        city = world.tokens.headers("city_admin", region="4301")
        body = world.provider_body(contracted_district_codes=[world.other_district])
        created = await world.client.post("/v1/providers", json=body, headers=city)
        assert created.status_code == 201, created.text
        provider = created.json()
        assert (provider["district_code"], provider["contracted_district_codes"]) == (
            world.district,
            ["430103"],
        )
        for code in GENERAL_CONDITIONS:
            await world.record_condition(provider, code)
        there = await world.beneficiary(district_code="430103", community_code="430103001001")
        plan = await world.care_plan(provider["id"], there.beneficiary_id)
        assert plan["status"] == "active"
        # The other district's officer sees the provider it entrusted.
        read = await world.client.get(f"/v1/providers/{provider['id']}", headers=world.officer("430103"))
        assert read.status_code == 200

    async def test_an_officer_cannot_contract_another_districts_provider(self, world) -> None:  # type: ignore[no-untyped-def]
        body = world.provider_body(contracted_district_codes=[world.other_district])
        response = await world.client.post("/v1/providers", json=body, headers=world.officer())
        assert response.status_code == 403 and problem_fields(response) == ["contracted_district_codes"]
        provider = await world.provider()
        patch = await world.client.patch(
            f"/v1/providers/{provider['id']}",
            json={"contracted_district_codes": ["430103"]},
            headers=world.officer(),
        )
        assert patch.status_code == 403
        by_city = await world.client.patch(
            f"/v1/providers/{provider['id']}",
            json={"contracted_district_codes": ["430103"]},
            headers=world.tokens.headers("city_admin", region="4301"),
        )
        assert by_city.status_code == 200 and by_city.json()["contracted_district_codes"] == ["430103"]

    async def test_the_price_list_must_exist_and_cover_the_districts(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        url = f"/v1/providers/{provider['id']}"
        headers = world.officer()
        unknown = await world.client.patch(url, json={"price_list_id": str(uuid4())}, headers=headers)
        assert unknown.status_code == 422 and problem_fields(unknown) == ["price_list_id"]
        elsewhere = prices(("CS22", "visit", 5000), region="430103")
        await world.deliver(elsewhere)
        response = await world.client.patch(
            url, json={"price_list_id": str(elsewhere.price_list_id)}, headers=headers
        )
        assert response.status_code == 422 and "does not cover district 430102" in response.text
        city_wide = prices(("CS22", "visit", 5000), region="4301")
        await world.deliver(city_wide)
        response = await world.client.patch(
            url, json={"price_list_id": str(city_wide.price_list_id)}, headers=headers
        )
        assert response.status_code == 200 and response.json()["price_list_id"] == str(
            city_wide.price_list_id
        )
        cleared = await world.client.patch(url, json={"price_list_id": None}, headers=headers)
        assert cleared.json()["price_list_id"] is None

    async def test_a_price_list_given_at_registration_is_checked_too(self, world) -> None:  # type: ignore[no-untyped-def]
        body = world.provider_body(price_list_id=str(uuid4()))
        response = await world.client.post("/v1/providers", json=body, headers=world.officer())
        assert response.status_code == 422 and problem_fields(response) == ["price_list_id"]

    async def test_patch_tenancy_and_bad_input(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        url = f"/v1/providers/{provider['id']}"
        body = {"contracted_district_codes": ["430103"]}
        assert (await world.client.patch(url, json=body, headers=world.officer("430103"))).status_code == 404
        assert (
            await world.client.patch(url, json=body, headers=world.admin(provider["id"]))
        ).status_code == 403
        empty = await world.client.patch(url, json={}, headers=world.officer())
        assert empty.status_code == 422
        bad = await world.client.patch(
            url, json={"contracted_district_codes": ["43"], "x": 1}, headers=world.officer()
        )
        assert bad.status_code == 422 and sorted(problem_fields(bad)) == ["contracted_district_codes.0", "x"]
