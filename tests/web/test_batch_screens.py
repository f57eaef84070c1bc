"""The batch worklist page over HTTP: grouped by kind with links to patients, "Mark done" and
"Open again", refused without the batch scope, nothing of another practice."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import Portal
from tests.worklist.batches import seed_batch


async def test_the_worklist_grouped_by_kind_and_ticked_off(portal: Portal, world: Any) -> None:
    batch = await seed_batch(portal.gateway, world)
    await portal.login("front_desk")
    page = await portal.client.get(f"/batches/{batch}")
    assert page.status_code == 200, page.text
    html = page.text
    headings = re.findall(r'<h3 id="kind-[a-z_]+">([^<]+)', html)
    assert [h.strip() for h in headings] == [
        "Coverage ended",
        "Member not found",
        "Prior authorization needed",
        "Deductible left",
    ]
    assert "4 to do, 0 done." in html
    hank = portal.gateway.patient_ids["hank"]
    assert f'<a href="/patients/{hank}">Nocard, Hank</a>' in html
    assert "Payer's reason 75: Subscriber/Insured Not Found" in html
    assert "97110 Therapeutic exercise, each 15 minutes" in html
    assert "$820.00 of $1,000.00 deductible left" in html
    item = re.search(
        rf'<tr id="item-([0-9a-f-]+)">\s*<th scope="row"><a href="/patients/{hank}"', html
    )
    assert item, html
    item_id = item.group(1)
    token = await portal.csrf(f"/batches/{batch}")
    done = await portal.client.post(
        f"/batches/{batch}/items/{item_id}", data={"done": "1", "csrf_token": token}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/batches/{batch}?done={item_id}#item-{item_id}"
    after = (await portal.client.get(f"/batches/{batch}")).text
    assert "3 to do, 1 done." in after
    assert f'<tr id="item-{item_id}" class="resolved">' in after
    again = await portal.client.post(
        f"/batches/{batch}/items/{item_id}", data={"done": "0", "csrf_token": token}
    )
    assert again.status_code == 303
    assert "4 to do, 0 done." in (await portal.client.get(f"/batches/{batch}")).text


async def test_without_csrf_nothing_changes(portal: Portal, world: Any) -> None:
    batch = await seed_batch(portal.gateway, world)
    await portal.login("front_desk")
    html = (await portal.client.get(f"/batches/{batch}")).text
    item_id = re.findall(r'<tr id="item-([0-9a-f-]+)"', html)[0]
    refused = await portal.client.post(f"/batches/{batch}/items/{item_id}", data={"done": "1"})
    assert refused.status_code == 403
    assert "0 done." in (await portal.client.get(f"/batches/{batch}")).text


async def test_a_role_without_batches_is_refused(portal: Portal, world: Any) -> None:
    batch = await seed_batch(portal.gateway, world)
    await portal.login("analyst")
    page = await portal.client.get(f"/batches/{batch}")
    assert page.status_code == 403
    assert "Nocard" not in page.text


async def test_another_practice_s_item_is_not_found(portal: Portal, world: Any) -> None:
    ours = await seed_batch(portal.gateway, world)
    theirs = await seed_batch(portal.gateway, world, portal.gateway.other_practice_id)
    await portal.login("front_desk")
    assert "Nocard" not in (await portal.client.get(f"/batches/{theirs}")).text
    html = (await portal.client.get(f"/batches/{ours}")).text
    token = await portal.csrf(f"/batches/{ours}")
    async with portal.gateway.services.database.session() as session:
        from sqlalchemy import select

        from gateway.storage.worklist_tables import WorklistItemRow

        other_item = await session.scalar(
            select(WorklistItemRow.id).where(WorklistItemRow.batch_id == theirs)
        )
    assert other_item and other_item not in html
    tick = await portal.client.post(
        f"/batches/{theirs}/items/{other_item}", data={"done": "1", "csrf_token": token}
    )
    assert tick.status_code == 404
