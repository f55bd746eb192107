"""POST /v1/policy-reevaluations/applied: the previewed re-evaluation applied to the register, from
the first day of the next month, each change published."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import select

from eldercare.common.clock import local_date, utcnow
from eldercare.common.testing.plugin import api_client
from eldercare.intake.adapters.models import BeneficiaryRow
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.domain.beneficiary import first_of_next_month
from eldercare.intake.domain.policy import PackCatalog, parse_pack
from eldercare.intake.main import create_app
from eldercare.intake.policy_packs import catalog, load_packs

REPORT, APPLY = "/v1/policy-reevaluations", "/v1/policy-reevaluations/applied"
BODY = {"pack_id": "changsha-2024", "version": "2026.1"}


def with_draft() -> PackCatalog:
    """Changsha 2026.1 (a draft): item (一) needs level 2 or worse, and 委托代办 is no longer bought."""
    text = resources.files("eldercare.intake.policy_packs").joinpath("changsha-2024.json").read_text("utf-8")
    doc = copy.deepcopy(json.loads(text)) | {"version": "2026.1", "effective_from": "2026-01-01"}
    doc["qualifying"][0]["when"][0]["value"] = 2
    doc["entitlement"]["service_categories"]["codes"].remove("errands")
    return PackCatalog([*load_packs(), parse_pack(doc)])


@pytest.fixture
async def drafted(settings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    app = create_app(settings)
    app.dependency_overrides[catalog] = with_draft
    async with api_client(app, sessions) as c:
        yield c


async def enrol(flow, seq: int, level: int) -> str:  # type: ignore[no-untyped-def]
    app = await flow.assessed(seq, level=level)
    return str((await flow.decide(app["id"])).json()["beneficiary_id"])


async def events(sessions, suffix: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [json.loads(r.payload) for r in rows if dict(r.headers)["ce_type"].endswith(suffix)]


async def row(sessions, beneficiary_id: str) -> BeneficiaryRow:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return (
            await s.scalars(select(BeneficiaryRow).where(BeneficiaryRow.id == UUID(beneficiary_id)))
        ).one()


def officer(tokens, region: str = "430102", key: str | None = "apply-0001") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return tokens.headers("district_officer", region=region) | ({"Idempotency-Key": key} if key else {})


async def dry_run(client: httpx.AsyncClient, tokens, region: str = "430102") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.post(REPORT, json=BODY, headers=tokens.headers("district_officer", region=region))
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestApply:
    async def test_the_previewed_changes_apply_from_next_month(self, flow, drafted, sessions, tokens) -> None:  # type: ignore[no-untyped-def]
        loses, keeps = await enrol(flow, 1, 1), await enrol(flow, 2, 3)
        report = await dry_run(drafted, tokens)
        assert report["counts"] == {"loses_eligibility": 1, "loses": 1}
        response = await drafted.post(
            APPLY, json=BODY | {"digest": report["digest"]}, headers=officer(tokens)
        )
        assert response.status_code == 201, response.text
        applied = response.json()
        next_month = first_of_next_month(local_date(utcnow()))
        assert applied["effective_on"] == next_month.isoformat()
        assert {i["beneficiary_id"]: i["result"] for i in applied["items"]} == {
            loses: "terminated",
            keeps: "changed",
        }
        kept, lost = await row(sessions, keeps), await row(sessions, loses)
        assert (kept.pack_version, "errands" in kept.service_categories, kept.status) == (
            "2026.1",
            False,
            "active",
        )
        assert kept.entitlement_history[-1]["reason"] == "policy_reevaluation"
        assert (lost.status, lost.status_history[-1]["reason"]) == ("terminated", "no_longer_eligible")
        assert "第五条" in [c["article"] for c in lost.status_history[-1]["basis"]]
        [changed] = await events(sessions, "entitlement_changed.v1")
        assert (changed["beneficiary_id"], changed["reason"], changed["effective_on"]) == (
            keeps,
            "policy_reevaluation",
            next_month.isoformat(),
        )
        assert changed["policy"] == {"pack_id": "changsha-2024", "version": "2026.1"}
        [ended] = await events(sessions, "status_changed.v1")
        assert (ended["beneficiary_id"], ended["status"], ended["effective_on"]) == (
            loses,
            "terminated",
            next_month.isoformat(),
        )

    async def test_a_register_changed_since_the_dry_run_is_409_and_nothing_applied(
        self, flow, drafted, sessions, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        first = await enrol(flow, 1, 1)
        report = await dry_run(drafted, tokens)
        await enrol(flow, 2, 1)
        response = await drafted.post(
            APPLY, json=BODY | {"digest": report["digest"]}, headers=officer(tokens)
        )
        assert response.status_code == 409 and response.json()["errors"][0]["field"] == "digest"
        assert (await row(sessions, first)).status == "active"
        assert await events(sessions, "status_changed.v1") == []

    async def test_an_idempotency_key_is_required_and_replays(self, flow, drafted, sessions, tokens) -> None:  # type: ignore[no-untyped-def]
        await enrol(flow, 1, 3)
        report = await dry_run(drafted, tokens)
        body = BODY | {"digest": report["digest"]}
        missing = await drafted.post(APPLY, json=body, headers=officer(tokens, key=None))
        assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "header.Idempotency-Key"
        first = await drafted.post(APPLY, json=body, headers=officer(tokens))
        again = await drafted.post(APPLY, json=body, headers=officer(tokens))
        assert (first.status_code, again.status_code) == (201, 201)
        assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == first.json()
        assert len(await events(sessions, "entitlement_changed.v1")) == 1

    async def test_another_districts_officer_changes_nothing(self, flow, drafted, sessions, tokens) -> None:  # type: ignore[no-untyped-def]
        bid = await enrol(flow, 1, 1)
        report = await dry_run(drafted, tokens, region="430103")
        assert report["counts"] == {}
        response = await drafted.post(
            APPLY, json=BODY | {"digest": report["digest"]}, headers=officer(tokens, region="430103")
        )
        assert response.status_code == 201 and response.json()["items"] == []
        assert (await row(sessions, bid)).status == "active"

    async def test_an_unset_amount_refuses_the_whole_run_naming_it(
        self, flow, settings, sessions, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        await enrol(flow, 1, 3)
        app = create_app(settings.model_copy(update={"policy_settings": {}}))
        app.dependency_overrides[catalog] = with_draft
        async with api_client(app, sessions) as client:
            report = await dry_run(client, tokens)
            response = await client.post(
                APPLY, json=BODY | {"digest": report["digest"]}, headers=officer(tokens)
            )
        assert response.status_code == 503, response.text
        assert "monthly_service_amount_fen" in response.text
        assert await events(sessions, "entitlement_changed.v1") == []

    @pytest.mark.parametrize(
        ("role", "region"), [("community_worker", "430102001001"), ("city_platform", "4301")]
    )
    async def test_only_the_bureau_may_apply(self, drafted, tokens, role: str, region: str) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers(role, region=region) | {"Idempotency-Key": "apply-0002"}
        response = await drafted.post(APPLY, json=BODY | {"digest": "0" * 64}, headers=headers)
        assert response.status_code == 403
