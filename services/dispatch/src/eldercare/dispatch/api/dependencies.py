"""Request-level dependencies and role sets of the dispatch API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role, require
from eldercare.common.runtime import Runtime, runtime
from eldercare.dispatch.settings import DispatchSettings

Rt = Annotated[Runtime, Depends(runtime)]

Registrar = Annotated[Principal, Depends(require(Role.city_admin, Role.district_officer))]
ProviderAdmin = Annotated[Principal, Depends(require(Role.provider_admin))]
CaregiverOnDuty = Annotated[Principal, Depends(require(Role.caregiver))]
ProviderReader = Annotated[
    Principal, Depends(require(*GOVERNMENT_ROLES, Role.provider_admin, Role.caregiver))
]
CaregiverReader = Annotated[Principal, Depends(require(Role.provider_admin, Role.caregiver))]
CarePlanReader = Annotated[Principal, Depends(require(*GOVERNMENT_ROLES, Role.provider_admin))]
# Issue #5: a plan is ended by its provider or by the district (or the city above it).
CarePlanEnder = Annotated[
    Principal, Depends(require(Role.provider_admin, Role.district_officer, Role.city_admin))
]
VisitReader = Annotated[Principal, Depends(require(*GOVERNMENT_ROLES, Role.provider_admin, Role.caregiver))]


def dispatch_settings(request: Request) -> DispatchSettings:
    settings: DispatchSettings = request.app.state.settings
    return settings


Settings = Annotated[DispatchSettings, Depends(dispatch_settings)]


_PROBLEMS = {
    401: "no or an invalid bearer token",
    403: "the caller's role may never use this route",
    404: "not found, or another tenant's",
    409: "conflicts with the current state",
}


def problems(*codes: int) -> dict[int | str, dict[str, object]]:
    """OpenAPI entries for the problem+json answers a route gives besides its success and 422."""
    return {
        code: {"description": _PROBLEMS[code], "content": {"application/problem+json": {}}} for code in codes
    }
