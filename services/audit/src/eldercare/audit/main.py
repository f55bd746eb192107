"""The audit HTTP API: ``uvicorn eldercare.audit.main:app``."""

from __future__ import annotations

from fastapi import FastAPI

from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.api.routes import ROUTERS
from eldercare.audit.settings import AuditSettings
from eldercare.common.app import create_service_app


def create_app(settings: AuditSettings | None = None) -> FastAPI:
    return create_service_app(
        title="eldercare audit",
        description=(
            "Follow-up calls, spot checks, complaints, fraud signals and the tamper-evident audit trail."
        ),
        settings_factory=AuditSettings,
        settings=settings,
        tables=MESSAGING,
        routers=ROUTERS,
    )


app = create_app()
