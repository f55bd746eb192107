"""HTTP routes of the dispatch service (thin: parse -> command -> handler -> response)."""

from __future__ import annotations

from fastapi import APIRouter

from eldercare.dispatch.api.app_routes import reviews_router
from eldercare.dispatch.api.app_routes import router as app_router
from eldercare.dispatch.api.contact_routes import router as contacts_router
from eldercare.dispatch.api.emergency_routes import router as emergencies_router
from eldercare.dispatch.api.generation_routes import router as generation_router
from eldercare.dispatch.api.notification_routes import router as notifications_router
from eldercare.dispatch.api.provider_routes import router as providers_router
from eldercare.dispatch.api.schedule_routes import schedules_router
from eldercare.dispatch.api.visit_routes import plans_router, visits_router

ROUTERS: list[APIRouter] = [
    providers_router,
    plans_router,
    visits_router,
    schedules_router,
    app_router,
    reviews_router,
    emergencies_router,
    generation_router,
    notifications_router,
    contacts_router,
]
