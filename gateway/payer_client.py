"""The ``httpx.AsyncClient`` the gateway gives each payer adapter, set up for many small calls.

- No cookie jar: payer APIs authenticate with credentials, not cookies, and one client serves every
  practice, so a cookie one practice's call received must never ride along on another's. Skipping
  the jar also spares the per-response cookie parsing.
- The engine underneath: aiohttp by default (gateway/aiohttp_transport.py: less CPU per call, more
  calls a second), httpx's own (httpcore) with ``PAYER_GATEWAY_HTTP_ENGINE=httpx``. Adapters see the
  same ``httpx.AsyncClient``, the same exceptions and the same limits either way.
- One timer per payer call: inside the gateway's deadline for the call (gateway/resilience/guard.py,
  payers/deadline.py), a per-request timeout (connect, read, write, pool) that could only fire
  after that deadline is dropped from the request, so neither engine starts a timer for it. A
  shorter one (``httpx.Timeout(10, connect=2)``) is kept. Outside a deadline (an adapter used on
  its own) every timeout applies as given; the client-wide one is the default for adapters that
  pass none.
- httpcore's per-request ``import sniffio`` is made cheap when sniffio is not installed.
- Less httpx work per call, same requests and answers (tests/resilience/test_plain_send.py,
  tests/gateway/test_payer_client_requests.py): ``build_request`` reuses the headers it prepared
  for the same method, host, headers and body length; ``send`` without auth, event hooks or
  redirects to follow goes straight to the transport, and takes the aiohttp transport's answer
  already read instead of through httpx's chain of stream iterators.
"""

from __future__ import annotations

import datetime
import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import Any

import httpx
from httpx._client import USE_CLIENT_DEFAULT, BoundAsyncStream, ClientState, UseClientDefault

from gateway.aiohttp_transport import STREAM, AiohttpTransport, ReadBody
from gateway.config import PREFIX, SettingsError
from gateway.spread_transport import SpreadTransport
from payers.deadline import remaining

ENGINE_VARIABLE = PREFIX + "HTTP_ENGINE"
_log = logging.getLogger("httpx")  # httpx's own request log lines, kept
ENGINES = ("aiohttp", "httpx")


class _NoCookies(httpx.Cookies):
    """A jar that stays empty: nothing is stored from responses, nothing is sent."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set(self, name: str, value: str, domain: str = "", path: str = "/") -> None:
        return None


#: method, host, the call's headers (a dict's items or an httpx.Headers' raw list), the body's length
_RequestKey = tuple[str, bytes, tuple[tuple[Any, ...], ...], int]

#: Header sets a client remembers (per payer: a bound).
REMEMBERED = 256


class PayerHTTPClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that keeps no cookies (see the module docstring)."""

    _no_cookies = _NoCookies()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_sets: dict[_RequestKey, tuple[list[Any], httpx.Headers]] = {}

    @property  # type: ignore[override]
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        return None

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        """httpx's ``send``, shorter for what payer calls are: no auth, no event hooks, no
        redirects followed, the answer read whole. Anything else goes httpx's own way."""
        if stream or STREAM in request.extensions:  # the aiohttp transport then streams the body
            request.extensions[STREAM] = stream
        if (
            stream
            or self._auth is not None
            or not (auth is USE_CLIENT_DEFAULT or auth is None)
            or (
                self.follow_redirects
                if follow_redirects is USE_CLIENT_DEFAULT
                else follow_redirects
            )
            or self._event_hooks["request"]
            or self._event_hooks["response"]
            or request.url.userinfo  # httpx would send these as basic auth
        ):
            return await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        return await self._send_plain(request)

    async def _send_plain(self, request: httpx.Request) -> httpx.Response:
        """What httpx's ``send`` does for a request without auth, hooks or redirects to follow
        (``_send_single_request`` and the reading of the body), the same errors included."""
        if self._state == ClientState.CLOSED:
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        self._state = ClientState.OPENED
        self._set_timeout(request)
        transport = self._transport_for_url(request.url)
        start = time.perf_counter()
        if not isinstance(request.stream, httpx.AsyncByteStream):
            raise RuntimeError("Attempted to send a sync request with an AsyncClient instance.")
        try:
            response = await transport.handle_async_request(request)
        except httpx.RequestError as exc:  # httpx's request_context()
            exc.request = request
            raise
        response.request = request
        response.default_encoding = self._default_encoding
        # No cookies to extract: the jar keeps none (_NoCookies).
        try:
            if _log.isEnabledFor(logging.INFO):
                _log.info(
                    'HTTP Request: %s %s "%s %d %s"',
                    request.method,
                    request.url,
                    response.http_version,
                    response.status_code,
                    response.reason_phrase,
                )
            if response.has_redirect_location:  # not followed; offered as httpx does
                response.next_request = self._build_redirect_request(request, response)
            body = response.stream
            if type(body) is ReadBody and not body.encoded:  # read whole: no stream to go through
                response._content = body.content
                response.is_stream_consumed = response.is_closed = True
                response.elapsed = datetime.timedelta(seconds=time.perf_counter() - start)
            else:  # another transport, or a body to decode: httpx reads it
                assert isinstance(body, httpx.AsyncByteStream)
                response.stream = BoundAsyncStream(body, response=response, start=start)
                await response.aread()
        except BaseException:
            await response.aclose()
            raise
        return response

    def build_request(  # type: ignore[override]
        self,
        method: str,
        url: httpx.URL | str,
        *,
        content: Any = None,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        timeout: Any = USE_CLIENT_DEFAULT,
        extensions: Any = None,
        **body: Any,  # data, files, json
    ) -> httpx.Request:
        key = None
        left = remaining()
        if (
            type(headers) in (dict, httpx.Headers)
            and (content is None or type(content) is bytes)
            and cookies is None
            and extensions is None
            and (not body or all(value is None for value in body.values()))
            and not self._params
        ):
            merged = self._merge_url(url)  # the URL httpx's build_request and Request make
            if params is not None:
                merged = httpx.URL(merged, params=self._merge_queryparams(params))
            if merged.is_absolute_url:
                given = tuple(headers.items() if type(headers) is dict else headers._list)
                key = (method, merged.netloc, given, len(content) if content else 0)
                request = self._request_with_headers_of(key, method, merged, content, timeout, left)
                if request is not None:
                    return request  # its timeouts already trimmed to the deadline
                url, params = merged, None  # the same request if httpx builds it
        request = super().build_request(
            method,
            url,
            content=content,
            params=params,
            headers=headers,
            cookies=cookies,
            timeout=timeout,
            extensions=extensions,
            **body,
        )
        if key is not None:
            while len(self._header_sets) >= REMEMBERED:  # the oldest goes
                del self._header_sets[next(iter(self._header_sets))]
            self._header_sets[key] = (list(self._headers._list), httpx.Headers(request.headers))
        if left is not None:
            timeouts = request.extensions.get("timeout")
            if timeouts:
                request.extensions["timeout"] = timeouts_before(timeouts, left)
        return request

    def _request_with_headers_of(
        self,
        key: _RequestKey,
        method: str,
        url: httpx.URL,
        content: bytes | None,
        timeout: Any,
        left: float | None,
    ) -> httpx.Request | None:
        """The request httpx's ``build_request`` makes, with the headers it made for the last
        request of the same ``key`` (method, host, headers, body length): a payer's calls repeat
        them, and merging and preparing them again was most of ``build_request``. None when
        there is none, or the client's own headers have changed since. Its timeouts are those
        ``build_request`` leaves within ``left`` seconds (the payer call's deadline)."""
        found = self._header_sets.get(key)
        if found is None or found[0] != self._headers._list:
            return None
        if timeout is USE_CLIENT_DEFAULT:
            timeout = self.timeout
        elif type(timeout) is not httpx.Timeout:  # an httpx.Timeout is taken as it is, not copied
            timeout = httpx.Timeout(timeout)
        timeouts = timeout.as_dict()
        request = httpx.Request(
            method,
            url,
            headers=found[1],
            stream=httpx.ByteStream(content or b""),  # what httpx makes of bytes, or of none
            extensions={"timeout": timeouts if left is None else timeouts_before(timeouts, left)},
        )
        request.read()
        return request


