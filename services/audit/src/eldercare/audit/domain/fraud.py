"""Fraud signals over visits: pure rules, the same code for the stream and the batch detector.

The seeds name the conduct these signals look for but set no thresholds:
changsha-2024-purchased-door-to-door-rules.md 第十八条（四） (通过提供虚假信息等方式骗取政府补助) and
（一） (未按照护方案和标准要求提供服务); 第十七条 asks for real-time service records, which is what
the rules read. Every threshold below is therefore the bureau's working parameter (a setting with
a documented default), not a clause.

Signals (rule id, what it means, score):

- ``overlapping_visits`` (80): one caregiver checked in to a visit before checking out of another
  (beyond a tolerance). Both visits are flagged.
- ``impossible_travel`` (70): between two consecutive visits of one caregiver, the distance between
  the two homes divided by the time between check-out and the next check-in exceeds a speed. The
  later visit is flagged. Homes are known only to about 1 km (``round_point``), so that much slack
  is taken off the distance.
- ``repeated_geofence_miss`` (50): a caregiver checked in outside the home's geofence at least
  ``geofence_misses`` times within ``geofence_window_days``; every miss in such a window is flagged.
- ``short_visit`` (40): the visit lasted less than ``short_visit_ratio`` of its planned length.
- ``visit_while_hospitalised`` (90): the visit was checked in after the beneficiary's emergency
  call that ended in hospitalisation (dispatch.emergency.*), on a day of that stay.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any
from uuid import UUID

# China Standard Time has no daylight saving: a fixed offset is exact and far cheaper per visit
# than a zoneinfo conversion in the batch over a million visits.
_CST = timedelta(hours=8)
HOME_PRECISION_DEGREES = 0.01
# Half the diagonal of a 0.01° cell at most (about 0.79 km) for each of the two homes.
ROUNDING_SLACK_KM = 1.6


class Signal(StrEnum):
    overlapping_visits = "overlapping_visits"
    impossible_travel = "impossible_travel"
    repeated_geofence_miss = "repeated_geofence_miss"
    short_visit = "short_visit"
    visit_while_hospitalised = "visit_while_hospitalised"


SCORES: dict[Signal, int] = {
    Signal.overlapping_visits: 80,
    Signal.impossible_travel: 70,
    Signal.repeated_geofence_miss: 50,
    Signal.short_visit: 40,
    Signal.visit_while_hospitalised: 90,
}


@dataclass(frozen=True)
class FraudRules:
    """The parameters of the rules (settings ``AUDIT_FRAUD_*``)."""

    overlap_tolerance_minutes: int = 5
    max_travel_speed_kmh: float = 60.0
    geofence_misses: int = 3
    geofence_window_days: int = 30
    short_visit_ratio: float = 0.5

    def parameters(self, signal: Signal) -> dict[str, Any]:
        return {
            Signal.overlapping_visits: {"overlap_tolerance_minutes": self.overlap_tolerance_minutes},
            Signal.impossible_travel: {
                "max_travel_speed_kmh": self.max_travel_speed_kmh,
                "rounding_slack_km": ROUNDING_SLACK_KM,
            },
            Signal.repeated_geofence_miss: {
                "geofence_misses": self.geofence_misses,
                "geofence_window_days": self.geofence_window_days,
            },
            Signal.short_visit: {"short_visit_ratio": self.short_visit_ratio},
            Signal.visit_while_hospitalised: {},
        }[signal]

    @property
    def context(self) -> timedelta:
        """How far around a visit the stream detector must look to judge it as the batch would."""
        return timedelta(days=max(self.geofence_window_days, 1))


@dataclass(frozen=True, slots=True)
class VisitRecord:
    """What audit knows of a completed visit from dispatch's events."""

    visit_id: UUID
    provider_id: UUID
    caregiver_id: UUID
    beneficiary_id: UUID
    district_code: str
    checked_in_at: datetime
    checked_out_at: datetime
    planned_minutes: int | None = None
    location_ok: bool | None = None
    home: tuple[float, float] | None = None  # the beneficiary's home, rounded (round_point)


@dataclass(frozen=True, slots=True)
class HospitalStay:
    """From an emergency call that ended ``hospitalised``: in hospital from ``start_at`` through the
    (China) day ``last_day``."""

    beneficiary_id: UUID
    start_at: datetime
    last_day: date
    emergency_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class SignalHit:
    visit_id: UUID
    signal: Signal
    score: int
    evidence: dict[str, Any] = field(default_factory=dict)


