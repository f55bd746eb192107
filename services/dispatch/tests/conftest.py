"""Fixtures of the dispatch tests: a migrated database, a rolled-back transaction per test, an API client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import select

from eldercare.common.contracts import BeneficiaryEnrolled
from eldercare.common.registry import IntegrationEvent
from eldercare.common.testing.plugin import Tokens, api_client, api_test_settings
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.consumers import SUBSCRIPTIONS
from eldercare.dispatch.main import create_app
from eldercare.dispatch.settings import DispatchSettings


@pytest.fixture(scope="session")
def database_url(migrate: Callable[[str, str], str]) -> str:
    return migrate("dispatch", "DISPATCH_")


@pytest.fixture
def settings(database_url: str, tokens: Tokens) -> DispatchSettings:
    return DispatchSettings(
        **api_test_settings(database_url, tokens),
    )


@pytest.fixture
async def client(settings: DispatchSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(settings), sessions) as c:
        yield c


# ---------------------------------------------------------------- shared builders


def enrolled_event(**overrides: Any) -> BeneficiaryEnrolled:
    """A BeneficiaryEnrolled as intake publishes it; keyword arguments replace fields."""
    entitlement = {
        "monthly_amount_fen": 60000,
        "service_categories": ["daily_living", "welfare_visit", "health_management", "emotional_comfort"],
        "emergency_help_required": False,
        "basis": [
            {"source": "changsha-2024-purchased-door-to-door-rules.md", "article": "第五条", "item": "（一）"}
        ],
        **overrides.pop("entitlement", {}),
    }
    fields: dict[str, Any] = {
        "beneficiary_id": uuid4(),
        "person_id": uuid4(),
        "application_id": uuid4(),
        "district_code": "430102",
        "community_code": "430102001001",
        "masked_id_number": "430***********1234",
        "home_point": {"lat": 28.1941, "lon": 112.9761},
        "assessment_level": 1,
        "policy": {"pack_id": "changsha-2024", "version": "2024.1"},
        "entitlement": entitlement,
        "effective_on": date(2026, 11, 1),
        "enrolled_at": datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        **overrides,
    }
    return BeneficiaryEnrolled.model_validate(fields)


Deliver = Callable[[IntegrationEvent], Awaitable[None]]


@pytest.fixture
def deliver(sessions) -> Deliver:  # type: ignore[no-untyped-def]
    """Hand an event to the dispatch consumer's handler in its own unit of work, as the runner does."""

    async def run(event: IntegrationEvent) -> None:
        handler = SUBSCRIPTIONS[0].handler_for(event.event_type)
        assert handler is not None, event.event_type
        async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
            await handler(event, uow)
            await uow.commit()

    return run


Outbox = Callable[[], Awaitable[list[tuple[str, dict[str, Any]]]]]


@pytest.fixture
def outbox(sessions) -> Outbox:  # type: ignore[no-untyped-def]
    """The outbox rows written so far, as (event type, data), in publication order."""

    async def read() -> list[tuple[str, dict[str, Any]]]:
        async with sessions() as s:
            rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
        return [(dict(row.headers)["ce_type"], json.loads(row.payload)) for row in rows]

    return read


@pytest.fixture
def make_enrolled() -> Callable[..., BeneficiaryEnrolled]:
    return enrolled_event
