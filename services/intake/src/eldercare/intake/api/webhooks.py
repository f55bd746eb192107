"""The city platform's webhooks: subscriptions, their delivery log and manual redelivery.

Only ``city_platform`` clients; each sees only its own subscriptions (another client's is 404).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import execute
from eldercare.intake.adapters.models import WebhookAttemptRow, WebhookDeliveryRow, WebhookSubscriptionRow
from eldercare.intake.adapters.webhook_sender import url_policy
from eldercare.intake.api.dependencies import CityPlatform, Rt, Vault
from eldercare.intake.application import webhooks
from eldercare.intake.domain.webhooks import EVENT_TYPES, SIGNATURE_HEADER
from eldercare.intake.settings import IntakeSettings

router = APIRouter(prefix="/v1/webhook-subscriptions", tags=["webhooks"])
Paging = Annotated[PageParams, Depends(page_params)]
EVENT_TYPE_LIST = sorted(EVENT_TYPES)


class WebhookSubscriptionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://platform.example.cn/hooks/eldercare",
                    "event_types": ["intake.application.decided.v1", "intake.beneficiary.enrolled.v1"],
                }
            ]
        },
    )

    url: str = Field(min_length=8, max_length=2000)
    event_types: list[str] = Field(
        min_length=1, max_length=len(EVENT_TYPE_LIST), description=", ".join(EVENT_TYPE_LIST)
    )


class SignatureScheme(BaseModel):
    header: str = SIGNATURE_HEADER
    format: str = "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + '.' + raw body)>"
    replay_window_seconds: int


class WebhookSubscriptionRead(BaseModel):
    id: UUID
    url: str
    event_types: list[str]
    region: str
    active: bool
    created_at: datetime
    signature: SignatureScheme
    secret: str | None = Field(
        default=None,
        description="only in the response that created the subscription; keep it, it is not shown again",
    )

    @classmethod
    def build(cls, row: WebhookSubscriptionRow, window: int) -> WebhookSubscriptionRead:
        return cls(
            id=row.id,
            url=row.url,
            event_types=list(row.event_types),
            region=row.region,
            active=row.active,
            created_at=row.created_at,
            signature=SignatureScheme(replay_window_seconds=window),
        )


class WebhookSubscriptionList(BaseModel):
    items: list[WebhookSubscriptionRead]


class AttemptRead(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
    after_redelivery: bool


class DeliveryRead(BaseModel):
    id: UUID
    event_id: UUID
    event_type: str
    status: str = Field(description="pending | delivered | failed")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    log: list[AttemptRead]

    @classmethod
    def build(cls, pair: tuple[WebhookDeliveryRow, list[WebhookAttemptRow]]) -> DeliveryRead:
        d, attempts = pair
        return cls(
            id=d.id,
            event_id=d.event_id,
            event_type=d.event_type,
            status=d.status,
            attempts=d.attempts,
            next_attempt_at=d.next_attempt_at,
            last_status_code=d.last_status_code,
            last_latency_ms=d.last_latency_ms,
            last_error=d.last_error,
            created_at=d.created_at,
            delivered_at=d.delivered_at,
            log=[
                AttemptRead(
                    attempt=a.attempt,
                    at=a.at,
                    status_code=a.status_code,
                    latency_ms=a.latency_ms,
                    error=a.error,
                    after_redelivery=a.manual,
                )
                for a in attempts
            ],
        )


def _settings(request: Request) -> IntakeSettings:
    settings: IntakeSettings = request.app.state.settings
    return settings


Settings = Annotated[IntakeSettings, Depends(_settings)]


@router.post(
    "",
    response_model=WebhookSubscriptionRead,
    status_code=201,
    summary="Subscribe a URL to application and beneficiary events; the signing secret is shown once",
    responses={
        422: {
            "description": "a URL that is not http(s), is refused by the SSRF guard, or an unknown event type"
        }
    },
)
async def subscribe(
    body: WebhookSubscriptionCreate,
    principal: CityPlatform,
    idem: Idempotency,
    rt: Rt,
    vault: Vault,
    settings: Settings,
) -> object:
    """Events of the client's region are POSTed to ``url`` as JSON (``id``, ``type``, ``source``,
    ``subject``, ``time``, ``data``: pseudonymous ids and masked ID numbers only, no home point),
    signed in ``X-Eldercare-Signature``. A replay with the same Idempotency-Key answers the
    subscription without its secret (the secret is never stored in clear)."""
    cmd = webhooks.Subscribe(body.url, tuple(body.event_types), principal, vault, url_policy(settings))
    window = settings.webhook_replay_window_seconds
    created: dict[str, str] = {}

    async def action(uow: Any) -> WebhookSubscriptionRow:
        row, secret = await webhooks.subscribe(cmd, uow)
        created["secret"] = secret
        return row

    response = await execute(
        rt, action, lambda row: WebhookSubscriptionRead.build(row, window), idempotency=idem
    )
    # The stored (replayable) answer has no secret; only this first answer carries it.
    content = json.loads(response.body) | created
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in {"content-length", "content-type"}
    }
    return JSONResponse(content, status_code=201, headers=headers)


@router.get("", response_model=WebhookSubscriptionList, summary="The client's webhook subscriptions")
async def list_subscriptions(principal: CityPlatform, rt: Rt, settings: Settings) -> object:
    window = settings.webhook_replay_window_seconds
    return await execute(
        rt,
        lambda uow: webhooks.list_subscriptions(uow, principal),
        lambda rows: WebhookSubscriptionList(items=[WebhookSubscriptionRead.build(r, window) for r in rows]),
        status_code=200,
    )


@router.get("/{subscription_id}", response_model=WebhookSubscriptionRead, summary="One subscription")
async def get_subscription(
    subscription_id: UUID, principal: CityPlatform, rt: Rt, settings: Settings
) -> object:
    window = settings.webhook_replay_window_seconds
    return await execute(
        rt,
        lambda uow: webhooks.own_subscription(uow, principal, subscription_id),
        lambda row: WebhookSubscriptionRead.build(row, window),
        status_code=200,
    )


@router.post(
    "/{subscription_id}/deactivations",
    response_model=WebhookSubscriptionRead,
    status_code=201,
    summary="Stop queueing deliveries for a subscription (those queued are still sent)",
)
async def deactivate(
    subscription_id: UUID, principal: CityPlatform, idem: Idempotency, rt: Rt, settings: Settings
) -> object:
    window = settings.webhook_replay_window_seconds
    return await execute(
        rt,
        lambda uow: webhooks.deactivate(uow, principal, subscription_id),
        lambda row: WebhookSubscriptionRead.build(row, window),
        idempotency=idem,
    )


@router.get(
    "/{subscription_id}/deliveries",
    response_model=Page[DeliveryRead],
    summary="The delivery log: each delivery's state, attempts, answers and latencies",
)
async def list_deliveries(subscription_id: UUID, principal: CityPlatform, rt: Rt, page: Paging) -> object:
    return await execute(
        rt,
        lambda uow: webhooks.list_deliveries(
            uow, principal, subscription_id, after=page.after, limit=page.limit + 1
        ),
        lambda pairs: make_page([DeliveryRead.build(p) for p in pairs], page.limit),
        status_code=200,
    )


@router.post(
    "/{subscription_id}/deliveries/{delivery_id}/redeliveries",
    response_model=DeliveryRead,
    status_code=201,
    summary="Send a delivery again (same event id), with a fresh retry budget",
)
async def redeliver(
    subscription_id: UUID, delivery_id: UUID, principal: CityPlatform, idem: Idempotency, rt: Rt
) -> object:
    return await execute(
        rt,
        lambda uow: webhooks.redeliver(uow, principal, subscription_id, delivery_id),
        DeliveryRead.build,
        idempotency=idem,
    )
