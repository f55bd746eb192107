"""One source of 'now', in UTC. Storage and the wire are UTC; Asia/Shanghai is for display only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_date(at: datetime) -> date:
    """The calendar date in the display zone: a visit at 23:30 UTC belongs to the next day in China."""
    return at.astimezone(DISPLAY_ZONE).date()


def month_of(at: datetime) -> str:
    """The accounting month ('YYYY-MM') of an instant, in the display zone."""
    return local_date(at).strftime("%Y-%m")
