"""The dispatch HTTP API: ``uvicorn eldercare.dispatch.main:app``."""

from __future__ import annotations

from fastapi import FastAPI

from eldercare.common.app import create_service_app
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.api.routes import ROUTERS
from eldercare.dispatch.settings import DispatchSettings


def create_app(settings: DispatchSettings | None = None) -> FastAPI:
    return create_service_app(
        title="eldercare dispatch",
        description=(
            "Providers, caregivers, care plans and agreements, visit scheduling, the caregiver app "
            "(schedule, accept/decline, trip, offline-safe check-in and check-out with verification "
            "flags), the review queue, missed and cancelled visits, and emergency help calls."
        ),
        settings_factory=DispatchSettings,
        settings=settings,
        tables=MESSAGING,
        routers=ROUTERS,
    )


app = create_app()
