"""The beneficiary's contact a caregiver needs at the door (issue #5: "the beneficiary's
service-relevant details, masked where not needed"), and who may see it when.

Intake owns the contact and shares it sealed (intake.beneficiary_contact.shared.v1); dispatch keeps
the ciphertext and opens it only to answer a read. The name and the address are shown in full (the
caregiver must find the door and greet and identify the person), the guardian's name and relation
too; the phones are masked unless the caller holds ``pii:read`` (PIPL minimisation: the app dials
through the provider's line otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from eldercare.common.clock import DISPLAY_ZONE, local_date
from eldercare.common.pii import mask_phone
from eldercare.dispatch.domain.visits import Visit, VisitStatus

# Our operating choice, not a regulation's: from the start of the local day before the visit (the
# caregiver plans the route the evening before) to the end of the visit's local day.
DAYS_AHEAD = 1
OPEN_STATUSES = frozenset({VisitStatus.scheduled, VisitStatus.in_progress})


@dataclass(frozen=True)
class ContactWindow:
    opens_at: datetime
    closes_at: datetime


def contact_window(visit: Visit) -> ContactWindow:
    day = local_date(visit.scheduled_start_at)
    opens = datetime.combine(day - timedelta(days=DAYS_AHEAD), time.min, DISPLAY_ZONE)
    end_day = local_date(visit.scheduled_end_at)
    closes = datetime.combine(end_day + timedelta(days=1), time.min, DISPLAY_ZONE)
    return ContactWindow(opens, closes)


def caregiver_refusal(visit: Visit, now: datetime) -> str | None:
    """Why the assigned caregiver may not see the contact now, or None when they may."""
    if visit.status not in OPEN_STATUSES:
        return f"the visit is {visit.status.value}: its beneficiary's contact is no longer shown"
    window = contact_window(visit)
    if now < window.opens_at:
        return "the beneficiary's contact is shown from the day before the visit"
    if now >= window.closes_at:
        return "the visit's day is over: its beneficiary's contact is no longer shown"
    return None


@dataclass(frozen=True)
class Guardian:
    name: str
    relation: str
    phone: str


@dataclass(frozen=True)
class Contact:
    name: str
    address: str
    phone: str
    guardian: Guardian | None = None

    def shown(self, *, unmasked: bool) -> tuple[Contact, list[str]]:
        """The contact as shown to the caller and the fields shown in clear (for the access log)."""
        clear = ["name", "address"] + (["guardian.name", "guardian.relation"] if self.guardian else [])
        if unmasked:
            return self, clear + ["phone"] + (["guardian.phone"] if self.guardian else [])
        guardian = (
            Guardian(self.guardian.name, self.guardian.relation, mask_phone(self.guardian.phone))
            if self.guardian
            else None
        )
        return Contact(self.name, self.address, mask_phone(self.phone), guardian), clear
