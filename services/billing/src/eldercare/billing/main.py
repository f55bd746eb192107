"""The billing HTTP API: ``uvicorn eldercare.billing.main:app``."""

from __future__ import annotations

from fastapi import FastAPI

from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.api.routes import ROUTERS
from eldercare.billing.settings import BillingSettings
from eldercare.common.app import create_service_app


def create_app(settings: BillingSettings | None = None) -> FastAPI:
    return create_service_app(
        title="eldercare billing",
        description=(
            "Price lists, monthly entitlement accounts, charges for verified visits, "
            "and monthly settlements to providers."
        ),
        settings_factory=BillingSettings,
        settings=settings,
        tables=MESSAGING,
        routers=ROUTERS,
    )


app = create_app()
