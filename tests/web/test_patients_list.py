"""Patients over HTTP: the practice's patients by name and a page at a time, without PHI in any URL
(neither the search term nor the API's cursor), the shared search, the analyst's pseudonyms, and
Today's recent patients in the order of their latest activity."""

from __future__ import annotations

import re

import pytest

from gateway.web.screens import patients as patients_screen
from tests.web.conftest import Portal

ROW = re.compile(r'<td><a href="/patients/([0-9a-f-]+)">([^<]+)</a></td>')
NEXT = re.compile(r'<a href="(/patients\?page=[^"]+)">Next page</a>')
STASH_ID = r"[A-Za-z0-9_-]{24}"  # the stash's random id: nothing of the patient or the cursor


async def _post(portal: Portal, path: str, data: dict[str, str]) -> object:
    token = await portal.csrf(path)
    return await portal.client.post(path, data={**data, "csrf_token": token})


async def test_the_menus_patients_lists_everyone_by_name_linking_to_their_record(
    portal: Portal,
) -> None:
    await portal.login("front_desk")
    today = await portal.client.get("/")
    assert 'href="/patients"' in today.text
    listed = await portal.client.get("/patients")
    assert listed.status_code == 200 and "<h1>Patients</h1>" in listed.text
    assert 'aria-current="page">Patients' in listed.text
    assert 'href="/patients/new"' in listed.text and 'role="search"' in listed.text
    rows = ROW.findall(listed.text)
    page = listed
    while found := NEXT.search(page.text):  # the practice has more patients than one page holds
        page = await portal.client.get(found.group(1))
        rows += ROW.findall(page.text)
    assert {patient_id for patient_id, _ in rows} == set(portal.gateway.patient_ids.values())
    names = [name for _, name in rows]
    assert names == sorted(names, key=str.casefold) and all(", " in n for n in names)
    assert len(re.findall(r"<td>\d\d/\d\d/\d{4}</td>", listed.text)) == len(
        ROW.findall(listed.text)
    )
    record = await portal.client.get(f"/patients/{rows[0][0]}")
    assert record.status_code == 200


async def test_pages_carry_a_random_id_not_the_cursor_and_are_the_viewers_own(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patients_screen, "PAGE_SIZE", 2)
    await portal.login("front_desk")
    seen: list[str] = []
    path, number, urls = "/patients", 1, []
    while True:
        page = await portal.client.get(path)
        assert page.status_code == 200
        if number > 1:
            assert f"(page {number})" in page.text and 'href="/patients">First page' in page.text
        rows = ROW.findall(page.text)
        assert 1 <= len(rows) <= 2
        seen.extend(patient_id for patient_id, _ in rows)
        found = NEXT.search(page.text)
        if not found:
            break
        path, number = found.group(1).replace("&amp;", "&"), number + 1
        urls.append(path)
        assert re.fullmatch(rf"/patients\?page={STASH_ID}", path), path
    assert sorted(seen) == sorted(portal.gateway.patient_ids.values())  # each once, none missed
    assert len(urls) >= 2
    await portal.client.post("/logout", data={"csrf_token": await portal.csrf("/")})
    await portal.login("biller")  # another person's page id shows the first page, saying so
    other = await portal.client.get(urls[0])
    assert "That list is no longer available" in other.text
    assert "(page" not in other.text and not re.search(r'href="/patients">First page', other.text)


async def test_a_search_from_patients_keeps_its_term_out_of_urls_and_pages_within_it(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    await portal.login("front_desk")
    everyone = ROW.findall((await portal.client.get("/patients")).text)
    last = everyone[0][1].split(", ")[0]
    same_last = [pid for pid, name in everyone if name.split(", ")[0] == last]
    posted = await _post(portal, "/patients", {"search": last})
    location = posted.headers["location"]  # type: ignore[attr-defined]
    assert posted.status_code == 303  # type: ignore[attr-defined]
    assert re.fullmatch(rf"/patients\?search={STASH_ID}", location), location
    found = await portal.client.get(location)
    assert "Patients matching your search" in found.text and f'value="{last}"' in found.text
    assert {pid for pid, _ in ROW.findall(found.text)} == set(same_last)
    assert 'href="/patients">Clear' in found.text
    nothing = await _post(portal, "/patients", {"search": "Nobodyhere"})
    empty = await portal.client.get(nothing.headers["location"])  # type: ignore[attr-defined]
    assert "No patient matches" in empty.text and not ROW.search(empty.text)
    monkeypatch.setattr(patients_screen, "PAGE_SIZE", 1)
    posted = await _post(portal, "/patients", {"search": everyone[0][1]})
    first = await portal.client.get(posted.headers["location"])  # type: ignore[attr-defined]
    assert [pid for pid, _ in ROW.findall(first.text)] == [everyone[0][0]]


async def test_an_analyst_sees_pseudonyms_and_no_search_or_new_patient(portal: Portal) -> None:
    await portal.login("analyst")
    listed = await portal.client.get("/patients")
    assert listed.status_code == 200
    rows = ROW.findall(listed.text)
    assert rows and all(re.fullmatch(r"Patient pk_\w{5}", name) for _, name in rows), rows
    assert 'role="search"' not in listed.text and 'href="/patients/new"' not in listed.text
    assert not re.search(r"\d\d/\d\d/\d{4}", listed.text) and "by last name" not in listed.text


async def test_today_lists_the_patient_with_the_latest_activity_first(portal: Portal) -> None:
    await portal.login("front_desk")
    answer = await _post(
        portal,
        "/patients/new",
        {"firstName": "Ada", "lastName": "Aaberg", "birthDate": "02/03/1990"},
    )
    assert answer.status_code == 303  # type: ignore[attr-defined]
    answer = await _post(
        portal,
        "/patients/new",
        {"firstName": "Zed", "lastName": "Zzyzx", "birthDate": "01/02/1990"},
    )
    newest = answer.headers["location"]  # type: ignore[attr-defined]
    today = await portal.client.get("/")
    links = re.findall(r'<h3><a href="(/patients/[0-9a-f-]+)">', today.text)
    assert links[0] == newest, links  # registered last, so first: not the first by name
