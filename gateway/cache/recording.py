"""What the payer calls of one GraphQL request were built from, for the whole-response cache.

The response cache starts a :class:`ResponseRecording` before it runs a request (a context variable,
so the resolvers' tasks see it); payer calls add their tags and freshness; anything that makes the
answer unfit to replay (a live payer call, a stale answer, an error, live health) refuses it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class ResponseRecording:
    tags: set[str] = field(default_factory=set)
    fresh_until: float = math.inf  # epoch seconds: the earliest expiry among the payer entries used
    payer_answers: int = 0
    refused: bool = False

    def payer_answer(self, tags: Iterable[str], fresh_until: float, *, replayable: bool) -> None:
        """One payer answer went into the response; ``replayable``: cached, not stale, not forced."""
        self.payer_answers += 1
        self.tags.update(tags)
        self.fresh_until = min(self.fresh_until, fresh_until)
        if not replayable:
            self.refused = True

    def refuse(self) -> None:
        self.refused = True

    @property
    def storable(self) -> bool:
        # Only responses built from cached payer answers: their fetchedAt/fromCache stay true when
        # replayed, and a response that needed no payer is cheap enough to run again.
        return not self.refused and self.payer_answers > 0


_current: ContextVar[ResponseRecording | None] = ContextVar("response_recording", default=None)


def current_recording() -> ResponseRecording | None:
    return _current.get()


def start_recording() -> tuple[ResponseRecording, object]:
    recording = ResponseRecording()
    return recording, _current.set(recording)


def stop_recording(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


def refuse_response_cache() -> None:
    """The response being built must not be replayed (live data, errors...)."""
    recording = _current.get()
    if recording is not None:
        recording.refuse()
