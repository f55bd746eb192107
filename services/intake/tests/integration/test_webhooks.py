"""The city platform's webhooks against a real HTTP receiver (uvicorn on a free port): subscribed
through the API, queued by the consumer of intake's own events, POSTed signed by the dispatcher,
retried with backoff when the receiver fails, logged, and redelivered on request."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import uvicorn
from aiokafka.structs import ConsumerRecord
from pydantic import SecretStr
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from eldercare.common.clock import utcnow
from eldercare.common.consumer import ConsumerRunner
from eldercare.common.testing.plugin import Tokens, api_test_settings
from eldercare.intake.adapters.models import WebhookDeliveryRow, WebhookSubscriptionRow
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.adapters.webhook_sender import WebhookDispatcher
from eldercare.intake.adapters.webhooks import WebhookRepository
from eldercare.intake.consumers import webhook_sub
from eldercare.intake.domain.webhooks import verify
from eldercare.intake.settings import IntakeSettings

SUBMITTED = "intake.application.submitted.v1"
URL = "/v1/webhook-subscriptions"


@pytest.fixture
def settings(database_url: str, tokens: Tokens, pii_keys: dict[str, SecretStr]) -> IntakeSettings:
    return IntakeSettings(
        **api_test_settings(database_url, tokens),
        policy_settings={"changsha-2024": {"monthly_service_amount_fen": 30000}},
        webhook_allow_private_networks=True,  # the receiver listens on 127.0.0.1
        webhook_backoff_base_seconds=0.05,
        webhook_max_attempts=3,
        webhook_timeout_seconds=5,
        **pii_keys,
    )


@dataclass
class Receiver:
    """Answers each POST with the next planned status (200 once the plan is used up)."""

    url: str = ""
    plan: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def hook(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=self.plan.pop(0) if self.plan else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    r = Receiver()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    r.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    app = Starlette(routes=[Route("/hook", r.hook, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    yield r
    server.should_exit = True
    await task


def platform(tokens: Tokens, subject: str = "platform-a", region: str = "4301") -> dict[str, str]:
    return tokens.headers("city_platform", region=region, subject=subject)


async def subscribe(client, tokens, url: str, types: list[str] | None = None, **kw: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    body = {"url": url, "event_types": types or [SUBMITTED]}
    response = await client.post(URL, json=body, headers=platform(tokens, **kw))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def consume_own_events(sessions, settings: IntakeSettings) -> list[str]:  # type: ignore[no-untyped-def]
    """Intake's outbox rows through the intake.webhooks consumer runner (inbox, envelope parsing,
    handler, commit) as Kafka records; the runner's verdict for each."""
    runner = ConsumerRunner(settings, webhook_sub, sessions, MESSAGING, producer=None)  # type: ignore[arg-type]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    verdicts = []
    for offset, row in enumerate(rows):
        value = bytes(row.payload)
        record = ConsumerRecord(
            topic=row.topic,
            partition=0,
            offset=offset,
            timestamp=0,
            timestamp_type=0,
            key=row.key.encode() if row.key else None,
            value=value,
            checksum=None,
            serialized_key_size=0,
            serialized_value_size=len(value),
            headers=[(k, v.encode()) for k, v in row.headers],
        )
        verdicts.append(await runner.handle_record(record))
    return verdicts


async def deliveries(sessions) -> list[WebhookDeliveryRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id))).all())