def round_point(lat: float, lon: float) -> tuple[float, float]:
    """A home kept to about 1 km: enough to see impossible travel, too coarse to be an address."""
    return (round(lat, 2), round(lon, 2))


def china_day(at: datetime) -> date:
    return (at + _CST - (at.utcoffset() or timedelta())).date()


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def detect(
    visits: Iterable[VisitRecord],
    stays: Sequence[HospitalStay] = (),
    rules: FraudRules = FraudRules(),
    *,
    only: frozenset[Signal] | None = None,
) -> list[SignalHit]:
    """Every signal the rules raise over ``visits`` (any order); one hit per visit and signal."""
    wanted = only if only is not None else frozenset(Signal)
    hits: dict[tuple[UUID, Signal], SignalHit] = {}

    def hit(visit_id: UUID, signal: Signal, **evidence: Any) -> None:
        hits.setdefault((visit_id, signal), SignalHit(visit_id, signal, SCORES[signal], evidence))

    by_caregiver: dict[UUID, list[VisitRecord]] = defaultdict(list)
    stays_of: dict[UUID, list[HospitalStay]] = defaultdict(list)
    for stay in stays:
        stays_of[stay.beneficiary_id].append(stay)
    for v in visits:
        by_caregiver[v.caregiver_id].append(v)
        if Signal.short_visit in wanted and v.planned_minutes:
            minutes = (v.checked_out_at - v.checked_in_at).total_seconds() / 60
            if minutes < rules.short_visit_ratio * v.planned_minutes:
                hit(v.visit_id, Signal.short_visit, minutes=round(minutes), planned_minutes=v.planned_minutes)
        if Signal.visit_while_hospitalised in wanted and v.beneficiary_id in stays_of:
            for stay in stays_of[v.beneficiary_id]:
                if stay.start_at <= v.checked_in_at and china_day(v.checked_in_at) <= stay.last_day:
                    hit(
                        v.visit_id,
                        Signal.visit_while_hospitalised,
                        emergency_id=str(stay.emergency_id) if stay.emergency_id else None,
                        hospitalised_from=stay.start_at.isoformat(),
                    )
                    break
    for own in by_caregiver.values():
        own.sort(key=_check_in)
        _caregiver_rules(own, rules, wanted, hit)
    return list(hits.values())


def _check_in(v: VisitRecord) -> datetime:
    return v.checked_in_at


def _caregiver_rules(own: list[VisitRecord], rules: FraudRules, wanted: frozenset[Signal], hit: Any) -> None:
    tolerance = timedelta(minutes=rules.overlap_tolerance_minutes)
    latest = own[0]  # the visit reaching furthest so far: any later check-in before its end overlaps
    for prev, nxt in pairwise(own):
        overlapping = nxt.checked_in_at < latest.checked_out_at - tolerance
        if overlapping and Signal.overlapping_visits in wanted:
            hit(latest.visit_id, Signal.overlapping_visits, other_visit_id=str(nxt.visit_id))
            hit(nxt.visit_id, Signal.overlapping_visits, other_visit_id=str(latest.visit_id))
        if not overlapping and Signal.impossible_travel in wanted and prev.home and nxt.home:
            km = haversine_km(prev.home, nxt.home) - ROUNDING_SLACK_KM
            hours = (nxt.checked_in_at - prev.checked_out_at).total_seconds() / 3600
            if km > 0 and (hours <= 0 or km / hours > rules.max_travel_speed_kmh):
                hit(
                    nxt.visit_id,
                    Signal.impossible_travel,
                    previous_visit_id=str(prev.visit_id),
                    km_at_least=round(km, 1),
                    minutes=round(hours * 60),
                )
        if nxt.checked_out_at > latest.checked_out_at:
            latest = nxt
    if Signal.repeated_geofence_miss in wanted:
        _geofence(own, rules, hit)


def _geofence(own: list[VisitRecord], rules: FraudRules, hit: Any) -> None:
    misses = [v for v in own if v.location_ok is False]
    window = timedelta(days=rules.geofence_window_days)
    start = 0
    for end, v in enumerate(misses):
        while v.checked_in_at - misses[start].checked_in_at >= window:
            start += 1
        if end - start + 1 >= rules.geofence_misses:
            for m in misses[start : end + 1]:
                hit(m.visit_id, Signal.repeated_geofence_miss, misses_in_window=end - start + 1)
