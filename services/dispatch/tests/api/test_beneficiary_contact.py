"""The beneficiary's contact for the caregiver at the door (issue #5): intake's sealed share kept
by the consumer, shown by GET /v1/visits/{id}/beneficiary to whom needs it, masked where not needed."""

from __future__ import annotations

import base64
import json
import logging
import os
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka.structs import ConsumerRecord
from pydantic import SecretStr
from sqlalchemy import select

from eldercare.common.consumer import ConsumerRunner
from eldercare.common.contracts import REGISTRY, BeneficiaryContactShared
from eldercare.common.contracts.intake import BeneficiaryContact, BeneficiaryContactGuardian, seal_contact
from eldercare.common.pii import FieldCipher
from eldercare.common.testing.plugin import api_test_settings
from eldercare.common.testing.records import kafka_record
from eldercare.dispatch import consumers
from eldercare.dispatch.adapters.models import BeneficiaryContactRow
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.consumers import SUBSCRIPTIONS
from eldercare.dispatch.domain.contacts import caregiver_refusal
from eldercare.dispatch.domain.visits import Visit, VisitStatus
from eldercare.dispatch.settings import DispatchSettings

from .test_check_ins_and_outs import problem

KEY = os.urandom(32)
RING = FieldCipher({"s1": KEY})
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CONTACT = BeneficiaryContact(
    name="张桂兰",
    address="芙蓉区望月湖街道3栋2单元501",
    phone="13900001111",
    guardian=BeneficiaryContactGuardian(name="李明", relation="儿子", phone="13800002222"),
)


def shared(
    beneficiary_id: UUID,
    contact: BeneficiaryContact = CONTACT,
    *,
    at: datetime = T0,
    ring: FieldCipher = RING,
) -> BeneficiaryContactShared:
    return BeneficiaryContactShared(
        beneficiary_id=beneficiary_id,
        district_code="430102",
        sealed=seal_contact(ring, beneficiary_id, contact),
        shared_at=at,
    )


async def kept(sessions, beneficiary_id: UUID) -> BeneficiaryContactRow | None:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return (
            await s.scalars(
                select(BeneficiaryContactRow).where(BeneficiaryContactRow.beneficiary_id == beneficiary_id)
            )
        ).first()


@pytest.fixture
def with_ring(monkeypatch):  # type: ignore[no-untyped-def]
    """The consumer reads DISPATCH_CONTACT_SHARE_KEYS from its environment: here, the test ring."""
    monkeypatch.setattr(consumers, "contact_share_ring", lambda: RING)


