"""The HTTP kit every service is built on: auth, problem+json, idempotency, body limits, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, SecretStr
from sqlalchemy import func, insert, select

from eldercare.common.app import create_service_app
from eldercare.common.auth import Principal, Role, require
from eldercare.common.errors import InvalidInput
from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import Runtime, execute, runtime
from eldercare.common.settings import ServiceSettings
from eldercare.common.testing.plugin import Tokens, api_client, rolled_back

from .conftest import NOTES, TABLES


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=50)
    tags: list[str] = Field(default_factory=list, max_length=3)


class NoteRead(BaseModel):
    id: UUID
    text: str


router = APIRouter()


@router.post("/v1/notes", status_code=201, response_model=NoteRead)
async def create_note(
    body: NoteCreate,
    principal: Annotated[Principal, Depends(require(Role.community_worker))],
    idem: Idempotency,
    rt: Annotated[Runtime, Depends(runtime)],
) -> Any:
    if body.text == "forbidden word":
        raise InvalidInput("that text is not allowed", field="text")

    async def action(uow: Any) -> UUID:
        note_id = uuid4()
        await uow.session.execute(insert(NOTES).values(id=note_id, text=body.text))
        return note_id

    return await execute(rt, action, lambda note_id: NoteRead(id=note_id, text=body.text), idempotency=idem)


@pytest.fixture
async def client(common_db_url: str, tokens: Tokens) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    settings = ServiceSettings(
        service_name="kit",
        database_url=common_db_url,
        jwt_public_key=SecretStr(tokens.public_pem.decode()),
        kafka_bootstrap_servers="127.0.0.1:1",
        max_request_bytes=2048,
        log_format="text",
    )
    app = create_service_app(
        title="kit",
        description="test",
        settings_factory=lambda: settings,
        settings=settings,
        tables=TABLES,
        routers=[router],
    )
    async with rolled_back(common_db_url) as sessions, api_client(app, sessions) as c:
        yield c, sessions


def worker(tokens: Tokens, **extra: str) -> dict[str, str]:
    return {**tokens.headers("community_worker", region="430102001001"), **extra}


async def count_notes(sessions: Any, text: str) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).where(NOTES.c.text == text))).scalar_one())


class TestAuthentication:
    async def test_no_token_is_401_problem(self, client: Any) -> None:
        c, _ = client
        r = await c.post("/v1/notes", json={"text": "x"})
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("/unauthorized")

    async def test_a_garbage_token_is_401(self, client: Any) -> None:
        c, _ = client
        r = await c.post("/v1/notes", json={"text": "x"}, headers={"Authorization": "Bearer abc.def.ghi"})
        assert r.status_code == 401

    async def test_a_role_not_admitted_is_403(self, client: Any, tokens: Tokens) -> None:
        c, _ = client
        r = await c.post("/v1/notes", json={"text": "x"}, headers=tokens.headers("caregiver"))
        assert r.status_code == 403


class TestBadInput:
    async def test_validation_errors_name_each_field(self, client: Any, tokens: Tokens) -> None:
        c, _ = client
        r = await c.post(
            "/v1/notes", json={"text": "", "tags": ["a", "b", "c", "d"], "extra": 1}, headers=worker(tokens)
        )
        assert r.status_code == 422
        fields = {e["field"] for e in r.json()["errors"]}
        assert {"text", "tags", "extra"} <= fields

    async def test_malformed_json_is_422_not_500(self, client: Any, tokens: Tokens) -> None:
        c, _ = client
        r = await c.post(
            "/v1/notes", content=b'{"text": ', headers=worker(tokens, **{"content-type": "application/json"})
        )
        assert r.status_code == 422

    async def test_an_oversized_body_is_413_and_writes_nothing(self, client: Any, tokens: Tokens) -> None:
        c, sessions = client
        r = await c.post("/v1/notes", json={"text": "y" * 5000}, headers=worker(tokens))
        assert r.status_code == 413
        assert r.headers["content-type"] == "application/problem+json"
        assert await count_notes(sessions, "y" * 5000) == 0

    async def test_a_domain_rule_answers_with_its_field(self, client: Any, tokens: Tokens) -> None:
        c, _ = client
        r = await c.post("/v1/notes", json={"text": "forbidden word"}, headers=worker(tokens))
        assert r.status_code == 422
        assert r.json()["errors"] == [{"field": "text", "message": "that text is not allowed"}]

    async def test_a_hostile_idempotency_key_is_refused(self, client: Any, tokens: Tokens) -> None:
        c, _ = client
        r = await c.post(
            "/v1/notes", json={"text": "k"}, headers=worker(tokens, **{"Idempotency-Key": "<script>"})
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "header.Idempotency-Key"


class TestIdempotency:
    async def test_a_retry_with_the_same_key_replays_and_writes_once(
        self, client: Any, tokens: Tokens
    ) -> None:
        c, sessions = client
        text = f"note-{uuid4().hex[:8]}"
        headers = worker(tokens, **{"Idempotency-Key": f"key-{uuid4()}"})
        first = await c.post("/v1/notes", json={"text": text}, headers=headers)
        second = await c.post("/v1/notes", json={"text": text}, headers=headers)
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second.headers["idempotent-replayed"] == "true"
        assert await count_notes(sessions, text) == 1

    async def test_the_same_key_with_another_body_is_refused(self, client: Any, tokens: Tokens) -> None:
        c, _ = client
        headers = worker(tokens, **{"Idempotency-Key": f"key-{uuid4()}"})
        await c.post("/v1/notes", json={"text": "one"}, headers=headers)
        r = await c.post("/v1/notes", json={"text": "two"}, headers=headers)
        assert r.status_code == 422

    async def test_keys_belong_to_their_caller(self, client: Any, tokens: Tokens) -> None:
        c, sessions = client
        key = f"key-{uuid4()}"
        text = f"note-{uuid4().hex[:8]}"
        await c.post("/v1/notes", json={"text": text}, headers=worker(tokens, **{"Idempotency-Key": key}))
        other = {
            **tokens.headers("community_worker", region="430102001002", subject="other"),
            "Idempotency-Key": key,
        }
        r = await c.post("/v1/notes", json={"text": text}, headers=other)
        assert r.status_code == 201 and "idempotent-replayed" not in r.headers
        assert await count_notes(sessions, text) == 2

    async def test_without_a_key_each_post_creates(self, client: Any, tokens: Tokens) -> None:
        c, sessions = client
        text = f"note-{uuid4().hex[:8]}"
        await c.post("/v1/notes", json={"text": text}, headers=worker(tokens))
        await c.post("/v1/notes", json={"text": text}, headers=worker(tokens))
        assert await count_notes(sessions, text) == 2


class TestOperations:
    async def test_healthz_needs_no_token(self, client: Any) -> None:
        c, _ = client
        assert (await c.get("/healthz")).json() == {"status": "ok"}

    async def test_readyz_reports_an_unreachable_broker(self, client: Any) -> None:
        c, _ = client
        r = await c.get("/readyz")
        assert r.status_code == 503
        assert r.json()["checks"] == {"database": True, "broker": False}

    async def test_metrics_count_requests_by_route(self, client: Any) -> None:
        c, _ = client
        await c.get("/healthz")
        body = (await c.get("/metrics")).text
        assert 'http_requests_total{method="GET",route="/healthz",status="200"}' in body

    async def test_the_correlation_id_is_echoed(self, client: Any) -> None:
        c, _ = client
        r = await c.get("/healthz", headers={"X-Correlation-ID": "abc-123"})
        assert r.headers["x-correlation-id"] == "abc-123"
