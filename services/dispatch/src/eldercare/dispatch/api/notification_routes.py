"""Routes of the caregiver's notification feed (the provider app's channel to the phone)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from eldercare.common.clock import utcnow
from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import execute
from eldercare.dispatch.adapters.notification_hub import NotificationHub
from eldercare.dispatch.api.dependencies import CaregiverOnDuty, CaregiverReader, Rt, problems
from eldercare.dispatch.api.notification_schemas import AcknowledgementCreate, FeedRead, NotificationPage
from eldercare.dispatch.application import notifications

router = APIRouter(prefix="/v1", tags=["caregiver app"])


@router.get(
    "/caregivers/{caregiver_id}/notifications",
    response_model=NotificationPage,
    summary="A caregiver's notifications after a cursor; with `wait`, a long poll",
    responses=problems(401, 403, 404),
)
async def list_notifications(
    caregiver_id: UUID,
    principal: CaregiverReader,
    rt: Rt,
    request: Request,
    after: Annotated[
        str | None, Query(max_length=20, description="a cursor; omitted: from the start")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    wait: Annotated[
        float,
        Query(ge=0, le=notifications.MAX_WAIT_SECONDS, description="seconds to wait when nothing is new"),
    ] = 0,
) -> NotificationPage:
    hub: NotificationHub = request.app.state.notification_hub
    page = await notifications.poll_feed(
        rt.read_session,
        hub.subscribe,
        caregiver_id,
        principal,
        after=notifications.parse_cursor(after, "query.after"),
        limit=limit,
        wait=wait,
    )
    return NotificationPage.from_page(page)


@router.post(
    "/caregivers/{caregiver_id}/notifications/acknowledgements",
    response_model=FeedRead,
    status_code=201,
    summary="The caregiver has read their notifications up to a cursor",
    responses=problems(401, 403, 404),
)
async def acknowledge_notifications(
    caregiver_id: UUID, body: AcknowledgementCreate, principal: CaregiverOnDuty, idem: Idempotency, rt: Rt
) -> object:
    up_to = notifications.parse_cursor(body.up_to, "up_to")
    return await execute(
        rt,
        lambda uow: notifications.acknowledge(
            uow.session, caregiver_id, principal, up_to=up_to, now=utcnow()
        ),
        FeedRead.from_feed,
        idempotency=idem,
    )
