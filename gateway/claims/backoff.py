"""How long to wait before the next try of something that failed: exponential, capped, jittered."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Backoff:
    """``base`` seconds after the first failure, doubling up to ``cap``; each wait is 50-100% of that.

    The jitter spreads the retries of many claims to a payer that just came back over time.
    """

    base: float = 2.0
    cap: float = 900.0

    def seconds(self, failures: int) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(failures - 1, 0))
        return ceiling * random.uniform(0.5, 1.0)  # noqa: S311  (jitter, not security)

    def next_try(self, now: datetime, failures: int) -> datetime:
        return now + timedelta(seconds=self.seconds(failures))
