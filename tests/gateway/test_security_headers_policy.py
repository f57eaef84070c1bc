"""The security headers are authoritative: a route cannot weaken them, whatever it set itself."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from gateway.http.security_headers import PAGE_POLICY, RESOURCE_POLICY, SecurityHeaders

WEAK = {
    "Content-Security-Policy": "default-src *",
    "X-Content-Type-Options": "sniff-away",
    "Referrer-Policy": "unsafe-url",
    "X-Frame-Options": "ALLOWALL",
}


async def page(_: Request) -> Response:
    return HTMLResponse("<p>hi</p>", headers={**WEAK, "X-Custom": "kept"})


async def answer(_: Request) -> Response:
    return JSONResponse({"ok": True}, headers={**WEAK, "X-Custom": "kept"})


async def get(path: str) -> httpx.Response:
    app = SecurityHeaders(Starlette(routes=[Route("/page", page), Route("/answer", answer)]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        return await client.get(path)


async def test_a_page_gets_the_page_policy_in_place_of_its_own() -> None:
    response = await get("/page")
    assert response.headers.get_list("content-security-policy") == [PAGE_POLICY]
    assert response.headers.get_list("x-frame-options") == ["DENY"]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    assert response.headers["x-custom"] == "kept"
    assert response.text == "<p>hi</p>"


async def test_any_other_response_gets_the_closed_policy_and_keeps_its_other_headers() -> None:
    response = await get("/answer")
    assert response.headers.get_list("content-security-policy") == [RESOURCE_POLICY]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    # Not one of the headers a non-page gets: what the route set stays, as before.
    assert response.headers.get_list("x-frame-options") == ["ALLOWALL"]
    assert response.headers["x-custom"] == "kept"
    assert response.json() == {"ok": True}
