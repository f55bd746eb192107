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
- ``visit_while_suspended`` (90): the visit was checked in on a (China) day the beneficiary was
  suspended or terminated, by the effective dates of intake's status changes (issue #7: "visits on
  days the beneficiary was ... suspended"); a subsidised visit to someone not entitled that day is
  what 第十八条（四） calls obtaining subsidies by false information.
- ``caregiver_density`` (60, batch only): in one district and one day or week, a caregiver's
  completed visits exceed the median of the district's caregivers that period by a factor (issue
  #7: "a caregiver's visit density far above peers"); every visit of that caregiver and period is
  flagged.
- ``reused_photo`` (85): the same photo (its SHA-256, as dispatch publishes it in
  ``dispatch.visit.completed.v1``) was submitted for two different visits, of any caregivers,
  checked in less than ``photo_reuse_days`` apart (by default the context window,
  ``geofence_window_days``). Both visits are flagged, each naming the other visit and the hash. A
  check-in photo is the caregiver's evidence of presence (issue #5; 第十七条 real-time records): one
  picture standing for two visits means at least one of them is evidenced by a picture not taken
  there, 第十八条（四） false information. Scored above the overlap (80), which an honest clock error
  can produce, and below a visit while hospitalised or suspended (90), whose facts come from
  outside the provider: an identical file is near-certain, yet a provider's shared stock picture
  (e.g. of a leaflet) can produce it innocently, which the investigator clears. The same hash twice
  on one visit (check-in and check-out) is nothing.
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
    visit_while_suspended = "visit_while_suspended"
    caregiver_density = "caregiver_density"
    reused_photo = "reused_photo"


# The signals ``detect`` raises; the density signal needs a whole district's period (batch only),
# the photo signal visits of any caregiver sharing a hash (``reused_photos``, stream and batch).
PER_VISIT_SIGNALS = frozenset(Signal) - {Signal.caregiver_density, Signal.reused_photo}


class DensityPeriod(StrEnum):
    day = "day"
    week = "week"


SCORES: dict[Signal, int] = {
    Signal.overlapping_visits: 80,
    Signal.impossible_travel: 70,
    Signal.repeated_geofence_miss: 50,
    Signal.short_visit: 40,
    Signal.visit_while_hospitalised: 90,
    Signal.visit_while_suspended: 90,
    Signal.caregiver_density: 60,
    Signal.reused_photo: 85,
}


@dataclass(frozen=True)
class FraudRules:
    """The parameters of the rules (settings ``AUDIT_FRAUD_*``)."""

    overlap_tolerance_minutes: int = 5
    max_travel_speed_kmh: float = 60.0
    geofence_misses: int = 3
    geofence_window_days: int = 30
    short_visit_ratio: float = 0.5
    density_factor: float = 3.0
    density_min_visits: int = 10
    density_period: DensityPeriod = DensityPeriod.day
    photo_reuse_days: int | None = None  # None: the context window (geofence_window_days)

    def parameters(self, signal: Signal) -> dict[str, Any]:
        table: dict[Signal, dict[str, Any]] = {
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
            Signal.visit_while_suspended: {},
            Signal.caregiver_density: {
                "density_factor": self.density_factor,
                "density_min_visits": self.density_min_visits,
                "density_period": self.density_period.value,
            },
            Signal.reused_photo: {"photo_reuse_days": self.photo_window.days},
        }
        return table[signal]

    @property
    def photo_window(self) -> timedelta:
        """Two visits carrying one photo are flagged when checked in less than this apart."""
        days = self.photo_reuse_days if self.photo_reuse_days is not None else self.geofence_window_days
        return timedelta(days=max(days, 1))

    @property
    def context(self) -> timedelta:
        """How far around a visit the stream detector must look to judge it as the batch would."""
        return max(timedelta(days=max(self.geofence_window_days, 1)), self.photo_window)


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
    photos: tuple[str, ...] = ()  # SHA-256 of the visit's check-in and check-out photos


@dataclass(frozen=True, slots=True)
class HospitalStay:
    """From an emergency call that ended ``hospitalised``: in hospital from ``start_at`` through the
    (China) day ``last_day``."""

    beneficiary_id: UUID
    start_at: datetime
    last_day: date
    emergency_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One of intake's status changes (enrolment counts as ``active``) with its effective date."""

    beneficiary_id: UUID
    status: str  # active, suspended, terminated
    effective_on: date
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class InactivePeriod:
    """Days (China) a beneficiary was suspended or terminated: ``from_on`` up to, not including,
    ``until_on`` (None: still)."""

    beneficiary_id: UUID
    status: str
    from_on: date
    until_on: date | None = None

    def covers(self, day: date) -> bool:
        return self.from_on <= day and (self.until_on is None or day < self.until_on)


INACTIVE_STATUSES = frozenset({"suspended", "terminated"})


