"""A road-network travel-time matrix: the OSRM ``table`` service behind the ``TravelTimes`` seam.

``GET {base_url}/table/v1/{profile}/{lon,lat;...}?sources=..&destinations=..&annotations=duration``
answers ``{"code": "Ok", "durations": [[seconds or null, ...], ...]}`` (OSRM HTTP API v5; Valhalla
and GraphHopper offer the same shape through OSRM-compatible front ends). A server caps the table
size (OSRM's ``--max-table-size``, 100 by default), so a large matrix is asked for block by block.
Durations are rounded up to whole seconds like the haversine matrix; a pair with no route (null)
becomes ``UNREACHABLE``, which no shift can absorb, so the planner never uses it.

Configured by ``DISPATCH_ROAD_MATRIX_URL`` (unset: haversine) and ``DISPATCH_ROAD_MATRIX_PROFILES``
(the server's profile per travel mode). Synchronous on purpose: the planner calls it from its worker
thread, never on the event loop.
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence

import numpy as np

from eldercare.dispatch.domain.geo import Point, TravelMode

# A day and more: a pair the road network cannot join.
UNREACHABLE = 10**7


class MatrixUnavailable(RuntimeError):
    """The road-network service did not answer with a usable matrix."""


class OsrmTableTravel:
    def __init__(
        self,
        base_url: str,
        profiles: Mapping[TravelMode, str],
        *,
        block: int = 100,
        timeout_s: float = 10.0,
    ) -> None:
        if block < 1:
            raise ValueError("block must be positive")
        self.base_url = base_url.rstrip("/")
        self.profiles = dict(profiles)
        self.block = block
        self.timeout_s = timeout_s

    def seconds(self, points: Sequence[Point], mode: TravelMode) -> np.ndarray:
        if mode not in self.profiles:
            raise KeyError(f"no road-network profile for travel mode {mode}")
        n = len(points)
        out = np.zeros((n, n), dtype=np.int64)
        # Each request carries at most ``block`` coordinates: half sources, half destinations.
        half = max(1, self.block // 2) if n > self.block else n
        for i0 in range(0, n, half):
            rows = list(range(i0, min(n, i0 + half)))
            for j0 in range(0, n, half):
                cols = list(range(j0, min(n, j0 + half)))
                out[np.ix_(rows, cols)] = self._table(points, rows, cols, self.profiles[mode])
        np.fill_diagonal(out, 0)
        return out

    def _table(self, points: Sequence[Point], rows: list[int], cols: list[int], profile: str) -> np.ndarray:
        ids = list(dict.fromkeys(rows + cols))
        at = {p: k for k, p in enumerate(ids)}
        coords = ";".join(f"{points[i].lon:.6f},{points[i].lat:.6f}" for i in ids)
        sources = ";".join(str(at[i]) for i in rows)
        destinations = ";".join(str(at[j]) for j in cols)
        url = (
            f"{self.base_url}/table/v1/{profile}/{coords}"
            f"?sources={sources}&destinations={destinations}&annotations=duration"
        )
        try:
            with urllib.request.urlopen(url, timeout=self.timeout_s) as response:  # noqa: S310 - a set URL
                body = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, ValueError) as e:
            raise MatrixUnavailable(f"the road-network service failed: {e}") from e
        durations = body.get("durations") if isinstance(body, dict) else None
        if body.get("code") != "Ok" or not isinstance(durations, list) or len(durations) != len(rows):
            raise MatrixUnavailable(f"the road-network service answered {body.get('code')!r}")
        block = np.empty((len(rows), len(cols)), dtype=np.int64)
        for r, row in enumerate(durations):
            if not isinstance(row, list) or len(row) != len(cols):
                raise MatrixUnavailable("the road-network service answered a malformed table")
            for c, value in enumerate(row):
                ok = isinstance(value, int | float) and math.isfinite(value) and value >= 0
                block[r, c] = math.ceil(value) if ok else UNREACHABLE
        return block
