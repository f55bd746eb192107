"""Fixtures of the assessment tests: a migrated database, a rolled-back transaction per test, a client."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from pydantic import SecretStr

from eldercare.assessment.domain.gbt42195 import ITEM_MAXIMA, TOTAL_MAXIMUM
from eldercare.assessment.main import create_app
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.testing.plugin import Tokens, api_client, api_test_settings


@pytest.fixture(scope="session")
def database_url(migrate: Callable[[str, str], str]) -> str:
    return migrate("assessment", "ASSESSMENT_")


@pytest.fixture
def settings(database_url: str, tokens: Tokens, pii_keys: str) -> AssessmentSettings:
    return AssessmentSettings(
        **api_test_settings(database_url, tokens),
        pii_keys=SecretStr(pii_keys),
    )


@pytest.fixture(scope="session")
def pii_keys() -> str:
    return "k1:" + base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
async def client(settings: AssessmentSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(settings), sessions) as c:
        yield c


@pytest.fixture(scope="session")
def items_for_total() -> Callable[[int], dict[str, int]]:
    """GB/T 42195 item scores adding up to ``total`` (0..90), losing points from the first items."""

    def build(total: int) -> dict[str, int]:
        scores = dict(ITEM_MAXIMA)
        missing = TOTAL_MAXIMUM - total
        for code in scores:
            take = min(missing, scores[code])
            scores[code] -= take
            missing -= take
        return scores

    return build
