"""Haversine distances for the geofence."""

from __future__ import annotations

import pytest

from eldercare.dispatch.domain.geo import Point, haversine_m


class TestHaversine:
    def test_the_same_point_is_zero_metres_away(self) -> None:
        assert haversine_m(Point(28.1941, 112.9761), Point(28.1941, 112.9761)) == 0

    def test_one_degree_of_latitude_is_about_111_km(self) -> None:
        assert haversine_m(Point(28, 113), Point(29, 113)) == pytest.approx(111_195, rel=1e-3)

    def test_a_degree_of_longitude_shrinks_with_latitude(self) -> None:
        at_changsha = haversine_m(Point(28.2, 112), Point(28.2, 113))
        assert at_changsha == pytest.approx(111_195 * 0.8813, rel=1e-3)  # cos(28.2°)

    def test_changsha_to_wuhan_is_about_300_km(self) -> None:
        assert haversine_m(Point(28.2282, 112.9388), Point(30.5928, 114.3055)) == pytest.approx(
            295_000, rel=0.02
        )

    def test_it_is_symmetric(self) -> None:
        a, b = Point(28.19, 112.97), Point(28.20, 112.99)
        assert haversine_m(a, b) == pytest.approx(haversine_m(b, a))
