"""The provider app's push gateway (DISPATCH_PUSH_GATEWAY_URL): one POST per notification.

The body is the notification as the feed shows it (ids, kind, the non-personal payload); the
``Idempotency-Key`` header is the notification id, so a gateway that received a push whose
acknowledgement was lost (the worker retries it) can drop the duplicate.
"""

from __future__ import annotations

from typing import Any

import httpx

from eldercare.dispatch.adapters.repositories.notifications import StoredNotification


class PushFailed(Exception):
    """The gateway did not take the notification; ``retry`` False when another try cannot help
    (a 4xx other than 408 and 429: the gateway refuses this body)."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def push_body(n: StoredNotification) -> dict[str, Any]:
    return {
        "notification_id": str(n.id),
        "caregiver_id": str(n.caregiver_id),
        "provider_id": str(n.provider_id),
        "kind": n.kind,
        "cursor": str(n.seq),
        "visit_id": str(n.visit_id) if n.visit_id else None,
        "emergency_id": str(n.emergency_id) if n.emergency_id else None,
        "payload": n.payload,
        "created_at": n.created_at.isoformat(),
    }


class PushGateway:
    def __init__(self, url: str, *, timeout_s: float) -> None:
        self.url = url
        self._client = httpx.AsyncClient(timeout=timeout_s)

    async def send(self, n: StoredNotification) -> None:
        try:
            response = await self._client.post(
                self.url, json=push_body(n), headers={"Idempotency-Key": str(n.id)}
            )
        except httpx.HTTPError as exc:
            raise PushFailed(f"gateway unreachable: {exc!r}", retry=True) from None
        if response.is_success:
            return
        status = response.status_code
        retry = status >= 500 or status in (408, 429)
        raise PushFailed(f"gateway answered {status}", retry=retry)

    async def close(self) -> None:
        await self._client.aclose()
