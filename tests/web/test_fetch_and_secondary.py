"""Two portal forms over HTTP: Fetch now on the Remittances screen (payments:write) posts what a
sandbox payer sends and says so after the redirect, and the practice admin's switch for sending
secondary claims automatically changes the practice's setting. Other roles get no form and a 403."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from gateway.storage.ledger_tables import Remittance
from gateway.storage.tables import Practice
from tests.ledger.api import payer_of
from tests.web.conftest import Portal

ROW = re.compile(r'href="/remittances/[0-9a-f-]{36}"')
NOTICE = re.compile(r">([^<>]+?): (\d+) remittances? fetched, (\d+) new posted\.")


async def remittances_posted(portal: Portal) -> int:
    async with portal.gateway.services.database.session() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(Remittance)
            .where(Remittance.practice_id == portal.gateway.practice_id)
        )
    return int(found or 0)


async def auto_secondary(portal: Portal) -> bool:
    async with portal.gateway.services.database.session() as session:
        practice = await session.get_one(Practice, portal.gateway.practice_id)
        return practice.auto_secondary_claims


def payer_name(portal: Portal, payer_id: str) -> str:
    return next(p.settings.name for p in portal.gateway.services.payers.all() if p.id == payer_id)


async def test_fetch_now_posts_the_payer_s_remittances_and_says_how_many(portal: Portal) -> None:
    payer_id = payer_of(portal.gateway, "rest")
    await portal.login("biller")
    listing = await portal.client.get("/remittances")
    assert 'action="/remittances/fetch"' in listing.text
    assert f'<option value="{payer_id}">' in listing.text
    token = await portal.csrf("/remittances")

    unchosen = await portal.client.post(
        "/remittances/fetch", data={"csrf_token": token, "payerId": ""}
    )
    assert unchosen.status_code == 400
    assert "Choose the payer to fetch remittances from." in unchosen.text
    assert 'aria-invalid="true"' in unchosen.text

    sent = await portal.client.post(
        "/remittances/fetch", data={"csrf_token": token, "payerId": payer_id}
    )
    assert sent.status_code == 303, sent.text
    page = await portal.client.get(sent.headers["location"])
    notice = NOTICE.search(page.text)
    assert notice, page.text
    name, fetched, new = notice.group(1), int(notice.group(2)), int(notice.group(3))
    assert name == payer_name(portal, payer_id)
    assert fetched >= new > 0
    assert await remittances_posted(portal) == new  # really in the ledger
    assert len(ROW.findall(page.text)) == min(new, 25)  # and listed

    again = await portal.client.post(
        "/remittances/fetch", data={"csrf_token": token, "payerId": payer_id}
    )
    notice = NOTICE.search((await portal.client.get(again.headers["location"])).text)
    assert notice and int(notice.group(3)) == 0  # nothing twice
    assert await remittances_posted(portal) == new


async def test_a_payer_that_does_not_answer_is_said_in_words(portal: Portal) -> None:
    payer_id = payer_of(portal.gateway, "rest")
    await portal.gateway.faults(payer_id, error_rate=1.0)
    await portal.login("practice_admin")
    token = await portal.csrf("/remittances")
    sent = await portal.client.post(
        "/remittances/fetch", data={"csrf_token": token, "payerId": payer_id}
    )
    assert sent.status_code == 303, sent.text
    page = await portal.client.get(sent.headers["location"])
    assert f"{payer_name(portal, payer_id)} is not answering" in page.text
    assert 'role="alert"' in page.text and "PAYER_" not in page.text
    assert await remittances_posted(portal) == 0

    unknown = await portal.client.post(
        "/remittances/fetch", data={"csrf_token": token, "payerId": "nobody"}
    )
    page = await portal.client.get(unknown.headers["location"])
    assert "does not send remittances through the gateway" in page.text


async def test_fetch_now_is_refused_without_payments_write_or_csrf(portal: Portal) -> None:
    payer_id = payer_of(portal.gateway, "rest")
    await portal.login("biller")
    no_token = await portal.client.post("/remittances/fetch", data={"payerId": payer_id})
    assert no_token.status_code == 403 and "This form has expired" in no_token.text
    await portal.client.post("/logout", data={"csrf_token": await portal.csrf("/remittances")})

    await portal.login("analyst")  # reads remittances, may not post them
    listing = await portal.client.get("/remittances")
    assert listing.status_code == 200 and "/remittances/fetch" not in listing.text
    forged = await portal.client.post(
        "/remittances/fetch",
        data={"csrf_token": await portal.csrf("/remittances"), "payerId": payer_id},
    )
    assert forged.status_code == 403 and "You cannot post remittances" in forged.text
    assert await remittances_posted(portal) == 0


async def test_the_admin_switches_automatic_secondary_claims(portal: Portal) -> None:
    await portal.login("practice_admin")
    page = await portal.client.get("/admin")
    assert 'role="switch" aria-checked="false"' in page.text
    assert "Send secondary claims automatically: Off" in page.text
    token = await portal.csrf("/admin")

    on = await portal.client.post(
        "/admin/secondary-claims", data={"csrf_token": token, "enabled": "true"}
    )
    assert on.status_code == 303 and on.headers["location"] == "/admin?secondary=on"
    assert await auto_secondary(portal) is True
    page = await portal.client.get(on.headers["location"])
    assert "secondary claims are now sent automatically" in page.text
    assert 'role="switch" aria-checked="true"' in page.text

    off = await portal.client.post(
        "/admin/secondary-claims", data={"csrf_token": token, "enabled": "false"}
    )
    assert off.status_code == 303
    assert await auto_secondary(portal) is False

    nonsense = await portal.client.post(
        "/admin/secondary-claims", data={"csrf_token": token, "enabled": "maybe"}
    )
    assert nonsense.status_code == 400 and "Choose on or off." in nonsense.text
    no_token = await portal.client.post("/admin/secondary-claims", data={"enabled": "true"})
    assert no_token.status_code == 403
    assert await auto_secondary(portal) is False


@pytest.mark.parametrize("role", ["biller", "front_desk", "analyst"])
async def test_only_the_admin_may_switch_secondary_claims(portal: Portal, role: str) -> None:
    await portal.login(role)
    forged = await portal.client.post(
        "/admin/secondary-claims",
        data={"csrf_token": await portal.csrf("/patients"), "enabled": "true"},
    )
    assert forged.status_code == 403 and "Only practice administrators" in forged.text
    assert await auto_secondary(portal) is False
