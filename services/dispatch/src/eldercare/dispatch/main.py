"""The dispatch HTTP API: ``uvicorn eldercare.dispatch.main:app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from eldercare.common.app import create_service_app
from eldercare.dispatch.adapters.notification_hub import NotificationHub
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.api.routes import ROUTERS
from eldercare.dispatch.settings import DispatchSettings


def create_app(settings: DispatchSettings | None = None) -> FastAPI:
    app = create_service_app(
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
    serve = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The long polls' LISTEN connection (opened at the first one) lives as long as the app.
        async with serve(app):
            resolved: DispatchSettings = app.state.settings
            hub = NotificationHub(resolved.database_url, poll_seconds=resolved.notification_poll_seconds)
            app.state.notification_hub = hub
            try:
                yield
            finally:
                await hub.close()

    app.router.lifespan_context = lifespan
    return app


app = create_app()
