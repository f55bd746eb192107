"""Object-level authorisation: who may read which dispatch object.

Another tenant's object answers 404 (it must not even be shown to exist); a role that may never
read a kind of object is refused earlier, by the route's ``require`` (403).
"""

from __future__ import annotations

from uuid import UUID

from eldercare.common.auth import GOVERNMENT_ROLES, Principal, Role
from eldercare.common.errors import NotFound


def government_covers(principal: Principal, region_code: str) -> bool:
    """A district officer (6 digits) covers its district; a street officer (9) or a community worker
    (12) only the objects of its own street or community."""
    return principal.has_role(*GOVERNMENT_ROLES) and principal.covers_region(region_code)


def provider_admin_of(principal: Principal, provider_id: UUID) -> bool:
    return principal.has_role(Role.provider_admin) and principal.provider_id == provider_id


def caregiver_of(principal: Principal, provider_id: UUID) -> bool:
    return principal.has_role(Role.caregiver) and principal.provider_id == provider_id


def is_the_caregiver(principal: Principal, provider_id: UUID, caregiver_id: UUID | None) -> bool:
    """An unassigned visit (``caregiver_id`` None) belongs to no caregiver."""
    return (
        caregiver_id is not None
        and caregiver_of(principal, provider_id)
        and principal.caregiver_id == caregiver_id
    )


def ensure(visible: bool, what: str) -> None:
    if not visible:
        raise NotFound(f"{what} not found")
