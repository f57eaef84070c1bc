"""The practice's clock: its IANA time zone, its today, and the UTC instants one of its days spans."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.storage.tables import Practice

DEFAULT_ZONE = "America/New_York"


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone ``name`` (e.g. America/Chicago), or None when there is no such zone."""
    if not name or name != name.strip() or name not in _zone_names():
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


_ZONES: set[str] | None = None


async def practice_zone(session: AsyncSession, practice_id: str) -> ZoneInfo:
    """The practice's zone (its stored name; the default for a name this system does not know)."""
    name = await session.scalar(select(Practice.time_zone).where(Practice.id == practice_id))
    return zone_named(name or "") or ZoneInfo(DEFAULT_ZONE)


async def practice_today(
    session: AsyncSession, practice_id: str, now: datetime | None = None
) -> date:
    """The practice's calendar date now (``now``: an aware instant, for tests)."""
    zone = await practice_zone(session, practice_id)
    return (now or datetime.now(UTC)).astimezone(zone).date()


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of the local ``day`` (23 or 25 hours on DST change days)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def local_start(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The aware instant of a wall-clock time on a local day. In the hour a DST change skips, the
    time is read as standard time moved forward (fold=0), as zoneinfo does."""
    return datetime.combine(day, clock, tzinfo=zone)
