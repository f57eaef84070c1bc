"""Fault injection and run-time control shared by every sandbox payer server (REST, FHIR, X12).

Wrap a server with :func:`install_faults`; it adds :class:`FaultMiddleware` and returns the
:class:`SandboxControl` the server's routes use to record what they received. Faults:

- ``latency_ms`` (+ up to ``jitter_ms``): every answer is delayed;
- ``error_rate`` (0..1): that share of requests is answered ``error_status`` (503 by default);
- ``hang``: no answer at all until the client gives up (disconnects or cancels);
- ``malformed``: the real answer, truncated, with status 200 and the normal content type;
- ``busy``: the payer answers in its own protocol that it cannot respond now, mostly with HTTP 200
  and the error inside, as real payers do. ``busy_reason`` is the X12 AAA03 reason each server
  states in its own terms: ``"42"`` (unable to respond at current time, the default) or ``"80"``
  (no response received, transaction terminated). X12: a 271 with ``AAA*Y**42*R`` at the payer
  level, a 277 with ``STC*E1:484`` (``E2:484`` for 80), CORE ``ErrorCode`` ``ServerBusy`` for
  837/835; FHIR: a CoverageEligibilityResponse with ``outcome = error`` and the AAA code, else an
  OperationOutcome with issue code ``transient`` (``timeout`` for 80); REST: ``TRY_LATER``
  (HTTP 200 for eligibility and claim status, 503 for the rest). The fault layer only marks the
  request (:func:`busy_reason`); the server's routes write the answer.

A refused connection is not something a server can fake: tests stop the server for that. Draws use a
``random.Random(seed)``, so a given ``error_rate`` fails the same requests on every run.
``operations`` (if set) limits faults to those operations. Operation names are the contract's
capability values (``eligibility``, ``claim_search``, ``claim_status``, ``payments``,
``claim_submission``, ``coverage_discovery``) as each server's ``operation_of`` reports them.

Control routes (never faulted, never counted, no credentials)::

    GET  /_control/faults   the current FaultSettings as JSON
    PUT  /_control/faults   replace them (fields left out take their defaults); 400 if invalid
    POST /_control/reset    back to the construction settings; stats and received claims cleared
    GET  /_control/stats    {"requests": {operation: n}, "claims_received": {control_number: n},
                             "faults_injected": {"latency"|"error"|"hang"|"malformed"|"busy": n},
                             "peak_in_flight": {operation: most requests held at once}}
    PUT  /_control/claims/{control_number}/status
                            the payer adjudicates a claim it received: from then on its claim status
                            and claim search answer the new status. Body (see
                            :mod:`payers.sandbox.status_change`): {"category": "F1", "status": "65",
                            "paid_amount": "68.00", "effective_date": "YYYY-MM-DD"}, the codes from
                            the 277 code sets; category and status required, paid_amount only with
                            an F* category. Answers the status now held; 404 for a control number
                            the server has not received (since the last reset), 400 with the reason
                            for a bad body or code. Servers wire it with ``control.on_claim_status``.
    GET  /_control/clock    the payer's time and clock settings (see :mod:`payers.sandbox.clock`)
    POST /_control/clock    {"advance_seconds": n} or {"run_until_idle": true}: move the payer's time
                            on; answers the new time, the claims that moved and the remittances cut
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from payers.sandbox.clock import ClockStep
from payers.sandbox.status_change import ClaimStatusHook, set_claim_status

CONTROL_PREFIX = "/_control/"
CLAIM_STATUS_ROUTE = re.compile(r"/_control/claims/(?P<control_number>[^/]+)/status")
#: Where the fault layer marks a request the server must answer "busy" (value: the AAA reason).
BUSY_KEY = "sandbox.busy"
#: AAA03 reasons meaning "cannot respond now": the values ``busy_reason`` accepts.
BUSY_REASONS = frozenset({"42", "80"})

OperationOf = Callable[[Scope], str | None]


class ClockHook(Protocol):
    """What serves ``/_control/clock``: the server's claim intake."""

    def clock_json(self) -> dict[str, Any]: ...

    def step_clock(self, step: ClockStep) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """What a sandbox server does wrong, and how often."""

    latency_ms: int = 0
    jitter_ms: int = 0
    error_rate: float = 0.0
    error_status: int = 503
    hang: bool = False
    malformed: bool = False
    busy: bool = False
    busy_reason: str = "42"
    seed: int = 0
    operations: frozenset[str] | None = None  # None: every operation

    def __post_init__(self) -> None:
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError("latency_ms and jitter_ms must be >= 0")
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")
        if not 500 <= self.error_status <= 599:
            raise ValueError("error_status must be a 5xx status")
        if self.busy_reason not in BUSY_REASONS:
            raise ValueError("busy_reason must be one of " + ", ".join(sorted(BUSY_REASONS)))

    def applies_to(self, operation: str | None) -> bool:
        return self.operations is None or operation in self.operations

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["operations"] = None if self.operations is None else sorted(self.operations)
        return data

    @classmethod
    def from_json(cls, data: Any) -> FaultSettings:
        """Settings from a JSON object; ``ValueError`` names the offending field."""
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name == "operations":
                if value is not None and not (
                    isinstance(value, list) and all(isinstance(v, str) for v in value)
                ):
                    raise ValueError("operations must be a list of operation names or null")
                values[name] = None if value is None else frozenset(value)
            elif name in {"hang", "malformed", "busy"}:
                if not isinstance(value, bool):
                    raise ValueError(f"{name} must be true or false")
                values[name] = value
            elif name == "error_rate":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError("error_rate must be a number")
                values[name] = float(value)
            elif name == "busy_reason":
                if not isinstance(value, str):
                    raise ValueError("busy_reason must be a string (an AAA03 code)")
                values[name] = value
            else:
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{name} must be an integer")
                values[name] = value
        return cls(**values)


