"""RFC 9457 problem+json in one shape across the five services.

Domain code raises :class:`DomainError` subclasses that carry their HTTP status and a stable
``type`` URI; validation errors list every failing field path. Nothing that a client sends can
produce a 500: malformed JSON, wrong types and oversize bodies all become 4xx problems.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://eldercare.example.cn/problems/"

log = logging.getLogger("eldercare.errors")


class DomainError(Exception):
    """A business rule said no. Subclasses set ``status`` and ``code``."""

    status: ClassVar[int] = 409
    code: ClassVar[str] = "conflict"
    title: ClassVar[str] = "The request conflicts with the current state"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict[str, str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        # Several failing fields of one business rule: [{"field": ..., "message": ...}].
        self.errors = (
            errors if errors is not None else ([{"field": field, "message": detail}] if field else None)
        )
        self.extra = extra


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class InvalidInput(DomainError):
    """A value that parses but breaks a rule (wrong check digit, date in the future)."""

    status = 422
    code = "invalid-input"
    title = "Invalid input"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition-failed"
    title = "The resource changed since it was read"


class SettingNotConfigured(DomainError):
    """The deployment lacks a setting a regulation leaves to local policy (or a key): the
    operator's error, not the caller's, answered as 503 naming the setting, never a 500."""

    status = 503
    code = "setting-not-configured"
    title = "A required setting of this deployment is not configured"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload-too-large"
    title = "Request body too large"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    instance: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": TYPE_BASE + code, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        where, rest = parts[0], parts[1:]
        return ".".join(rest) if where == "body" and rest else ".".join([where, *rest])
    return ".".join(parts)


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        out.append({"field": _field_path(err.get("loc", ())), "message": err.get("msg", "invalid")})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return problem(
            exc.status,
            exc.code,
            exc.title,
            exc.detail,
            instance=request.url.path,
            errors=exc.errors,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(
            422,
            "validation",
            "The request is not valid",
            "One or more fields are invalid.",
            instance=request.url.path,
            errors=validation_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized", 403: "forbidden"}.get(
            exc.status_code, "http-error"
        )
        return problem(
            exc.status_code,
            code,
            str(exc.detail) if exc.detail else "Error",
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A bug, not bad input: logged with its trace, answered without internals.
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem(500, "internal", "Internal error", instance=request.url.path)
