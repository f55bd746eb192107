"""Offline tolerance of the caregiver app (issue #5: "a retried or late-synced call is idempotent and
ordered by device time but accepted by server time").

Each call of the phone is recorded once per client id (``caregiver_actions``) with three clocks:
``device_at``, the phone's clock when the caregiver acted; ``sent_at`` (optional), the phone's clock
when the call left the phone; ``received_at``, the server's clock when it arrived, which is the
record (checked_in_at, checked_out_at, accepted_at are server times).

- The phone's clock error is ``sent_at - received_at`` (sending and receiving are the same instant
  up to the network's delay). Without ``sent_at`` the server cannot tell a wrong clock from a call
  that waited in the phone's queue, and the error is taken as ``device_at - received_at``.
- When the caregiver acted, on the server's clock, is ``device_at`` corrected by that error
  (``acted_at``); how long the call waited on the phone is ``received_at - acted_at``.
- A visit's calls are ordered by ``acted_at`` (device order), not by arrival: a call received after
  one the caregiver made later is ``out_of_order``. Ordering explains the record, it does not rewrite
  it: a late acceptance or trip (arriving after the check-in) changes nothing on the visit, and a
  check-out arriving before its check-in is refused (409) so the phone resends it after the check-in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class CaregiverAction:
    client_id: UUID
    caregiver_id: UUID
    visit_id: UUID
    kind: str
    device_at: datetime | None
    received_at: datetime
    clock_skew_seconds: float | None
    sent_at: datetime | None = None

    @property
    def acted_at(self) -> datetime:
        """When the caregiver acted, on the server's clock (arrival when the phone sent no time)."""
        if self.device_at is None:
            return self.received_at
        if self.sent_at is None:
            return self.device_at
        return self.device_at - (self.sent_at - self.received_at)

    @property
    def queued_seconds(self) -> float:
        """How long the call waited on the phone before it reached the server."""
        return max(0.0, (self.received_at - self.acted_at).total_seconds())


def clock_skew(device_at: datetime | None, sent_at: datetime | None, received_at: datetime) -> float | None:
    """The phone clock's error in seconds (positive: the phone is ahead), see the module."""
    reading = sent_at or device_at
    return None if reading is None else (reading - received_at).total_seconds()


@dataclass(frozen=True)
class TimelineEntry:
    action: CaregiverAction
    out_of_order: bool


def timeline(actions: list[CaregiverAction]) -> list[TimelineEntry]:
    """The calls in the order the caregiver made them (``acted_at``, then arrival); each flagged
    ``out_of_order`` when a call made after it had reached the server first."""
    ordered = sorted(actions, key=lambda a: (a.acted_at, a.received_at))
    out = []
    for i, a in enumerate(ordered):
        later = ordered[i + 1 :]
        out.append(TimelineEntry(a, any(b.received_at < a.received_at for b in later)))
    return out
