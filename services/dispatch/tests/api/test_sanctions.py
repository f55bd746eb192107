"""Audit's sanctions in dispatch: a decertified caregiver (wuhai-2017-home-care-measures.md 第三十一条)
and a provider suspended from new work (changsha-2024-purchased-door-to-door-rules.md 第十八条).

The events go through the real consumer handlers against the real database; the effects are read
back through the routes and the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select

from eldercare.common.contracts import CaregiverDecertified, SanctionImposed
from eldercare.dispatch.adapters.models import CaregiverRow, ProviderRow, VisitRow

from .test_schedules import WORKDAY, at, day, problem_fields

WUHAI = "wuhai-2017-home-care-measures.md 第三十一条"
DECERTIFIED_AT = datetime(2026, 11, 22, 6, 0, tzinfo=UTC)
IMPOSED_AT = datetime(2026, 11, 22, 7, 0, tzinfo=UTC)


def decertified(caregiver_id: Any, **overrides: Any) -> CaregiverDecertified:
    fields: dict[str, Any] = {
        "caregiver_id": UUID(str(caregiver_id)),
        "provider_id": None,
        "district_code": "430102",
        "complaint_ids": [uuid4(), uuid4(), uuid4()],
        "substantiated_complaints": 3,
        "window_days": 365,
        "basis": WUHAI,
        "decertified_at": DECERTIFIED_AT,
        **overrides,
    }
    return CaregiverDecertified.model_validate(fields)


def sanction(provider_id: Any, measures: list[str], **overrides: Any) -> SanctionImposed:
    fields: dict[str, Any] = {
        "sanction_id": uuid4(),
        "notice_id": uuid4(),
        "provider_id": UUID(str(provider_id)),
        "district_code": "430102",
        "measures": measures,
        "finding_ids": [uuid4()],
        "finding_types": ["falsified_records"],
        "basis": ["changsha-2024-purchased-door-to-door-rules.md 第十八条"],
        "imposed_at": IMPOSED_AT,
        **overrides,
    }
    return SanctionImposed.model_validate(fields)


async def caregiver_row(sessions, caregiver_id: Any) -> CaregiverRow:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        row = await s.get(CaregiverRow, UUID(str(caregiver_id)))
        assert row is not None
        return row


async def provider_row(sessions, provider_id: Any) -> ProviderRow:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        row = await s.get(ProviderRow, UUID(str(provider_id)))
        assert row is not None
        return row


async def visit_row(sessions, visit_id: Any) -> VisitRow:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        row = (await s.scalars(select(VisitRow).where(VisitRow.id == UUID(str(visit_id))))).one()
        return row


class TestOnCaregiverDecertified:
    async def test_the_caregiver_is_marked_decertified_with_the_events_basis_and_date(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        await world.deliver(decertified(caregiver["id"]))
        row = await caregiver_row(sessions, caregiver["id"])
        assert (row.decertified_at, row.decertification_basis) == (DECERTIFIED_AT, WUHAI)
        read = await world.client.get(
            f"/v1/caregivers/{caregiver['id']}", headers=world.admin(provider["id"])
        )
        assert read.status_code == 200
        assert datetime.fromisoformat(read.json()["decertified_at"]) == DECERTIFIED_AT
        assert read.json()["decertification_basis"] == WUHAI

    async def test_a_redelivered_or_later_decertification_keeps_the_first(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        _, caregiver = await world.staffed_provider()
        event = decertified(caregiver["id"])
        await world.deliver(event)
        await world.deliver(event)
        await world.deliver(decertified(caregiver["id"], decertified_at=datetime(2026, 12, 1, tzinfo=UTC)))
        row = await caregiver_row(sessions, caregiver["id"])
        assert row.decertified_at == DECERTIFIED_AT

    async def test_an_unknown_caregiver_is_ignored(self, world, sessions, outbox) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(decertified(uuid4()))
        async with sessions() as s:
            assert (await s.scalars(select(CaregiverRow))).all() == []
        assert await outbox() == []

    async def test_a_caregiver_never_decertified_reads_null(self, world) -> None:  # type: ignore[no-untyped-def]
        _, caregiver = await world.staffed_provider()
        assert (caregiver["decertified_at"], caregiver["decertification_basis"]) == (None, None)

    async def test_future_booked_visits_go_back_to_the_planner_and_completed_ones_stay(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        assert (await world.check_in(scene)).status_code == 201
        assert (await world.check_out(scene)).status_code == 201
        later = await world.visit(scene.plan, scene.caregiver, hours=30)
        await world.deliver(decertified(scene.caregiver["id"]))

        done = await visit_row(sessions, scene.visit["id"])
        assert (done.status, done.caregiver_id) == ("completed", UUID(scene.caregiver["id"]))
        freed = await visit_row(sessions, later["id"])
        assert (freed.status, freed.caregiver_id) == ("scheduled", None)
        # The booked slot becomes the window, so the planner keeps the time the family expects.
        booked = (
            datetime.fromisoformat(later["scheduled_start_at"]),
            datetime.fromisoformat(later["scheduled_end_at"]),
        )
        assert (freed.window_start_at, freed.window_end_at) == booked
        assert freed.scheduled_by == "dispatch:decertification"

    async def test_a_visit_in_progress_keeps_its_caregiver(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        assert (await world.check_in(scene)).status_code == 201
        await world.deliver(decertified(scene.caregiver["id"]))
        row = await visit_row(sessions, scene.visit["id"])
        assert (row.status, row.caregiver_id) == ("in_progress", UUID(scene.caregiver["id"]))


class TestADecertifiedCaregiverIsNeverAssigned:
    async def test_booking_them_by_hand_is_422_naming_caregiver_id_and_citing_the_article(
        self, world
    ) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        await world.deliver(decertified(caregiver["id"]))
        response = await world.client.post(
            "/v1/visits", json=world.visit_body(plan, caregiver, hours=2), headers=world.admin(provider["id"])
        )
        assert response.status_code == 422
        assert problem_fields(response) == ["caregiver_id"]
        assert WUHAI in response.json()["detail"]

    async def test_a_certified_colleague_can_still_be_booked(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        colleague = await world.caregiver_of(provider["id"])
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        await world.deliver(decertified(caregiver["id"]))
        assert (await world.visit(plan, colleague, hours=2))["caregiver_id"] == colleague["id"]

    async def test_the_planner_skips_them_and_gives_their_freed_visit_to_another(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        banned = await world.caregiver_of(provider["id"], workday=WORKDAY)
        other = await world.caregiver_of(provider["id"], workday=WORKDAY)
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        admin = world.admin(provider["id"])
        booked = await world.visit(
            plan, banned, scheduled_start_at=at(9), scheduled_end_at=at(10), service_code="CS22"
        )
        left = {
            "care_plan_id": plan["id"],
            "service_code": "CS15",
            "scheduled_start_at": at(11),
            "scheduled_end_at": at(12),
        }
        waiting = await world.client.post("/v1/visits", json=left, headers=admin)
        assert waiting.status_code == 201, waiting.text
        await world.deliver(decertified(banned["id"]))

        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
        response = await world.client.post("/v1/schedules", json=body, headers=admin)
        assert response.status_code == 201, response.text
        planned = response.json()
        assert planned["caregivers_available"] == 1
        routed = {v["visit_id"]: r["caregiver_id"] for r in planned["routes"] for v in r["visits"]}
        assert routed == {booked["id"]: other["id"], waiting.json()["id"]: other["id"]}


class TestOnSanctionImposed:
    async def test_ending_the_contract_suspends_the_provider_from_new_work(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        event = sanction(provider["id"], ["end_contract", "recover_funds"])
        await world.deliver(event)
        row = await provider_row(sessions, provider["id"])
        assert (row.suspended_by_sanction_id, row.suspension_measures) == (
            event.sanction_id,
            ["end_contract"],
        )
        read = await world.client.get(f"/v1/providers/{provider['id']}", headers=world.officer())
        assert read.json()["suspended_from_new_work"] is True
        assert read.json()["suspension"]["sanction_id"] == str(event.sanction_id)

    async def test_blacklisting_suspends_it_too(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        await world.deliver(sanction(provider["id"], ["blacklist"]))
        assert (await provider_row(sessions, provider["id"])).suspension_measures == ["blacklist"]

    async def test_recovering_funds_alone_leaves_new_work_open(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        await world.deliver(sanction(provider["id"], ["recover_funds"]))
        assert (await provider_row(sessions, provider["id"])).suspended_by_sanction_id is None
        assert provider["suspended_from_new_work"] is False

    async def test_a_redelivered_or_second_sanction_keeps_the_first(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        first = sanction(provider["id"], ["end_contract"])
        await world.deliver(first)
        await world.deliver(first)
        await world.deliver(sanction(provider["id"], ["blacklist"]))
        row = await provider_row(sessions, provider["id"])
        assert (row.suspended_by_sanction_id, row.suspended_at) == (first.sanction_id, IMPOSED_AT)

    async def test_an_unknown_provider_is_ignored(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        await world.deliver(sanction(uuid4(), ["blacklist"]))
        async with sessions() as s:
            assert (await s.scalars(select(ProviderRow))).all() == []


class TestASuspendedProviderGetsNoNewWork:
    async def test_a_new_care_plan_is_409_naming_the_sanction(self, world) -> None:  # type: ignore[no-untyped-def]
        provider = await world.provider()
        beneficiary = await world.beneficiary()
        event = sanction(provider["id"], ["end_contract"])
        await world.deliver(event)
        response = await world.client.post(
            "/v1/care-plans",
            json=world.plan_body(beneficiary.beneficiary_id),
            headers=world.admin(provider["id"]),
        )
        assert response.status_code == 409
        assert response.headers["content-type"] == "application/problem+json"
        assert str(event.sanction_id) in response.json()["detail"]
        assert "第十八条" in response.json()["detail"]

    async def test_new_visits_booked_or_left_to_the_planner_are_409(self, world) -> None:  # type: ignore[no-untyped-def]
        provider, caregiver = await world.staffed_provider()
        beneficiary = await world.beneficiary()
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        event = sanction(provider["id"], ["blacklist"])
        await world.deliver(event)
        admin = world.admin(provider["id"])
        booked = await world.client.post(
            "/v1/visits", json=world.visit_body(plan, caregiver, hours=2), headers=admin
        )
        assert booked.status_code == 409
        assert str(event.sanction_id) in booked.json()["detail"]
        unassigned = world.visit_body(plan, caregiver, hours=3) | {"caregiver_id": None}
        response = await world.client.post("/v1/visits", json=unassigned, headers=admin)
        assert response.status_code == 409

    async def test_visits_already_booked_can_still_be_carried_out(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.deliver(sanction(scene.provider["id"], ["end_contract"]))
        assert (await world.check_in(scene)).status_code == 201
        assert (await world.check_out(scene)).status_code == 201

    async def test_another_provider_is_not_affected(self, world) -> None:  # type: ignore[no-untyped-def]
        sanctioned = await world.provider()
        provider, caregiver = await world.staffed_provider()
        beneficiary = await world.beneficiary()
        await world.deliver(sanction(sanctioned["id"], ["end_contract"]))
        plan = await world.care_plan(provider["id"], beneficiary.beneficiary_id)
        assert (await world.visit(plan, caregiver, hours=2))["status"] == "scheduled"
