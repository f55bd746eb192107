"""Travel times between points: a pluggable matrix.

``TravelTimes`` is the seam: the default is the great-circle (haversine) distance at a speed per mode
of travel; a road-network service would be another implementation of the same protocol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from eldercare.dispatch.domain.geo import EARTH_RADIUS_M, Point, TravelMode

__all__ = ["HaversineTravel", "TravelMode", "TravelTimes"]


class TravelTimes(Protocol):
    def seconds(self, points: Sequence[Point], mode: TravelMode) -> np.ndarray:
        """Whole seconds (rounded up) from ``points[i]`` to ``points[j]``, an n x n int64 matrix."""
        ...


class HaversineTravel:
    """Straight-line (great-circle) distance at a constant speed per mode."""

    def __init__(self, speeds_m_per_s: Mapping[TravelMode, float]) -> None:
        for mode, speed in speeds_m_per_s.items():
            if not speed > 0:
                raise ValueError(f"the speed of {mode} must be positive")
        self.speeds = dict(speeds_m_per_s)

    def metres(self, points: Sequence[Point]) -> np.ndarray:
        lat = np.radians(np.array([p.lat for p in points], dtype=float))
        lon = np.radians(np.array([p.lon for p in points], dtype=float))
        dlat = lat[None, :] - lat[:, None]
        dlon = lon[None, :] - lon[:, None]
        h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
        metres: np.ndarray = 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        return metres

    def seconds(self, points: Sequence[Point], mode: TravelMode) -> np.ndarray:
        if mode not in self.speeds:
            raise KeyError(f"no speed for travel mode {mode}")
        seconds: np.ndarray = np.ceil(self.metres(points) / self.speeds[mode]).astype(np.int64)
        return seconds