def timeouts_before(timeouts: Mapping[str, float | None], left: float) -> dict[str, float | None]:
    """``timeouts`` (httpx's request extension) without those that cannot fire within ``left``
    seconds: the call's deadline ends it first, so a timer for them would only cost CPU."""
    return {
        name: None if seconds is None or seconds >= left else seconds
        for name, seconds in timeouts.items()
    }


#: Connections kept open to a payer between calls, unless the caller keeps more in flight.
KEEPALIVE_CONNECTIONS = 20
MAX_CONNECTIONS = 100


def payer_client(
    timeout_seconds: float,
    transport: httpx.AsyncBaseTransport | None = None,
    *,
    in_flight: int = 0,
    engine: str | None = None,
) -> httpx.AsyncClient:
    """The client one payer's adapter receives.

    ``in_flight`` is how many calls the caller keeps going at once (a batch's per-payer budget):
    that many connections stay open between calls. Fewer would close a connection after most calls
    and open a new one for the next (a TCP connect per check, a large share of a batch's CPU); such
    a client on the httpx engine spreads its calls over one-connection pools
    (gateway/spread_transport.py); aiohttp's pool needs no such help.

    ``engine`` (``aiohttp`` or ``httpx``) defaults to ``PAYER_GATEWAY_HTTP_ENGINE``, else aiohttp; a
    ``transport`` given (tests, the sandbox in-process) is used whatever the engine.
    """
    limits = httpx.Limits(
        max_connections=max(MAX_CONNECTIONS, in_flight),
        max_keepalive_connections=max(KEEPALIVE_CONNECTIONS, in_flight),
    )
    spare_failed_sniffio_imports()
    if transport is None:
        if (engine or http_engine()) == "aiohttp":
            transport = AiohttpTransport(limits)
        elif in_flight:
            transport = SpreadTransport(limits.max_connections or MAX_CONNECTIONS)
    return PayerHTTPClient(
        transport=transport,
        timeout=httpx.Timeout(timeout_seconds),
        limits=limits,
        follow_redirects=False,
    )


def http_engine(environ: Mapping[str, str] | None = None) -> str:
    """The engine ``PAYER_GATEWAY_HTTP_ENGINE`` names (``aiohttp`` when unset)."""
    raw = (os.environ if environ is None else environ).get(ENGINE_VARIABLE, "").strip().lower()
    if not raw:
        return "aiohttp"
    if raw not in ENGINES:
        raise SettingsError(f"{ENGINE_VARIABLE} must be one of {', '.join(ENGINES)}, not {raw!r}")
    return raw


def spare_failed_sniffio_imports() -> None:
    """Make httpcore's per-request ``import sniffio`` cheap when sniffio is not installed.

    httpcore tries that import every time it sets up a lock or an event (several times per payer
    call); a failing import is not cached, so each one searched all of ``sys.path`` again (about a
    tenth of the gateway's CPU in the fan-out benchmark). A ``None`` entry makes it fail at once,
    and httpcore then assumes asyncio, which is what the gateway runs on. An installed sniffio is
    left alone.
    """
    try:
        import sniffio  # noqa: F401
    except ImportError:
        sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]
