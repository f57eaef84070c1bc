"""Cross-origin requests from browsers: an exact allow-list of origins (PAYER_GATEWAY_CORS_ORIGINS).

The default is no origin: only pages the gateway serves itself (GraphiQL) can call it from a browser.
Callers authenticate with ``Authorization: Bearer``, never with cookies, so credentials mode is never
allowed, and ``*`` is refused at start-up: it would defeat the allow-list, and a wildcard next to
credentials is exactly what browsers forbid. Preflights from a listed origin are answered with the
allowed methods (GET, POST) and headers (Authorization, Content-Type); any other preflight gets a
403 JSON error and no ``Access-Control-Allow-*`` header at all.

WebSockets are not subject to CORS; they need no origin check here because a subscription is
authenticated by the bearer credential in ``connection_init``, which another site's page cannot hold.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Send

from gateway.http.errors import error_response

SETTING = "PAYER_GATEWAY_CORS_ORIGINS"
ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = ("Authorization", "Content-Type")
EXPOSED_HEADERS = ("X-Request-ID",)  # so a browser client can quote it in a support request
DEFAULT_PORTS = {"http": 80, "https": 443}
VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


class CorsSettingError(ValueError):
    """The configured origins are not a list of exact ``scheme://host[:port]`` origins."""


def allowed_origins(setting: str) -> tuple[str, ...]:
    """The comma-separated origins of the setting, each checked; ``CorsSettingError`` naming a bad one."""
    origins = []
    for entry in (part.strip() for part in setting.split(",")):
        if not entry:
            continue
        if entry == "*":
            raise CorsSettingError(
                f"{SETTING} may not be '*': list each origin that may call the gateway "
                "from a browser, e.g. https://portal.example.org"
            )
        origins.append(_exact_origin(entry))
    return tuple(dict.fromkeys(origins))


def _exact_origin(entry: str) -> str:
    # Browsers send the origin as scheme://host[:port], lower-case, nothing after it: an entry in
    # any other shape would silently never match, so it is refused rather than ignored.
    parts = urlsplit(entry)
    expected = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    if parts.scheme not in {"http", "https"} or entry != expected or "@" in parts.netloc:
        raise CorsSettingError(
            f"{SETTING}: {entry!r} is not an origin; write scheme://host[:port] with nothing "
            "after it, e.g. https://portal.example.org"
        )
    try:
        port = parts.port
    except ValueError:
        raise CorsSettingError(f"{SETTING}: {entry!r} has an invalid port") from None
    if port == DEFAULT_PORTS[parts.scheme]:  # browsers leave the default port out of Origin
        return f"{parts.scheme}://{parts.hostname}"
    return entry.lower()


class GatewayCors(CORSMiddleware):
    """Starlette's CORS middleware with our fixed policy; refusals carry no ``Access-Control-*``."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=False,
            expose_headers=EXPOSED_HEADERS,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code == 200:
            return answer
        refused = bytes(answer.body).decode().removeprefix("Disallowed CORS ")
        return error_response(
            403,
            "CORS_REFUSED",
            f"Cross-origin request refused ({refused} not allowed). The gateway's operator lists "
            "the origins that may call it from a browser.",
            {"Vary": VARY},
        )

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        origin = request_headers.get("origin")
        if (
            message["type"] == "http.response.start"
            and origin
            and not self.is_allowed_origin(origin)
        ):
            MutableHeaders(scope=message).add_vary_header("Origin")
            await send(message)  # without Access-Control-Expose-Headers: nothing for that origin
            return
        await super().send(message, send, request_headers)
