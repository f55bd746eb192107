"""Dispatch's projection of the beneficiary register, kept from intake's events.

Only what dispatch needs: the district and community, the geocoded home point (the check-in
geofence), the entitled service categories, whether emergency help is mandatory, and the status.
No name, ID number or address (architecture.md, PII minimisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.dispatch.domain.errors import BeneficiaryNotActive
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
    # Issue #5: the local day a termination takes effect. A termination decided ahead of its day
    # leaves the plans in force until then; the worker's sweep ends them on the day.
    termination_effective_on: date | None = None

    @property
    def is_active(self) -> bool:
        return self.status == BeneficiaryStatus.active

    def may_be_visited_on(self, day: date) -> bool:
        """An active beneficiary, or one whose termination takes effect after ``day`` (the plans
        run until the termination's day; a suspension pauses visits at once)."""
        if self.is_active:
            return True
        return (
            self.status == BeneficiaryStatus.terminated
            and self.termination_effective_on is not None
            and day < self.termination_effective_on
        )

    def ensure_may_be_visited_on(self, day: date) -> None:
        """A visit on ``day`` is refused (409) for a suspended beneficiary, and for a terminated one
        on or after the termination's day (naming the visit's start)."""
        if self.may_be_visited_on(day):
            return
        if self.status == BeneficiaryStatus.terminated and self.termination_effective_on is not None:
            raise BeneficiaryNotActive(
                f"the beneficiary's termination takes effect on {self.termination_effective_on.isoformat()}:"
                " no visit on or after that day",
                field="scheduled_start_at",
            )
        raise BeneficiaryNotActive(f"the beneficiary is {self.status.value}", field="care_plan_id")

    def termination_due(self, today: date) -> bool:
        """The termination has taken effect by ``today``: the beneficiary's plans end."""
        return self.status == BeneficiaryStatus.terminated and (
            self.termination_effective_on is None or self.termination_effective_on <= today
        )

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
            self.termination_effective_on = None

    def change_status(
        self,
        status: BeneficiaryStatus,
        reason: str,
        changed_at: datetime,
        effective_on: date | None = None,
    ) -> bool:
        """Apply a status change unless a later one was already applied; True if applied.

        The latest change (by intake's ``changed_at``) wins, so a newer change back to active or to
        suspended replaces a termination still pending, and an older one replayed changes nothing.
        """
        if changed_at < self.status_changed_at:
            return False
        self.status = status
        self.status_reason = reason
        self.status_changed_at = changed_at
        self.termination_effective_on = effective_on if status == BeneficiaryStatus.terminated else None
        return True
