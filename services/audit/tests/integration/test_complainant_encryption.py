"""Complainants' names and phones at rest: ciphertext and masked form only, and revision 0010
encrypts the rows written before it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from eldercare.audit.adapters.models import AuditEntryRow, ComplaintRow
from eldercare.audit.adapters.pii import ComplainantCipher
from eldercare.audit.main import create_app
from eldercare.audit.settings import AuditSettings
from eldercare.common.testing.plugin import api_client

ALEMBIC_INI = Path(__file__).parents[2] / "alembic.ini"
BODY = {
    "district_code": "430102",
    "source": "hotline",
    "category": "caregiver_conduct",
    "severity": "high",
    "subject": {"provider_id": str(uuid4())},
    "complainant": {"relation": "family", "name": "张三", "phone": "13800001234"},
    "description": "护理员态度恶劣",
}


@pytest.fixture
def configured(settings: AuditSettings) -> AuditSettings:
    return settings.model_copy(update={"complaint_handling_days": {"high": 3}})


@pytest.fixture
async def client(configured: AuditSettings, sessions) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with api_client(create_app(configured), sessions) as c:
        yield c


def auditor(tokens, **kw) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region="430102", **kw))


class TestAtRest:
    async def test_the_row_holds_a_ciphertext_and_the_mask_never_the_name(
        self, client, tokens, sessions, configured
    ) -> None:  # type: ignore[no-untyped-def]
        created = (await client.post("/v1/complaints", json=BODY, headers=auditor(tokens))).json()
        async with sessions() as s:
            row = await s.get(ComplaintRow, created["id"])
            raw = (
                await s.execute(text("SELECT * FROM complaints WHERE id = :id"), {"id": created["id"]})
            ).one()
        assert row is not None
        assert "张三" not in str(tuple(raw)) and "13800001234" not in str(tuple(raw))
        assert (row.complainant_name_masked, row.complainant_phone_masked) == ("张***", "138****1234")
        cipher = ComplainantCipher.from_settings(configured.pii_keys, configured.pii_algorithm)
        assert cipher is not None and row.complainant_name_sealed is not None
        assert cipher.open("complainant_name", row.id, row.complainant_name_sealed) == "张三"

    async def test_without_keys_a_named_complainant_is_503_and_an_anonymous_one_is_taken(
        self, configured, sessions, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        keyless = configured.model_copy(update={"pii_keys": None})
        async with api_client(create_app(keyless), sessions) as c:
            named = await c.post("/v1/complaints", json=BODY, headers=auditor(tokens))
            assert named.status_code == 503
            assert "AUDIT_PII_KEYS" in named.json()["detail"]
            anonymous = BODY | {"complainant": {"relation": "anonymous"}}
            assert (
                await c.post("/v1/complaints", json=anonymous, headers=auditor(tokens))
            ).status_code == 201

    async def test_without_keys_pii_readers_see_the_mask_not_an_error(
        self, client, configured, sessions, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        created = (await client.post("/v1/complaints", json=BODY, headers=auditor(tokens))).json()
        keyless = configured.model_copy(update={"pii_keys": None})
        async with api_client(create_app(keyless), sessions) as c:
            read = await c.get(
                f"/v1/complaints/{created['id']}", headers=auditor(tokens, scopes=["pii:read"])
            )
        assert read.json()["complainant"] == {
            "relation": "family",
            "name": "张***",
            "phone": "138****1234",
            "masked": True,
        }


def alembic(url: str, target: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(ALEMBIC_INI), "upgrade", target],
        env={**os.environ, "AUDIT_DATABASE_URL": url, **env},
        capture_output=True,
        text=True,
        check=False,
    )


class TestRevision0010:
    async def test_it_encrypts_the_complainants_already_stored(self, postgres, settings) -> None:  # type: ignore[no-untyped-def]
        name = f"audit_pii_{uuid4().hex[:8]}"
        postgres.create(name)
        url = postgres.database_url(name)
        assert alembic(url, "0009").returncode == 0
        engine = create_async_engine(url)
        complaint_id = uuid4()
        try:
            async with engine.begin() as conn:
                await conn.execute(
                    text(
                        "INSERT INTO complaints (id, version, district_code, source, category, severity,"
                        " complainant_relation, complainant_name, complainant_phone, description,"
                        " received_by, received_at, due_at, status)"
                        " VALUES (:id, 1, '430102', 'hotline', 'other', 'high', 'self',"
                        " '李四', '13911112222', 'd', 'a', now(), now(), 'received')"
                    ),
                    {"id": complaint_id},
                )
            refused = alembic(url, "head", AUDIT_PII_KEYS="")
            assert refused.returncode != 0 and "AUDIT_PII_KEYS" in refused.stderr
            keys = settings.pii_keys.get_secret_value()
            assert alembic(url, "head", AUDIT_PII_KEYS=keys).returncode == 0
            async with engine.connect() as conn:
                row = (
                    await conn.execute(select(ComplaintRow.__table__).where(ComplaintRow.id == complaint_id))
                ).one()
                columns = (
                    (
                        await conn.execute(
                            text(
                                "SELECT column_name FROM information_schema.columns"
                                " WHERE table_name = 'complaints'"
                            )
                        )
                    )
                    .scalars()
                    .all()
                )
        finally:
            await engine.dispose()
        assert "complainant_name" not in columns and "complainant_phone" not in columns
        assert (row.complainant_name_masked, row.complainant_phone_masked) == ("李***", "139****2222")
        cipher = ComplainantCipher.from_settings(settings.pii_keys, settings.pii_algorithm)
        assert cipher is not None
        assert cipher.open("complainant_phone", complaint_id, row.complainant_phone_sealed) == "13911112222"


class TestUnmaskedReadsAreRecorded:
    async def test_a_clear_read_appends_a_trail_entry_naming_the_fields_not_the_values(
        self, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        created = (await client.post("/v1/complaints", json=BODY, headers=auditor(tokens))).json()
        reader = auditor(tokens, scopes=["pii:read"]) | {"X-Access-Reason": "callback"}
        read = await client.get(f"/v1/complaints/{created['id']}", headers=reader)
        assert read.status_code == 200, read.text
        assert read.json()["complainant"]["name"] == "张三"
        async with sessions() as s:
            [entry] = (await s.scalars(select(AuditEntryRow))).all()
        assert (entry.event_type, entry.subject, entry.district_code) == (
            "audit.pii_access.recorded",
            created["id"],
            "430102",
        )
        assert entry.summary["fields"] == ["complainant_name", "complainant_phone"]
        assert entry.summary["reason"] == "callback"
        assert "张三" not in str(entry.summary) and "13800001234" not in str(entry.summary)

    async def test_masked_reads_and_lists_record_nothing(self, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        created = (await client.post("/v1/complaints", json=BODY, headers=auditor(tokens))).json()
        assert (
            await client.get(f"/v1/complaints/{created['id']}", headers=auditor(tokens))
        ).status_code == 200
        listed = await client.get("/v1/complaints", headers=auditor(tokens, scopes=["pii:read"]))
        assert listed.json()["items"][0]["complainant"]["masked"] is True
        async with sessions() as s:
            assert (await s.scalars(select(AuditEntryRow))).all() == []
