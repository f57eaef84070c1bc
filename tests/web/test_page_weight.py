"""Every portal page, HTML and the assets it names, stays under the issue's 300 kB (bytes counted, not
timed); pages tell the browser their own server time."""

from __future__ import annotations

import re

from gateway.web import SCREENS
from tests.web.conftest import Portal
from tests.web.page_weight import PAGE_BUDGET_BYTES, fill_path, page_links, page_routes, page_weight


async def test_every_page_with_its_assets_stays_under_the_budget(portal: Portal) -> None:
    signed_out = await page_weight(portal.client, "/login")
    await portal.login("practice_admin")  # the role that may open every page
    ids = {"patient_id": next(iter(portal.gateway.patient_ids.values()))}
    weights = {"/login": signed_out}
    links: list[str] = []
    pending = [route for route in page_routes(SCREENS) if route != "/login"]
    for _ in range(3):  # a page with an id may be linked only from another such page
        unresolved = []
        for route in pending:
            path = fill_path(route, links, ids)
            if path is None:
                unresolved.append(route)
                continue
            weights[route] = await page_weight(portal.client, path)
            links += page_links((await portal.client.get(path)).text)
        pending = unresolved
    assert not pending, f"no link to these pages on any other page; add their ids here: {pending}"
    assert {"/", "/payers", "/login"} <= weights.keys()
    for route, weight in weights.items():
        assert weight.total < PAGE_BUDGET_BYTES, (route, weight.html_bytes, weight.assets)
    # The count is real: the shared stylesheet, script and htmx are weighed, and once per page.
    today = weights["/"]
    assert any(url.endswith("/portal.css") for url in today.assets), today.assets
    assert any("htmx" in url for url in today.assets), today.assets
    assert today.total > today.html_bytes + 10_000


async def test_pages_report_their_server_time(portal: Portal) -> None:
    login = await portal.client.get("/login")
    assert re.fullmatch(r"app;dur=\d+\.\d", login.headers["server-timing"])
    await portal.login("front_desk")
    today = await portal.client.get("/")
    assert re.fullmatch(r"app;dur=\d+\.\d", today.headers["server-timing"])
