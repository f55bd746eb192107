"""The FastAPI factory every service uses: errors, auth, observability, health, body limits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from eldercare.common.auth import TokenVerifier
from eldercare.common.contracts import REGISTRY
from eldercare.common.db import MessagingTables
from eldercare.common.errors import install_error_handlers, problem
from eldercare.common.idempotency import IdempotentReplay
from eldercare.common.observability import Metrics, configure_logging, context_middleware
from eldercare.common.runtime import Runtime
from eldercare.common.settings import ServiceSettings


class BodyLimit:
    """Refuses bodies over the limit with 413 before the route parses anything."""

    def __init__(self, app: ASGIApp, limit: Callable[[], int]) -> None:
        self.app = app
        # Read per request: the settings (and so the limit) are only known once the app started.
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit()
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await _too_large(max_bytes)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > max_bytes:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLarge:
            await _too_large(max_bytes)(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return problem(413, "payload-too-large", "Request body too large", f"the limit is {limit} bytes")


async def broker_reachable(bootstrap: str, wait_seconds: float = 1.0) -> bool:
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), wait_seconds)
        except (OSError, TimeoutError, ValueError):
            continue
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
        return True
    return False


def create_service_app(
    *,
    title: str,
    description: str,
    settings_factory: Callable[[], ServiceSettings],
    settings: ServiceSettings | None,
    tables: MessagingTables,
    routers: Sequence[APIRouter],
    version: str = "1.0.0",
    openapi_tags: list[dict[str, Any]] | None = None,
) -> FastAPI:
    """Build a service app. Settings are read when the app starts, not at import."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resolved = settings or settings_factory()
        configure_logging(resolved.service_name, fmt=resolved.log_format, level=resolved.log_level)
        app.state.settings = resolved
        app.state.token_verifier = TokenVerifier(
            resolved.jwt_public_key_pem(), issuer=resolved.jwt_issuer, audience=resolved.jwt_audience
        )
        app.state.runtime = Runtime.build(resolved, tables)
        try:
            yield
        finally:
            await app.state.runtime.dispose()

    app = FastAPI(
        title=title, description=description, version=version, lifespan=lifespan, openapi_tags=openapi_tags
    )
    app.state.messaging_tables = tables
    metrics = Metrics(title)
    install_error_handlers(app)

    @app.exception_handler(IdempotentReplay)
    async def _replay(request: Request, exc: IdempotentReplay) -> JSONResponse:
        return JSONResponse(
            exc.body, status_code=exc.status_code, headers={**exc.headers, "Idempotent-Replayed": "true"}
        )

    app.middleware("http")(context_middleware(metrics))
    default_limit = ServiceSettings.model_fields["max_request_bytes"].default

    def request_limit() -> int:
        resolved = getattr(app.state, "settings", None) or settings
        return resolved.max_request_bytes if resolved is not None else int(default_limit)

    app.add_middleware(BodyLimit, limit=request_limit)

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="The database and the broker are reachable")
    async def readyz(request: Request) -> JSONResponse:
        rt: Runtime = request.app.state.runtime
        checks = {"database": False, "broker": False}
        with contextlib.suppress(Exception):
            async with rt.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
                checks["database"] = True
        checks["broker"] = await broker_reachable(rt.settings.kafka_bootstrap_servers)
        ok = all(checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
        )

    @app.get("/asyncapi.json", tags=["operations"], summary="The AsyncAPI document of every event")
    async def asyncapi() -> dict[str, Any]:
        return REGISTRY.asyncapi()

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", include_in_schema=False)
    async def metrics_endpoint() -> Any:
        return metrics.render()

    for router in routers:
        app.include_router(router)
    return app
