"""Portal sessions over HTTP (no browser): the cookie, CSRF, login, idle timeout, logout, refresh,
and a form kept across an expired session."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest

from gateway.storage.database import Database
from gateway.web.session import SessionSeal
from tests.gateway.people import PASSWORD
from tests.web.conftest import COOKIE_NAME, Portal, start_portal


def _set_cookie(response: httpx.Response) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(response.headers["set-cookie"])
    return cookie


async def test_signed_out_visitor_is_sent_to_login_and_login_opens_today(portal: Portal) -> None:
    first = await portal.client.get("/")
    assert first.status_code == 303 and first.headers["location"] == "/login"
    await portal.login("front_desk")
    today = await portal.client.get("/")
    assert today.status_code == 200, today.text
    assert "Recent patients" in today.text and "Sign out" in today.text


async def test_cookie_is_httponly_strict_and_holds_no_readable_token(portal: Portal) -> None:
    await portal.login("front_desk")
    response = await portal.client.get("/payers")
    morsel = _set_cookie(response)[COOKIE_NAME]
    assert morsel["httponly"] and morsel["samesite"] == "strict" and morsel["path"] == "/"
    assert not morsel["secure"]  # plain http (loopback): a Secure cookie would never come back
    assert "eyJ" not in morsel.value and "pgw_" not in morsel.value  # sealed: no token in sight
    assert "eyJ" not in response.text  # nor in the page


async def test_cookie_is_secure_over_https_and_behind_a_proxy_only_when_configured(
    portal: Portal,
) -> None:
    app = portal.gateway.client._transport.app  # type: ignore[attr-defined]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://gateway.test"
    ) as https:
        assert _set_cookie(await https.get("/login"))[COOKIE_NAME]["secure"]
    # A forwarded header from anyone is not trusted unless the operator says there is a proxy.
    forwarded = await portal.client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert not _set_cookie(forwarded)[COOKIE_NAME]["secure"]


@pytest.fixture
async def proxied(database: Database, world: Any) -> AsyncIterator[Portal]:
    async for running in start_portal(database, world, behind_proxy=True):
        yield running


async def test_behind_a_proxy_its_forwarded_proto_decides(proxied: Portal) -> None:
    https = await proxied.client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert _set_cookie(https)[COOKIE_NAME]["secure"]
    plain = await proxied.client.get("/login", headers={"X-Forwarded-Proto": "http"})
    assert not _set_cookie(plain)[COOKIE_NAME]["secure"]


async def test_posts_without_the_sessions_csrf_token_are_refused(portal: Portal) -> None:
    person = portal.staff["front_desk"]
    await portal.client.get("/login")
    login = {"email": person.email, "password": PASSWORD}
    missing = await portal.client.post("/login", data=login)
    assert missing.status_code == 403 and "This form has expired" in missing.text
    wrong = await portal.client.post("/login", data={**login, "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    # Another browser's token is no good either: the token belongs to the session.
    app = portal.gateway.client._transport.app  # type: ignore[attr-defined]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
    ) as other:
        page = await other.get("/login")
        theirs = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    stolen = await portal.client.post("/login", data={**login, "csrf_token": theirs})
    assert stolen.status_code == 403

    await portal.login("front_desk")
    token = await portal.csrf("/")
    assert (await portal.client.post("/logout")).status_code == 403
    assert (await portal.client.post("/", data={"search": "a"})).status_code == 403
    # htmx sends the token as a header (hx-headers on <body>).
    by_header = await portal.client.post("/logout", headers={"X-CSRF-Token": token})
    assert by_header.status_code == 303 and by_header.headers["location"].startswith("/login")


async def test_logout_ends_the_api_session_so_a_copied_cookie_is_useless(portal: Portal) -> None:
    await portal.login("biller")
    copied = portal.client.cookies[COOKIE_NAME]
    token = await portal.csrf("/")
    out = await portal.client.post("/logout", data={"csrf_token": token})
    assert out.status_code == 303 and out.headers["location"] == "/login?signed_out=1"
    assert (await portal.client.get("/")).status_code == 303  # the cookie was replaced

    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE_NAME, copied)
    replayed = await portal.client.get("/")
    assert replayed.status_code == 303 and replayed.headers["location"].startswith("/login")


async def test_after_the_idle_timeout_the_next_request_goes_to_login(
    short_idle: Portal,
    idle_out: Callable[[], None],
) -> None:
    await short_idle.login("front_desk")
    assert (await short_idle.client.get("/payers")).status_code == 200
    idle_out()
    idle = await short_idle.client.get("/payers")
    assert idle.status_code == 303 and idle.headers["location"] == "/login?expired=1"
    login = await short_idle.client.get("/login?expired=1")
    assert "not used for a while" in login.text
    # After signing in again the person lands where they were going.
    await short_idle.login("front_desk")
    again = await short_idle.client.get("/payers")
    assert again.status_code == 200


async def test_a_form_posted_after_expiry_is_kept_for_the_same_user_only(
    short_idle: Portal,
    idle_out: Callable[[], None],
) -> None:
    portal = short_idle
    await portal.login("front_desk")
    token = await portal.csrf("/")
    idle_out()
    typed = "Whitfield, Mar"
    posted = await portal.client.post("/", data={"search": typed, "csrf_token": token})
    assert posted.status_code == 303 and posted.headers["location"] == "/login?expired=1"
    assert typed not in posted.headers["location"]
    kept_cookie = portal.client.cookies[COOKIE_NAME]

    person = portal.staff["front_desk"]
    token = await portal.csrf("/login")
    await portal.client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    token = await portal.csrf("/login/code")
    done = await portal.client.post(
        "/login/code", data={"code": person.code(), "csrf_token": token}
    )
    target = done.headers["location"]
    assert re.fullmatch(r"/\?resume=[A-Za-z0-9_-]+", target), target  # an opaque id only
    back = await portal.client.get(target)
    assert f'value="{typed}"' in back.text  # what was typed is back in the box

    # Someone else signing in on this browser with that id gets nothing of it.
    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE_NAME, kept_cookie)
    other = portal.staff["biller"]
    token = await portal.csrf("/login")
    await portal.client.post(
        "/login", data={"email": other.email, "password": PASSWORD, "csrf_token": token}
    )
    token = await portal.csrf("/login/code")
    done = await portal.client.post("/login/code", data={"code": other.code(), "csrf_token": token})
    assert done.headers["location"] == "/"
    page = await portal.client.get(target)
    assert typed not in page.text


async def test_an_expired_access_token_is_refreshed_once_for_concurrent_requests(
    portal: Portal,
) -> None:
    await portal.login("front_desk")
    seal = SessionSeal(portal.gateway.services.settings)
    opened = seal.open(portal.client.cookies[COOKIE_NAME])
    assert opened is not None
    opened["access_expires"] = 0  # as if the access token had just expired
    portal.client.cookies.clear()
    portal.client.cookies.set(COOKIE_NAME, seal.seal(opened))
    # The Today page's badges arrive together, all with the same (old) refresh token: the API ends a
    # session whose refresh token is used twice, so the portal must refresh once and share it.
    pages = await asyncio.gather(*(portal.client.get("/payers") for _ in range(6)))
    assert [p.status_code for p in pages] == [200] * 6
    assert (await portal.client.get("/payers")).status_code == 200


async def test_wrong_password_and_wrong_code_say_what_to_do(portal: Portal) -> None:
    person = portal.staff["front_desk"]
    token = await portal.csrf("/login")
    wrong = await portal.client.post(
        "/login", data={"email": person.email, "password": "nope-nope", "csrf_token": token}
    )
    assert wrong.status_code == 200 and "The email or password is not right" in wrong.text
    assert 'aria-invalid="true"' in wrong.text and 'aria-describedby="password-error"' in wrong.text
    await portal.client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    bad_code = await portal.client.post("/login/code", data={"code": "000000", "csrf_token": token})
    assert "That code is not right" in bad_code.text


async def test_too_many_wrong_passwords_lock_the_account_with_a_plain_message(
    portal: Portal,
) -> None:
    person = portal.staff["analyst"]
    token = await portal.csrf("/login")
    texts = []
    for _ in range(7):
        answer = await portal.client.post(
            "/login", data={"email": person.email, "password": "wrong-wrong", "csrf_token": token}
        )
        texts.append(answer.text)
    # The API does not tell a locked account from a wrong password at step one (no enumeration);
    # its credential-attempt budget answers RATE_LIMITED, which the page words plainly.
    assert all("Traceback" not in t and "GraphQL" not in t for t in texts)
    assert any("Too many attempts" in t or "not right" in t for t in texts)
