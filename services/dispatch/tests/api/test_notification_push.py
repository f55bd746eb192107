"""The push gateway seam (DISPATCH_PUSH_GATEWAY_URL): the worker's round sends each new
notification once to the gateway, retries failures with backoff, gives up on refusals and stale
notifications, and keeps the delivery state on the row. Against a local HTTP server only."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.models import CaregiverNotificationRow
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.adapters.push_gateway import PushGateway
from eldercare.dispatch.application.push import PushRound, push_due, start_pusher
from eldercare.dispatch.notification_settings import NotificationSettings


@dataclass
class Gateway:
    """Answers each POST with the next status of ``statuses`` (then 200) and keeps what it got."""

    statuses: list[int] = field(default_factory=list)
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.received.append((self.headers["Idempotency-Key"], body))
                self.send_response(gateway.statuses.pop(0) if gateway.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        return Handler


@pytest.fixture
def gateway() -> Iterator[tuple[str, Gateway]]:
    state = Gateway()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/push", state
    httpd.shutdown()
    httpd.server_close()


SETTINGS = NotificationSettings(
    push_gateway_url="http://set-per-test", push_backoff_seconds=10, push_max_attempts=3
)


async def round_at(sessions, url: str, now: datetime, settings: NotificationSettings = SETTINGS) -> PushRound:  # type: ignore[no-untyped-def]
    client = PushGateway(url, timeout_s=5)
    try:
        async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
            done = await push_due(uow, client, settings, now=now)
            await uow.commit()
    finally:
        await client.close()
    return done


async def rows(sessions) -> list[CaregiverNotificationRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list(
            (await s.scalars(select(CaregiverNotificationRow).order_by(CaregiverNotificationRow.id))).all()
        )


class TestPushing:
    async def test_each_new_notification_is_pushed_once_with_its_id_as_idempotency_key(
        self, world, sessions, gateway
    ) -> None:  # type: ignore[no-untyped-def]
        url, server = gateway
        scene = await world.scene()
        await world.visit(scene.plan, scene.caregiver, hours=3)
        now = datetime.now(UTC)
        assert await round_at(sessions, url, now) == PushRound(delivered=2)
        assert await round_at(sessions, url, now + timedelta(minutes=1)) == PushRound()
        assert len(server.received) == 2
        stored = await rows(sessions)
        assert {r.push_status for r in stored} == {"delivered"}
        assert sorted(k for k, _ in server.received) == sorted(str(r.id) for r in stored)
        key, body = server.received[0]
        assert (body["notification_id"], body["caregiver_id"], body["kind"]) == (
            key,
            scene.caregiver["id"],
            "visit_booked",
        )
        assert set(body["payload"]) == {
            "visit_id",
            "service_code",
            "community_code",
            "scheduled_start_at",
            "scheduled_end_at",
        }

    async def test_a_failing_gateway_is_retried_after_the_backoff(self, world, sessions, gateway) -> None:  # type: ignore[no-untyped-def]
        url, server = gateway
        server.statuses = [503]
        await world.scene()
        now = datetime.now(UTC)
        assert await round_at(sessions, url, now) == PushRound(retrying=1)
        [row] = await rows(sessions)
        assert (row.push_status, row.push_attempts, row.push_error) == ("pending", 1, "gateway answered 503")
        assert await round_at(sessions, url, now + timedelta(seconds=5)) == PushRound()  # not due yet
        assert await round_at(sessions, url, now + timedelta(seconds=11)) == PushRound(delivered=1)
        [row] = await rows(sessions)
        assert (row.push_status, row.push_attempts, row.pushed_at is not None) == ("delivered", 2, True)
        assert len(server.received) == 2

    async def test_an_unreachable_gateway_is_retried_then_given_up(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        await world.scene()
        now = datetime.now(UTC)
        nowhere = "http://127.0.0.1:1/push"
        assert await round_at(sessions, nowhere, now) == PushRound(retrying=1)
        assert await round_at(sessions, nowhere, now + timedelta(seconds=11)) == PushRound(retrying=1)
        # The third attempt is the last (push_max_attempts 3): failed, the feed still has it.
        assert await round_at(sessions, nowhere, now + timedelta(seconds=40)) == PushRound(failed=1)
        [row] = await rows(sessions)
        assert (row.push_status, row.push_attempts) == ("failed", 3)
        assert "unreachable" in (row.push_error or "")

    async def test_a_refusal_is_not_retried(self, world, sessions, gateway) -> None:  # type: ignore[no-untyped-def]
        url, server = gateway
        server.statuses = [400]
        await world.scene()
        now = datetime.now(UTC)
        assert await round_at(sessions, url, now) == PushRound(failed=1)
        assert await round_at(sessions, url, now + timedelta(hours=1)) == PushRound()
        assert len(server.received) == 1

    async def test_a_notification_too_old_is_expired_not_pushed(self, world, sessions, gateway) -> None:  # type: ignore[no-untyped-def]
        url, server = gateway
        scene = await world.scene()
        later = datetime.now(UTC) + timedelta(minutes=SETTINGS.push_max_age_minutes + 1)
        assert await round_at(sessions, url, later) == PushRound(expired=1)
        assert server.received == []
        [row] = await rows(sessions)
        assert row.push_status == "expired"
        # The feed still shows it.
        me = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        feed = await world.client.get(f"/v1/caregivers/{scene.caregiver['id']}/notifications", headers=me)
        assert len(feed.json()["items"]) == 1


class TestTheWorkerLoop:
    async def test_the_loop_pushes_what_arrives_until_stopped(self, world, sessions, gateway) -> None:  # type: ignore[no-untyped-def]
        url, server = gateway
        settings = NotificationSettings(push_gateway_url=url, push_poll_seconds=0.1)
        # The scene first: the test's sessions share one connection, the loop must run alone on it.
        scene = await world.scene()
        stop = asyncio.Event()
        task = start_pusher(lambda: UnitOfWork(sessions, MESSAGING, source="dispatch"), settings, stop)
        assert task is not None
        async with asyncio.timeout(20):
            while not server.received:
                await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, timeout=10)
        [(_, body)] = server.received
        assert (body["kind"], body["visit_id"]) == ("visit_booked", scene.visit["id"])

    def test_without_a_gateway_url_no_push_loop_starts(self) -> None:
        assert start_pusher(lambda: None, NotificationSettings(), asyncio.Event()) is None  # type: ignore[arg-type,return-value]
