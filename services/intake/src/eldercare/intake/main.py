"""The intake HTTP API: ``uvicorn eldercare.intake.main:app``."""

from __future__ import annotations

from fastapi import FastAPI

from eldercare.common.app import create_service_app
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.api.routes import ROUTERS
from eldercare.intake.settings import IntakeSettings


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    return create_service_app(
        title="eldercare intake",
        description=(
            "Applications from the community, street preliminary review (初审), district decision (审定), "
            "eligibility from clause-cited policy packs, and the beneficiary register."
        ),
        settings_factory=IntakeSettings,
        settings=settings,
        tables=MESSAGING,
        routers=ROUTERS,
    )


app = create_app()
