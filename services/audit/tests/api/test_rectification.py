"""Findings, rectification notices and sanctions (changsha-2024 第十八条) over the real database."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import select, update

from eldercare.audit.adapters.models import RectificationNoticeRow
from eldercare.audit.adapters.orm import MESSAGING
from eldercare.common.clock import local_date, utcnow

FINDINGS = "/v1/findings"
NOTICES = "/v1/rectification-notices"
PROVIDER = uuid4()


def auditor(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region=region))


def officer(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("district_officer", region=region))


def provider(tokens, provider_id: UUID = PROVIDER) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("provider_admin", provider_id=provider_id))


def finding_body(**overrides: Any) -> dict[str, Any]:
    return {
        "district_code": "430102",
        "provider_id": str(PROVIDER),
        "type": "not_per_plan",
        "source": "spot_check",
        "source_id": str(uuid4()),
        "evidence": ["回访：老人称当天无人上门", "签到定位距住址 3.2 公里"],
        "description": "抽查查实未按照护方案提供服务",
        **overrides,
    }


async def outbox(sessions) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [(dict(row.headers)["ce_type"], json.loads(row.payload)) for row in rows]


@pytest.fixture
async def notice(client: httpx.AsyncClient, tokens) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A notice on two findings (（一） and （四）) against PROVIDER in 430102."""
    ids = []
    for kind in ("not_per_plan", "false_information"):
        created = await client.post(FINDINGS, json=finding_body(type=kind), headers=auditor(tokens))
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    deadline = local_date(utcnow()) + timedelta(days=15)
    response = await client.post(
        NOTICES,
        json={
            "finding_ids": ids,
            "requirements": "十五日内整改并提交报告",
            "deadline_on": deadline.isoformat(),
        },
        headers=auditor(tokens),
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def pass_deadline(sessions, notice_id: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as s, s.begin():
        await s.execute(
            update(RectificationNoticeRow)
            .where(RectificationNoticeRow.id == UUID(notice_id))
            .values(deadline_on=local_date(utcnow()) - timedelta(days=1))
        )


class TestFindings:
    async def test_a_finding_names_its_kind_and_article(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            FINDINGS, json=finding_body(type="selling_or_fraud"), headers=auditor(tokens)
        )
        assert response.status_code == 201
        assert response.json()["basis"] == "changsha-2024-purchased-door-to-door-rules.md 第十八条（二）"
        assert len(response.json()["evidence"]) == 2

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"type": "rudeness"}, "type"),
            ({"evidence": []}, "evidence"),
            ({"provider_id": "x"}, "provider_id"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(self, client, tokens, overrides, field) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(FINDINGS, json=finding_body(**overrides), headers=auditor(tokens))
        assert response.status_code == 422
        assert any(field in e["field"] for e in response.json()["errors"])

    async def test_the_provider_sees_its_findings_and_others_see_none(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        created = (await client.post(FINDINGS, json=finding_body(), headers=auditor(tokens))).json()
        assert [f["id"] for f in (await client.get(FINDINGS, headers=provider(tokens))).json()["items"]] == [
            created["id"]
        ]
        assert (await client.get(FINDINGS, headers=provider(tokens, uuid4()))).json()["items"] == []
        assert (
            await client.get(f"{FINDINGS}/{created['id']}", headers=provider(tokens, uuid4()))
        ).status_code == 404
        assert (
            await client.get(f"{FINDINGS}/{created['id']}", headers=auditor(tokens, "430103"))
        ).status_code == 404


class TestNotices:
    async def test_a_notice_ties_its_findings_and_they_cannot_be_noticed_twice(
        self, client, tokens, notice
    ) -> None:  # type: ignore[no-untyped-def]
        assert notice["status"] == "issued" and len(notice["finding_ids"]) == 2
        finding = (await client.get(f"{FINDINGS}/{notice['finding_ids'][0]}", headers=auditor(tokens))).json()
        assert finding["notice_id"] == notice["id"]
        again = await client.post(
            NOTICES,
            json={
                "finding_ids": notice["finding_ids"][:1],
                "requirements": "r",
                "deadline_on": notice["deadline_on"],
            },
            headers=auditor(tokens),
        )
        assert again.status_code == 409

    async def test_another_districts_finding_is_unknown_to_the_notice(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        other = (
            await client.post(
                FINDINGS, json=finding_body(district_code="430103"), headers=auditor(tokens, "430103")
            )
        ).json()
        response = await client.post(
            NOTICES,
            json={
                "finding_ids": [other["id"]],
                "requirements": "r",
                "deadline_on": (local_date(utcnow()) + timedelta(days=9)).isoformat(),
            },
            headers=auditor(tokens),
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "finding_ids"

    async def test_the_provider_addressed_responds_and_another_gets_404(self, client, tokens, notice) -> None:  # type: ignore[no-untyped-def]
        url = f"{NOTICES}/{notice['id']}/responses"
        ok = await client.post(url, json={"text": "已更换护理员并补上服务"}, headers=provider(tokens))
        assert ok.status_code == 201 and ok.json()["responses"][0]["text"] == "已更换护理员并补上服务"
        assert (
            await client.post(url, json={"text": "x"}, headers=provider(tokens, uuid4()))
        ).status_code == 404
        assert (
            await client.get(f"{NOTICES}/{notice['id']}", headers=auditor(tokens, "430103"))
        ).status_code == 404

    async def test_rectified_verification_closes_it_and_publishes_nothing(
        self, client, tokens, sessions, notice
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            f"{NOTICES}/{notice['id']}/verifications",
            json={"rectified": True, "notes": "复查合格"},
            headers=auditor(tokens),
        )
        assert response.json()["status"] == "rectified"
        assert await outbox(sessions) == []

    async def test_not_rectified_before_the_deadline_is_409(self, client, tokens, notice) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(
            f"{NOTICES}/{notice['id']}/verifications",
            json={"rectified": False, "notes": "x"},
            headers=auditor(tokens),
        )
        assert response.status_code == 409


class TestSanction:
    async def test_a_confirmed_sanction_is_published_for_billing_and_dispatch(
        self, client, tokens, sessions, notice
    ) -> None:  # type: ignore[no-untyped-def]
        await pass_deadline(sessions, notice["id"])
        verified = await client.post(
            f"{NOTICES}/{notice['id']}/verifications",
            json={"rectified": False, "notes": "逾期未整改"},
            headers=auditor(tokens),
        )
        assert verified.json()["status"] == "not_rectified"
        assert verified.json()["recommendation"]["measures"] == ["end_contract", "blacklist", "recover_funds"]
        decision = f"{NOTICES}/{notice['id']}/sanction-decisions"
        # Only a district officer confirms (第十八条: 区县（市）民政部门).
        assert (
            await client.post(decision, json={"confirmed": True, "notes": "n"}, headers=auditor(tokens))
        ).status_code == 403
        assert (
            await client.post(
                decision, json={"confirmed": True, "notes": "n"}, headers=officer(tokens, "430103")
            )
        ).status_code == 404
        confirmed = await client.post(
            decision, json={"confirmed": True, "notes": "同意"}, headers=officer(tokens)
        )
        assert confirmed.status_code == 201 and confirmed.json()["status"] == "sanctioned"
        [(event_type, data)] = await outbox(sessions)
        assert event_type == "audit.sanction.imposed.v1"
        assert data["provider_id"] == str(PROVIDER) and data["notice_id"] == notice["id"]
        assert data["sanction_id"] == confirmed.json()["sanction_id"]
        assert data["finding_types"] == ["false_information", "not_per_plan"]
        assert "changsha-2024-purchased-door-to-door-rules.md 第十八条（四）" in data["basis"]
        again = await client.post(decision, json={"confirmed": True, "notes": "n"}, headers=officer(tokens))
        assert again.status_code == 409 and len(await outbox(sessions)) == 1

    async def test_a_declined_sanction_publishes_nothing(self, client, tokens, sessions, notice) -> None:  # type: ignore[no-untyped-def]
        await pass_deadline(sessions, notice["id"])
        await client.post(
            f"{NOTICES}/{notice['id']}/verifications",
            json={"rectified": False, "notes": "x"},
            headers=auditor(tokens),
        )
        declined = await client.post(
            f"{NOTICES}/{notice['id']}/sanction-decisions",
            json={"confirmed": False, "notes": "给予二次整改"},
            headers=officer(tokens),
        )
        assert declined.json()["status"] == "sanction_declined"
        assert await outbox(sessions) == []
