"""Diagnoses are health data (PIPL sensitive personal information): encrypted at rest, and the
service refuses to store or read them without its key, naming the setting."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from eldercare.assessment.adapters.health_data import HealthDataCipher, HealthDataUnavailable
from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.main import create_app
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.testing.plugin import Tokens, api_client

DISTRICT = "430102"


async def test_diagnoses_are_stored_encrypted_and_read_back_with_the_key(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, sessions, make_task, result_body
) -> None:
    task = await make_task()
    body = result_body(70, diagnoses=["F20", "I10"], psychiatric_specialist_diagnosis=True)
    created = await client.post(
        f"/v1/assessments/{task.id}/results", json=body, headers=tokens.headers("assessor", region=DISTRICT)
    )
    assert created.status_code == 201, created.text
    async with sessions() as s:
        sealed = await s.scalar(select(AssessmentRow.health_data_sealed).where(AssessmentRow.id == task.id))
    assert sealed is not None and sealed.startswith("k1:")
    assert "F20" not in sealed and "I10" not in sealed
    privileged = tokens.headers("district_officer", region=DISTRICT, scopes=["pii:read"])
    read = (await client.get(f"/v1/assessments/{task.id}", headers=privileged)).json()
    assert (read["diagnoses"], read["psychiatric_specialist_diagnosis"]) == (["F20", "I10"], True)


async def test_a_sealed_value_copied_to_another_row_does_not_decrypt(settings: AssessmentSettings) -> None:
    from uuid import uuid4

    from eldercare.assessment.adapters.health_data import HealthData

    cipher = HealthDataCipher.from_settings(settings)
    sealed = cipher.seal(uuid4(), HealthData(("F01",), False))
    with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidTag)
        cipher.open(uuid4(), sealed)


async def test_without_pii_keys_recording_a_result_fails_naming_the_setting(  # type: ignore[no-untyped-def]
    settings: AssessmentSettings, tokens: Tokens, sessions, make_task, result_body: Any
) -> None:
    task = await make_task()
    keyless = settings.model_copy(update={"pii_keys": None})
    async with api_client(create_app(keyless), sessions) as c:
        response = await c.post(
            f"/v1/assessments/{task.id}/results",
            json=result_body(),
            headers=tokens.headers("assessor", region=DISTRICT),
        )
    # A missing key is the operator's error, not the caller's: 503 naming it, and nothing is stored.
    assert response.status_code == 503
    assert "ASSESSMENT_PII_KEYS" in response.json()["detail"]
    with pytest.raises(HealthDataUnavailable, match="ASSESSMENT_PII_KEYS"):
        HealthDataCipher.from_settings(keyless)
    async with sessions() as s:
        status = await s.scalar(select(AssessmentRow.status).where(AssessmentRow.id == task.id))
    assert status == "pending"


@pytest.mark.parametrize(
    ("keys", "message"),
    [("k1:not-base64!", "not a valid keyring"), ("k1:" + "QUJD", "must be 32 bytes")],
)
def test_a_wrong_keyring_is_refused_without_showing_the_key(
    settings: AssessmentSettings, keys: str, message: str
) -> None:
    with pytest.raises(HealthDataUnavailable, match=message) as raised:
        HealthDataCipher.from_settings(settings.model_copy(update={"pii_keys": SecretStr(keys)}))
    assert "QUJD" not in str(raised.value)
