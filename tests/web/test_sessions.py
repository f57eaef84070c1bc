"""Portal sessions over HTTP (no browser): the cookie, CSRF, login, idle timeout, logout, kept forms."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.gateway.people import PASSWORD
from tests.web.conftest import COOKIE_NAME, Portal, start_portal


async def test_signed_out_visitor_is_sent_to_login_and_login_opens_today(portal: Portal) -> None:
    first = await portal.client.get("/")
    assert first.status_code == 303 and first.headers["location"] == "/login"
    await portal.login("front_desk")
    today = await portal.client.get("/")
    assert today.status_code == 200, today.text
    assert "Recent patients" in today.text and "Sign out" in today.text
