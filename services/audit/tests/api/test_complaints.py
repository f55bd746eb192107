"""Complaints from intake to outcome (nanchang-2019 第四十一条) and caregiver decertification
(wuhai-2017 第三十一条), over the real database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select, update

from eldercare.audit.adapters.models import ComplaintRow
from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.domain.complaint import ComplaintSeverity
from eldercare.audit.main import create_app
from eldercare.audit.settings import AuditSettings
from eldercare.common.testing.plugin import api_client

COMPLAINTS = "/v1/complaints"
DAYS = {ComplaintSeverity.urgent: 1, ComplaintSeverity.high: 3}


@pytest.fixture
async def client(settings: AuditSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(update={"complaint_handling_days": DAYS})
    async with api_client(create_app(configured), sessions) as c:
        yield c


def auditor(tokens, region: str = "430102", **kw: Any) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region=region, **kw))


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "district_code": "430102",
        "source": "hotline",
        "category": "caregiver_conduct",
        "severity": "high",
        "subject": {"provider_id": str(PROVIDER), "caregiver_id": str(uuid4())},
        "complainant": {"relation": "family", "name": "张三", "phone": "13800001234"},
        "description": "护理员上门时态度恶劣",
        **overrides,
    }


PROVIDER = uuid4()


async def file(client, tokens, **overrides: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(COMPLAINTS, json=body(**overrides), headers=auditor(tokens))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def substantiate(client, tokens, complaint_id: str, substantiated: bool = True) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await client.post(
        f"{COMPLAINTS}/{complaint_id}/outcomes",
        json={"substantiated": substantiated, "summary": "经回访核实", "reply": "已约谈服务机构"},
        headers=auditor(tokens),
    )


async def outbox(sessions) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [(dict(row.headers)["ce_type"], json.loads(row.payload)) for row in rows]


class TestIntake:
    async def test_a_hotline_complaint_gets_the_deadline_of_its_severity(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens)
        assert (created["status"], created["severity_label"], created["overdue"]) == (
            "received",
            "严重",
            False,
        )
        received, due = (datetime.fromisoformat(created[k]) for k in ("received_at", "due_at"))
        assert due - received == timedelta(days=3)

    async def test_a_severity_without_a_deadline_setting_is_422_naming_severity(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(COMPLAINTS, json=body(severity="low"), headers=auditor(tokens))
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == ["severity"]
        assert "AUDIT_COMPLAINT_HANDLING_DAYS" in response.json()["detail"]

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"source": "letter"}, "source"),
            ({"subject": {}}, "subject"),
            ({"district_code": "43"}, "district_code"),
            ({"complainant": {"relation": "family", "phone": "call me"}}, "phone"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(self, client, tokens, overrides, field) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(COMPLAINTS, json=body(**overrides), headers=auditor(tokens))
        assert response.status_code == 422
        assert any(field in e["field"] for e in response.json()["errors"]), response.json()

    async def test_a_complaint_for_another_district_is_refused(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(COMPLAINTS, json=body(district_code="430103"), headers=auditor(tokens))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "district_code"

    async def test_the_city_platform_files_and_a_caregiver_cannot(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        platform = tokens.headers("city_platform", region="4301")
        assert (await client.post(COMPLAINTS, json=body(), headers=platform)).status_code == 201
        caregiver = tokens.headers("caregiver", caregiver_id=uuid4())
        assert (await client.post(COMPLAINTS, json=body(), headers=caregiver)).status_code == 403


class TestComplainantMasking:
    async def test_staff_without_pii_read_see_the_complainant_masked(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens)
        assert created["complainant"] == {
            "relation": "family",
            "name": "张***",
            "phone": "138****1234",
            "masked": True,
        }
        unmasked = await client.get(
            f"{COMPLAINTS}/{created['id']}", headers=auditor(tokens, scopes=["pii:read"])
        )
        assert unmasked.json()["complainant"]["phone"] == "13800001234"

    async def test_the_provider_complained_about_never_sees_who_complained(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens)
        provider = tokens.headers("provider_admin", provider_id=PROVIDER, scopes=["pii:read"])
        response = await client.get(f"{COMPLAINTS}/{created['id']}", headers=provider)
        assert response.status_code == 200
        assert response.json()["complainant"] == {
            "relation": "family",
            "name": None,
            "phone": None,
            "masked": True,
        }
        listed = await client.get(COMPLAINTS, headers=provider)
        assert [c["id"] for c in listed.json()["items"]] == [created["id"]]
        assert "13800001234" not in listed.text and "张三" not in listed.text


class TestTenancy:
    async def test_another_districts_auditor_and_another_provider_get_404(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens)
        url = f"{COMPLAINTS}/{created['id']}"
        assert (await client.get(url, headers=auditor(tokens, "430103"))).status_code == 404
        other = tokens.headers("provider_admin", provider_id=uuid4())
        assert (await client.get(url, headers=other)).status_code == 404
        assert (await client.get(COMPLAINTS, headers=other)).json()["items"] == []
        assert (await client.get(COMPLAINTS, headers=auditor(tokens, "430103"))).json()["items"] == []

    async def test_another_districts_auditor_cannot_close_it(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens)
        response = await client.post(
            f"{COMPLAINTS}/{created['id']}/outcomes",
            json={"substantiated": True, "summary": "s", "reply": "r"},
            headers=auditor(tokens, "430103"),
        )
        assert response.status_code == 404
        again = await client.get(f"{COMPLAINTS}/{created['id']}", headers=auditor(tokens))
        assert again.json()["status"] == "received"


class TestHandling:
    async def test_assignment_notes_and_outcome_close_the_complaint(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens)
        url = f"{COMPLAINTS}/{created['id']}"
        assigned = await client.post(
            f"{url}/assignments", json={"assignee": "officer-7"}, headers=auditor(tokens)
        )
        assert (assigned.status_code, assigned.json()["status"]) == (201, "assigned")
        noted = await client.post(f"{url}/notes", json={"text": "电话联系家属"}, headers=auditor(tokens))
        assert noted.json()["status"] == "investigating"
        assert [n["text"] for n in noted.json()["notes"]] == ["电话联系家属"]
        closed = await substantiate(client, tokens, created["id"], substantiated=False)
        assert closed.json()["status"] == "closed" and closed.json()["substantiated"] is False
        assert closed.json()["reply"] == "已约谈服务机构"
        late = await client.post(f"{url}/notes", json={"text": "x"}, headers=auditor(tokens))
        assert late.status_code == 409

    async def test_a_provider_cannot_record_an_outcome(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens)
        provider = tokens.headers("provider_admin", provider_id=PROVIDER)
        response = await client.post(
            f"{COMPLAINTS}/{created['id']}/outcomes",
            json={"substantiated": False, "summary": "s", "reply": "r"},
            headers=provider,
        )
        assert response.status_code == 403

    async def test_overdue_complaints_are_listed_and_escalated_once(self, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        late, on_time = await file(client, tokens), await file(client, tokens)
        async with sessions() as s, s.begin():
            await s.execute(
                update(ComplaintRow)
                .where(ComplaintRow.id == UUID(late["id"]))
                .values(due_at=datetime.fromisoformat(late["received_at"]) - timedelta(hours=1))
            )
        overdue = await client.get(COMPLAINTS, params={"overdue": "true"}, headers=auditor(tokens))
        assert [c["id"] for c in overdue.json()["items"]] == [late["id"]]
        assert overdue.json()["items"][0]["overdue"] is True
        escalated = await client.post(f"{COMPLAINTS}/escalations", headers=auditor(tokens))
        assert escalated.status_code == 201
        assert [c["id"] for c in escalated.json()] == [late["id"]] and escalated.json()[0]["escalated_at"]
        assert (await client.post(f"{COMPLAINTS}/escalations", headers=auditor(tokens))).json() == []
        assert on_time["id"] not in overdue.text


class TestDecertification:
    async def _three_against(self, client, tokens, caregiver: UUID) -> list[str]:  # type: ignore[no-untyped-def]
        ids = []
        for _ in range(3):
            created = await file(
                client, tokens, subject={"provider_id": str(PROVIDER), "caregiver_id": str(caregiver)}
            )
            ids.append(created["id"])
        return ids

    async def test_the_third_substantiated_complaint_decertifies_the_caregiver_once(
        self, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        caregiver = uuid4()
        ids = await self._three_against(client, tokens, caregiver)
        await substantiate(client, tokens, ids[0])
        await substantiate(client, tokens, ids[1])
        assert await outbox(sessions) == []
        await substantiate(client, tokens, ids[2])
        [(event_type, data)] = await outbox(sessions)
        assert event_type == "audit.caregiver.decertified.v1"
        assert data["caregiver_id"] == str(caregiver) and data["provider_id"] == str(PROVIDER)
        assert data["complaint_ids"] == ids and data["substantiated_complaints"] == 3
        assert data["basis"] == "wuhai-2017-home-care-measures.md 第三十一条"
        # A fourth substantiated complaint does not announce it again.
        fourth = await file(client, tokens, subject={"caregiver_id": str(caregiver)})
        await substantiate(client, tokens, fourth["id"])
        assert len(await outbox(sessions)) == 1

    async def test_unsubstantiated_complaints_do_not_decertify(self, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        caregiver = uuid4()
        ids = await self._three_against(client, tokens, caregiver)
        await substantiate(client, tokens, ids[0])
        await substantiate(client, tokens, ids[1])
        await substantiate(client, tokens, ids[2], substantiated=False)
        assert await outbox(sessions) == []

    async def test_a_complaint_older_than_365_days_does_not_count(self, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        caregiver = uuid4()
        ids = await self._three_against(client, tokens, caregiver)
        async with sessions() as s, s.begin():
            await s.execute(
                update(ComplaintRow)
                .where(ComplaintRow.id == UUID(ids[0]))
                .values(received_at=ComplaintRow.received_at - timedelta(days=366))
            )
        for complaint_id in ids:
            await substantiate(client, tokens, complaint_id)
        assert await outbox(sessions) == []
        record = await client.get(f"/v1/caregivers/{caregiver}/complaint-record", headers=auditor(tokens))
        assert record.json()["count"] == 2 and record.json()["decertified"] is False

    async def test_the_record_shows_the_count_the_complaints_and_when_the_oldest_drops_out(
        self, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        caregiver = uuid4()
        ids = await self._three_against(client, tokens, caregiver)
        for complaint_id in ids:
            await substantiate(client, tokens, complaint_id)
        response = await client.get(f"/v1/caregivers/{caregiver}/complaint-record", headers=auditor(tokens))
        assert response.status_code == 200
        record = response.json()
        assert (record["count"], record["threshold"], record["window_days"]) == (3, 3, 365)
        assert [c["id"] for c in record["complaints"]] == ids
        oldest = datetime.fromisoformat(record["complaints"][0]["received_at"])
        assert datetime.fromisoformat(record["oldest_drops_out_at"]) == oldest + timedelta(days=365)
        assert record["decertified"] is True and record["decertification"]["complaint_ids"] == ids

    async def test_another_districts_officer_gets_404_for_the_record(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        caregiver = uuid4()
        await self._three_against(client, tokens, caregiver)
        url = f"/v1/caregivers/{caregiver}/complaint-record"
        assert (await client.get(url, headers=auditor(tokens))).json()["count"] == 0
        other = tokens.headers("district_officer", region="430103")
        assert (await client.get(url, headers=other)).status_code == 404
        assert (
            await client.get(f"/v1/caregivers/{uuid4()}/complaint-record", headers=auditor(tokens))
        ).status_code == 404


class TestFindingFromComplaint:
    async def test_a_substantiated_service_complaint_against_a_provider_opens_a_finding(
        self, client, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens, category="service_not_delivered")
        await client.post(
            f"{COMPLAINTS}/{created['id']}/notes",
            json={"text": "老人确认当天无人上门"},
            headers=auditor(tokens),
        )
        await substantiate(client, tokens, created["id"])
        findings = (await client.get("/v1/findings", headers=auditor(tokens))).json()["items"]
        [finding] = [f for f in findings if f["source_id"] == created["id"]]
        assert (finding["type"], finding["source"], finding["provider_id"]) == (
            "not_per_plan",
            "complaint",
            str(PROVIDER),
        )
        assert finding["basis"].endswith("第十八条（一）")
        assert "老人确认当天无人上门" in finding["evidence"]

    @pytest.mark.parametrize(
        ("category", "substantiated"), [("caregiver_conduct", True), ("service_not_delivered", False)]
    )
    async def test_other_categories_and_unsubstantiated_complaints_open_none(
        self, client, tokens, category: str, substantiated: bool
    ) -> None:  # type: ignore[no-untyped-def]
        created = await file(client, tokens, category=category)
        await substantiate(client, tokens, created["id"], substantiated=substantiated)
        assert (await client.get("/v1/findings", headers=auditor(tokens))).json()["items"] == []
