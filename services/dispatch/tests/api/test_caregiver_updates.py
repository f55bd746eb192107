"""PATCH /v1/caregivers/{id} (issue #5 registry): the provider renews a health certificate
(第九条（四）), changes qualifications, trainings, skills, languages, sex, the workday and the
employment contract (第九条（一）); a caregiver outside the contract, like one with an expired
certificate, is never assigned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest

from eldercare.common.clock import local_date, utcnow

from .test_schedules import WORKDAY, problem_fields


def today_plus(days: int) -> str:
    return (local_date(utcnow()) + timedelta(days=days)).isoformat()


async def patch(world: Any, caregiver: dict[str, Any], body: dict[str, Any], headers: Any = None) -> Any:
    return await world.client.patch(
        f"/v1/caregivers/{caregiver['id']}",
        json=body,
        headers=headers or world.admin(caregiver["provider_id"]),
    )


class TestUpdatingACaregiver:
    async def test_renewing_an_expired_health_certificate_lets_them_be_booked_again(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        caregiver = await world.caregiver_of(provider["id"], health_certificate_valid_until=today_plus(-1))
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        admin = world.admin(provider["id"])
        refused = await world.client.post(
            "/v1/visits", json=world.visit_body(plan, caregiver, hours=2), headers=admin
        )
        assert refused.status_code == 422 and problem_fields(refused) == ["caregiver_id"]
        renewed = await patch(world, caregiver, {"health_certificate_valid_until": today_plus(365)})
        assert renewed.status_code == 200, renewed.text
        assert renewed.json()["health_certificate_valid_until"] == today_plus(365)
        booked = await world.client.post(
            "/v1/visits", json=world.visit_body(plan, caregiver, hours=2), headers=admin
        )
        assert booked.status_code == 201, booked.text

    async def test_a_caregiver_outside_the_contract_is_never_assigned(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        ended = await patch(
            world, scene.caregiver, {"contract": {"starts_on": today_plus(-400), "ends_on": today_plus(-1)}}
        )
        assert ended.json()["contract"] == {"starts_on": today_plus(-400), "ends_on": today_plus(-1)}
        admin = world.admin(scene.provider["id"])
        response = await world.client.post(
            "/v1/visits", json=world.visit_body(scene.plan, scene.caregiver, hours=3), headers=admin
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "caregiver_id", "message": f"the caregiver is not under contract on {today_plus(0)}"}
        ]
        renewed = await patch(world, scene.caregiver, {"contract": {"starts_on": today_plus(-400)}})
        assert renewed.json()["contract"] == {"starts_on": today_plus(-400), "ends_on": None}
        again = await world.client.post(
            "/v1/visits", json=world.visit_body(scene.plan, scene.caregiver, hours=3), headers=admin
        )
        assert again.status_code == 201, again.text

    async def test_only_the_fields_sent_change_and_null_clears_the_workday(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        caregiver = await world.caregiver_of(provider["id"], workday=WORKDAY, sex="female", languages=["zh"])
        body = {
            "qualifications": ["nurse"],
            "trainings": [
                {
                    "name": "安全保护与应急处置",
                    "completed_on": "2026-03-01",
                    "hours": 16,
                    "certificate_ref": "CS-2026-1",
                }
            ],
            "skills": ["dementia_care", "wheelchair_transfer"],
            "languages": ["zh", "hsn"],
            "workday": WORKDAY | {"max_visits_per_day": 5, "days_off": [7, 6, 6], "travel_mode": "walk"},
        }
        changed = (await patch(world, caregiver, body)).json()
        assert [q["code"] for q in changed["qualifications"]] == ["nurse"]
        assert changed["trainings"] == [
            {
                "name": "安全保护与应急处置",
                "completed_on": "2026-03-01",
                "hours": 16.0,
                "certificate_ref": "CS-2026-1",
            }
        ]
        assert (changed["skills"], changed["languages"], changed["sex"]) == (
            ["dementia_care", "wheelchair_transfer"],
            ["zh", "hsn"],
            "female",
        )
        assert (changed["workday"]["max_visits_per_day"], changed["workday"]["days_off"]) == (5, [6, 7])
        assert changed["health_certificate_valid_until"] == caregiver["health_certificate_valid_until"]
        cleared = (await patch(world, caregiver, {"workday": None, "sex": None})).json()
        assert (cleared["workday"], cleared["sex"], cleared["skills"]) == (None, None, changed["skills"])
        read = await world.client.get(
            f"/v1/caregivers/{caregiver['id']}", headers=world.admin(provider["id"])
        )
        assert read.json() == cleared

    async def test_registration_takes_trainings_skills_and_the_contract_too(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        caregiver = await world.caregiver_of(
            provider["id"],
            trainings=[{"name": "评估培训", "completed_on": "2026-01-10", "hours": 8}],
            skills=["stroke_rehabilitation"],
            contract={"starts_on": "2026-01-01", "ends_on": "2027-12-31"},
        )
        assert caregiver["trainings"][0]["certificate_ref"] is None
        assert (caregiver["skills"], caregiver["contract"]) == (
            ["stroke_rehabilitation"],
            {"starts_on": "2026-01-01", "ends_on": "2027-12-31"},
        )

    async def test_bad_input_is_422_naming_the_fields_and_changes_nothing(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        caregiver = await world.caregiver_of(provider["id"])
        body = {
            "health_certificate_valid_until": "2027-02-30",
            "skills": ["Not A Tag"],
            "trainings": [{"name": "", "completed_on": "2026-01-01", "hours": 0}],
            "workday": WORKDAY | {"home": {"lat": 91, "lon": 0}},
            "languages": ["中文"],
            "wings": 2,
        }
        response = await patch(world, caregiver, body)
        assert response.status_code == 422
        assert sorted(problem_fields(response)) == [
            "health_certificate_valid_until",
            "languages.0",
            "skills.0",
            "trainings.0.hours",
            "trainings.0.name",
            "wings",
            "workday.home.lat",
        ]
        contract = await patch(
            world, caregiver, {"contract": {"starts_on": "2027-01-01", "ends_on": "2026-01-01"}}
        )
        assert contract.status_code == 422 and "ends_on" in contract.text
        shift = await patch(world, caregiver, {"workday": WORKDAY | {"shift_end": "07:00"}})
        assert shift.status_code == 422 and problem_fields(shift) == ["workday.shift_end"]
        null = await patch(world, caregiver, {"health_certificate_valid_until": None})
        assert null.status_code == 422 and "health_certificate_valid_until" in null.text
        assert (await patch(world, caregiver, {})).status_code == 422
        read = await world.client.get(
            f"/v1/caregivers/{caregiver['id']}", headers=world.admin(provider["id"])
        )
        assert read.json() == caregiver

    async def test_another_providers_admin_gets_404(self, world) -> None:  # type: ignore[no-untyped-def]
        _, caregiver = await world.staffed_provider()
        other = await world.provider()
        response = await patch(world, caregiver, {"skills": ["x1"]}, world.admin(other["id"]))
        assert response.status_code == 404
        unknown = await world.client.patch(
            f"/v1/caregivers/{uuid4()}", json={"skills": ["ab"]}, headers=world.admin(other["id"])
        )
        assert unknown.status_code == 404

    @pytest.mark.parametrize("role", ["caregiver", "district_officer", "city_admin"])
    async def test_caregivers_and_government_roles_are_403(self, world, role) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        headers = world.tokens.headers(
            role, region="430102", provider_id=provider["id"], caregiver_id=caregiver["id"]
        )
        assert (await patch(world, caregiver, {"skills": ["ab"]}, headers)).status_code == 403
        assert (
            await world.client.patch(f"/v1/caregivers/{caregiver['id']}", json={"skills": ["ab"]})
        ).status_code == 401
