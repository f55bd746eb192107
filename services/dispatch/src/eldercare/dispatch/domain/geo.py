"""Distances on the Earth for the check-in geofence and the travel between homes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius


@dataclass(frozen=True)
class Point:
    """WGS-84 latitude and longitude in degrees."""

    lat: float
    lon: float


class TravelMode(StrEnum):
    """How a caregiver gets from home to home; the planner's speed per mode is a setting."""

    walk = "walk"
    e_bike = "e_bike"


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres; well within a metre of the ellipsoid at geofence scale."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlambda = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
