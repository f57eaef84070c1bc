"""The practice's calendar day as the portal reads it: its time zone comes from the API
(``me.practice.timeZone``); a name this machine does not know falls back to the default zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "America/New_York"


def practice_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def practice_today(zone_name: str | None, now: datetime | None = None) -> date:
    """Today on the practice's clock (``now``: an aware instant, for tests)."""
    return (now or datetime.now(UTC)).astimezone(practice_zone(zone_name)).date()
