"""New claim and Claims over HTTP (no browser): edit errors at their inputs, one claim per form
however often it is posted, a form kept across an expired session, code look-up without script,
and the worklist and claim pages."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from tests.claims.conftest import billed
from tests.gateway.people import PASSWORD
from tests.web.conftest import Portal

KEY = re.compile(r'name="claim_key" value="([^"]+)"')


async def _patient(portal: Portal, world: Any) -> str:
    who = await billed(
        portal.gateway.services.database, portal.gateway.patient_ids, world, "lakeshore"
    )
    return who.patient_id


def _fields(html: str) -> dict[str, str]:
    """The form as the page renders it: text and hidden inputs, the checked card, the selected place."""
    fields = dict(re.findall(r'<input id="[^"]*" name="([^"]+)" type="text" value="([^"]*)"', html))
    fields.update(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    checked = re.search(r'name="coverageId" value="([^"]+)" checked', html)
    if checked:
        fields["coverageId"] = checked.group(1)
    fields["placeOfService"] = "11"
    return fields


def _office_visit(fields: dict[str, str]) -> dict[str, str]:
    """An established-patient visit for type 2 diabetes, typed as a front desk types it."""
    return {
        **fields,
        "diagnoses.0": "E11.9",
        "lines.0.procedureCode": "99213",
        "lines.0.modifiers": "25",
        "lines.0.diagnosisPointers": "1",
        "lines.0.charge": "$145.00",
    }


async def _new_form(portal: Portal, patient_id: str) -> dict[str, str]:
    page = await portal.client.get(f"/claims/new?patient={patient_id}")
    assert page.status_code == 200, page.text
    return _fields(page.text)


async def test_every_edit_error_is_shown_at_its_input_at_once(portal: Portal, world: Any) -> None:
    await portal.login("biller")
    fields = await _new_form(portal, await _patient(portal, world))
    assert fields["billingProvider.npi"] and fields["billingProvider.taxId"]  # the practice bills
    bad = {
        **_office_visit(fields),
        "billingProvider.npi": "1234567890",  # wrong check digit: found by the API
        "diagnoses.1": "E11.9",  # twice: found by the API
        "lines.0.serviceDate": "13/45/2026",  # unreadable: found here
        "lines.0.charge": "lots",  # unreadable: found here
        "action": "send",
    }
    answer = await portal.client.post("/claims/new", data=bad)
    assert answer.status_code == 422
    html = answer.text
    for name, words in (
        ("billingProvider.npi", "check digit"),
        ("diagnoses.1", "twice"),
        ("lines.0.serviceDate", "MM/DD/YYYY"),
        ("lines.0.charge", "in dollars"),
    ):
        error = re.search(rf'<p class="error" id="{re.escape(name)}-error">([^<]+)</p>', html)
        assert (
            error and words in error.group(1).lower()
            if words.islower()
            else words in error.group(1)
        ), (
            name,
            html,
        )
        assert f'href="#{name}"' in html  # listed in the summary, linked to the input
    summary = re.findall(r'<li><a href="#([^"]+)"', html)  # in the order of the form
    assert summary == [
        "billingProvider.npi",
        "diagnoses.1",
        "lines.0.serviceDate",
        "lines.0.charge",
    ]
    listed = await portal.gateway.query("{ claims(first: 5) { edges { node { id } } } }")
    assert listed["data"]["claims"]["edges"] == []  # nothing was sent


async def test_one_form_posted_twice_makes_one_claim_and_says_so(
    portal: Portal, world: Any
) -> None:
    await portal.login("biller")
    form = {
        **_office_visit(await _new_form(portal, await _patient(portal, world))),
        "action": "send",
    }
    first, second = await asyncio.gather(
        portal.client.post("/claims/new", data=form), portal.client.post("/claims/new", data=form)
    )
    again = await portal.client.post("/claims/new", data=form)  # the browser resubmits later
    targets = [r.headers.get("location", "") for r in (first, second, again)]
    assert all(r.status_code == 303 for r in (first, second, again)), re.findall(
        r'<li><a href="[^"]*">([^<]+)', first.text
    )
    ids = {re.sub(r"\?.*", "", t) for t in targets}
    assert len(ids) == 1 and all(t.startswith("/claims/") for t in targets), targets
    assert sum(t.endswith("?sent=new") for t in targets) == 1
    listed = await portal.gateway.query("{ claims(first: 5) { edges { node { id } } } }")
    assert len(listed["data"]["claims"]["edges"]) == 1
    shown = await portal.client.get(targets[2])
    assert "already sent: nothing new was made" in shown.text
    assert "Sent, waiting for the payer" in shown.text and "$145.00" in shown.text


async def test_words_typed_without_script_are_looked_up_and_picked(
    portal: Portal, world: Any
) -> None:
    await portal.login("front_desk")
    fields = await _new_form(portal, await _patient(portal, world))
    looked = await portal.client.post(
        "/claims/new",
        data={
            **fields,
            "diagnoses.0": "type 2 diabetes",
            "placeOfService": "office",
            "action": "find",
        },
    )
    assert 'value="diagnoses.0=E11.9"' in looked.text, looked.text
    assert 'value="placeOfService=11"' in looked.text
    picked = await portal.client.post(
        "/claims/new",
        data={
            **_fields(looked.text),
            "diagnoses.0": "type 2 diabetes",
            "pick": "diagnoses.0=E11.9",
        },
    )
    assert 'name="diagnoses.0" type="text" value="E11.9"' in picked.text
    assert re.search(r'data-picked="diagnoses.0">Type 2 diabetes', picked.text)  # what it means
    assert KEY.search(picked.text).group(1) == fields["claim_key"]  # type: ignore[union-attr]
    more = await portal.client.post(
        "/claims/new", data={**_fields(picked.text), "action": "add_line"}
    )
    assert 'name="lines.1.procedureCode"' in more.text
    suggest = await portal.client.post(
        "/claims/new",
        data={**fields, "lines.0.procedureCode": "office visit established", "action": "suggest"},
        headers={
            "HX-Request": "true",
            "HX-Trigger-Name": "lines.0.procedureCode",
            "X-CSRF-Token": fields["csrf_token"],
        },
    )
    assert "<html" not in suggest.text and 'value="lines.0.procedureCode=99213"' in suggest.text
    typed_code = await portal.client.post(
        "/claims/new",
        data={**fields, "lines.0.procedureCode": "99213", "action": "suggest"},
        headers={
            "HX-Request": "true",
            "HX-Trigger-Name": "lines.0.procedureCode",
            "X-CSRF-Token": fields["csrf_token"],
        },
    )
    assert typed_code.status_code == 200 and "No code found" not in typed_code.text


async def _sign_in_again(portal: Portal, role: str) -> str:
    """The two login steps; where the portal sends the person afterwards."""
    person = portal.staff[role]
    token = await portal.csrf("/login")
    await portal.client.post(
        "/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token}
    )
    token = await portal.csrf("/login/code")
    done = await portal.client.post(
        "/login/code", data={"code": person.code(), "csrf_token": token}
    )
    return str(done.headers["location"])


async def test_a_claim_typed_as_the_session_expired_comes_back_after_login(
    short_idle: Portal, idle_out: Callable[[], None], world: Any
) -> None:
    portal = short_idle
    await portal.login("biller")
    form = {
        **_office_visit(await _new_form(portal, await _patient(portal, world))),
        "action": "send",
    }
    idle_out()
    posted = await portal.client.post("/claims/new", data=form)
    assert posted.status_code == 303 and posted.headers["location"] == "/login?expired=1"
    target = await _sign_in_again(portal, "biller")
    assert re.fullmatch(r"/claims/new\?resume=[A-Za-z0-9_-]+", target), target  # no PHI in it
    back = await portal.client.get(target)
    assert "Your claim is as you left it" in back.text, back.text
    kept = _fields(back.text)
    for name in ("diagnoses.0", "lines.0.procedureCode", "lines.0.charge", "claim_key"):
        assert kept[name] == form[name]
    listed = await portal.gateway.query("{ claims(first: 5) { edges { node { id } } } }")
    assert listed["data"]["claims"]["edges"] == []  # not sent behind the person's back


async def test_the_worklist_filters_by_status_and_its_rows_refresh_alone(
    portal: Portal, world: Any
) -> None:
    await portal.login("biller")
    form = {
        **_office_visit(await _new_form(portal, await _patient(portal, world))),
        "action": "send",
    }
    await portal.client.post("/claims/new", data=form)
    everything = await portal.client.get("/claims")
    assert "Sent, waiting for the payer" in everything.text and "$145.00" in everything.text
    assert "Example, Harriet" in everything.text  # the patient of each claim, by name
    rows = await portal.client.get("/claims?status=SUBMITTED", headers={"HX-Request": "true"})
    assert "<html" not in rows.text and "$145.00" in rows.text
    finished = await portal.client.get("/claims?status=FINALIZED&from=01/01/2020")
    assert "No claim matches these filters" in finished.text
    bad_date = await portal.client.get("/claims?from=2026-13-01")
    assert "Write the date as MM/DD/YYYY" in bad_date.text
    assert (await portal.client.get("/claims/no-such-claim")).status_code == 404
