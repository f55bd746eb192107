"""Late-synced calls of the caregiver app (issue #5): ordered by device time, accepted by server time.
The phone's clock when it sent a call tells a call that waited offline from a clock that is off."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .test_caregiver_app import me


def call(device: datetime, sent: datetime | None = None, **body: Any) -> dict[str, Any]:
    out = {"client_id": str(uuid.uuid4()), "device_time": device.isoformat(), **body}
    if sent is not None:
        out["sent_time"] = sent.isoformat()
    return out


class TestLateSyncIsNotAWrongClock:
    async def test_a_check_in_that_waited_offline_with_its_sent_time_is_not_flagged(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        now = datetime.now(UTC)
        acted = now - timedelta(minutes=40)
        body = call(acted, sent=now, location=world.home, accuracy_m=10)
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/check-ins", json=body, headers=me(world, scene)
        )
        assert response.status_code == 201, response.text
        visit = response.json()
        assert visit["flags"] == []
        # The server's clock is the record; the phone's is kept beside it.
        assert datetime.fromisoformat(visit["checked_in_at"]) >= now
        assert datetime.fromisoformat(visit["check_in_device_at"]) == acted
        [entry] = (
            await world.client.get(f"/v1/visits/{scene.visit['id']}/app-calls", headers=me(world, scene))
        ).json()["items"]
        assert abs(entry["clock_skew_seconds"]) < 60
        assert abs((datetime.fromisoformat(entry["acted_at"]) - acted).total_seconds()) < 60
        assert entry["queued_seconds"] > 39 * 60

    async def test_without_a_sent_time_a_late_sync_reads_as_clock_skew(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        body = call(datetime.now(UTC) - timedelta(minutes=40), location=world.home, accuracy_m=10)
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/check-ins", json=body, headers=me(world, scene)
        )
        assert [f["code"] for f in response.json()["flags"]] == ["clock_skew"]

    async def test_a_phone_clock_ahead_is_flagged_even_with_its_sent_time(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        ahead = datetime.now(UTC) + timedelta(minutes=10)
        body = call(ahead, sent=ahead, location=world.home, accuracy_m=10)
        response = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/check-ins", json=body, headers=me(world, scene)
        )
        assert [f["code"] for f in response.json()["flags"]] == ["clock_skew"]


class TestDeviceOrder:
    async def test_calls_are_listed_in_the_order_the_caregiver_made_them(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/visits/{scene.visit['id']}"
        headers = me(world, scene)
        now = datetime.now(UTC)
        accepted, set_off, arrived = (now - timedelta(minutes=m) for m in (50, 20, 5))
        # The phone syncs the check-in first, then the acceptance and the trip it queued offline.
        body = call(arrived, sent=now, location=world.home, accuracy_m=10)
        assert (await world.client.post(f"{url}/check-ins", json=body, headers=headers)).status_code == 201
        for path, at in (("trips", set_off), ("acceptances", accepted)):
            response = await world.client.post(f"{url}/{path}", json=call(at, sent=now), headers=headers)
            assert response.status_code == 201
            # Accepted by server time: a call after the check-in changes nothing on the visit.
            assert (response.json()["accepted_at"], response.json()["trip_started_at"]) == (None, None)
        items = (await world.client.get(f"{url}/app-calls", headers=headers)).json()["items"]
        assert [(i["kind"], i["out_of_order"]) for i in items] == [
            ("acceptance", True),
            ("trip", True),
            ("check_in", False),
        ]
        received = [datetime.fromisoformat(i["received_at"]) for i in items]
        assert received[2] < received[1] < received[0]

    async def test_the_calls_are_read_by_whoever_may_read_the_visit_only(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        url = f"/v1/visits/{scene.visit['id']}/app-calls"
        assert (await world.client.get(url, headers=world.admin(scene.provider["id"]))).status_code == 200
        assert (await world.client.get(url, headers=world.officer())).status_code == 200
        other = await world.provider()
        assert (await world.client.get(url, headers=world.admin(other["id"]))).status_code == 404
        colleague = await world.caregiver_of(scene.provider["id"])
        headers = world.caregiver(scene.provider["id"], colleague["id"])
        assert (await world.client.get(url, headers=headers)).status_code == 404
        assert (await world.client.get(url, headers=world.officer(world.other_district))).status_code == 404
