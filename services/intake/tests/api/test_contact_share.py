"""intake.beneficiary_contact.shared.v1: the contact a caregiver needs, sealed for dispatch alone."""

from __future__ import annotations

import base64
import json
import logging
import os
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts.intake import open_contact
from eldercare.common.id_numbers import make_id_number
from eldercare.common.pii import FieldCipher
from eldercare.common.testing.plugin import api_client
from eldercare.intake.adapters import pii
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.main import create_app
from eldercare.intake.settings import IntakeSettings

SHARED = "intake.beneficiary_contact.shared.v1"
TODAY = local_date(utcnow()).isoformat()
KEY = os.urandom(32)
AGENT = {
    "name": "李明",
    "relation": "儿子",
    "phone": "13900001111",
    "id_number": make_id_number("430102", date(1970, 5, 4), 113),
}


async def outbox(sessions) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(type, payload text) of every outbox row, in order."""
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [(dict(r.headers)["ce_type"], bytes(r.payload).decode()) for r in rows]


@pytest.fixture
def ring() -> FieldCipher:
    return FieldCipher({"s1": KEY})


@pytest.fixture
def shared_settings(settings: IntakeSettings) -> IntakeSettings:
    return settings.model_copy(
        update={"contact_share_keys": SecretStr(f"s1:{base64.b64encode(KEY).decode()}")}
    )


@pytest.fixture
async def sharing_flow(flow, shared_settings, sessions):  # type: ignore[no-untyped-def]
    async with api_client(create_app(shared_settings), sessions) as c:
        flow.client = c
        yield flow


async def enrol(flow, seq: int = 1, **overrides: Any) -> tuple[dict[str, Any], dict[str, Any]]:  # type: ignore[no-untyped-def]
    app = await flow.assessed(seq, level=1, **overrides)
    response = await flow.decide(app["id"])
    assert response.status_code == 201, response.text
    return app, response.json()


class TestEnrolment:
    async def test_the_enrolment_shares_the_sealed_contact_in_its_transaction(
        self, sharing_flow, sessions, ring
    ) -> None:  # type: ignore[no-untyped-def]
        _, decided = await enrol(sharing_flow, 1, agent=AGENT)
        rows = await outbox(sessions)
        assert [t for t, _ in rows[-3:]] == [
            "intake.application.decided.v1",
            "intake.beneficiary.enrolled.v1",
            SHARED,
        ]
        payload = json.loads(rows[-1][1])
        assert set(payload) == {"beneficiary_id", "district_code", "sealed", "shared_at"}
        assert payload["beneficiary_id"] == decided["beneficiary_id"]
        assert payload["district_code"] == "430102"
        assert payload["sealed"].startswith("s1:")
        contact = open_contact(ring, UUID(decided["beneficiary_id"]), payload["sealed"])
        assert (contact.name, contact.phone) == ("测试老人01", "13800000001")
        assert contact.address == "芙蓉区示范路1号"
        assert contact.guardian is not None
        assert (contact.guardian.name, contact.guardian.relation, contact.guardian.phone) == (
            "李明",
            "儿子",
            "13900001111",
        )
        # Never the ID numbers, neither inside the seal nor beside it.
        assert "id_number" not in contact.model_dump_json()

    async def test_the_plain_contact_appears_in_no_outbox_row(self, sharing_flow, sessions) -> None:  # type: ignore[no-untyped-def]
        await enrol(sharing_flow, 1, agent=AGENT)
        text = "\n".join(payload for _, payload in await outbox(sessions))
        plains = ("测试老人01", "13800000001", "芙蓉区示范路1号", "李明", "13900001111", AGENT["id_number"])
        for plain in plains:
            assert plain not in text
            assert json.dumps(plain)[1:-1] not in text  # nor its JSON-escaped form

    async def test_without_an_agent_there_is_no_guardian(self, sharing_flow, sessions, ring) -> None:  # type: ignore[no-untyped-def]
        _, decided = await enrol(sharing_flow, 2)
        payload = json.loads((await outbox(sessions))[-1][1])
        assert open_contact(ring, UUID(decided["beneficiary_id"]), payload["sealed"]).guardian is None


class TestContactChange:
    async def test_a_newer_application_cannot_change_an_enrolled_beneficiarys_contact(
        self, sharing_flow, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        # A newer application (Person.with_contact) is refused while the person is enrolled, and
        # rolled back whole; the contact changes through PATCH .../contact (test_contact_change.py).
        await enrol(sharing_flow, 1)
        before = await outbox(sessions)
        moved = sharing_flow.body(1)
        moved["applicant"] = {**moved["applicant"], "phone": "13700009999", "address": "天心区新家路9号"}
        response = await sharing_flow.submit(moved)
        assert response.status_code == 409, response.text
        assert await outbox(sessions) == before


class TestUnset:
    async def test_no_ring_no_event_and_one_warning(self, flow, sessions, settings, caplog) -> None:  # type: ignore[no-untyped-def]
        pii._warn_contact_not_shared.cache_clear()
        with caplog.at_level(logging.WARNING, logger=pii.__name__):
            assert pii.contact_share_cipher(settings) is None
            assert pii.contact_share_cipher(settings) is None
        assert [r.getMessage() for r in caplog.records].count(
            "INTAKE_CONTACT_SHARE_KEYS is not set: the beneficiaries' contact is not shared with dispatch"
        ) == 1
        await enrol(flow, 1)
        assert SHARED not in [t for t, _ in await outbox(sessions)]

    def test_a_malformed_ring_is_refused_naming_the_setting(self, settings) -> None:  # type: ignore[no-untyped-def]
        ring = SecretStr("s1:" + base64.b64encode(b"x" * 8).decode())
        short = settings.model_copy(update={"contact_share_keys": ring})
        with pytest.raises(pii.PiiSettingsInvalid, match="INTAKE_CONTACT_SHARE_KEYS"):
            pii.contact_share_cipher(short)


class TestReshare:
    async def test_every_enrolled_beneficiary_is_shared_again_the_terminated_skipped(
        self, sharing_flow, sessions, shared_settings, settings, ring
    ) -> None:  # type: ignore[no-untyped-def]
        from eldercare.intake.share_contacts import share_all

        _, first = await enrol(sharing_flow, 1, agent=AGENT)
        _, second = await enrol(sharing_flow, 2)
        _, gone = await enrol(sharing_flow, 3)
        body = {"status": "terminated", "reason": "death", "effective_on": TODAY, "comment": "社区报告"}
        ended = await sharing_flow.client.post(
            f"/v1/beneficiaries/{gone['beneficiary_id']}/status-changes",
            json=body,
            headers=sharing_flow.tokens.headers("district_officer", region="430102"),
        )
        assert ended.status_code == 201, ended.text
        before = len(await outbox(sessions))
        assert await share_all(sessions, pii.PiiVault.from_settings(shared_settings), region="", batch=1) == 2
        rows = (await outbox(sessions))[before:]
        assert [t for t, _ in rows] == [SHARED, SHARED]
        by_id = {json.loads(p)["beneficiary_id"]: json.loads(p)["sealed"] for _, p in rows}
        again = open_contact(ring, UUID(first["beneficiary_id"]), by_id[first["beneficiary_id"]])
        assert again.guardian is not None and again.guardian.name == "李明"
        assert second["beneficiary_id"] in by_id and gone["beneficiary_id"] not in by_id
        with pytest.raises(pii.PiiSettingsInvalid, match="INTAKE_CONTACT_SHARE_KEYS"):
            await share_all(sessions, pii.PiiVault.from_settings(settings), region="", batch=10)
