"""Remittances over HTTP: the list and one remittance, an 835 uploaded, the unmatched worklist and
its match form, a paper EOB typed in; roles without payments:write get no forms."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from tests.money.conftest import card, submitted
from tests.web.conftest import Portal

FIXTURES = Path(__file__).parents[1] / "fixtures" / "x12"
SAMPLE_835 = FIXTURES / "835_5010_mult_loops_pyx12.txt"


async def test_upload_an_835_then_match_a_claim_payment_by_hand(
    portal: Portal, world: Any, today: date
) -> None:
    await portal.login("biller")
    token = await portal.csrf("/remittances/upload")
    missing = await portal.client.post("/remittances/upload", data={"csrf_token": token})
    assert missing.status_code == 400
    assert "Choose the payer the 835 is from." in missing.text
    assert "Choose the 835 file to upload." in missing.text
    sent = await portal.client.post(
        "/remittances/upload",
        data={"csrf_token": token, "payerId": "cascade"},
        files={"file": (SAMPLE_835.name, SAMPLE_835.read_bytes(), "text/plain")},
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].startswith("/remittances?posted=")
    listing = await portal.client.get(sent.headers["location"])
    assert "Posted" in listing.text
    first = re.search(r'href="/remittances/([0-9a-f-]{36})"', listing.text)
    assert first, listing.text
    detail = await portal.client.get(f"/remittances/{first.group(1)}")
    assert detail.status_code == 200 and "Claims in this payment" in detail.text
    assert "Not matched" in detail.text
    again = await portal.client.post(
        "/remittances/upload",
        data={"csrf_token": token, "payerId": "cascade"},
        files={"file": (SAMPLE_835.name, SAMPLE_835.read_bytes(), "text/plain")},
    )
    assert again.status_code == 303  # posted once: the same file again changes nothing
    worklist = await portal.client.get("/remittances/unmatched")
    payment = re.search(r'action="/remittances/unmatched/([0-9a-f-]{36})"', worklist.text)
    assert payment, worklist.text
    claim = await submitted(
        portal.gateway, world, await card(portal.gateway, world, "wanda"), today
    )
    refused = await portal.client.post(
        f"/remittances/unmatched/{payment.group(1)}", data={"csrf_token": token, "claim": ""}
    )
    assert refused.status_code == 400 and "Choose the claim this payment is for." in refused.text
    assert claim.payer_id == "cascade"  # wanda's primary: the 835's payer
    matched = await portal.client.post(
        f"/remittances/unmatched/{payment.group(1)}",
        data={"csrf_token": token, "claim": claim.id},
    )
    assert matched.status_code == 303, matched.text
    page = await portal.client.get(f"/claims/{claim.id}")
    assert "<h2>Money</h2>" in page.text and "Not settled yet" not in page.text


async def test_a_paper_eob_is_posted_to_its_claim(portal: Portal, world: Any, today: date) -> None:
    claim = await submitted(
        portal.gateway, world, await card(portal.gateway, world, "felix"), today
    )
    await portal.login("biller")
    token = await portal.csrf("/remittances/enter")
    form = {
        "csrf_token": token,
        "payerId": claim.payer_id,
        "traceNumber": "CHK-1001",
        "paymentDate": today.strftime("%m/%d/%Y"),
        "amount": "110.00",
        "method": "CHK",
        "controlNumber": claim.control_number,
        "status": "1",
        "charge": "187.00",
        "paid": "110.00",
        "line1_code": "99213",
        "line1_charge": "145.00",
        "line1_allowed": "100.00",
        "line1_paid": "80.00",
        "line1_adj1_group": "CO",
        "line1_adj1_reason": "45",
        "line1_adj1_amount": "45.00",
        "line1_adj2_group": "PR",
        "line1_adj2_reason": "2",
        "line1_adj2_amount": "20.00",
        "line2_code": "83036",
        "line2_charge": "42.00",
        "line2_allowed": "30.00",
        "line2_paid": "30.00",
        "line2_adj1_group": "CO",
        "line2_adj1_reason": "45",
        "line2_adj1_amount": "12.00",
    }
    bad = await portal.client.post("/remittances/enter", data={**form, "paymentDate": "31/12/2026"})
    assert bad.status_code == 400 and "MM/DD/YYYY" in bad.text
    assert 'value="CHK-1001"' in bad.text  # what was typed comes back
    posted = await portal.client.post("/remittances/enter", data=form)
    assert posted.status_code == 303, posted.text
    detail = await portal.client.get(posted.headers["location"])
    assert "CHK-1001" in detail.text and "Matched" in detail.text
    page = await portal.client.get(f"/claims/{claim.id}")
    assert "<dt>Allowed</dt><dd>$130.00</dd>" in page.text
    assert "<dt>Still open</dt><dd><strong>$20.00</strong></dd>" in page.text


async def test_an_analyst_reads_remittances_without_forms(portal: Portal) -> None:
    await portal.login("analyst")
    listing = await portal.client.get("/remittances")
    assert listing.status_code == 200 and "Upload an 835" not in listing.text
    for path in ("/remittances/upload", "/remittances/enter"):
        page = await portal.client.get(path)
        assert page.status_code == 403 and "You cannot post remittances" in page.text
