"""A meter around a sandbox payer's ASGI app: what the payer saw of a batch.

It counts eligibility requests per card (each test card carries its own group number, which the
sandbox does not match members on, so the meter can tell checks apart), the requests held at once,
and when each arrived. The sandbox answers as usual; the meter only watches.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class EligibilityMeter:
    def __init__(self, app: ASGIApp, path: str = "/v1/eligibility") -> None:
        self.app = app
        self.path = path
        self.by_card: Counter[str] = Counter()
        self.in_flight = 0
        self.peak = 0
        self.arrivals: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        card = _card(body)
        self.by_card[card] += 1
        self.arrivals.append(time.monotonic())
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        replay = iter(messages)

        async def replayed() -> Message:
            return next(replay, None) or await receive()

        try:
            await self.app(scope, replayed, send)
        finally:
            self.in_flight -= 1

    def most_started_within(self, seconds: float) -> int:
        """The most requests that arrived within any window of ``seconds``."""
        times = sorted(self.arrivals)
        most, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most


def _card(body: bytes) -> str:
    try:
        data: Any = json.loads(body)
        return str(data["member"]["groupNumber"])
    except (ValueError, KeyError, TypeError):
        return "?"
