"""Reassessment (复评) of an enrolled beneficiary: the level and, through the pack the beneficiary is
enrolled under, the entitlement change from the first day of the next month (issue #3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import AssessmentCompleted
from eldercare.common.errors import SettingNotConfigured
from eldercare.common.testing.plugin import Tokens, api_test_settings
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.models import ApplicationRow, BeneficiaryRow
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.consumers import on_assessment_completed
from eldercare.intake.domain.beneficiary import first_of_next_month
from eldercare.intake.settings import IntakeSettings

HUZHOU = {f"monthly_service_amount_fen_level_{n}": 10000 * n for n in range(1, 5)}


@pytest.fixture
def settings(database_url: str, tokens: Tokens, pii_keys: dict[str, SecretStr]) -> IntakeSettings:
    return IntakeSettings(
        **api_test_settings(database_url, tokens),
        policy_settings={"changsha-2024": {"monthly_service_amount_fen": 30000}, "huzhou-2022": HUZHOU},
        **pii_keys,
    )


async def events(sessions) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [(dict(r.headers)["ce_type"], json.loads(r.payload)) for r in rows]


async def beneficiary(sessions, beneficiary_id: str) -> BeneficiaryRow:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return (
            await s.scalars(select(BeneficiaryRow).where(BeneficiaryRow.id == UUID(beneficiary_id)))
        ).one()


async def reassess(  # type: ignore[no-untyped-def]
    sessions, settings: IntakeSettings, app: dict[str, Any], level: int, **overrides: Any
) -> AssessmentCompleted:
    fields: dict[str, Any] = {
        "assessment_id": uuid4(),
        "application_id": None,
        "person_id": UUID(app["applicant"]["person_id"]),
        "district_code": app["district_code"],
        "reason": "routine",
        "total_score": 90 - 20 * level,
        "subtotals": {},
        "preliminary_level": level,
        "final_level": level,
        "adjustments": [],
        "rule_settings": {},
        "completed_at": datetime.now(UTC),
        **overrides,
    }
    event = AssessmentCompleted(**fields)
    async with UnitOfWork(sessions, MESSAGING, source="assessment", settings=settings) as uow:
        await on_assessment_completed(event, uow)
        await uow.commit()
    return event


async def enrolled(
    flow, seq: int = 1, level: int = 1, *, city: str = "changsha"
) -> tuple[dict[str, Any], str]:  # type: ignore[no-untyped-def]
    """A beneficiary enrolled through the API: Changsha (subsistence allowance) or Huzhou
    (economically disadvantaged, an amount per level: 第二十条（一）)."""
    if city == "huzhou":
        body = flow.body(
            seq,
            policy="huzhou",
            circumstances=["economically_disadvantaged"],
            applicant=flow.applicant(seq, hukou_region="330502", community_code="330502001001"),
        )
        district, street = "330502", "330502001"
    else:
        body, district, street = flow.body(seq), "430102", "430102001"
    response = await flow.submit(body)
    assert response.status_code == 201, response.text
    app = response.json()
    assert (await flow.review(app["id"], region=street)).status_code == 201
    await flow.assess(app, level)
    response = await flow.decide(app["id"], region=district)
    assert response.status_code == 201, response.text
    return app, response.json()["beneficiary_id"]


class TestReassessment:
    async def test_a_higher_level_raises_the_amount_from_next_month(self, flow, sessions, settings) -> None:  # type: ignore[no-untyped-def]
        app, bid = await enrolled(flow, 1, level=1, city="huzhou")
        assert (await beneficiary(sessions, bid)).monthly_amount_fen == 10000
        event = await reassess(sessions, settings, app, 3)
        row = await beneficiary(sessions, bid)
        next_month = first_of_next_month(local_date(utcnow()))
        assert (row.assessment_level, row.monthly_amount_fen, row.assessment_id) == (
            3,
            30000,
            event.assessment_id,
        )
        assert row.effective_on == local_date(utcnow())  # the enrolment date stays
        [history] = row.entitlement_history
        assert (history["reason"], history["effective_on"], history["monthly_amount_fen"]) == (
            "reassessment",
            next_month.isoformat(),
            30000,
        )
        [(_, changed)] = [e for e in await events(sessions) if e[0].endswith("entitlement_changed.v1")]
        assert changed["reason"] == "reassessment" and changed["assessment_id"] == str(event.assessment_id)
        assert changed["effective_on"] == next_month.isoformat() and next_month.day == 1
        assert changed["entitlement"]["monthly_amount_fen"] == 30000
        assert changed["policy"] == {"pack_id": "huzhou-2022", "version": row.pack_version}
        assert ("第二十条", "（一）") in [(c["article"], c["item"]) for c in changed["entitlement"]["basis"]]

    async def test_a_level_that_no_longer_qualifies_terminates_from_next_month(
        self, flow, sessions, settings
    ) -> None:  # type: ignore[no-untyped-def]
        app, bid = await enrolled(flow, 2, level=2)  # changsha: subsistence_allowance and level >= 1
        await reassess(sessions, settings, app, 0)
        row = await beneficiary(sessions, bid)
        next_month = first_of_next_month(local_date(utcnow()))
        assert (row.status, row.assessment_level) == ("terminated", 0)
        change = row.status_history[-1]
        assert (change["reason"], change["effective_on"]) == ("no_longer_eligible", next_month.isoformat())
        assert "第五条" in [c["article"] for c in change["basis"]]
        [(_, status)] = [e for e in await events(sessions) if e[0].endswith("status_changed.v1")]
        assert (status["status"], status["reason"], status["effective_on"]) == (
            "terminated",
            "no_longer_eligible",
            next_month.isoformat(),
        )

    async def test_a_new_level_with_the_same_amount_is_still_published(
        self, flow, sessions, settings
    ) -> None:  # type: ignore[no-untyped-def]
        app, bid = await enrolled(flow, 3, level=1)
        await reassess(sessions, settings, app, 2)
        row = await beneficiary(sessions, bid)
        assert (row.assessment_level, row.monthly_amount_fen, row.status) == (2, 30000, "active")
        changed = [e for e in await events(sessions) if e[0].endswith("entitlement_changed.v1")]
        assert [c["assessment_level"] for _, c in changed] == [2]

    async def test_the_same_level_again_records_the_assessment_without_an_event(
        self, flow, sessions, settings
    ) -> None:  # type: ignore[no-untyped-def]
        app, bid = await enrolled(flow, 4, level=2)
        event = await reassess(sessions, settings, app, 2)
        row = await beneficiary(sessions, bid)
        assert row.assessment_id == event.assessment_id and row.entitlement_history == []
        assert not [e for e in await events(sessions) if e[0].endswith("entitlement_changed.v1")]

    async def test_an_older_result_arriving_late_changes_nothing(self, flow, sessions, settings) -> None:  # type: ignore[no-untyped-def]
        app, bid = await enrolled(flow, 5, level=1, city="huzhou")
        await reassess(sessions, settings, app, 3)
        await reassess(sessions, settings, app, 1, completed_at=datetime.now(UTC) - timedelta(days=3))
        row = await beneficiary(sessions, bid)
        assert (row.assessment_level, row.monthly_amount_fen) == (3, 30000)

    async def test_a_suspended_beneficiary_is_reassessed_too(self, flow, sessions, settings, tokens) -> None:  # type: ignore[no-untyped-def]
        app, bid = await enrolled(flow, 6, level=1, city="huzhou")
        response = await flow.client.post(
            f"/v1/beneficiaries/{bid}/status-changes",
            json={
                "status": "suspended",
                "reason": "hospitalised",
                "effective_on": local_date(utcnow()).isoformat(),
            },
            headers=tokens.headers("district_officer", region="330502"),
        )
        assert response.status_code == 201, response.text
        await reassess(sessions, settings, app, 4)
        row = await beneficiary(sessions, bid)
        assert (row.status, row.monthly_amount_fen) == ("suspended", 40000)

    async def test_an_unset_amount_for_the_new_level_is_refused_naming_the_setting(
        self, flow, sessions, settings
    ) -> None:  # type: ignore[no-untyped-def]
        app, bid = await enrolled(flow, 7, level=1, city="huzhou")
        partial = settings.model_copy(
            update={"policy_settings": {"huzhou-2022": {"monthly_service_amount_fen_level_1": 10000}}}
        )
        with pytest.raises(SettingNotConfigured) as raised:
            await reassess(sessions, partial, app, 2)
        assert "monthly_service_amount_fen_level_2" in str(raised.value)
        row = await beneficiary(sessions, bid)
        assert (row.assessment_level, row.monthly_amount_fen) == (1, 10000)

    async def test_the_enrolment_carries_the_assessment_it_used(self, flow, sessions) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(8, level=2)
        response = await flow.decide(app["id"])
        assert response.status_code == 201, response.text
        [(_, enrolled_event)] = [e for e in await events(sessions) if e[0].endswith("enrolled.v1")]
        async with sessions() as s:
            row = (await s.scalars(select(ApplicationRow).where(ApplicationRow.id == UUID(app["id"])))).one()
        assert enrolled_event["assessment_id"] == str(row.assessment_id)
        assert (
            await beneficiary(sessions, response.json()["beneficiary_id"])
        ).assessment_id == row.assessment_id


async def test_the_beneficiary_shows_the_entitlement_history(flow, sessions, settings, tokens) -> None:  # type: ignore[no-untyped-def]
    app, bid = await enrolled(flow, 9, level=1, city="huzhou")
    event = await reassess(sessions, settings, app, 2)
    response = await flow.client.get(
        f"/v1/beneficiaries/{bid}", headers=tokens.headers("district_officer", region="330502")
    )
    assert response.status_code == 200, response.text
    shown = response.json()
    assert (shown["assessment_id"], shown["monthly_amount_fen"]) == (str(event.assessment_id), 20000)
    assert shown["person_id"] == app["applicant"]["person_id"]
    [change] = shown["entitlement_history"]
    assert (change["reason"], change["assessment_level"], change["monthly_amount_fen"]) == (
        "reassessment",
        2,
        20000,
    )
    assert change["effective_on"] == first_of_next_month(local_date(utcnow())).isoformat()