@pytest.fixture
def without_ring(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(consumers, "contact_share_ring", lambda: None)


class TestConsumer:
    async def test_the_share_is_kept_sealed_as_received(self, with_ring, deliver, sessions) -> None:  # type: ignore[no-untyped-def]
        event = shared(uuid4())
        await deliver(event)
        row = await kept(sessions, event.beneficiary_id)
        assert row is not None and row.sealed == event.sealed and row.shared_at == T0
        assert "13900001111" not in row.sealed and "张桂兰" not in row.sealed

    async def test_without_the_ring_the_sealed_blob_is_kept_untouched(
        self, without_ring, deliver, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        event = shared(uuid4(), ring=FieldCipher({"other": os.urandom(32)}))
        await deliver(event)
        row = await kept(sessions, event.beneficiary_id)
        assert row is not None and row.sealed == event.sealed

    async def test_the_later_share_wins_whatever_the_order(self, with_ring, deliver, sessions) -> None:  # type: ignore[no-untyped-def]
        beneficiary = uuid4()
        moved = CONTACT.model_copy(update={"address": "天心区新家路9号"})
        newer = shared(beneficiary, moved, at=T0 + timedelta(days=3))
        await deliver(shared(beneficiary, at=T0))
        await deliver(newer)
        await deliver(shared(beneficiary, at=T0 + timedelta(days=1)))  # late, older: ignored
        row = await kept(sessions, beneficiary)
        assert row is not None and (row.sealed, row.shared_at) == (newer.sealed, newer.shared_at)

    async def test_through_the_runner_a_duplicate_is_skipped_and_a_bad_share_dead_lettered(  # type: ignore[no-untyped-def]
        self, with_ring, sessions, settings
    ) -> None:
        dead_letters: list[tuple[str, str]] = []

        class Producer:  # the dead-letter topic's side of the broker
            async def send_and_wait(self, topic: str, *args: Any, headers: Any = (), **kwargs: Any) -> None:
                dead_letters.append((topic, dict(headers)["dlq_error_type"].decode()))

        runner = ConsumerRunner(settings, SUBSCRIPTIONS[0], sessions, MESSAGING, producer=Producer())  # type: ignore[arg-type]
        beneficiary = uuid4()

        def record(
            offset: int, event: BeneficiaryContactShared, data: dict[str, Any] | None = None
        ) -> ConsumerRecord[bytes, bytes]:
            envelope = REGISTRY.envelope(event, source="intake")
            value = json.dumps(data).encode() if data is not None else None
            return kafka_record(envelope, offset=offset, value=value)

        good = record(1, shared(beneficiary))
        assert await runner.handle_record(good) == "handled"
        assert await runner.handle_record(good) == "duplicate"
        # Sealed under a key dispatch lacks, or for another beneficiary: never kept over a good one.
        foreign = shared(beneficiary, at=T0 + timedelta(days=1), ring=FieldCipher({"s9": os.urandom(32)}))
        assert await runner.handle_record(record(2, foreign)) == "dead_lettered"
        swapped = shared(beneficiary, at=T0 + timedelta(days=1)).model_copy(
            update={"sealed": shared(uuid4()).sealed}
        )
        assert await runner.handle_record(record(3, swapped)) == "dead_lettered"
        later = shared(beneficiary, at=T0 + timedelta(days=2))
        assert (
            await runner.handle_record(record(4, later, {**later.model_dump(mode="json"), "sealed": ""}))
            == "dead_lettered"
        )
        assert [t for t, _ in dead_letters] == ["intake.beneficiary_contact.dlq"] * 3
        assert [e for _, e in dead_letters][:2] == ["ContactDoesNotOpen"] * 2
        row = await kept(sessions, beneficiary)
        assert row is not None and row.shared_at == T0


# ---------------------------------------------------------------- the route


@pytest.fixture
def settings(database_url, tokens):  # type: ignore[no-untyped-def]
    ring = SecretStr(f"s1:{base64.b64encode(KEY).decode()}")
    return DispatchSettings(**api_test_settings(database_url, tokens), contact_share_keys=ring)


async def scene_with_contact(world, **visit: Any):  # type: ignore[no-untyped-def]
    scene = await world.scene()
    if visit:
        scene.visit = await world.visit(scene.plan, scene.caregiver, **visit)
    await world.deliver(shared(scene.beneficiary.beneficiary_id))
    return scene


def url(scene) -> str:  # type: ignore[no-untyped-def]
    return f"/v1/visits/{scene.visit['id']}/beneficiary"


class TestRead:
    async def test_the_caregiver_sees_name_and_address_in_full_and_the_phones_masked(  # type: ignore[no-untyped-def]
        self, with_ring, world, caplog
    ) -> None:
        scene = await scene_with_contact(world)
        with caplog.at_level(logging.INFO, logger="eldercare.dispatch.contacts"):
            response = await world.client.get(
                url(scene), headers=world.caregiver(scene.provider["id"], scene.caregiver["id"])
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["name"], body["address"]) == ("张桂兰", "芙蓉区望月湖街道3栋2单元501")
        assert body["phone"] == "139****1111"
        assert body["guardian"] == {"name": "李明", "relation": "儿子", "phone": "138****2222"}
        assert body["masked"] is True and body["beneficiary_id"] == str(scene.beneficiary.beneficiary_id)
        [entry] = [r for r in caplog.records if r.getMessage() == "beneficiary contact read"]
        assert entry.fields == ["name", "address", "guardian.name", "guardian.relation"]  # type: ignore[attr-defined]
        assert entry.beneficiary_id == str(scene.beneficiary.beneficiary_id)  # type: ignore[attr-defined]

    async def test_with_pii_read_the_phones_are_shown_and_the_read_logged_without_values(  # type: ignore[no-untyped-def]
        self, with_ring, world, caplog
    ) -> None:
        scene = await scene_with_contact(world)
        headers = world.caregiver(scene.provider["id"], scene.caregiver["id"], scopes=["pii:read"])
        with caplog.at_level(logging.INFO, logger="eldercare.dispatch.contacts"):
            response = await world.client.get(url(scene), headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["phone"], body["guardian"]["phone"], body["masked"]) == (
            "13900001111",
            "13800002222",
            False,
        )
        [entry] = [r for r in caplog.records if r.getMessage() == "beneficiary contact read"]
        assert entry.fields[-2:] == ["phone", "guardian.phone"]  # type: ignore[attr-defined]
        # The suite-wide scan fails any test whose logs hold a phone number: this one passes it.

    async def test_the_providers_admin_sees_it_even_after_the_visit(self, with_ring, world) -> None:  # type: ignore[no-untyped-def]
        scene = await scene_with_contact(world)
        assert (await world.check_in(scene)).status_code == 201
        assert (await world.check_out(scene)).status_code == 201
        response = await world.client.get(url(scene), headers=world.admin(scene.provider["id"]))
        assert response.status_code == 200, response.text
        assert response.json()["phone"] == "139****1111"


class TestWho:
    async def test_another_caregiver_and_another_providers_admin_get_404(self, with_ring, world) -> None:  # type: ignore[no-untyped-def]
        scene = await scene_with_contact(world)
        colleague = await world.caregiver_of(scene.provider["id"], name="李护理员")
        other = await world.provider()
        for headers in (
            world.caregiver(scene.provider["id"], colleague["id"]),
            world.admin(other["id"]),
            world.caregiver(other["id"], scene.caregiver["id"]),
        ):
            response = await world.client.get(url(scene), headers=headers)
            assert response.status_code == 404, response.text

    async def test_government_is_403_no_token_401_a_bad_id_422(self, with_ring, world) -> None:  # type: ignore[no-untyped-def]
        scene = await scene_with_contact(world)
        assert (await world.client.get(url(scene), headers=world.officer())).status_code == 403
        assert (await world.client.get(url(scene))).status_code == 401
        bad = await world.client.get(
            "/v1/visits/not-a-uuid/beneficiary", headers=world.admin(scene.provider["id"])
        )
        assert bad.status_code == 422
        assert "visit_id" in json.dumps(problem(bad))

    async def test_the_caregiver_after_the_visit_or_before_its_window_gets_403(
        self, with_ring, world
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await scene_with_contact(world)
        caregiver = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        assert (await world.check_in(scene)).status_code == 201
        assert (await world.check_out(scene)).status_code == 201
        done = await world.client.get(url(scene), headers=caregiver)
        assert done.status_code == 403 and "completed" in problem(done)["detail"]
        later = await world.visit(scene.plan, scene.caregiver, hours=24 * 5)
        early = await world.client.get(f"/v1/visits/{later['id']}/beneficiary", headers=caregiver)
        assert early.status_code == 403 and "day before" in problem(early)["detail"]

    async def test_no_contact_shared_yet_is_404(self, with_ring, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        response = await world.client.get(url(scene), headers=world.admin(scene.provider["id"]))
        assert response.status_code == 404 and "shared" in problem(response)["detail"]


class TestWithoutTheRing:
    @pytest.fixture
    def settings(self, database_url, tokens):  # type: ignore[no-untyped-def]
        return DispatchSettings(**api_test_settings(database_url, tokens))

    async def test_the_route_is_503_naming_the_setting(self, without_ring, world) -> None:  # type: ignore[no-untyped-def]
        scene = await scene_with_contact(world)
        response = await world.client.get(url(scene), headers=world.admin(scene.provider["id"]))
        assert response.status_code == 503
        assert "DISPATCH_CONTACT_SHARE_KEYS" in problem(response)["detail"]


class TestWindow:
    def visit(self, start: datetime, status: VisitStatus = VisitStatus.scheduled) -> Visit:
        return Visit(
            care_plan_id=uuid4(),
            beneficiary_id=uuid4(),
            provider_id=uuid4(),
            caregiver_id=uuid4(),
            district_code="430102",
            community_code="430102001001",
            service_code="CS22",
            scheduled_start_at=start,
            scheduled_end_at=start + timedelta(hours=1),
            scheduled_by="test",
            status=status,
        )

    def test_from_the_start_of_the_day_before_to_the_end_of_the_visits_day_in_shanghai(self) -> None:
        visit = self.visit(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 10:00 on the 25th, Shanghai
        assert caregiver_refusal(visit, datetime(2026, 11, 23, 15, 59, tzinfo=UTC)) is not None
        assert caregiver_refusal(visit, datetime(2026, 11, 23, 16, 0, tzinfo=UTC)) is None  # 24th 00:00
        assert caregiver_refusal(visit, datetime(2026, 11, 25, 15, 59, tzinfo=UTC)) is None
        assert caregiver_refusal(visit, datetime(2026, 11, 25, 16, 0, tzinfo=UTC)) is not None

    @pytest.mark.parametrize(
        "status", [VisitStatus.completed, VisitStatus.cancelled, VisitStatus.missed, VisitStatus.voided]
    )
    def test_an_ended_visit_shows_nothing_to_its_caregiver(self, status: VisitStatus) -> None:
        start = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
        assert caregiver_refusal(self.visit(start, status), start) is not None
