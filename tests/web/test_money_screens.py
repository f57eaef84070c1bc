"""Money screens over HTTP: receivables and denials, the denials worklist linking to the claim, the
claim's money section and what a patient owes; by role."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from tests.money.conftest import card, submitted
from tests.money.ledger_rows import adj, line, paid_claim, post
from tests.web.conftest import Portal


async def _ledger(portal: Portal, world: Any, today: date) -> dict[str, Any]:
    """A paid claim (wanda, 40 days old, $20.00 left to her) and a denied one (felix)."""
    gateway = portal.gateway
    wanda, felix = await card(gateway, world, "wanda"), await card(gateway, world, "felix")
    paid = await submitted(gateway, world, wanda, today, days_ago=40)
    await post(
        gateway,
        paid.payer_id,
        paid_claim(
            paid,
            "187.00",
            "110.00",
            lines=(
                line(
                    "99213",
                    "145.00",
                    "80.00",
                    adj("CO", "45", "45.00"),
                    adj("PR", "2", "20.00"),
                    allowed="100.00",
                ),
                line("83036", "42.00", "30.00", adj("CO", "45", "12.00"), allowed="30.00"),
            ),
        ),
    )
    denied = await submitted(gateway, world, felix, today, days_ago=3)
    await post(
        gateway,
        denied.payer_id,
        paid_claim(
            denied, "187.00", "0.00", status="4", adjustments=(adj("CO", "16", "187.00", "M76"),)
        ),
        paid_on=today - timedelta(days=1),
    )
    return {"paid": paid, "denied": denied}


async def test_money_shows_receivables_by_payer_and_age_and_denials(
    portal: Portal, world: Any, today: date
) -> None:
    found = await _ledger(portal, world, today)
    await portal.login("biller")
    page = await portal.client.get("/money")
    assert page.status_code == 200, page.text
    text = page.text
    assert 'href="/money"' in text and 'href="/denials"' in text  # in the menu
    assert "Open balances by payer and age" in text
    assert '<th scope="row">Patients</th><td>1</td><td>$0.00</td><td>$20.00</td>' in text
    # The denied claim is settled (its CO denial is in Denials): only wanda's $20.00 is open.
    assert "Total open: <strong>$20.00</strong>" in text
    assert "Claim/service lacks information or has submission/billing error(s)." in text
    assert "(reason 16)" in text and "$187.00" in text
    # As of a date before the paid claim was sent, it owed nothing yet.
    earlier = (today - timedelta(days=41)).strftime("%m/%d/%Y")
    before = await portal.client.get("/money", params={"asof": earlier})
    assert "Total open: <strong>$0.00</strong>" in before.text
    bad = await portal.client.get("/money", params={"from": "31/31/2026"})
    assert bad.status_code == 200 and "Write the date as MM/DD/YYYY" in bad.text
    assert found["denied"].control_number not in text  # the overview has no claim numbers


async def test_denials_worklist_links_each_claim_with_its_next_step(
    portal: Portal, world: Any, today: date
) -> None:
    found = await _ledger(portal, world, today)
    await portal.login("biller")
    page = await portal.client.get("/denials")
    assert page.status_code == 200, page.text
    denied = found["denied"]
    assert f'href="/claims/{denied.id}"' in page.text
    assert found["paid"].control_number not in page.text
    assert "Correct and resubmit" in page.text
    assert "Remark M76" in page.text
    felix = world.people["felix"]
    assert f"{felix.last_name}, {felix.first_name}" in page.text  # a biller sees names
    claim = await portal.client.get(f"/claims/{denied.id}")
    assert claim.status_code == 200
    assert "<h2>Money</h2>" in claim.text and "Still open" in claim.text
    paid = await portal.client.get(f"/claims/{found['paid'].id}")
    assert "<dt>Allowed</dt><dd>$130.00</dd>" in paid.text
    assert "<dt>Still open</dt><dd><strong>$20.00</strong></dd>" in paid.text
    assert "Coinsurance Amount" in paid.text
    patient = await portal.client.get(f"/patients/{found['paid'].patient_id}")
    assert "The patient owes <strong>$20.00</strong>" in patient.text


async def test_roles_see_money_as_the_api_allows(portal: Portal, world: Any, today: date) -> None:
    found = await _ledger(portal, world, today)
    await portal.login("analyst")
    worklist = await portal.client.get("/denials")
    assert worklist.status_code == 200
    felix = world.people["felix"]
    assert felix.last_name not in worklist.text and "Patient " in worklist.text  # a key only
    assert "Correct and resubmit" in worklist.text
    await portal.client.post("/logout", data={"csrf_token": await portal.csrf("/")})
    portal.client.cookies.clear()
    await portal.login("front_desk")
    for path in ("/money", "/denials"):
        page = await portal.client.get(path)
        assert page.status_code == 403 and "You cannot see the practice" in page.text
    claim = await portal.client.get(f"/claims/{found['denied'].id}")
    assert "<h2>Money</h2>" not in claim.text
    nav = claim.text.split("<main")[0]
    assert 'href="/money"' not in nav and 'href="/denials"' not in nav


def test_claim_page_shows_each_payments_adjustments_in_words() -> None:
    """The payments table of the claim page (fed by ``ClaimPayments``) lists the claim's and the
    lines' CAS adjustments in words under each payment."""
    from gateway.web import claim_words
    from gateway.web.screens.payments import GROUP_WORDS
    from gateway.web.templating import environment, render

    def adjustment(group: str, reason: str, amount: str, words: str) -> dict[str, Any]:
        return {
            "group": {"code": group, "description": group},
            "reason": {"code": reason, "description": words},
            "remarks": [{"code": "N519", "description": "Invalid combination of HCPCS modifiers."}],
            "amount": amount,
            "explanation": words,
        }

    claim = {
        "id": "c1",
        "controlNumber": "CTRL1",
        "patientId": "p1",
        "payer": {"name": "Cascade"},
        "serviceDateFrom": "2026-11-20",
        "serviceDateTo": "2026-11-20",
        "placeOfService": {"code": "11", "description": "Office"},
        "totalCharge": "187.00",
        "payerClaimId": None,
        "patientControlNumber": None,
        "diagnoses": [],
        "lines": [],
        "state": "PAID",
        "category": None,
        "delivery": None,
        "statusHistory": [],
    }
    settled = {
        "controlNumber": "CTRL1",
        "paid": "100.00",
        "patientResponsibility": "0.00",
        "status": {"code": "1", "description": "Processed as primary"},
        "remarks": [
            {"code": "MA130", "description": "Your claim contains incomplete information."}
        ],
        "adjustments": [adjustment("CO", "45", "45.00", "Charge exceeds fee schedule.")],
        "lines": [
            {"procedure": {"code": "99213"}, "paid": "100.00", "adjustments": []},
            {
                "procedure": {"code": "83036"},
                "paid": "0.00",
                "adjustments": [adjustment("CO", "4", "42.00", "Modifier missing.")],
            },
        ],
    }
    payment = {
        "paymentDate": "2026-12-01",
        "method": {"description": "ACH"},
        "traceNumber": "T1",
        "claims": [settled],
    }
    html = render(
        environment("America/New_York"),
        "claim.html",
        {
            "claim": claim,
            "patient": None,
            "payments": [payment],
            "financials": None,
            "scopes": {"payments:read"},
            "group_words": GROUP_WORDS,
            "words": claim_words,
            "sent": "",
            "poll_seconds": 5,
            "csrf_token": "t",
            "signed_in": True,
            "viewer": None,
            "nav": [],
            "current": "",
            "payers_down": [],
        },
    )
    assert "Charge exceeds fee schedule." in html and "Modifier missing." in html
    assert "Contractual obligation</strong> $42.00" in html
    assert "Remark MA130: Your claim contains incomplete information." in html


