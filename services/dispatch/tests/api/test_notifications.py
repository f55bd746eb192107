"""Notifications to caregivers' phones (issue #5: emergency dispatch "notifies them"; the app learns
of visits booked to it, moved away or cancelled): written by the real flows in their transaction,
read after a cursor (a long poll with ``wait``), acknowledged, tenancy-scoped, with no personal
data in them."""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from eldercare.common.clock import utcnow
from eldercare.common.db import make_sessionmaker
from eldercare.common.ids import uuid7
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.notification_hub import NotificationHub
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.application import notifications
from eldercare.dispatch.application.missed import mark_missed_visits
from eldercare.dispatch.domain.notifications import Notification, NotificationKind

from .test_caregiver_app import world_status_changed
from .test_check_ins_and_outs import problem
from .test_emergencies import ALL_DAY, FARTHER, NEAR, raise_call

ALLOWED_PAYLOAD_KEYS = {
    "visit_id",
    "emergency_id",
    "service_code",
    "community_code",
    "scheduled_start_at",
    "scheduled_end_at",
    "raised_at",
    "cancellation",
    "because",
}


def url(caregiver: dict[str, Any]) -> str:
    return f"/v1/caregivers/{caregiver['id']}/notifications"


async def feed(world, caregiver, headers=None, **params) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    headers = headers or world.caregiver(caregiver["provider_id"], caregiver["id"])
    response = await world.client.get(url(caregiver), params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def kinds(world, caregiver) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    """(kind, the visit's or the call's id) of the caregiver's whole feed, in order."""
    items = (await feed(world, caregiver, limit=200))["items"]
    return [(n["kind"], n["visit_id"] or n["emergency_id"]) for n in items]


class TestEmergencyRequests:
    async def staffed(self, world):  # type: ignore[no-untyped-def]
        scene = await world.scene()
        near = await world.caregiver_of(scene.provider["id"], workday={"home": NEAR, **ALL_DAY})
        far = await world.caregiver_of(scene.provider["id"], workday={"home": FARTHER, **ALL_DAY})
        return scene, near, far

    async def test_the_nearest_caregiver_is_asked_on_their_phone_and_nobody_else(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, near, far = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        [request] = (await feed(world, near))["items"]
        assert (request["kind"], request["emergency_id"], request["visit_id"]) == (
            "emergency_request",
            call["id"],
            None,
        )
        assert request["payload"] == {
            "emergency_id": call["id"],
            "community_code": "430102001001",
            "raised_at": request["payload"]["raised_at"],
        }
        assert datetime.fromisoformat(request["payload"]["raised_at"]) == datetime.fromisoformat(
            call["raised_at"]
        )
        assert await kinds(world, far) == []

    async def test_each_escalation_withdraws_the_call_from_one_and_asks_the_next(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, near, far = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        escalate = f"/v1/emergencies/{call['id']}/escalations"
        admin = world.admin(scene.provider["id"])
        assert (await world.client.post(escalate, headers=admin)).status_code == 201
        assert await kinds(world, near) == [
            ("emergency_request", call["id"]),
            ("emergency_withdrawn", call["id"]),
        ]
        assert (await feed(world, near))["items"][-1]["payload"]["because"] == "escalated"
        assert await kinds(world, far) == [("emergency_request", call["id"])]
        # Nobody left: the 24-hour line; the last asked stands down; a repeat tells nobody more.
        assert (await world.client.post(escalate, headers=admin)).status_code == 201
        assert (await world.client.post(escalate, headers=admin)).status_code == 201
        assert await kinds(world, far) == [
            ("emergency_request", call["id"]),
            ("emergency_withdrawn", call["id"]),
        ]
        assert len(await kinds(world, near)) == 2

    async def test_the_worker_escalation_tells_both_caregivers_too(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        from eldercare.dispatch.application.emergencies import escalate_unacknowledged

        scene, near, far = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
            await escalate_unacknowledged(uow, after=timedelta(0))
            await uow.commit()
        assert [k for k, _ in await kinds(world, near)] == ["emergency_request", "emergency_withdrawn"]
        assert await kinds(world, far) == [("emergency_request", call["id"])]

    async def test_another_caregiver_taking_the_call_withdraws_it_from_the_asked_one(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, near, far = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        taker = world.caregiver(scene.provider["id"], far["id"])
        acked = await world.client.post(f"/v1/emergencies/{call['id']}/acknowledgements", headers=taker)
        assert acked.status_code == 201
        last = (await feed(world, near))["items"][-1]
        assert (last["kind"], last["payload"]["because"]) == ("emergency_withdrawn", "taken_by_another")
        assert await kinds(world, far) == []

    async def test_the_office_acknowledging_keeps_the_request_and_resolving_withdraws_it(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, near, _ = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        admin = world.admin(scene.provider["id"])
        await world.client.post(f"/v1/emergencies/{call['id']}/acknowledgements", headers=admin)
        assert [k for k, _ in await kinds(world, near)] == ["emergency_request"]
        done = await world.client.post(
            f"/v1/emergencies/{call['id']}/resolutions", json={"outcome": "false_alarm"}, headers=admin
        )
        assert done.status_code == 201
        last = (await feed(world, near))["items"][-1]
        assert (last["kind"], last["payload"]["because"]) == ("emergency_withdrawn", "resolved")

    async def test_the_asked_caregiver_who_resolves_it_is_not_told_what_they_did(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, near, _ = await self.staffed(world)
        call = (await raise_call(world, scene)).json()
        me = world.caregiver(scene.provider["id"], near["id"])
        await world.client.post(f"/v1/emergencies/{call['id']}/arrivals", headers=me)
        await world.client.post(
            f"/v1/emergencies/{call['id']}/resolutions", json={"outcome": "resolved_on_site"}, headers=me
        )
        assert [k for k, _ in await kinds(world, near)] == ["emergency_request"]


class TestVisitNotifications:
    async def test_a_booked_visit_tells_its_caregiver_with_its_times_and_codes(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        [booked] = (await feed(world, scene.caregiver))["items"]
        assert (booked["kind"], booked["visit_id"]) == ("visit_booked", scene.visit["id"])
        payload = booked["payload"]
        assert (payload["service_code"], payload["community_code"]) == ("CS22", "430102001001")
        assert datetime.fromisoformat(payload["scheduled_start_at"]) == datetime.fromisoformat(
            scene.visit["scheduled_start_at"]
        )

    async def test_a_declined_visit_is_told_as_unassigned(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        me = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        declined = await world.client.post(
            f"/v1/visits/{scene.visit['id']}/declines", json={"reason": "发烧请假"}, headers=me
        )
        assert declined.status_code == 201, declined.text
        assert await kinds(world, scene.caregiver) == [
            ("visit_booked", scene.visit["id"]),
            ("visit_unassigned", scene.visit["id"]),
        ]
        # The caregiver's free-text reason stays out of the notification.
        assert "发烧" not in json.dumps((await feed(world, scene.caregiver))["items"], ensure_ascii=False)

    async def test_a_suspension_cancels_the_booked_visits_and_tells_the_caregiver(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        later = await world.visit(scene.plan, scene.caregiver, hours=30)
        await world.deliver(world_status_changed(scene.beneficiary.beneficiary_id, "suspended"))
        items = (await feed(world, scene.caregiver))["items"]
        cancelled = [n for n in items if n["kind"] == "visit_cancelled"]
        assert {n["visit_id"] for n in cancelled} == {scene.visit["id"], later["id"]}
        assert {n["payload"]["cancellation"] for n in cancelled} == {"cancelled"}
        assert all(n["payload"]["service_code"] == "CS22" for n in cancelled)

    async def test_a_missed_visit_is_told_as_cancelled_missed(self, world, sessions) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
            await mark_missed_visits(uow, now=datetime.now(UTC) + timedelta(hours=3), grace=timedelta(0))
            await uow.commit()
        last = (await feed(world, scene.caregiver))["items"][-1]
        assert (last["kind"], last["visit_id"], last["payload"]["cancellation"]) == (
            "visit_cancelled",
            scene.visit["id"],
            "missed",
        )

    async def test_the_day_planner_tells_each_caregiver_the_visits_it_booked_to_them(self, world) -> None:  # type: ignore[no-untyped-def]
        from .test_schedules import day, setting

        s = await setting(world)
        body = {"date": day().isoformat(), "district_code": world.district, "seconds": 1}
        response = await world.client.post(
            "/v1/schedules", json=body, headers=world.admin(s["provider"]["id"])
        )
        assert response.status_code == 201, response.text
        assert sum(len(r["visits"]) for r in response.json()["routes"]) == 2  # two of the three placed
        for route in response.json()["routes"]:
            caregiver = next(c for c in (s["certified"], s["plain"]) if c["id"] == route["caregiver_id"])
            told = {visit_id for kind, visit_id in await kinds(world, caregiver) if kind == "visit_booked"}
            assert told == {v["visit_id"] for v in route["visits"]}
            booked = {v["visit_id"]: v for v in route["visits"]}
            for n in (await feed(world, caregiver))["items"]:
                start = datetime.fromisoformat(n["payload"]["scheduled_start_at"])
                assert start == datetime.fromisoformat(booked[n["visit_id"]]["scheduled_start_at"])

    async def test_a_refused_booking_tells_nobody(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        body = world.visit_body(scene.plan, scene.caregiver)  # the same hour: an overlap
        refused = await world.client.post("/v1/visits", json=body, headers=world.admin(scene.provider["id"]))
        assert refused.status_code == 409
        assert await kinds(world, scene.caregiver) == [("visit_booked", scene.visit["id"])]

    async def test_notifications_carry_no_personal_data(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        near = await world.caregiver_of(scene.provider["id"], workday={"home": NEAR, **ALL_DAY})
        await raise_call(world, scene, kind="medical")
        await world.deliver(world_status_changed(scene.beneficiary.beneficiary_id, "suspended"))
        items = (await feed(world, scene.caregiver))["items"] + (await feed(world, near))["items"]
        assert {n["kind"] for n in items} >= {"visit_booked", "visit_cancelled", "emergency_request"}
        for n in items:
            assert set(n["payload"]) <= ALLOWED_PAYLOAD_KEYS, n["payload"]
        text = json.dumps(items, ensure_ascii=False)
        person = scene.beneficiary
        for secret in (
            person.masked_id_number,
            str(person.beneficiary_id),
            str(person.person_id),
            "王护理员",
            "13900001111",
            "28.19",
            "medical",
        ):
            assert secret not in text


class TestReadingTheFeed:
    async def three(self, world):  # type: ignore[no-untyped-def]
        scene = await world.scene()
        visits = [scene.visit] + [await world.visit(scene.plan, scene.caregiver, hours=h) for h in (3, 6)]
        return scene, visits

    async def test_notifications_come_in_order_after_the_cursor_page_by_page(self, world) -> None:  # type: ignore[no-untyped-def]
        scene, visits = await self.three(world)
        first = await feed(world, scene.caregiver, limit=2)
        assert [n["visit_id"] for n in first["items"]] == [v["id"] for v in visits[:2]]
        assert first["next_cursor"] == first["items"][-1]["cursor"]
        rest = await feed(world, scene.caregiver, after=first["next_cursor"])
        assert [n["visit_id"] for n in rest["items"]] == [visits[2]["id"]]
        nothing = await feed(world, scene.caregiver, after=rest["next_cursor"])
        assert (nothing["items"], nothing["next_cursor"]) == ([], rest["next_cursor"])
        assert (nothing["unread"], nothing["acknowledged_cursor"]) == (3, "0")

    async def test_acknowledging_marks_read_is_idempotent_and_never_moves_back(self, world, idem_key) -> None:  # type: ignore[no-untyped-def]
        scene, _ = await self.three(world)
        me = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        items = (await feed(world, scene.caregiver))["items"]
        ack = f"{url(scene.caregiver)}/acknowledgements"
        for _ in range(2):
            response = await world.client.post(ack, json={"up_to": items[1]["cursor"]}, headers=me)
            assert response.status_code == 201, response.text
            assert (response.json()["acknowledged_cursor"], response.json()["unread"]) == (
                items[1]["cursor"],
                1,
            )
        back = await world.client.post(ack, json={"up_to": items[0]["cursor"]}, headers={**me, **idem_key()})
        assert back.json()["acknowledged_cursor"] == items[1]["cursor"]
        read = await feed(world, scene.caregiver)
        assert [n["read"] for n in read["items"]] == [True, True, False]
        assert (read["unread"], read["acknowledged_cursor"]) == (1, items[1]["cursor"])

    async def test_read_notifications_past_their_retention_are_purged_and_the_cursors_go_on(
        self, world, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        scene, _ = await self.three(world)
        me = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        items = (await feed(world, scene.caregiver))["items"]
        ack = f"{url(scene.caregiver)}/acknowledgements"
        assert (
            await world.client.post(ack, json={"up_to": items[1]["cursor"]}, headers=me)
        ).status_code == 201
        async with UnitOfWork(sessions, MESSAGING, source="dispatch") as uow:
            # Nothing is old enough yet.
            assert await notifications.purge_read_notifications(uow, now=utcnow(), retention_days=90) == 0
            # 91 days on, the two read ones go; the unread third stays.
            later = utcnow() + timedelta(days=91)
            assert await notifications.purge_read_notifications(uow, now=later, retention_days=90) == 2
            await uow.commit()
        left = await feed(world, scene.caregiver)
        assert [n["cursor"] for n in left["items"]] == [items[2]["cursor"]]
        assert (left["unread"], left["acknowledged_cursor"]) == (1, items[1]["cursor"])
        # The numbering goes on: a new booking is the fourth, and reading after an old cursor works.
        await world.visit(scene.plan, scene.caregiver, hours=9)
        after = await feed(world, scene.caregiver, after=items[0]["cursor"])
        assert [n["cursor"] for n in after["items"]] == [items[2]["cursor"], "4"]

    async def test_a_long_poll_with_nothing_new_answers_empty_when_the_wait_is_over(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        head = (await feed(world, scene.caregiver))["next_cursor"]
        body = await feed(world, scene.caregiver, after=head, wait=0.5)
        assert (body["items"], body["next_cursor"]) == ([], head)

    async def test_a_long_poll_answers_at_once_when_something_is_there(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        async with asyncio.timeout(10):  # far under the 30 s asked for
            body = await feed(world, scene.caregiver, wait=30)
        assert [n["kind"] for n in body["items"]] == ["visit_booked"]


class TestAccess:
    async def test_the_caregivers_provider_admin_reads_but_does_not_acknowledge(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        admin = world.admin(scene.provider["id"])
        assert len((await feed(world, scene.caregiver, headers=admin))["items"]) == 1
        response = await world.client.post(
            f"{url(scene.caregiver)}/acknowledgements", json={"up_to": "1"}, headers=admin
        )
        assert response.status_code == 403

    async def test_another_caregiver_and_another_providers_admin_get_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        colleague = await world.caregiver_of(scene.provider["id"])
        other, outsider = await world.staffed_provider()
        for headers in (
            world.caregiver(scene.provider["id"], colleague["id"]),
            world.admin(other["id"]),
            world.caregiver(other["id"], outsider["id"]),
        ):
            response = await world.client.get(url(scene.caregiver), headers=headers)
            assert response.status_code == 404, headers
        ack = f"{url(scene.caregiver)}/acknowledgements"
        colleague_headers = world.caregiver(scene.provider["id"], colleague["id"])
        assert (
            await world.client.post(ack, json={"up_to": "0"}, headers=colleague_headers)
        ).status_code == 404

    @pytest.mark.parametrize("role", ["district_officer", "city_admin", "city_platform"])
    async def test_government_and_platform_roles_get_403(self, world, role) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        headers = world.tokens.headers(role, region="430102")
        assert (await world.client.get(url(scene.caregiver), headers=headers)).status_code == 403

    async def test_an_unknown_caregiver_is_404(self, world) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        ghost = {"id": "0193b6e4-0000-7000-8000-000000000000", "provider_id": scene.provider["id"]}
        response = await world.client.get(url(ghost), headers=world.admin(scene.provider["id"]))
        assert response.status_code == 404


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"after": "abc"}, "query.after"),
            ({"after": "-1"}, "query.after"),
            ({"after": "99"}, "query.after"),  # beyond the end of the feed
            ({"limit": "0"}, "query.limit"),
            ({"limit": "201"}, "query.limit"),
            ({"wait": "31"}, "query.wait"),
            ({"wait": "-1"}, "query.wait"),
        ],
    )
    async def test_bad_cursors_limits_and_waits_are_422_naming_the_parameter(
        self, world, params, field
    ) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        me = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        response = await world.client.get(url(scene.caregiver), params=params, headers=me)
        assert response.status_code == 422
        assert [e["field"] for e in problem(response)["errors"]] == [field]

    @pytest.mark.parametrize("body", [{"up_to": "x1"}, {"up_to": "5"}, {}, {"up_to": "1", "extra": 1}])
    async def test_a_bad_acknowledgement_is_422_and_changes_nothing(self, world, body) -> None:  # type: ignore[no-untyped-def]
        scene = await world.scene()
        me = world.caregiver(scene.provider["id"], scene.caregiver["id"])
        response = await world.client.post(f"{url(scene.caregiver)}/acknowledgements", json=body, headers=me)
        assert response.status_code == 422
        assert (await feed(world, scene.caregiver))["acknowledged_cursor"] == "0"


@dataclass
class Live:
    app: Any
    world: Any
    sessions: Any
    provider: dict[str, Any]
    caregiver: dict[str, Any]

    def me(self) -> dict[str, str]:
        return self.world.caregiver(self.provider["id"], self.caregiver["id"])  # type: ignore[no-any-return]

    async def tell(self, count: int = 1) -> list[str]:
        """Commit ``count`` notifications for the caregiver from a session of its own."""
        visit_ids = [uuid7() for _ in range(count)]
        async with UnitOfWork(self.sessions, MESSAGING, source="test") as uow:
            for visit_id in visit_ids:
                told = Notification(
                    UUID(self.caregiver["id"]),
                    UUID(self.provider["id"]),
                    NotificationKind.visit_booked,
                    visit_id=visit_id,
                    payload={"visit_id": str(visit_id)},
                )
                notifications.tell(uow.session, told)
            await uow.commit()
        return [str(v) for v in visit_ids]


class TestAgainstACommittingDatabase:
    """A committing app (no rolled-back transaction) with a pool of 2 connections: notifications
    committed by another session wake waiting long polls through LISTEN/NOTIFY; waiting polls hold
    no pooled connection; the push queue is claimed SKIP LOCKED. The rows are removed afterwards."""

    @pytest.fixture
    async def live(self, settings, tokens):  # type: ignore[no-untyped-def]
        from eldercare.common.testing.plugin import api_client
        from eldercare.dispatch.main import create_app

        from .conftest import World

        small = settings.model_copy(update={"database_pool_size": 1})  # 1 + 1 overflow
        app = create_app(small)
        engine = create_async_engine(settings.database_url)
        async with api_client(app) as client:
            world = World(client, tokens, None, None)
            world.seq = 700_000 + random.randrange(100_000)  # credit codes of their own: they commit
            provider, caregiver = await world.staffed_provider()
            try:
                yield Live(app, world, make_sessionmaker(engine), provider, caregiver)
            finally:
                async with engine.begin() as conn:
                    params = {"c": caregiver["id"], "p": provider["id"]}
                    for sql in (
                        "DELETE FROM caregiver_notifications WHERE caregiver_id = CAST(:c AS uuid)",
                        "DELETE FROM caregiver_notification_feeds WHERE caregiver_id = CAST(:c AS uuid)",
                        "DELETE FROM caregivers WHERE id = CAST(:c AS uuid)",
                        "DELETE FROM provider_condition_facts WHERE provider_id = CAST(:p AS uuid)",
                        "DELETE FROM providers WHERE id = CAST(:p AS uuid)",
                    ):
                        await conn.execute(text(sql), params)
                await engine.dispose()

    async def test_waiting_polls_answer_when_a_notification_commits_elsewhere(self, live) -> None:  # type: ignore[no-untyped-def]
        client = live.world.client
        # Three waiting polls on a pool of two connections: none holds one while it waits, so
        # another request still gets one.
        polls = [
            asyncio.create_task(client.get(url(live.caregiver), params={"wait": 25}, headers=live.me()))
            for _ in range(3)
        ]
        await asyncio.sleep(0.5)
        assert not any(p.done() for p in polls)  # nothing yet: they wait
        other = await asyncio.wait_for(
            client.get(f"/v1/caregivers/{live.caregiver['id']}", headers=live.me()), timeout=10
        )
        assert other.status_code == 200
        [visit_id] = await live.tell()
        for response in await asyncio.wait_for(asyncio.gather(*polls), timeout=20):
            assert response.status_code == 200, response.text
            assert [(n["kind"], n["visit_id"]) for n in response.json()["items"]] == [
                ("visit_booked", visit_id)
            ]
        assert live.app.state.notification_hub.listening  # woken by NOTIFY, not by the fallback poll

    async def test_two_workers_never_claim_the_same_notification_to_push(self, live) -> None:  # type: ignore[no-untyped-def]
        from eldercare.dispatch.adapters.repositories.notifications import NotificationRepository

        mine = set(await live.tell(2))
        now = datetime.now(UTC) + timedelta(seconds=1)
        async with UnitOfWork(live.sessions, MESSAGING, source="test") as first:
            [held] = await NotificationRepository(first.session).claim_push_due(now, 1)
            async with UnitOfWork(live.sessions, MESSAGING, source="test") as second:
                claimed = await NotificationRepository(second.session).claim_push_due(now, 100)
        others = {str(n.visit_id) for n in claimed} & mine
        assert str(held.visit_id) in mine and others == mine - {str(held.visit_id)}


class TestWithoutListen:
    async def test_a_hub_that_cannot_listen_makes_waiters_re_read_instead(self) -> None:
        hub = NotificationHub("postgresql+asyncpg://nobody@127.0.0.1:1/none", poll_seconds=0.25)
        async with hub.subscribe(uuid7()) as waiter:
            assert (hub.listening, waiter.recheck) == (False, 0.25)
        await hub.close()
