"""Verification under a city's own settings: a minimum visit length and a tighter geofence."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from eldercare.dispatch.settings import DispatchSettings


@pytest.fixture
def settings(database_url, tokens) -> DispatchSettings:  # type: ignore[no-untyped-def]
    return DispatchSettings(
        database_url=database_url,
        jwt_public_key=SecretStr(tokens.public_pem.decode()),
        kafka_bootstrap_servers="127.0.0.1:1",
        log_format="text",
        geofence_m=50,
        min_visit_minutes=30,
    )


class TestCitySettings:
    async def test_a_visit_shorter_than_the_minimum_completes_unverified(self, world, outbox) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        await world.check_in(scene)
        visit = (await world.check_out(scene)).json()
        assert (visit["status"], visit["verified"]) == ("completed", False)
        assert visit["verification_notes"] == ["check-out: duration 0 min is under the minimum 30 min"]
        assert [(f["code"], f["action"]) for f in visit["flags"]] == [("too_short", "hold")]
        assert (await outbox())[-1][1]["verified"] is False

    async def test_the_geofence_is_the_settings(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        about_100_m_north = {"lat": world.home["lat"] + 0.0009, "lon": world.home["lon"]}
        visit = (await world.check_in(scene, location=about_100_m_north)).json()
        assert visit["location_ok"] is False and 90 < visit["distance_m"] < 110
