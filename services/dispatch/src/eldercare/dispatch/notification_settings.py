"""Settings of caregivers' notifications (environment prefix ``DISPATCH_``): the long poll's
fallback and the push gateway. None is a regulated amount; they are operating choices with
defaults. ``DispatchSettings`` inherits them, so the app and the worker read them once."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings

from eldercare.common.settings import service_config


class NotificationSettings(BaseSettings):
    model_config = service_config("DISPATCH_")

    # A long poll whose API process cannot LISTEN (the connection refused or lost) re-reads the feed
    # this often instead; with LISTEN working it answers as soon as the notification commits.
    notification_poll_seconds: float = Field(default=2, gt=0, le=30)

    # The provider app's push gateway (e.g. in front of JPush or APNs): the worker POSTs each new
    # notification to it once. Unset: no push; the phone reads its feed (the long poll).
    push_gateway_url: str | None = None
    push_timeout_s: float = Field(default=5, gt=0, le=60)
    # A failed push is retried after push_backoff_seconds, doubling, up to push_max_attempts; then
    # it is marked failed (the feed still has it).
    push_max_attempts: int = Field(default=8, ge=1, le=50)
    push_backoff_seconds: float = Field(default=5, gt=0, le=3600)
    # A notification older than this is not pushed any more (marked expired): an emergency request
    # an hour late, or a backlog from before the gateway was set, would only mislead.
    push_max_age_minutes: int = Field(default=60, ge=1, le=24 * 60)
    push_batch_size: int = Field(default=50, ge=1, le=1000)
    push_poll_seconds: float = Field(default=1, gt=0, le=60)