class TestSubscriptions:
    async def test_the_secret_is_shown_once_and_kept_sealed(self, client, tokens, sessions, receiver) -> None:  # type: ignore[no-untyped-def]
        created = await subscribe(client, tokens, receiver.url)
        assert created["secret"].startswith("whsec_") and created["signature"]["replay_window_seconds"] == 300
        again = await client.get(f"{URL}/{created['id']}", headers=platform(tokens))
        assert again.status_code == 200 and again.json()["secret"] is None
        async with sessions() as s:
            row = (await s.scalars(select(WebhookSubscriptionRow))).one()
        assert created["secret"] not in row.secret_sealed

    async def test_an_idempotent_replay_answers_without_the_secret(self, client, tokens, receiver) -> None:  # type: ignore[no-untyped-def]
        headers = platform(tokens) | {"Idempotency-Key": "subscribe-0001"}
        body = {"url": receiver.url, "event_types": [SUBMITTED]}
        first = await client.post(URL, json=body, headers=headers)
        again = await client.post(URL, json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201)
        assert first.json()["secret"] and again.json()["secret"] is None
        assert first.json()["id"] == again.json()["id"]

    @pytest.mark.parametrize(
        ("url", "types"),
        [
            ("ftp://127.0.0.1/hook", [SUBMITTED]),
            ("http://user:pw@127.0.0.1/hook", [SUBMITTED]),
            ("http://127.0.0.1:9/hook", ["intake.person.updated.v1"]),
        ],
    )
    async def test_bad_urls_and_types_are_422_naming_the_field(
        self, client, tokens, url: str, types: list[str]
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(URL, json={"url": url, "event_types": types}, headers=platform(tokens))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] in {"url", "event_types"}

    async def test_private_addresses_are_refused_unless_the_setting_allows_them(
        self, settings, sessions, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        from eldercare.common.testing.plugin import api_client
        from eldercare.intake.main import create_app

        strict = settings.model_copy(update={"webhook_allow_private_networks": False})
        async with api_client(create_app(strict), sessions) as c:
            for url in (
                "http://127.0.0.1:8080/hook",
                "http://10.1.2.3/hook",
                "http://169.254.169.254/latest",
            ):
                response = await c.post(
                    URL, json={"url": url, "event_types": [SUBMITTED]}, headers=platform(tokens)
                )
                assert response.status_code == 422 and response.json()["errors"][0]["field"] == "url", url
            allowed = strict.model_copy(update={"webhook_allowed_hosts": ["hooks.example.cn"]})
        async with api_client(create_app(allowed), sessions) as c:
            response = await c.post(
                URL,
                json={"url": "https://other.example.cn/h", "event_types": [SUBMITTED]},
                headers=platform(tokens),
            )
            assert response.status_code == 422

    async def test_another_client_sees_nothing_and_government_roles_are_403(
        self, client, tokens, receiver
    ) -> None:  # type: ignore[no-untyped-def]
        created = await subscribe(client, tokens, receiver.url)
        other = platform(tokens, subject="platform-b")
        assert (await client.get(f"{URL}/{created['id']}", headers=other)).status_code == 404
        assert (await client.get(f"{URL}/{created['id']}/deliveries", headers=other)).status_code == 404
        assert (await client.get(URL, headers=other)).json()["items"] == []
        officer = tokens.headers("district_officer", region="430102")
        assert (await client.get(URL, headers=officer)).status_code == 403


class TestDeliveries:
    async def test_an_event_is_delivered_signed_without_personal_data(  # type: ignore[no-untyped-def]
        self, flow, client, tokens, sessions, settings, receiver
    ) -> None:
        created = await subscribe(
            client, tokens, receiver.url, types=[SUBMITTED, "intake.beneficiary.enrolled.v1"]
        )
        body = flow.body(1)
        app = await flow.assessed(1, level=1)
        assert (await flow.decide(app["id"])).status_code == 201
        assert "duplicate" not in await consume_own_events(sessions, settings)
        assert set(await consume_own_events(sessions, settings)) == {"duplicate"}  # a replay queues nothing
        queued = await deliveries(sessions)
        assert sorted(d.event_type for d in queued) == [
            "intake.application.submitted.v1",
            "intake.beneficiary.enrolled.v1",
        ]
        assert await WebhookDispatcher(settings, sessions).run_once() == 2
        assert len(receiver.received) == 2
        for headers, raw in receiver.received:
            assert verify(created["secret"], headers["x-eldercare-signature"], raw, int(time.time()), 300)
            assert not verify("whsec_wrong", headers["x-eldercare-signature"], raw, int(time.time()), 300)
            assert not verify(
                created["secret"], headers["x-eldercare-signature"], raw, int(time.time()) + 301, 300
            )
            doc = json.loads(raw)
            assert (
                headers["x-eldercare-event-id"] == doc["id"]
                and doc["type"] == headers["x-eldercare-event-type"]
            )
            text = raw.decode()
            for value in (
                body["applicant"]["id_number"],
                body["applicant"]["phone"],
                body["applicant"]["name"],
            ):
                assert value not in text
            assert "home_point" not in doc["data"]
        log = (await client.get(f"{URL}/{created['id']}/deliveries", headers=platform(tokens))).json()[
            "items"
        ]
        assert {d["status"] for d in log} == {"delivered"}
        assert all(d["log"][0]["status_code"] == 200 and d["log"][0]["latency_ms"] >= 0 for d in log)

    async def test_only_the_subscribed_types_of_the_clients_region(
        self, flow, client, tokens, sessions, settings, receiver
    ) -> None:  # type: ignore[no-untyped-def]
        await subscribe(client, tokens, receiver.url, types=["intake.beneficiary.enrolled.v1"])
        await subscribe(client, tokens, receiver.url, subject="platform-nanchang", region="3601")
        await flow.submitted(1)
        await consume_own_events(sessions, settings)
        assert await deliveries(sessions) == []

    async def test_a_failing_receiver_is_retried_with_backoff_then_the_delivery_fails(  # type: ignore[no-untyped-def]
        self, flow, client, tokens, sessions, settings, receiver
    ) -> None:
        created = await subscribe(client, tokens, receiver.url)
        await flow.submitted(1)
        await consume_own_events(sessions, settings)
        dispatcher = WebhookDispatcher(settings, sessions)
        receiver.plan = [500, 503]
        assert await dispatcher.run_once() == 1
        [first] = await deliveries(sessions)
        assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
        assert await dispatcher.run_once() == 0  # not due yet: backoff
        await asyncio.sleep(0.06)
        assert await dispatcher.run_once() == 1
        [second] = await deliveries(sessions)
        assert (second.status, second.attempts, second.last_status_code) == ("pending", 2, 503)
        assert (second.next_attempt_at - first.next_attempt_at).total_seconds() > 0.05  # doubled
        await asyncio.sleep(0.12)
        assert await dispatcher.run_once() == 1
        [third] = await deliveries(sessions)
        assert (third.status, third.attempts, third.last_status_code) == ("delivered", 3, 200)
        assert len(receiver.received) == 3
        assert len({h["x-eldercare-event-id"] for h, _ in receiver.received}) == 1
        [item] = (await client.get(f"{URL}/{created['id']}/deliveries", headers=platform(tokens))).json()[
            "items"
        ]
        assert [(a["attempt"], a["status_code"]) for a in item["log"]] == [(1, 500), (2, 503), (3, 200)]

    async def test_after_the_last_attempt_it_fails_and_a_redelivery_sends_it_again(  # type: ignore[no-untyped-def]
        self, flow, client, tokens, sessions, settings, receiver
    ) -> None:
        created = await subscribe(client, tokens, receiver.url)
        await flow.submitted(1)
        await consume_own_events(sessions, settings)
        dispatcher = WebhookDispatcher(settings.model_copy(update={"webhook_max_attempts": 1}), sessions)
        receiver.plan = [500]
        await dispatcher.run_once()
        [failed] = await deliveries(sessions)
        assert (failed.status, failed.next_attempt_at) == ("failed", None)
        path = f"{URL}/{created['id']}/deliveries/{failed.id}/redeliveries"
        other = await client.post(path, headers=platform(tokens, subject="platform-b"))
        assert other.status_code == 404
        response = await client.post(path, headers=platform(tokens))
        assert response.status_code == 201 and response.json()["status"] == "pending"
        assert await dispatcher.run_once() == 1
        [again] = await deliveries(sessions)
        assert (again.status, again.attempts) == ("delivered", 2)
        assert len(receiver.received) == 2

    async def test_an_unreachable_receiver_is_logged_as_an_error(
        self, flow, client, tokens, sessions, settings
    ) -> None:  # type: ignore[no-untyped-def]
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()  # nothing listens there
        await subscribe(client, tokens, f"http://127.0.0.1:{port}/hook")
        await flow.submitted(1)
        await consume_own_events(sessions, settings)
        await WebhookDispatcher(settings, sessions).run_once()
        [delivery] = await deliveries(sessions)
        assert (delivery.status, delivery.last_status_code) == ("pending", None)
        assert delivery.last_error and "Connect" in delivery.last_error

    async def test_a_delivery_claimed_by_a_worker_that_died_is_sent_after_the_lease(  # type: ignore[no-untyped-def]
        self, flow, client, tokens, sessions, settings, receiver
    ) -> None:
        await subscribe(client, tokens, receiver.url)
        await flow.submitted(1)
        await consume_own_events(sessions, settings)
        short = settings.model_copy(update={"webhook_lease_seconds": 0.2})
        async with sessions() as s, s.begin():  # claimed, then the worker dies before sending
            assert len(await WebhookRepository(s).claim_due(utcnow(), 10, timedelta(seconds=0.2))) == 1
        dispatcher = WebhookDispatcher(short, sessions)
        assert await dispatcher.run_once() == 0 and receiver.received == []
        await asyncio.sleep(0.25)
        assert await dispatcher.run_once() == 1
        [delivery] = await deliveries(sessions)
        assert (delivery.status, delivery.attempts, len(receiver.received)) == ("delivered", 1, 1)

    async def test_a_deactivated_subscription_gets_no_new_deliveries(  # type: ignore[no-untyped-def]
        self, flow, client, tokens, sessions, settings, receiver
    ) -> None:
        created = await subscribe(client, tokens, receiver.url)
        other = await client.post(
            f"{URL}/{created['id']}/deactivations", headers=platform(tokens, subject="b")
        )
        assert other.status_code == 404
        response = await client.post(f"{URL}/{created['id']}/deactivations", headers=platform(tokens))
        assert response.status_code == 201 and response.json()["active"] is False
        await flow.submitted(1)
        await consume_own_events(sessions, settings)
        assert await deliveries(sessions) == []

    async def test_the_submitting_client_gets_its_own_reference_and_no_one_else_does(  # type: ignore[no-untyped-def]
        self, flow, client, tokens, sessions, settings, receiver
    ) -> None:
        await subscribe(client, tokens, receiver.url)
        await subscribe(client, tokens, receiver.url, subject="platform-b")
        response = await client.post(
            "/v1/applications/bulk",
            json={"items": [flow.body(1, external_ref="A-REF-1")]},
            headers=platform(tokens),
        )
        assert response.json()["created"] == 1
        await consume_own_events(sessions, settings)
        await WebhookDispatcher(settings, sessions).run_once()
        by_client = {}
        async with sessions() as s:
            subs = {r.id: r.client for r in (await s.scalars(select(WebhookSubscriptionRow))).all()}
        for d in await deliveries(sessions):
            by_client[subs[d.subscription_id]] = json.loads(d.body).get("external_ref")
        assert by_client == {"platform-a": "A-REF-1", "platform-b": None}
