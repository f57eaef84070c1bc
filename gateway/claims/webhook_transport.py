"""The webhook client's transport: connects only to addresses the guard has just judged.

Checking a URL and then letting the HTTP stack resolve its host again would leave a gap: the name
may resolve to a public address for the check and to 127.0.0.1 for the connection (DNS rebinding).
So the host is resolved once, here, every address judged, and the request is sent to the judged
address itself: the URL's host becomes the IP, the ``Host`` header keeps the name, and for https
the name goes to TLS as ``sni_hostname`` so the certificate is still verified against the name.
"""

from __future__ import annotations

import ssl

import httpx

from gateway.claims.webhook_addresses import DEFAULT_PORTS, WebhookAddressGuard


class PinnedAddressTransport(httpx.AsyncBaseTransport):
    """Resolve, judge, connect to the judged address (trying the next one if a connect fails)."""

    def __init__(self, guard: WebhookAddressGuard, *, verify: ssl.SSLContext | bool = True) -> None:
        self.guard = guard
        # Its own HTTP transport, with no kept-alive connections: the pool is keyed by the URL's
        # host, now an IP, so a kept TLS connection opened for one name would be handed to another
        # name on the same address without its certificate being checked for that name.
        self.inner = httpx.AsyncHTTPTransport(
            verify=verify, limits=httpx.Limits(max_keepalive_connections=0)
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"webhooks use http or https, not {url.scheme!r}")
        addresses = await self.guard.url_addresses(url)
        if url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": url.host}
        failure: httpx.ConnectError | None = None
        try:
            for address in addresses:
                request.url = url.copy_with(host=str(address))
                try:
                    return await self.inner.handle_async_request(request)
                except httpx.ConnectError as exc:
                    failure = exc
        finally:
            request.url = url  # what the caller sees on the response is the URL it sent
        raise failure or httpx.ConnectError("no address to connect to", request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()
