"""Security headers on every response the gateway sends: one policy for pages, a closed one for the rest.

Every response: ``X-Content-Type-Options: nosniff`` (a JSON answer is never run as a script or page)
and ``Referrer-Policy: no-referrer`` (a URL of ours never leaks to another site).

HTML documents get :data:`PAGE_POLICY`: scripts, styles, fonts and images only from the gateway itself
(no CDN, no inline script, no ``eval``), requests only back to the gateway, no plug-ins, no ``<base>``,
forms post only to the gateway, and no framing (``frame-ancestors 'none'``, with ``X-Frame-Options``
for browsers that predate it). ``data:`` is allowed for images and fonts only: GraphiQL's stylesheet
embeds its fonts and icons that way, and a ``data:`` URL cannot fetch anything.

Every other response (JSON, scripts, stylesheets) gets :data:`RESOURCE_POLICY`, which allows nothing:
should a browser ever render one as a document, it runs nothing and cannot be framed.

The middleware is authoritative: it replaces whatever a route set, so no page can weaken the policy.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",  # also ws:/wss: to this host (CSP level 3): GraphiQL's subscriptions
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    )
)
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'"

EVERY_RESPONSE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
PAGES = {"Content-Security-Policy": PAGE_POLICY, "X-Frame-Options": "DENY"}
OTHERS = {"Content-Security-Policy": RESOURCE_POLICY}


def _raw(headers: dict[str, str]) -> tuple[frozenset[bytes], list[tuple[bytes, bytes]]]:
    """The names (to drop whatever a route set) and the raw ASGI pairs of one set of headers."""
    pairs = [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]
    return frozenset(name for name, _ in pairs), pairs


# Encoded once: per response only a list filter and an extend, no dict merge or header parsing.
_FOR_PAGES = _raw({**EVERY_RESPONSE, **PAGES})
_FOR_OTHERS = _raw({**EVERY_RESPONSE, **OTHERS})


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response of the wrapped app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(message["headers"])
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``raw`` (a response's ASGI headers) with ours in place of any of the same names."""
    raw = list(raw)
    content_type = next((value for name, value in raw if name == b"content-type"), b"")
    names, ours = _FOR_PAGES if content_type.lower().startswith(b"text/html") else _FOR_OTHERS
    return [pair for pair in raw if pair[0] not in names] + ours
