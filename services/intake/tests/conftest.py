"""Fixtures of the intake tests: a migrated database, a rolled-back transaction per test, an API client."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from pydantic import SecretStr

from eldercare.common.contracts import AssessmentCompleted
from eldercare.common.id_numbers import make_id_number
from eldercare.common.testing.plugin import Tokens, api_client, api_test_settings
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.consumers import on_assessment_completed
from eldercare.intake.main import create_app
from eldercare.intake.settings import IntakeSettings


@pytest.fixture(scope="session")
def database_url(migrate: Callable[[str, str], str]) -> str:
    return migrate("intake", "INTAKE_")


# changsha-2024-purchased-door-to-door-rules.md 第四条 leaves the amount to city documents: a test value.
MONTHLY_AMOUNT_FEN = 30000


def random_key(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


@pytest.fixture(scope="session")
def pii_keys() -> dict[str, SecretStr]:
    """Fresh keys per test session: no key ever lives in the repository."""
    return {"pii_keys": SecretStr(f"k1:{random_key()}"), "pii_blind_index_key": SecretStr(random_key())}


@pytest.fixture
def settings(database_url: str, tokens: Tokens, pii_keys: dict[str, SecretStr]) -> IntakeSettings:
    return IntakeSettings(
        **api_test_settings(database_url, tokens),
        policy_settings={"changsha-2024": {"monthly_service_amount_fen": MONTHLY_AMOUNT_FEN}},
        **pii_keys,
    )


@pytest.fixture
async def client(settings: IntakeSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(settings), sessions) as c:
        yield c


# ---------------------------------------------------------------- the process, step by step

DISTRICT = "430102"  # 长沙市芙蓉区
STREET = "430102001"
COMMUNITY = "430102001001"


def applicant(
    seq: int = 1, *, born: date = date(1944, 3, 8), sex: str = "male", **overrides: Any
) -> dict[str, Any]:
    """A synthetic applicant: a valid ID number (odd sequence = male) for no real person."""
    sequence = 100 + seq * 2 + (1 if sex == "male" else 0)
    return {
        "name": f"测试老人{seq:02d}",
        "id_number": make_id_number(DISTRICT, born, sequence),
        "sex": sex,
        "birth_date": born.isoformat(),
        "ethnicity": "汉",
        "phone": f"1380000{seq:04d}",
        "address": f"芙蓉区示范路{seq}号",
        "hukou_region": DISTRICT,
        "community_code": COMMUNITY,
        "home_point": {"lat": 28.19, "lon": 112.97},
        **overrides,
    }


def application_body(seq: int = 1, **overrides: Any) -> dict[str, Any]:
    return {
        "policy": "changsha",
        "external_ref": None,
        "applicant": applicant(seq),
        "circumstances": ["subsistence_allowance"],
        "agent": None,
        "guardian": "family",
        "declaration_accepted": True,
        **overrides,
    }


@dataclass
class Flow:
    """Each actor's step of Changsha 第十一条 over the API; the assessment arrives as the event."""

    client: httpx.AsyncClient
    tokens: Tokens
    sessions: Any

    def body(self, seq: int = 1, **overrides: Any) -> dict[str, Any]:
        return application_body(seq, **overrides)

    def applicant(self, seq: int = 1, **overrides: Any) -> dict[str, Any]:
        return applicant(seq, **overrides)

    async def submit(
        self, body: dict[str, Any], *, region: str | None = None, **headers: str
    ) -> httpx.Response:
        """As the community worker of the applicant's community unless ``region`` says otherwise."""
        community = body.get("applicant", {}).get("community_code", COMMUNITY)
        auth = self.tokens.headers("community_worker", region=region or community)
        return await self.client.post("/v1/applications", json=body, headers={**auth, **headers})

    async def submitted(self, seq: int = 1, **overrides: Any) -> dict[str, Any]:
        response = await self.submit(self.body(seq, **overrides))
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def review(
        self, application_id: str, outcome: str = "pass", *, region: str = STREET
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/applications/{application_id}/reviews",
            json={"outcome": outcome, "comment": "材料齐全"},
            headers=self.tokens.headers("street_officer", region=region),
        )

    async def assess(
        self, application: dict[str, Any], level: int = 1, **overrides: Any
    ) -> AssessmentCompleted:
        event = AssessmentCompleted(
            **{
                "assessment_id": uuid4(),
                "application_id": UUID(application["id"]),
                "person_id": UUID(application["applicant"]["person_id"]),
                "district_code": application["district_code"],
                "reason": "initial",
                "total_score": 90 - 20 * level,
                "subtotals": {},
                "preliminary_level": level,
                "final_level": level,
                "adjustments": [],
                "rule_settings": {},
                "completed_at": datetime.now(UTC),
                **overrides,
            }
        )
        async with UnitOfWork(self.sessions, MESSAGING, source="assessment") as uow:
            await on_assessment_completed(event, uow)
            await uow.commit()
        return event

    async def assessed(self, seq: int = 1, level: int = 1, **overrides: Any) -> dict[str, Any]:
        application = await self.submitted(seq, **overrides)
        assert (await self.review(application["id"])).status_code == 201
        await self.assess(application, level)
        return application

    async def decide(
        self, application_id: str, outcome: str = "approve", *, region: str = DISTRICT, **body: Any
    ) -> httpx.Response:
        return await self.client.post(
            f"/v1/applications/{application_id}/decisions",
            json={"outcome": outcome, "comment": "符合第五条", **body},
            headers=self.tokens.headers("district_officer", region=region),
        )


@pytest.fixture
def flow(client: httpx.AsyncClient, tokens: Tokens, sessions) -> Flow:  # type: ignore[no-untyped-def]
    return Flow(client, tokens, sessions)


@pytest.fixture
def vault(settings: IntakeSettings) -> PiiVault:
    return PiiVault.from_settings(settings)
