"""Every portal page, HTML and the assets it names, stays under the issue's 300 kB (bytes counted, not
timed); pages tell the browser their own server time."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from gateway.schedule.demo_day import seed_demo_schedule
from gateway.storage.claims_tables import Webhook
from gateway.storage.identity_tables import Invitation
from gateway.web import SCREENS
from tests.money.conftest import card, submitted
from tests.web.conftest import Portal, start_portal
from tests.web.page_weight import PAGE_BUDGET_BYTES, fill_path, page_links, page_routes, page_weight
from tests.worklist.batches import seed_batch


@pytest.fixture
async def roomy_portal(database: Any, world: Any) -> AsyncIterator[Portal]:
    """Weighing every page and its assets asks the API a few hundred times in seconds: more than one
    person's burst allows, which would be weighed as a 429 page (test_throttled_page_says_so)."""
    async for running in start_portal(database, world, rate_limit_burst=10_000):
        yield running


async def test_every_page_with_its_assets_stays_under_the_budget(
    roomy_portal: Portal, world: Any
) -> None:
    portal = roomy_portal
    signed_out = await page_weight(portal.client, "/login")
    await portal.login("practice_admin")  # the role that may open every page
    claim = await submitted(
        portal.gateway, world, await card(portal.gateway, world, "wanda"), date.today()
    )
    ids = {
        "patient_id": next(iter(portal.gateway.patient_ids.values())),
        "claim_id": claim.id,  # a claim's page and its action pages (void: a confirm page)
        "action": "void",
    }
    await seed_batch(portal.gateway, world)  # its worklist is linked from /batches
    await _something_to_withdraw_and_delete(portal)  # their confirm pages are linked from admin
    gateway = portal.gateway  # today's appointments: Schedule links to their edit and cancel pages
    await seed_demo_schedule(
        gateway.services.database, gateway.practice_id, list(gateway.patient_ids.values())
    )
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


async def _something_to_withdraw_and_delete(portal: Portal) -> None:
    """An open invitation and a webhook of the practice, so their confirm pages are reachable."""
    practice_id = portal.gateway.practice_id
    async with portal.gateway.services.database.transaction() as session:
        session.add(
            Invitation(
                practice_id=practice_id,
                email="weighed@elmridge.example",
                role="front_desk",
                token_hash=secrets.token_hex(32),
                expires_at=datetime.now(UTC) + timedelta(days=1),
            )
        )
        session.add(
            Webhook(
                practice_id=practice_id,
                url="https://partner.example/hooks",
                secret="whsec_weighed",
                events=["claim.status_changed"],
            )
        )


async def test_pages_report_their_server_time(portal: Portal) -> None:
    login = await portal.client.get("/login")
    assert re.fullmatch(r"app;dur=\d+\.\d", login.headers["server-timing"])
    await portal.login("front_desk")
    today = await portal.client.get("/")
    assert re.fullmatch(r"app;dur=\d+\.\d", today.headers["server-timing"])


def _frames_asked(portal: Portal) -> float:
    """How many PortalFrame operations the API has answered (its per-operation request counter)."""
    registry = portal.gateway.services.payers.metrics.registry
    return sum(
        sample.value
        for metric in registry.collect()
        if metric.name == "pgw_graphql_requests"
        for sample in metric.samples
        if sample.name.endswith("_total") and sample.labels.get("operation") == "PortalFrame"
    )


async def test_the_frame_is_asked_for_while_the_payers_are_still_answering(
    portal: Portal,
) -> None:
    """A page's header and menu do not wait for its payer calls to finish first: an uncached page
    then costs the slowest payer, not the payer plus the frame."""
    await portal.login("front_desk")
    gateway = portal.gateway
    for payer_id in gateway.sandbox_apps:
        await gateway.faults(payer_id, hang=True)  # each payer holds the question until timeout
    patient_id = next(iter(gateway.patient_ids.values()))
    before = _frames_asked(portal)
    answer = asyncio.create_task(
        portal.client.get(f"/today/eligibility/{patient_id}", headers={"Accept": "text/html"})
    )
    # While the payers still hold the eligibility question (the gateway gives up after 2 s),
    # the frame has been asked for and answered.
    for _ in range(100):
        if _frames_asked(portal) > before or answer.done():
            break
        await asyncio.sleep(0.01)
    assert not answer.done(), "the payers answered before the frame: the test proves nothing"
    assert _frames_asked(portal) == before + 1
    page = await answer
    assert page.status_code == 200 and "Payer not answering" in page.text
