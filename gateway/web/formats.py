"""How the portal writes values for a US front desk: dates MM/DD/YYYY, money $1,234.56, times 10:42 AM."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo


def us_date(value: str | date | None) -> str:
    """2026-01-31 (or a date) as 01/31/2026; empty for nothing, the text itself if it is no date."""
    if value in (None, ""):
        return ""
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return day.strftime("%m/%d/%Y")


def money(value: str | Decimal | int | float | None) -> str:
    """ "1234.5" as $1,234.50 and "-20" as -$20.00; empty for nothing."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def local_time(value: str | datetime | None, zone: str) -> str:
    """An ISO timestamp as the practice reads it: 10:42 AM today, else 01/30/2026 10:42 AM."""
    if value in (None, ""):
        return ""
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    clock = local.strftime("%I:%M %p").lstrip("0")
    if local.date() == datetime.now(tz).date():
        return clock
    return f"{local.strftime('%m/%d/%Y')} {clock}"


def groups(text: str, size: int = 4) -> str:
    """A long key in groups that are easy to copy by eye: ZBUW NOUN 3P72 ..."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def from_us_date(text: str) -> date | None:
    """01/31/2026 (as people type it) as a date; None when the text is not such a date."""
    found = _US_DATE.match(text)
    if found is None:
        return None
    month, day, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None