def inactive_periods(changes: Iterable[StatusChange]) -> list[InactivePeriod]:
    """The suspended or terminated stretches of each beneficiary, from the status history in
    effective-date order (for one effective date the change made last wins). A suspension followed
    by a termination is one stretch (named by the status it started with)."""
    by_beneficiary: dict[UUID, list[StatusChange]] = defaultdict(list)
    for c in changes:
        by_beneficiary[c.beneficiary_id].append(c)
    periods: list[InactivePeriod] = []
    for beneficiary_id, own in by_beneficiary.items():
        own.sort(key=lambda c: (c.effective_on, c.changed_at))
        latest: dict[date, StatusChange] = {c.effective_on: c for c in own}
        opened: StatusChange | None = None
        for c in latest.values():
            inactive = c.status in INACTIVE_STATUSES
            if inactive and opened is None:
                opened = c
            elif not inactive and opened is not None:
                if c.effective_on > opened.effective_on:
                    periods.append(
                        InactivePeriod(beneficiary_id, opened.status, opened.effective_on, c.effective_on)
                    )
                opened = None
        if opened is not None:
            periods.append(InactivePeriod(beneficiary_id, opened.status, opened.effective_on))
    return periods


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
    inactive: Sequence[InactivePeriod] = (),
    only: frozenset[Signal] | None = None,
) -> list[SignalHit]:
    """Every per-visit signal the rules raise over ``visits`` (any order); one hit per visit and
    signal. The density signal is ``density`` (it needs a whole district's period)."""
    wanted = (only if only is not None else frozenset(Signal)) & PER_VISIT_SIGNALS
    hits: dict[tuple[UUID, Signal], SignalHit] = {}

    def hit(visit_id: UUID, signal: Signal, **evidence: Any) -> None:
        hits.setdefault((visit_id, signal), SignalHit(visit_id, signal, SCORES[signal], evidence))

    by_caregiver: dict[UUID, list[VisitRecord]] = defaultdict(list)
    stays_of: dict[UUID, list[HospitalStay]] = defaultdict(list)
    for stay in stays:
        stays_of[stay.beneficiary_id].append(stay)
    inactive_of: dict[UUID, list[InactivePeriod]] = defaultdict(list)
    for period in inactive:
        inactive_of[period.beneficiary_id].append(period)
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
        if Signal.visit_while_suspended in wanted and v.beneficiary_id in inactive_of:
            day = china_day(v.checked_in_at)
            for period in inactive_of[v.beneficiary_id]:
                if period.covers(day):
                    hit(
                        v.visit_id,
                        Signal.visit_while_suspended,
                        status=period.status,
                        inactive_from=period.from_on.isoformat(),
                        inactive_until=period.until_on.isoformat() if period.until_on else None,
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


def _period_start(day: date, period: DensityPeriod) -> date:
    return day if period is DensityPeriod.day else day - timedelta(days=day.weekday())


def density(visits: Iterable[VisitRecord], rules: FraudRules = FraudRules()) -> list[SignalHit]:
    """``caregiver_density``: per district and period (a China day, or an ISO week from Monday), the
    caregivers whose completed visits number more than ``density_factor`` × the median count of the
    district's caregivers with a visit that period, and at least ``density_min_visits`` (so a
    district of one-visit days does not flag the caregiver with four). Every visit of such a
    caregiver in that period is flagged, with the count, the median and the peers counted."""
    period = rules.density_period
    groups: dict[tuple[str, date], dict[UUID, list[UUID]]] = defaultdict(lambda: defaultdict(list))
    for v in visits:
        key = (v.district_code, _period_start(china_day(v.checked_in_at), period))
        groups[key][v.caregiver_id].append(v.visit_id)
    hits: list[SignalHit] = []
    score = SCORES[Signal.caregiver_density]
    for (district, start), by_caregiver in groups.items():
        counts = sorted(len(ids) for ids in by_caregiver.values())
        median = _median(counts)
        threshold = max(rules.density_factor * median, rules.density_min_visits - 1)
        for caregiver_id, ids in by_caregiver.items():
            if len(ids) > threshold:
                evidence = {
                    "period": period.value,
                    "period_start": start.isoformat(),
                    "district_code": district,
                    "caregiver_id": str(caregiver_id),
                    "caregiver_visits": len(ids),
                    "peer_median": median,
                    "peers": len(counts),
                }
                hits.extend(
                    SignalHit(visit_id, Signal.caregiver_density, score, dict(evidence)) for visit_id in ids
                )
    return hits


def _median(sorted_counts: list[int]) -> float:
    n = len(sorted_counts)
    mid = n // 2
    return float(sorted_counts[mid]) if n % 2 else (sorted_counts[mid - 1] + sorted_counts[mid]) / 2


def reused_photos(visits: Iterable[VisitRecord], rules: FraudRules = FraudRules()) -> list[SignalHit]:
    """``reused_photo``: every visit sharing a photo hash with another visit (of any caregiver)
    checked in less than ``photo_window`` before or after it; one hit per visit, naming the
    nearest such visit in time (then the smaller hash, then the smaller visit id, so the evidence
    does not depend on the order of ``visits``). A hash listed twice on one visit is one."""
    window = rules.photo_window
    carriers: dict[str, dict[UUID, VisitRecord]] = defaultdict(dict)
    for v in visits:
        for sha in v.photos:
            carriers[sha][v.visit_id] = v
    nearest: dict[UUID, tuple[tuple[timedelta, str, str], VisitRecord, str]] = {}
    for sha, by_id in carriers.items():
        if len(by_id) < 2:
            continue
        # A visit's nearest carrier in time is its neighbour in check-in order: adjacent pairs do.
        ordered = sorted(by_id.values(), key=lambda v: (v.checked_in_at, v.visit_id))
        for a, b in pairwise(ordered):
            gap = b.checked_in_at - a.checked_in_at
            if gap >= window:
                continue
            for v, other in ((a, b), (b, a)):
                key = (gap, sha, str(other.visit_id))
                if v.visit_id not in nearest or key < nearest[v.visit_id][0]:
                    nearest[v.visit_id] = (key, other, sha)
    score = SCORES[Signal.reused_photo]
    return [
        SignalHit(
            visit_id,
            Signal.reused_photo,
            score,
            {
                "other_visit_id": str(other.visit_id),
                "sha256": sha,
                "hours_apart": round(key[0].total_seconds() / 3600, 1),
            },
        )
        for visit_id, (key, other, sha) in nearest.items()
    ]
