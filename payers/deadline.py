"""One deadline per payer call, whichever layers ask for one.

A payer call passes through several layers that each want a bound on it: the gateway's resilience
guard (the payer's ``timeout_seconds``, retries included), the adapter (which must also bound
itself when used on its own, and over ``httpx.ASGITransport``, which ignores httpx's timeouts), and
the HTTP engine under the adapter's ``httpx.AsyncClient``. Each ``asyncio.timeout`` costs a timer
on the event loop; at tens of payer calls per request, that adds up for nothing when they all end
at the same moment.

:func:`payer_deadline` is the shared answer: the outermost one starts the only timer and publishes
when it fires; an inner one that would fire no earlier starts nothing, and an inner one asking for
less time still starts its own (its earlier bound holds). :func:`remaining` tells the HTTP layer
how long the call still has, so it can drop per-request timeouts that cannot fire first.

The deadline is carried in a context variable: tasks an adapter starts *and awaits* inside the
call (``asyncio.gather``) are covered, since the timer cancels the awaiting task and with it the
gather. A task left running after the call has returned is not: do not start such tasks.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar, Token
from types import TracebackType

#: Loop time (``loop.time()``) at which the payer call in progress is cut, if one is in force.
_CUT_AT: ContextVar[float | None] = ContextVar("payer_call_cut_at", default=None)


def remaining() -> float | None:
    """Seconds the payer call in progress still has (may be <= 0), or None if no deadline holds."""
    cut_at = _CUT_AT.get()
    if cut_at is None:
        return None
    return cut_at - asyncio.get_running_loop().time()


class payer_deadline:
    """``async with payer_deadline(seconds):`` raises ``TimeoutError`` when ``seconds`` pass,
    unless an enclosing payer deadline fires no later: then it adds no timer and the enclosing one
    (the gateway's, which owns the deadline) ends the call. ``None`` means no bound of its own."""

    __slots__ = ("_seconds", "_timeout", "_token")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._timeout: asyncio.Timeout | None = None
        self._token: Token[float | None] | None = None

    async def __aenter__(self) -> payer_deadline:
        if self._seconds is None:
            return self
        cut_at = asyncio.get_running_loop().time() + self._seconds
        enclosing = _CUT_AT.get()
        if enclosing is not None and enclosing <= cut_at:
            return self  # the enclosing deadline comes first: a timer here would never fire
        self._timeout = asyncio.timeout_at(cut_at)
        await self._timeout.__aenter__()
        self._token = _CUT_AT.set(cut_at)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._timeout is None:
            return
        if self._token is not None:
            _CUT_AT.reset(self._token)
        await self._timeout.__aexit__(exc_type, exc, traceback)  # cancelled by it: TimeoutError

    @property
    def owns_timer(self) -> bool:
        """Whether this one started the timer (False: an enclosing deadline ends the call)."""
        return self._timeout is not None
