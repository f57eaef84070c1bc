"""Today, Payers and the frame over HTTP: role-based navigation, badges, a payer that is down,
the search's PHI kept out of URLs, and the portal's error pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.conftest import Portal, start_portal

NAV = re.compile(r'<nav class="site-nav".*?</nav>', re.S)


def _nav_labels(html: str) -> list[str]:
    found = NAV.search(html)
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', found.group(0)) if found else []


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (
            "front_desk",
            ["Today", "Schedule", "Patients", "Batches", "New claim", "Claims", "Payers"],
        ),
        (
            "biller",
            [
                "Today",
                "Schedule",
                "Patients",
                "New claim",
                "Claims",
                "Payments",
                "Money",
                "Denials",
                "Remittances",
                "Payers",
            ],
        ),
        (
            "analyst",
            ["Today", "Claims", "Payments", "Money", "Denials", "Remittances", "Export", "Payers"],
        ),
        (
            "practice_admin",
            [
                "Today",
                "Schedule",
                "Patients",
                "Batches",
                "New claim",
                "Claims",
                "Payments",
                "Money",
                "Denials",
                "Remittances",
                "Export",
                "Payers",
                "Admin",
            ],
        ),
    ],
)
async def test_navigation_offers_only_what_the_role_may_use(
    portal: Portal, role: str, shown: list[str]
) -> None:
    await portal.login(role)
    page = await portal.client.get("/payers")
    assert _nav_labels(page.text) == shown
    assert 'aria-current="page">Payers' in page.text
    today = await portal.client.get("/")
    assert ('role="search"' in today.text) == (role != "analyst")  # searching is reading PHI


async def test_today_lists_patients_with_us_dates_and_a_link_to_their_badges(
    portal: Portal, world: Any
) -> None:
    await portal.login("front_desk")
    page = await portal.client.get("/")
    assert page.status_code == 200
    assert re.search(r"Born \d\d/\d\d/\d{4}", page.text)
    ids = re.findall(r'href="/today/eligibility/([^"]+)"', page.text)
    assert ids and all(i in portal.gateway.patient_ids.values() for i in ids)
    badges = await portal.client.get(f"/today/eligibility/{ids[0]}", headers={"HX-Request": "true"})
    assert badges.status_code == 200 and "<html" not in badges.text
    assert re.search(r"badge-(active|inactive|not-found)", badges.text), badges.text
    whole = await portal.client.get(f"/today/eligibility/{ids[0]}")  # without script: a page
    assert "<html" in whole.text and "Insurance check" in whole.text


async def test_a_payer_that_fails_shows_as_not_answering_everywhere(
    portal: Portal, world: Any
) -> None:
    gateway = portal.gateway
    person = next(
        key
        for key in world.people
        if any(m.payer_key in gateway.sandbox_apps and m.active for m in world.coverages_of(key))
    )
    broken = next(
        m.payer_key for m in world.coverages_of(person) if m.payer_key in gateway.sandbox_apps
    )
    await gateway.faults(broken, error_rate=1.0)
    await portal.login("front_desk")
    badges = await portal.client.get(
        f"/today/eligibility/{gateway.patient_ids[person]}", headers={"HX-Request": "true"}
    )
    assert "badge-down" in badges.text and "Payer not answering" in badges.text
    name = gateway.services.payers.get(broken).settings.name  # type: ignore[union-attr]
    for path in ("/", "/payers"):
        page = await portal.client.get(path)
        banner = re.search(r'<div class="banner".*?</div>', page.text, re.S)
        assert banner and f"{name} is having trouble answering" in banner.group(0), path
        assert re.search(r"last error at \d{1,2}:\d\d [AP]M", banner.group(0))
    directory = await portal.client.get("/payers")
    assert "Having trouble" in directory.text or "Not answering" in directory.text


async def test_a_search_term_never_appears_in_a_url(portal: Portal) -> None:
    await portal.login("front_desk")
    token = await portal.csrf("/")
    posted = await portal.client.post("/", data={"search": "Whitfield", "csrf_token": token})
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert "Whitfield" not in location and re.fullmatch(r"/\?search=[A-Za-z0-9_-]+", location)
    results = await portal.client.get(location)
    assert results.status_code == 200 and "Patients matching your search" in results.text
    # The id is this user's: another session presenting it gets an ordinary Today page.
    portal.client.cookies.clear()
    await portal.login("biller")
    other = await portal.client.get(location)
    assert "That search is no longer available" in other.text


async def test_error_pages_are_portal_pages_for_browsers_and_json_for_api_clients(
    portal: Portal,
) -> None:
    page = await portal.client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Page not found" in page.text and "<main" in page.text
    api = await portal.client.get("/no-such-page")
    assert api.status_code == 404 and api.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    await portal.login("front_desk")
    missing = await portal.client.get("/today/eligibility/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "Patient not found" in missing.text


async def test_static_assets_are_served_by_the_gateway_with_their_licence(portal: Portal) -> None:
    page = await portal.client.get("/login")
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert any("htmx-2.0.11/htmx.min.js" in s for s in scripts)
    for src in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text):
        asset = await portal.client.get(src)
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(
            ("text/javascript", "text/css")
        )
    licence = await portal.client.get("/portal-static/htmx-2.0.11/LICENSE")
    assert licence.status_code == 200 and "Permission" in licence.text
    assert "inline" not in page.headers["content-security-policy"]
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline


async def test_a_birth_date_typed_the_us_way_finds_the_patient(portal: Portal, world: Any) -> None:
    person = next(iter(world.people.values()))
    typed = person.birth_date.strftime("%m/%d/%Y")
    await portal.login("front_desk")
    token = await portal.csrf("/")
    posted = await portal.client.post("/", data={"search": typed, "csrf_token": token})
    results = await portal.client.get(posted.headers["location"])
    assert f"Born {typed}" in results.text and f'value="{typed}"' in results.text


def test_us_formats() -> None:
    from datetime import date

    from gateway.web.formats import from_us_date, money, us_date

    assert us_date("2026-01-31") == "01/31/2026" and us_date(None) == ""
    assert money("1234.5") == "$1,234.50" and money("-20") == "-$20.00" and money(None) == ""
    assert from_us_date("3/7/1980") == date(1980, 3, 7)
    assert from_us_date("02/30/1980") is None and from_us_date("Smith") is None


async def test_a_throttled_page_says_so_and_when_to_come_back(database: Any, world: Any) -> None:
    """Over the person's rate limit the API answers 429; the page must say so (with Retry-After),
    never that the patient does not exist."""
    async for portal in start_portal(database, world, rate_limit_burst=8, rate_limit_per_minute=1):
        await portal.login("front_desk")
        patient_id = next(iter(portal.gateway.patient_ids.values()))
        statuses = [
            (await portal.client.get(f"/patients/{patient_id}")).status_code for _ in range(8)
        ]
        page = await portal.client.get(f"/patients/{patient_id}")
        assert 404 not in statuses, statuses
        assert page.status_code == 429, statuses
        assert "Too many requests" in page.text
        assert int(page.headers["retry-after"]) > 0
