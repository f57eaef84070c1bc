"""An ``httpx`` transport that sends payer calls with aiohttp: adapters keep their ``httpx.AsyncClient``.

aiohttp's C HTTP parser and its O(1) connection pool cost less CPU per call than httpcore (the
measurements: bench/http_engine.py). Why our own transport rather than ``httpx-aiohttp`` 0.2.0:
that package maps a refused or dropped connection to a timeout (PAYER_UNAVAILABLE would turn into
PAYER_TIMEOUT), lets ``aiohttp.ClientResponseError`` escape on a non-HTTP reply, keeps a cookie jar
(a cookie one practice's call received would ride along on the next practice's), and drops
``trust_env`` proxies. Fixing all four around it left little of it; this module is the whole bridge:

- errors become the httpx classes the adapters map today (``_httpx_error``);
- no cookie jar (``aiohttp.DummyCookieJar``), no redirects (httpx follows them when asked), no
  decompression (httpx decodes ``Content-Encoding`` as it does for its own engine);
- a stream body (X12 multipart via ``files=``) is read whole first and sent with its length;
- an answer is read whole before it is handed over (``ReadBody``), unless the caller streams it
  (``client.stream(...)``, marked ``STREAM`` by gateway/payer_client.py); request headers and URLs
  are converted for aiohttp once per distinct set (a payer's calls repeat them);
- ``httpx.Limits``: at most ``max_connections`` calls in flight (waiting longer than the pool
  timeout is ``httpx.PoolTimeout``), at most ``max_keepalive_connections`` idle connections kept,
  each for ``keepalive_expiry`` seconds;
- ``httpx.Timeout``: connect and read apply per request (aiohttp has no write timeout); a request
  without them (inside the payer call's deadline: gateway/payer_client.py) starts no aiohttp timer,
  and waiting for a slot starts a timer only when none is free and a pool timeout is left;
- proxies from ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY``, read once like httpx's
  ``trust_env``, credentials in the proxy URL included. aiohttp's own ``trust_env`` is left off:
  it would also send ``~/.netrc`` passwords.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import ssl
import urllib.request
from collections.abc import AsyncIterator, Mapping
from typing import Any, NoReturn

import aiohttp
import httpx
from aiohttp import hdrs
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from gateway.aiohttp_request import REQUEST_CLASS

#: aiohttp adds these unless told not to; httpx already sets the ones it wants.
_NO_AUTO_HEADERS = frozenset({"User-Agent", "Accept", "Accept-Encoding", "Content-Type"})

#: A request extension: set (gateway/payer_client.py) when the caller asked to stream the answer.
STREAM = "payer_gateway.stream"

#: How many distinct URLs and header sets a transport remembers, parsed (per payer: a bound).
REMEMBERED = 256


class _KeepaliveCapConnector(aiohttp.TCPConnector):
    """aiohttp keeps every released connection; this one closes a connection when ``cap`` idle
    connections to its host are already kept (httpx's ``max_keepalive_connections``)."""

    def __init__(self, keepalive_cap: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._keepalive_cap = keepalive_cap

    def _release(self, key: Any, protocol: Any, *, should_close: bool = False) -> None:
        idle = self._conns.get(key)
        if idle is not None and len(idle) >= self._keepalive_cap:
            should_close = True
        super()._release(key, protocol, should_close=should_close)


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        limits: httpx.Limits,
        *,
        trust_env: bool = True,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        self._max_connections = limits.max_connections or 0  # 0: no bound
        self._slots = asyncio.Semaphore(self._max_connections) if self._max_connections else None
        self._keepalive_cap = (
            limits.max_keepalive_connections
            if limits.max_keepalive_connections is not None
            else self._max_connections or 1_000_000
        )
        self._keepalive_expiry = limits.keepalive_expiry
        self._ssl = verify
        self._proxies: dict[str, str] = urllib.request.getproxies_environment() if trust_env else {}
        self._session: aiohttp.ClientSession | None = None  # made in the event loop, on first use
        # One per (connect, read) pair: every call of a payer asks with the same pair.
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        self._urls: dict[Any, URL] = {}
        self._header_sets: dict[tuple[tuple[bytes, bytes], ...], CIMultiDictProxy[str]] = {}

    def _open_session(self) -> aiohttp.ClientSession:
        connector = _KeepaliveCapConnector(
            self._keepalive_cap,
            limit=self._max_connections,
            limit_per_host=0,
            keepalive_timeout=self._keepalive_expiry,
            ssl=self._ssl or _payer_ssl_context(),
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,
            skip_auto_headers=_NO_AUTO_HEADERS,
            timeout=aiohttp.ClientTimeout(total=None),
            request_class=REQUEST_CLASS,  # a small body sent at once (gateway/aiohttp_request.py)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            self._session = self._open_session()
        timeouts: Mapping[str, float | None] = request.extensions.get("timeout", {})
        try:
            body = request.content
        except httpx.RequestNotRead:  # a stream (multipart): read whole, then sent with its length
            body = await request.aread()
        headers: CIMultiDictProxy[str] | CIMultiDict[str] = self._headers(request.headers.raw)
        proxy = self._proxy_for(request.url)
        credentials = _proxy_credentials(proxy)
        if credentials and request.url.scheme == "http":  # no tunnel: the proxy reads this request
            headers = CIMultiDict(headers)
            headers.extend(credentials)
        streamed = request.extensions.get(STREAM)
        await self._take_slot(request, timeouts.get("pool"))
        try:
            response = await self._session.request(
                request.method,
                self._url(request.url),
                headers=headers,
                # aiohttp sets Content-Length from it (and 0 for a POST, PUT or PATCH without one)
                data=body or None,
                allow_redirects=False,
                proxy=proxy.with_user(None) if proxy is not None else None,
                proxy_headers=credentials,  # on the CONNECT of an https call
                timeout=self._timeout(timeouts.get("connect"), timeouts.get("read")),
            )
            if not streamed:
                # Read whole here: the response is handed over already read, and the client
                # (gateway/payer_client.py) skips httpx's chain of stream iterators.
                content = await response.read()
        except BaseException as exc:
            self._give_slot()
            _raise_as_httpx(exc, request)
        stream: httpx.AsyncByteStream
        if streamed:  # client.stream(...): chunks as they arrive
            stream = _ResponseBody(response, request, self)
        else:
            self._give_slot()  # the connection went back to aiohttp's pool at the body's end
            stream = ReadBody(content, hdrs.CONTENT_ENCODING in response.headers)
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=stream,
            extensions={
                "http_version": _version(response.version),
                "reason_phrase": _reason(response.reason),
            },
        )

    def _headers(self, raw: list[tuple[bytes, bytes]]) -> CIMultiDictProxy[str]:
        """The request's headers as aiohttp takes them (without Content-Length and
        Transfer-Encoding: aiohttp sets the length of the body it sends), made once per set."""
        key = tuple(raw)
        headers = self._header_sets.get(key)
        if headers is None:
            encoding = httpx.Headers(raw).encoding  # as httpx's multi_items() decodes them
            headers = CIMultiDictProxy(
                CIMultiDict(
                    (name.decode(encoding), value.decode(encoding))
                    for name, value in raw
                    if name.lower() not in (b"transfer-encoding", b"content-length")
                )
            )
            _remember(self._header_sets, key, headers)
        return headers

    def _url(self, url: httpx.URL) -> URL:
        # Keyed by httpx's parsed parts (equal parts, equal URL): cheaper than composing str(url).
        parts = url._uri_reference
        parsed = self._urls.get(parts)
        if parsed is None:
            # Credentials in the URL: httpx made them the Authorization header already (aiohttp
            # would refuse both), and httpx's engine never sends them in the URL either.
            parsed = URL(str(url), encoded=True).with_user(None)
            _remember(self._urls, parts, parsed)
        return parsed

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    def _timeout(self, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get((connect, read))
        if timeout is None:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
            if len(self._timeouts) < 64:  # a client choosing timeouts per call cannot grow it
                self._timeouts[(connect, read)] = timeout
        return timeout

    async def _take_slot(self, request: httpx.Request, pool_timeout: float | None) -> None:
        if self._slots is None:
            return
        if not self._slots.locked():  # a slot is free: taken at once, no deadline to set up
            await self._slots.acquire()
            return
        try:
            async with asyncio.timeout(pool_timeout):
                await self._slots.acquire()
        except TimeoutError as exc:
            raise httpx.PoolTimeout("no connection free in time", request=request) from exc

    def _give_slot(self) -> None:
        if self._slots is not None:
            self._slots.release()

    def _proxy_for(self, url: httpx.URL) -> URL | None:
        if not self._proxies:
            return None
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        if proxy is None:
            return None
        host = url.host if url.port is None else f"{url.host}:{url.port}"
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if bypass(host, self._proxies):  # NO_PROXY: names, domain suffixes, "*"
            return None
        return URL(proxy if "://" in proxy else f"http://{proxy}")


def _proxy_credentials(proxy: URL | None) -> dict[str, str] | None:
    """Credentials in the proxy's URL, sent as httpx does (aiohttp would drop them)."""
    if proxy is None or proxy.user is None:
        return None
    pair = f"{proxy.user}:{proxy.password or ''}".encode()
    return {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}


def _remember(found: dict[Any, Any], key: Any, value: Any) -> None:
    while len(found) >= REMEMBERED:  # the oldest goes
        del found[next(iter(found))]
    found[key] = value


@functools.lru_cache(maxsize=8)
def _version(version: aiohttp.HttpVersion | None) -> bytes:
    return b"HTTP/1.1" if version is None else f"HTTP/{version.major}.{version.minor}".encode()


@functools.lru_cache(maxsize=64)
def _reason(reason: str | None) -> bytes:
    return (reason or "").encode("latin-1", "replace")


@functools.cache
def _payer_ssl_context() -> ssl.SSLContext:
    """httpx's default context (certifi's roots, as the httpx engine verifies with), made once: it
    costs tens of milliseconds, too much for each payer's first call."""
    return httpx.create_ssl_context()


class ReadBody(httpx.AsyncByteStream):
    """An answer's body, read whole. ``encoded``: it has a Content-Encoding for httpx to decode."""

    def __init__(self, content: bytes, encoded: bool) -> None:
        self.content = content
        self.encoded = encoded

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.content


class _ResponseBody(httpx.AsyncByteStream):
    def __init__(
        self, response: aiohttp.ClientResponse, request: httpx.Request, owner: AiohttpTransport
    ) -> None:
        self._response = response
        self._request = request
        self._owner: AiohttpTransport | None = owner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except Exception as exc:
            _raise_as_httpx(exc, self._request)

    async def aclose(self) -> None:
        self._response.release()  # back to the pool if read whole, else closed
        owner, self._owner = self._owner, None
        if owner is not None:
            owner._give_slot()


def _raise_as_httpx(exc: BaseException, request: httpx.Request) -> NoReturn:
    mapped = _httpx_error(exc, request)
    if mapped is exc:
        raise exc
    raise mapped from exc


def _httpx_error(exc: BaseException, request: httpx.Request) -> BaseException:
    """The httpx exception httpcore raises for the same failure (the adapters map those)."""
    words = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(words, request=request)
    if isinstance(exc, aiohttp.ServerTimeoutError):  # SocketTimeoutError: no byte within read
        return httpx.ReadTimeout(words, request=request)
    if isinstance(exc, aiohttp.ClientHttpProxyError):  # the proxy refused the CONNECT
        return httpx.ProxyError(words, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS: never reached the payer
        return httpx.ConnectError(words, request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(words, request=request)
    if isinstance(exc, aiohttp.ClientResponseError):  # not an HTTP reply (bad status line...)
        return httpx.RemoteProtocolError(words, request=request)
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return httpx.UnsupportedProtocol(words, request=request)
    if isinstance(exc, aiohttp.ClientOSError | aiohttp.ClientConnectionError):  # reset mid-call
        return httpx.ReadError(words, request=request)
    if isinstance(exc, aiohttp.ClientError):
        return httpx.TransportError(words, request=request)
    return exc  # cancellation and our own errors pass as they are
