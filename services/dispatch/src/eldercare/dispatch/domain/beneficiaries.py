"""Dispatch's projection of the beneficiary register, kept from intake's events.

Only what dispatch needs: the district and community, the geocoded home point (the check-in
geofence), the entitled service categories, whether emergency help is mandatory, and the status.
No name, ID number or address (architecture.md, PII minimisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eldercare.dispatch.domain.geo import Point


class BeneficiaryStatus(StrEnum):
    active = "active"
    suspended = "suspended"
    terminated = "terminated"


@dataclass
class Beneficiary:
    id: UUID
    district_code: str
    community_code: str
    home_point: Point | None
    service_categories: tuple[str, ...]
    emergency_help_required: bool
    status: BeneficiaryStatus
    enrolled_at: datetime
    status_changed_at: datetime
    status_reason: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == BeneficiaryStatus.active

    def re_enrol(self, newer: Beneficiary) -> None:
        """A later enrolment of the same beneficiary replaces the projected facts.

        An enrolment older than the last status change (a replay) changes the facts but not the
        status: events of one beneficiary arrive in order, so this only guards a manual replay.
        """
        self.district_code = newer.district_code
        self.community_code = newer.community_code
        self.home_point = newer.home_point
        self.service_categories = newer.service_categories
        self.emergency_help_required = newer.emergency_help_required
        self.enrolled_at = max(self.enrolled_at, newer.enrolled_at)
        if newer.enrolled_at >= self.status_changed_at:
            self.status = BeneficiaryStatus.active
            self.status_changed_at = newer.enrolled_at
            self.status_reason = None

    def change_status(self, status: BeneficiaryStatus, reason: str, changed_at: datetime) -> bool:
        """Apply a status change unless a later one was already applied; True if applied."""
        if changed_at < self.status_changed_at:
            return False
        self.status = status
        self.status_reason = reason
        self.status_changed_at = changed_at
        return True
