"""A sandbox payer's own clock: when received claims are adjudicated and when payment cycles run.

:class:`ClockSettings` says how long each step takes; :class:`SandboxClock` tells the time. Sandbox
time starts at the payer's ``today`` (at the wall clock's time of day) and, when ``realtime``, runs
with the wall clock; a test can always move it forward (``POST /_control/clock``)::

    {"advance_seconds": 90}     move 90 seconds on and run what fell due
    {"run_until_idle": true}    move on until every received claim is adjudicated and remitted
    {"pace": {"adjudicate_after_seconds": 864000, "pend_seconds": 432000}}
                                how long claims received from now on take (a seeder replaying
                                months of history makes a payer take days, then sets it back)

Both answer ``{"now", "moved": [{control_number, payer_claim_id, state, category, status}],
"remittances": [trace numbers]}``; ``GET /_control/clock`` answers the time and the settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class ClockSettings:
    """How long a sandbox payer takes: seconds from receipt to adjudication, pends, payment cycles.

    ``adjudicate_after_seconds``: a received claim waits this long in acknowledgment;
    ``pend_seconds``: a pended claim (or one whose records were asked for) waits this long more;
    ``payment_cycle_seconds``: adjudicated claims are remitted at each multiple of this (0: at once);
    ``realtime``: sandbox time follows the wall clock (else it moves only when a test moves it);
    ``start_on``: the day sandbox time starts (default the payer's today): a day in the past lets
    a seeder replay months of a practice's history by moving the clock on (gateway/demo_history.py).
    """

    adjudicate_after_seconds: float = 90
    pend_seconds: float = 60
    payment_cycle_seconds: float = 60
    realtime: bool = True
    start_on: date | None = None

    def __post_init__(self) -> None:
        for name in ("adjudicate_after_seconds", "pend_seconds", "payment_cycle_seconds"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")

    @classmethod
    def immediate(cls) -> ClockSettings:
        """Everything due at once: a claim is adjudicated and remitted as soon as it is received."""
        return cls(0, 0, 0, realtime=True)

    @classmethod
    def demo(cls) -> ClockSettings:
        """A few minutes from submission to remittance, on the wall clock."""
        return cls(adjudicate_after_seconds=45, pend_seconds=45, payment_cycle_seconds=30)

    @classmethod
    def stepped(cls) -> ClockSettings:
        """The default timeline, moved only by the test (``POST /_control/clock``)."""
        return cls(realtime=False)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start_on"] = self.start_on.isoformat() if self.start_on else None
        return data


class SandboxClock:
    """The sandbox's time: its start, plus the wall time elapsed when realtime, plus test steps."""

    def __init__(
        self,
        settings: ClockSettings,
        today: date,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        wall = datetime.now(UTC)
        self.start = datetime.combine(
            settings.start_on or today, wall.time().replace(microsecond=0), UTC
        )
        self._monotonic = monotonic
        self._origin = monotonic()
        self._stepped = timedelta(0)

    def now(self) -> datetime:
        """The sandbox's current time (timezone-aware, UTC)."""
        elapsed = timedelta(0)
        if self.settings.realtime:
            elapsed = timedelta(seconds=self._monotonic() - self._origin)
        return self.start + elapsed + self._stepped

    def advance(self, seconds: float) -> datetime:
        """Move the sandbox ``seconds`` forward; the new time."""
        if seconds < 0:
            raise ValueError("advance_seconds must be >= 0")
        self._stepped += timedelta(seconds=seconds)
        return self.now()

    def advance_to(self, moment: datetime) -> datetime:
        """Move the sandbox forward to ``moment`` (never back)."""
        gap = (moment - self.now()).total_seconds()
        return self.advance(gap) if gap > 0 else self.now()

    def to_json(self) -> dict[str, Any]:
        return {"now": self.now().isoformat(), "settings": self.settings.to_json()}


#: The longest single step a test may ask for (a year): sandbox time stays a real date.
MAX_STEP_SECONDS = 366 * 24 * 3600


@dataclass(frozen=True, slots=True)
class ClockStep:
    """What a test asked ``POST /_control/clock`` to do."""

    advance_seconds: float = 0
    run_until_idle: bool = False
    #: New ``adjudicate_after_seconds`` / ``pend_seconds`` (applied before moving time on).
    pace: dict[str, float] | None = None

    @classmethod
    def from_json(cls, data: Any) -> ClockStep:
        """A step from a JSON object; ``ValueError`` says which field is wrong."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        unknown = sorted(set(data) - {"advance_seconds", "run_until_idle", "pace"})
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}")
        seconds = data.get("advance_seconds", 0)
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not 0 <= seconds <= MAX_STEP_SECONDS  # also refuses NaN
        ):
            raise ValueError(
                f"advance_seconds must be a number of seconds from 0 to {MAX_STEP_SECONDS}"
            )
        idle = data.get("run_until_idle", False)
        if not isinstance(idle, bool):
            raise ValueError("run_until_idle must be true or false")
        pace = _pace(data.get("pace"))
        if not seconds and not idle and pace is None:
            raise ValueError("give advance_seconds (> 0), run_until_idle: true or pace")
        return cls(float(seconds), idle, pace)


_PACE_FIELDS = ("adjudicate_after_seconds", "pend_seconds")


def _pace(data: Any) -> dict[str, float] | None:
    """A ``pace`` object: some of :data:`_PACE_FIELDS`, each 0 to a year of seconds."""
    if data is None:
        return None
    if not isinstance(data, dict) or not data or set(data) - set(_PACE_FIELDS):
        raise ValueError(f"pace must be an object with some of {', '.join(_PACE_FIELDS)}")
    for name, value in data.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 <= value <= MAX_STEP_SECONDS
        ):
            raise ValueError(
                f"pace.{name} must be a number of seconds from 0 to {MAX_STEP_SECONDS}"
            )
    return {name: float(value) for name, value in data.items()}