async def test_claim_actions_send_to_the_secondary_and_void_after_confirming(
    portal: Portal, world: Any, today: date
) -> None:
    gateway = portal.gateway
    claim = await submitted(gateway, world, await card(gateway, world, "wanda", 1), today)
    await post(
        gateway,
        claim.payer_id,
        paid_claim(
            claim,
            "187.00",
            "110.00",
            lines=(
                line(
                    "99213",
                    "145.00",
                    "80.00",
                    adj("CO", "45", "45.00"),
                    adj("PR", "2", "20.00"),
                    allowed="100.00",
                ),
                line("83036", "42.00", "30.00", adj("CO", "45", "12.00"), allowed="30.00"),
            ),
        ),
    )
    await portal.login("biller")
    page = await portal.client.get(f"/claims/{claim.id}")
    assert f'href="/claims/{claim.id}/secondary"' in page.text, page.text
    confirm = await portal.client.get(f"/claims/{claim.id}/secondary")
    assert confirm.status_code == 200 and "Send to the secondary payer" in confirm.text
    key = re.search(r'name="idempotencyKey" value="([^"]+)"', confirm.text)
    assert key
    form = {
        "csrf_token": await portal.csrf(f"/claims/{claim.id}/secondary"),
        "idempotencyKey": key.group(1),
    }
    sent = await portal.client.post(f"/claims/{claim.id}/secondary", data=form)
    assert sent.status_code == 303, sent.text
    again = await portal.client.post(f"/claims/{claim.id}/secondary", data=form)
    assert again.headers["location"].split("?")[0] == sent.headers["location"].split("?")[0]
    assert again.headers["location"].endswith("sent=again")  # one claim for a resent form
    void = await portal.client.get(f"/claims/{claim.id}/void")
    # Never acknowledged with the payer's claim number: nothing to void, and the page says so.
    assert "nothing at the payer to void" in void.text
    assert 'name="idempotencyKey"' not in void.text
    refused = await portal.client.post(
        f"/claims/{claim.id}/void", data={**form, "idempotencyKey": "a-fresh-key-1234"}
    )
    assert refused.status_code == 400  # and if posted anyway, the API's reason is shown
    assert "nothing at the payer to correct or void" in refused.text
    nothing = await portal.client.get(f"/claims/{claim.id}/refund")
    assert nothing.status_code == 404


