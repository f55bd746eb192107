"""Logs, correlation ids, trace context and metrics.

The correlation id of an HTTP request (``X-Correlation-ID``, or a new one) and its W3C
``traceparent`` live in context variables; the unit of work copies them into every event it
publishes and the consumer runner restores them from the event, so one id follows a
beneficiary's request through all five services.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from opentelemetry.propagate import extract, inject
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import get_tracer, set_tracer_provider
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from eldercare.common.ids import uuid7

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)
_traceparent: ContextVar[str | None] = ContextVar("traceparent", default=None)

_tracer_provider = TracerProvider()
set_tracer_provider(_tracer_provider)
tracer = get_tracer("eldercare")


def current_correlation_id() -> str | None:
    return _correlation_id.get()


def current_traceparent() -> str | None:
    return _traceparent.get()


def bind_context(correlation_id: str | None, traceparent: str | None) -> None:
    _correlation_id.set(correlation_id or str(uuid7()))
    _traceparent.set(traceparent)


def span_traceparent(name: str, parent: str | None) -> Any:
    """Start a span as child of ``parent``; returns the span context manager."""
    ctx = extract({"traceparent": parent}) if parent else None
    return tracer.start_as_current_span(name, context=ctx)


def injected_traceparent() -> str | None:
    carrier: dict[str, str] = {}
    inject(carrier)
    return carrier.get("traceparent")


# Resident ID numbers (GB 11643: 18 characters, or 15 digits for legacy numbers) and mainland
# mobile numbers (also written +86 138-1234-5678) must never reach a log line. The suite checks
# every test's output with the wider patterns of eldercare.common.testing.log_scan.
_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?![\dXx])")
_LEGACY_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(\d{6})\d{6}(\d{3})(?![\dA-Za-z])")
_PHONE = re.compile(
    r"(?:(?<=\+86)|(?<=\b86)|(?<=\+86[ -])|(?<=\b86[ -])|(?<![\dA-Za-z]))"
    r"(1[3-9]\d)[ -]?\d{4}[ -]?(\d{4})(?!\d)"
)


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1********\2", text)
    text = _LEGACY_ID_NUMBER.sub(r"\1******\2", text)
    return _PHONE.sub(r"\1****\2", text)


class JsonFormatter(logging.Formatter):
    _skip = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        cid = current_correlation_id()
        if cid:
            out["correlation_id"] = cid
        for key, value in record.__dict__.items():
            if key not in self._skip and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return redact(json.dumps(out, ensure_ascii=False, default=str))


class RedactingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def configure_logging(service: str, *, fmt: str = "json", level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(RedactingTextFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("aiokafka", "kafka", "sqlalchemy.engine", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn configures its own loggers (plain text, not propagating) before the app starts; hand
    # them to the root handler so its lines are JSON and redacted like every other.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True


class Metrics:
    """Per-app Prometheus metrics (a registry per app, so tests can build many apps)."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds", "HTTP latency", ["method", "route"], registry=self.registry
        )
        self.service = service

    def render(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


CallNext = Callable[[Request], Awaitable[Response]]


def context_middleware(metrics: Metrics) -> Callable[[Request, CallNext], Awaitable[Response]]:
    async def middleware(request: Request, call_next: CallNext) -> Response:
        cid = request.headers.get("x-correlation-id")
        if cid is not None and not re.fullmatch(r"[A-Za-z0-9._:-]{1,100}", cid):
            cid = None  # a hostile header is replaced, not echoed
        bind_context(cid, request.headers.get("traceparent"))
        started = time.perf_counter()
        with span_traceparent(f"{request.method} {request.url.path}", request.headers.get("traceparent")):
            _traceparent.set(injected_traceparent())
            response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.requests.labels(request.method, path, str(response.status_code)).inc()
        metrics.latency.labels(request.method, path).observe(time.perf_counter() - started)
        response.headers["X-Correlation-ID"] = current_correlation_id() or ""
        return response

    return middleware
