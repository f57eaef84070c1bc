"""/batches over HTTP: a day's schedule checked from a form (one batch however often it is sent),
the recent batches listed, a batch's progress above its worklist and asked again while it runs;
API refusals shown with their message; other roles and other practices kept out."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from tests.web.batch_day import book_tomorrow, practice_tomorrow
from tests.web.conftest import Portal
from tests.worklist.batches import seed_batch

KEY = re.compile(r'name="key" value="([^"]+)"')


async def _form(portal: Portal) -> tuple[str, str, str]:
    """The start form's CSRF token, idempotency key and the day it proposes."""
    html = (await portal.client.get("/batches")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    key = KEY.search(html)
    day = re.search(r'id="date" name="date" type="date" value="([^"]+)"', html)
    assert token and key and day, html
    return token.group(1), key.group(1), day.group(1)


async def test_the_desk_checks_tomorrow_and_a_double_submit_makes_one_batch(
    portal: Portal,
) -> None:
    tomorrow = await book_tomorrow(portal.gateway)
    await portal.login("front_desk")
    today_page = (await portal.client.get("/")).text
    assert '<a href="/batches">Batches</a>' in today_page
    schedule = (await portal.client.get("/schedule")).text
    assert f'href="/batches?date={tomorrow.isoformat()}">Check tomorrow' in schedule
    empty = (await portal.client.get("/batches")).text
    assert "No batches yet." in empty

    token, key, day = await _form(portal)
    assert day == tomorrow.isoformat()  # tomorrow on the practice's clock
    form = {"csrf_token": token, "key": key, "date": day}
    first = await portal.client.post("/batches", data=form)
    again = await portal.client.post("/batches", data=form)
    assert first.status_code == again.status_code == 303
    batch_id = first.headers["location"].split("?")[0].rsplit("/", 1)[1]
    assert first.headers["location"] == f"/batches/{batch_id}?started=new"
    assert again.headers["location"] == f"/batches/{batch_id}?started=again"
    listed = (await portal.client.get("/batches")).text
    assert listed.count('<a href="/batches/') == 1
    assert (
        f'<a href="/batches/{batch_id}">Schedule of {tomorrow.strftime("%m/%d/%Y")}</a>' in listed
    )
    # The same form sent again for another day is another batch, not a conflict.
    other_day = await portal.client.post(
        "/batches", data={**form, "date": (tomorrow - timedelta(days=1)).isoformat()}
    )
    assert other_day.status_code == 303 and batch_id not in other_day.headers["location"]

    running = (await portal.client.get(f"/batches/{batch_id}?started=new")).text
    assert "The check was started." in running
    assert "Waiting to start" in running
    assert f'hx-get="/batches/{batch_id}" hx-trigger="every 3s"' in running
    fragment = await portal.client.get(f"/batches/{batch_id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert '<div id="batch-live"' in fragment.text and "<html" not in fragment.text

    await portal.gateway.services.batches.runner.run_until_idle()  # type: ignore[union-attr]
    finished = (await portal.client.get(f"/batches/{batch_id}")).text
    assert "Finished" in finished and "hx-get" not in finished.split("<main", 1)[1]
    total = int(re.search(r"<dt>Checks</dt><dd>(\d+)</dd>", finished).group(1))  # type: ignore[union-attr]
    assert total >= 3
    assert f"{total} of {total} insurance checks done" in finished
    assert "<caption>By payer</caption>" in finished
    headings = [h.strip() for h in re.findall(r'<h3 id="kind-[a-z_]+">([^<]+)', finished)]
    assert {"Coverage ended", "Member not found", "Prior authorization needed"} <= set(headings)
    ids = portal.gateway.patient_ids
    for person, name in (("hank", "Nocard, Hank"), ("dario", "Standin, Dario")):
        assert f'<a href="/patients/{ids[person]}">{name}</a>' in finished
    listed = (await portal.client.get("/batches")).text
    assert f"{total} of {total}" in listed and "Finished" in listed


async def test_an_api_refusal_is_shown_with_its_message(portal: Portal) -> None:
    await portal.login("front_desk")
    token, key, _ = await _form(portal)
    empty_day = (await practice_tomorrow(portal.gateway)) + timedelta(days=40)
    refused = await portal.client.post(
        "/batches", data={"csrf_token": token, "key": key, "date": empty_day.isoformat()}
    )
    assert refused.status_code == 400
    assert f"Your practice has no appointments booked on {empty_day.isoformat()}." in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert f'value="{empty_day.isoformat()}"' in refused.text  # the day chosen is kept
    altered = await portal.client.post(
        "/batches", data={"csrf_token": token, "key": "no good!", "date": empty_day.isoformat()}
    )
    assert altered.status_code == 400 and "no appointments booked" in altered.text
    assert "idempotency" not in altered.text.lower()  # a new key, not an error about ours
    no_day = await portal.client.post("/batches", data={"csrf_token": token, "key": key})
    assert no_day.status_code == 400 and "Choose the day" in no_day.text
    unsafe = await portal.client.post("/batches", data={"key": key, "date": empty_day.isoformat()})
    assert unsafe.status_code == 403
    assert "No batches yet." in (await portal.client.get("/batches")).text


async def test_roles_without_batches_see_no_link_and_are_refused(
    portal: Portal, world: Any
) -> None:
    await book_tomorrow(portal.gateway)
    batch_id = await seed_batch(portal.gateway, world)
    for role in ("biller", "analyst"):
        portal.client.cookies.clear()  # the next role signs in afresh
        await portal.login(role)
        home = (await portal.client.get("/payers")).text
        assert 'aria-label="Main"' in home and 'href="/batches"' not in home
        schedule = await portal.client.get("/schedule")
        assert "Check tomorrow" not in schedule.text
        assert (await portal.client.get("/batches")).status_code == 403
        token = await portal.csrf("/payers")
        day = (await practice_tomorrow(portal.gateway)).isoformat()
        posted = await portal.client.post(
            "/batches", data={"csrf_token": token, "key": str(uuid.uuid4()), "date": day}
        )
        assert posted.status_code == 403
        assert "Nocard" not in (await portal.client.get(f"/batches/{batch_id}")).text
    async with portal.gateway.services.database.session() as session:
        from sqlalchemy import func, select

        from gateway.storage.batch_tables import EligibilityBatch

        assert await session.scalar(select(func.count()).select_from(EligibilityBatch)) == 1


async def test_unknown_and_other_practices_batches_are_not_found(
    portal: Portal, world: Any
) -> None:
    theirs = await seed_batch(portal.gateway, world, portal.gateway.other_practice_id)
    ours = await seed_batch(portal.gateway, world)
    await portal.login("front_desk")
    for batch_id in (theirs, str(uuid.uuid4()), "not-an-id"):
        page = await portal.client.get(f"/batches/{batch_id}")
        assert page.status_code == 404, batch_id
        assert "Batch not found" in page.text and "Nocard" not in page.text
    listed = (await portal.client.get("/batches")).text
    assert f"/batches/{ours}" in listed and theirs not in listed
    finished = (await portal.client.get(f"/batches/{ours}")).text
    assert "Finished" in finished and "hx-get" not in finished.split("<main", 1)[1]