class SandboxStats:
    """What one sandbox server has received since start (or the last reset)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.claims_received: Counter[str] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self.in_flight: Counter[str] = Counter()
        #: The most requests of each operation the server held at once (a client's concurrency).
        self.peak_in_flight: Counter[str] = Counter()

    def entered(self, operation: str) -> None:
        self.in_flight[operation] += 1
        if self.in_flight[operation] > self.peak_in_flight[operation]:
            self.peak_in_flight[operation] = self.in_flight[operation]

    def left(self, operation: str) -> None:
        self.in_flight[operation] -= 1

    def record_claim(self, control_number: str) -> None:
        """Count one receipt of a claim (duplicates included)."""
        self.claims_received[control_number] += 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        return {
            "requests": dict(self.requests),
            "claims_received": dict(self.claims_received),
            "faults_injected": dict(self.faults_injected),
            "peak_in_flight": dict(self.peak_in_flight),
        }


class SandboxControl:
    """Run-time state of one sandbox server: fault settings, their random draws, stats, resets."""

    def __init__(self, faults: FaultSettings | None = None) -> None:
        self.initial = faults or FaultSettings()
        self.stats = SandboxStats()
        self._reset_hooks: list[Callable[[], None]] = []
        self.claim_status_hook: ClaimStatusHook | None = None
        self.clock_hook: ClockHook | None = None
        self.set_faults(self.initial)

    def set_faults(self, faults: FaultSettings) -> None:
        """Replace the fault settings and restart their random sequence from the seed."""
        self.faults = faults
        self.rng = random.Random(faults.seed)  # noqa: S311  (reproducible faults, not security)

    def on_reset(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` on every reset (servers clear what they received)."""
        self._reset_hooks.append(hook)

    def on_claim_status(self, hook: ClaimStatusHook) -> None:
        """Serve ``PUT /_control/claims/{control_number}/status`` with ``hook`` (the intake's)."""
        self.claim_status_hook = hook

    def on_clock(self, hook: ClockHook) -> None:
        """Serve ``/_control/clock`` with ``hook`` (the intake)."""
        self.clock_hook = hook

    def reset(self) -> None:
        self.set_faults(self.initial)
        self.stats = SandboxStats()
        for hook in self._reset_hooks:
            hook()


def _default_operation(scope: Scope) -> str | None:
    return f"{scope.get('method', '')} {scope.get('path', '')}"


