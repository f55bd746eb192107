"""The assessment HTTP API: ``uvicorn eldercare.assessment.main:app``."""

from __future__ import annotations

from fastapi import FastAPI

from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.api.routes import ROUTERS
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.app import create_service_app


def create_app(settings: AssessmentSettings | None = None) -> FastAPI:
    return create_service_app(
        title="eldercare assessment",
        description=(
            "GB/T 42195-2022 capability assessment: 26 items, 4 dimensions, 5 levels"
            " and the level adjustments; two assessors."
        ),
        settings_factory=AssessmentSettings,
        settings=settings,
        tables=MESSAGING,
        routers=ROUTERS,
    )


app = create_app()