async def test_correcting_a_claim_sends_a_replacement_once(
    portal: Portal, world: Any, today: date
) -> None:
    from sqlalchemy import update

    from gateway.storage.claims_tables import SubmittedClaim

    gateway = portal.gateway
    claim = await submitted(gateway, world, await card(gateway, world, "felix"), today)
    async with gateway.services.database.transaction() as session:  # as the payer's acknowledgment
        await session.execute(
            update(SubmittedClaim)
            .where(SubmittedClaim.id == claim.id)
            .values(payer_claim_id="PCN-777", state="acknowledged")
        )
    await portal.login("biller")
    page = await portal.client.get(f"/claims/{claim.id}")
    assert f'href="/claims/{claim.id}/correct"' in page.text
    form_page = await portal.client.get(f"/claims/{claim.id}/correct")
    assert form_page.status_code == 200 and 'value="E11.9, Z79.84"' in form_page.text
    key = re.search(r'name="key" value="([^"]+)"', form_page.text)
    assert key
    form = {
        "csrf_token": await portal.csrf(f"/claims/{claim.id}/correct"),
        "key": key.group(1),
        "diagnoses": "E11.9, Z79.84",
        "placeOfService": "11",
        "line1_procedure": "99213",
        "line1_modifiers": "25",
        "line1_units": "1",
        "line1_charge": "145.00",
        "line2_procedure": "83036",
        "line2_modifiers": "",
        "line2_units": "1",
        "line2_charge": "40.00",
    }
    bad = await portal.client.post(
        f"/claims/{claim.id}/correct", data={**form, "key": "k-bad-0001", "diagnoses": "NOTACODE"}
    )
    assert bad.status_code == 400, bad.status_code
    assert "error-summary" in bad.text, re.findall(r"<main.*", bad.text, re.S)[0][:1500]
    sent = await portal.client.post(f"/claims/{claim.id}/correct", data=form)
    assert sent.status_code == 303, sent.text
    again = await portal.client.post(f"/claims/{claim.id}/correct", data=form)
    assert again.headers["location"] == sent.headers["location"].replace("sent=new", "sent=again")
    replacement = await portal.client.get(sent.headers["location"])
    assert "Claim sent." in replacement.text