class FaultMiddleware:
    """ASGI middleware: answers ``/_control/*`` itself, applies the current faults to the rest."""

    def __init__(
        self, app: ASGIApp, control: SandboxControl, operation_of: OperationOf | None = None
    ) -> None:
        self.app = app
        self.control = control
        self.operation_of = operation_of or _default_operation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith(CONTROL_PREFIX):
            response = await self._control_route(Request(scope, receive))
            await response(scope, receive, send)
            return
        operation = self.operation_of(scope)
        if operation is None:
            await self._faulted(scope, receive, send, operation)
            return
        stats = self.control.stats
        stats.requests[operation] += 1
        stats.entered(operation)
        try:
            await self._faulted(scope, receive, send, operation)
        finally:
            stats.left(operation)

    async def _faulted(
        self, scope: Scope, receive: Receive, send: Send, operation: str | None
    ) -> None:
        control = self.control
        faults = control.faults
        if not faults.applies_to(operation):
            await self.app(scope, receive, send)
            return
        injected = control.stats.faults_injected
        if faults.latency_ms or faults.jitter_ms:
            injected["latency"] += 1
            delay = faults.latency_ms + control.rng.uniform(0, faults.jitter_ms)
            await asyncio.sleep(delay / 1000)
        if faults.hang:
            injected["hang"] += 1
            await _wait_for_disconnect(receive)
            return
        if faults.error_rate and control.rng.random() < faults.error_rate:
            injected["error"] += 1
            response = JSONResponse(
                {"error": {"code": "SERVICE_UNAVAILABLE", "message": "injected sandbox fault"}},
                status_code=faults.error_status,
                headers={"Retry-After": "1"},
            )
            await response(scope, receive, send)
            return
        if faults.busy:
            injected["busy"] += 1
            scope = {**scope, BUSY_KEY: faults.busy_reason}
        if faults.malformed:
            injected["malformed"] += 1
            await self._malformed(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        garbled = body[: len(body) // 2]
        headers = [
            (name, value)
            for name, value in (start or {}).get("headers", [])
            if name.lower() != b"content-length"
        ]
        headers.append((b"content-length", str(len(garbled)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": garbled})

    async def _control_route(self, request: Request) -> Response:
        control = self.control
        route = (request.method, request.url.path)
        if route == ("GET", "/_control/faults"):
            return JSONResponse(control.faults.to_json())
        if route == ("PUT", "/_control/faults"):
            try:
                settings = FaultSettings.from_json(await request.json())
            except ValueError as exc:  # json.JSONDecodeError is a ValueError too
                return JSONResponse({"error": {"code": "INVALID", "message": str(exc)}}, 400)
            control.set_faults(settings)
            return JSONResponse(settings.to_json())
        if route == ("POST", "/_control/reset"):
            control.reset()
            return JSONResponse({"reset": True, "faults": control.faults.to_json()})
        if route == ("GET", "/_control/stats"):
            return JSONResponse(control.stats.snapshot())
        if request.url.path == "/_control/clock" and control.clock_hook is not None:
            return await _clock_route(control.clock_hook, request)
        claim_route = CLAIM_STATUS_ROUTE.fullmatch(request.url.path)
        if claim_route and request.method == "PUT" and control.claim_status_hook is not None:
            return await set_claim_status(
                control.claim_status_hook, claim_route["control_number"], request
            )
        return JSONResponse(
            {"error": {"code": "NOT_FOUND", "message": "no such control route"}}, 404
        )


async def _clock_route(hook: ClockHook, request: Request) -> Response:
    if request.method == "GET":
        return JSONResponse(hook.clock_json())
    if request.method != "POST":
        return JSONResponse(
            {"error": {"code": "METHOD_NOT_ALLOWED", "message": "GET or POST the clock"}}, 405
        )
    try:
        step = ClockStep.from_json(await request.json())
    except ValueError as exc:  # json.JSONDecodeError is a ValueError too
        return JSONResponse({"error": {"code": "INVALID", "message": str(exc)}}, 400)
    return JSONResponse(hook.step_clock(step))


def busy_reason(scope: Scope) -> str | None:
    """The AAA reason a request must be answered "busy" with, or None to answer normally."""
    reason = scope.get(BUSY_KEY)
    return reason if isinstance(reason, str) else None


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def install_faults(
    app: Starlette, faults: FaultSettings | None = None, operation_of: OperationOf | None = None
) -> SandboxControl:
    """Add the fault layer to ``app``; the control is also at ``app.state.sandbox_control``."""
    control = SandboxControl(faults)
    app.add_middleware(FaultMiddleware, control=control, operation_of=operation_of)
    app.state.sandbox_control = control
    return control
