"""The Patient screen over HTTP: the record by role, benefits in words, a payer not answering, and the
forms (new patient, add / correct / end a card) with their errors at the fields and duplicates offered."""

from __future__ import annotations

import re
from typing import Any

from tests.web.conftest import Portal


def _two_payer_person(portal: Portal, world: Any) -> str:
    running = portal.gateway.sandbox_apps
    return next(
        key
        for key in world.people
        if len({m.payer_key for m in world.coverages_of(key) if m.payer_key in running}) >= 2
    )


async def _post(portal: Portal, path: str, data: dict[str, str]) -> Any:
    token = await portal.csrf(path)
    return await portal.client.post(path, data={**data, "csrf_token": token})


async def _register(portal: Portal, **fields: str) -> str:
    answer = await _post(portal, "/patients/new", fields)
    assert answer.status_code == 303, answer.text
    found = re.fullmatch(r"/patients/([0-9a-f-]+)", answer.headers["location"])
    assert found, answer.headers["location"]
    return found.group(1)


async def test_the_record_shows_each_cards_benefits_in_words_and_links_by_role(
    portal: Portal, world: Any
) -> None:
    person = _two_payer_person(portal, world)
    patient_id = portal.gateway.patient_ids[person]
    await portal.login("biller")
    today = await portal.client.get("/")
    # Today lists the practice's most recent patients (a page of them) and links each record.
    assert re.search(r'href="/patients/[0-9a-f-]{36}"', today.text)
    assert 'href="/patients/new"' in today.text
    page = await portal.client.get(f"/patients/{patient_id}")
    assert page.status_code == 200, page.text
    assert world.people[person].last_name in page.text
    assert page.text.count('class="benefits"') >= 2
    assert re.search(r"Office visit: \$\d+\.\d\d( or \$\d+\.\d\d)? copay in network", page.text)
    assert re.search(r"Deductible: \$[\d,]+\.\d\d of \$[\d,]+\.\d\d left", page.text)
    assert re.search(r"\d+% coinsurance after the deductible", page.text)
    assert "Out-of-pocket maximum:" in page.text
    assert f'href="/claims/new?patient={patient_id}"' in page.text
    assert "<h2>Payments</h2>" in page.text and re.search(r"\$[\d,]+\.\d\d</td>", page.text)
    assert "/cards/new" in page.text  # the biller may change cards

    portal.client.cookies.clear()
    await portal.login("analyst")  # no phi:read, no patients:write, no claims:write
    pseudonymous = await portal.client.get(f"/patients/{patient_id}")
    assert pseudonymous.status_code == 200
    assert world.people[person].last_name not in pseudonymous.text
    assert "Member ID" not in pseudonymous.text and "Born" not in pseudonymous.text
    assert "/cards/" not in pseudonymous.text and "/claims/new" not in pseudonymous.text
    refused = await portal.client.get(f"/patients/{patient_id}/cards/new")
    assert refused.status_code == 403 and "You cannot change patients" in refused.text


async def test_a_front_desk_may_start_a_claim_but_sees_no_payments(portal: Portal) -> None:
    await portal.login("front_desk")
    patient_id = next(iter(portal.gateway.patient_ids.values()))
    page = await portal.client.get(f"/patients/{patient_id}")
    assert "/claims/new?patient=" in page.text  # front desk holds claims:write
    assert "<h2>Payments</h2>" not in page.text  # but not payments:read


async def test_a_payer_that_fails_says_it_is_not_answering_and_when_it_last_did(
    portal: Portal, world: Any
) -> None:
    gateway = portal.gateway
    person = _two_payer_person(portal, world)
    patient_id = gateway.patient_ids[person]
    await portal.login("biller")
    first = await portal.client.get(f"/patients/{patient_id}")  # every payer answers once
    assert first.text.count('class="benefits"') >= 2
    broken = next(
        m.payer_key for m in world.coverages_of(person) if m.payer_key in gateway.sandbox_apps
    )
    name = gateway.services.payers.get(broken).settings.name  # type: ignore[union-attr]
    await gateway.faults(broken, error_rate=1.0)
    try:
        cached = await portal.client.get(f"/patients/{patient_id}")  # the cache still answers
        assert cached.text.count('class="benefits"') >= 2
        page = await portal.client.get(f"/patients/{patient_id}?fresh=1")  # "Check again"
        text = re.sub(r"\s+", " ", page.text)
        wording = rf"{re.escape(name)} is not answering; last good answer at \d{{1,2}}:\d\d [AP]M"
        assert page.status_code == 200 and re.search(wording, text), text
        assert "What you see is its last answer" in text  # the gateway's last answer, marked
        # A card the payer never answered for: nothing to show but who is not answering, and since when.
        new = await _register(
            portal,
            firstName="Una",
            lastName="Asked",
            birthDate="01/02/1990",
            payerId=broken,
            memberId="NEVERASKED02",
            priority="1",
        )
        down = re.sub(r"\s+", " ", (await portal.client.get(f"/patients/{new}")).text)
        assert 'class="badge badge-down"' in down and re.search(wording, down), down
    finally:
        await gateway.faults(broken, error_rate=0.0)


async def test_register_a_patient_with_a_card_and_see_errors_at_their_fields(
    portal: Portal, world: Any
) -> None:
    await portal.login("front_desk")
    form = await portal.client.get("/patients/new")
    assert form.status_code == 200 and 'name="memberId"' in form.text
    bad = await _post(
        portal,
        "/patients/new",
        {"firstName": "Ida", "lastName": "", "birthDate": "1980-02-30", "memberId": "X1"},
    )
    assert bad.status_code == 400
    assert re.search(r'id="birthDate-error">Write the date as MM/DD/YYYY', bad.text)
    assert 'id="payerId-error"' in bad.text and 'value="Ida"' in bad.text
    missing_name = await _post(
        portal, "/patients/new", {"firstName": "Ida", "lastName": "", "birthDate": "02/03/1980"}
    )
    assert missing_name.status_code == 400 and 'id="lastName-error"' in missing_name.text
    assert 'aria-invalid="true"' in missing_name.text
    payer = next(iter(portal.gateway.sandbox_apps))
    patient_id = await _register(
        portal,
        firstName="Ida",
        lastName="Quill",
        birthDate="02/03/1980",
        payerId=payer,
        memberId="QUILL0001",
        priority="1",
    )
    page = await portal.client.get(f"/patients/{patient_id}")
    assert "Quill, Ida" in page.text and "<dt>Born</dt><dd>02/03/1980</dd>" in page.text
    assert "Member ID QUILL0001" in page.text


async def test_a_duplicate_patient_is_offered_as_the_existing_one(
    portal: Portal, world: Any
) -> None:
    await portal.login("front_desk")
    first = await _register(portal, firstName="Noor", lastName="Vance", birthDate="07/04/1990")
    again = await _post(
        portal,
        "/patients/new",
        {"firstName": "Noor", "lastName": "Vance", "birthDate": "07/04/1990"},
    )
    assert again.status_code == 400
    assert (
        f'href="/patients/{first}"' in again.text and "Vance, Noor, born 07/04/1990" in again.text
    )
    assert 'name="allowDuplicate"' in again.text
    other = await _register(
        portal, firstName="Noor", lastName="Vance", birthDate="07/04/1990", allowDuplicate="yes"
    )
    assert other != first


async def test_add_correct_and_end_a_card_with_a_duplicate_card_offered(
    portal: Portal, world: Any
) -> None:
    payers = sorted(portal.gateway.sandbox_apps)
    await portal.login("front_desk")
    patient_id = await _register(
        portal,
        firstName="Rue",
        lastName="Okafor",
        birthDate="11/12/1985",
        payerId=payers[0],
        memberId="OKA111",
        priority="1",
    )
    record = await portal.client.get(f"/patients/{patient_id}")
    card_id = re.search(r'id="card-([0-9a-f-]+)"', record.text).group(1)  # type: ignore[union-attr]

    added = await _post(
        portal,
        f"/patients/{patient_id}/cards/new",
        {
            "payerId": payers[1],
            "memberId": "OKA222",
            "priority": "2",
            "effectiveFrom": "01/01/2026",
        },
    )
    assert added.status_code == 303 and added.headers["location"].startswith(
        f"/patients/{patient_id}#card-"
    )
    duplicate = await _post(
        portal,
        f"/patients/{patient_id}/cards/new",
        {"payerId": payers[0], "memberId": "oka111", "priority": "2"},
    )
    assert duplicate.status_code == 400 and 'id="duplicate"' in duplicate.text
    assert f'href="/patients/{patient_id}/cards/{card_id}"' in duplicate.text
    assert 'id="memberId-error"' in duplicate.text
    no_payer = await _post(portal, f"/patients/{patient_id}/cards/new", {"memberId": "Z9"})
    assert no_payer.status_code == 400 and 'id="payerId-error"' in no_payer.text

    correct_path = f"/patients/{patient_id}/cards/{card_id}"
    form = await portal.client.get(correct_path)
    assert 'value="OKA111"' in form.text and 'name="payerId"' not in form.text
    bad_date = await _post(
        portal, correct_path, {"memberId": "OKA111", "priority": "1", "effectiveFrom": "13/40/2026"}
    )
    assert bad_date.status_code == 400 and 'id="effectiveFrom-error"' in bad_date.text
    fixed = await _post(
        portal, correct_path, {"memberId": "OKA119", "groupNumber": "G-7", "priority": "1"}
    )
    assert fixed.status_code == 303, fixed.text
    record = await portal.client.get(f"/patients/{patient_id}")
    assert "Member ID OKA119" in record.text and "Group G-7" in record.text

    end_path = f"{correct_path}/end"
    assert (await portal.client.get(end_path)).status_code == 200
    bad_end = await _post(portal, end_path, {"endDate": "yesterday"})
    assert bad_end.status_code == 400 and 'id="endDate-error"' in bad_end.text
    ended = await _post(portal, end_path, {"endDate": "01/31/2026"})
    assert ended.status_code == 303, ended.text
    record = await portal.client.get(f"/patients/{patient_id}")
    assert "Ended 01/31/2026" in record.text
    assert f'href="{end_path}"' not in record.text  # an ended card offers no more edits


async def test_unknown_patient_and_card_are_portal_404s(portal: Portal) -> None:
    await portal.login("front_desk")
    zero = "00000000-0000-0000-0000-000000000000"
    for path in (f"/patients/{zero}", f"/patients/{zero}/cards/new", "/patients/not-an-id"):
        page = await portal.client.get(path)
        assert page.status_code == 404 and "Patient not found" in page.text, (path, page.text[:300])
    patient_id = next(iter(portal.gateway.patient_ids.values()))
    card = await portal.client.get(f"/patients/{patient_id}/cards/{zero}")
    assert card.status_code == 404 and "Card not found" in card.text


def test_benefits_read_as_sentences_and_say_what_the_payer_left_out() -> None:
    from gateway.web.benefits import benefit_sentences

    office = [{"code": "98", "description": "Professional (Physician) Visit - Office"}]
    rows = [
        {"kind": "COPAY", "network": "IN_NETWORK", "serviceTypes": office, "amount": "25"},
        {"kind": "COPAY", "network": "OUT_OF_NETWORK", "serviceTypes": office, "amount": "60"},
        # The family deductible and the out-of-network one are not what a front desk quotes.
        {"kind": "DEDUCTIBLE", "network": "IN_NETWORK", "coverageLevel": "FAMILY", "amount": "3000"},
        {"kind": "DEDUCTIBLE", "network": "OUT_OF_NETWORK", "amount": "2000", "remaining": "5"},
        {"kind": "DEDUCTIBLE", "network": "IN_NETWORK", "coverageLevel": "INDIVIDUAL",
         "amount": "1000", "used": "490"},
        {"kind": "COINSURANCE", "network": "IN_NETWORK", "percent": "0.2"},
    ]  # fmt: skip
    assert benefit_sentences(rows) == [
        "Office visit: $25.00 copay in network",
        "Deductible: $510.00 of $1,000.00 left",
        "20% coinsurance after the deductible in network",
        "Out-of-pocket maximum: The payer did not say.",
    ]
    assert benefit_sentences(None) == [
        "Copay: The payer did not say.",
        "Deductible: The payer did not say.",
        "Coinsurance: The payer did not say.",
        "Out-of-pocket maximum: The payer did not say.",
    ]
    only_total = [{"kind": "OUT_OF_POCKET", "network": "UNKNOWN", "amount": "6500"}]
    assert benefit_sentences(only_total)[-1] == (
        "Out-of-pocket maximum: $6,500.00; the payer did not say how much is left."
    )


async def test_a_childs_card_needs_the_card_holder(portal: Portal) -> None:
    payer = sorted(portal.gateway.sandbox_apps)[0]
    await portal.login("front_desk")
    patient_id = await _register(portal, firstName="Tam", lastName="Okafor", birthDate="03/03/2015")
    path = f"/patients/{patient_id}/cards/new"
    card = {"payerId": payer, "memberId": "OKA555", "priority": "1", "relation": "CHILD"}
    missing = await _post(portal, path, card)
    assert missing.status_code == 400
    for name in ("subscriberFirstName", "subscriberLastName", "subscriberBirthDate"):
        assert f'id="{name}-error"' in missing.text, name
    assert 'id="firstName-error"' not in missing.text  # the holder's fields, not the patient's
    holder = {"subscriberFirstName": "Lee", "subscriberLastName": "Okafor"}
    added = await _post(portal, path, {**card, **holder, "subscriberBirthDate": "04/04/1984"})
    assert added.status_code == 303, added.text
    record = await portal.client.get(f"/patients/{patient_id}")
    assert "Card holder: Lee Okafor (parent)" in record.text
    card_id = re.search(r'id="card-([0-9a-f-]+)"', record.text).group(1)  # type: ignore[union-attr]
    form = await portal.client.get(f"/patients/{patient_id}/cards/{card_id}")
    assert 'value="Lee"' in form.text and 'value="04/04/1984"' in form.text


async def test_correct_details_offers_the_patient_it_would_duplicate(portal: Portal) -> None:
    await portal.login("front_desk")
    first = await _register(portal, firstName="Cyd", lastName="Marlow", birthDate="08/08/1988")
    second = await _register(portal, firstName="Cid", lastName="Marlow", birthDate="08/08/1988")
    path = f"/patients/{second}/details"
    form = await portal.client.get(path)
    assert 'value="Cid"' in form.text and 'value="08/08/1988"' in form.text
    bad = await _post(
        portal, path, {"firstName": "Cid", "lastName": "Marlow", "birthDate": "8-8-88"}
    )
    assert bad.status_code == 400 and 'id="birthDate-error"' in bad.text
    same = {"firstName": "Cyd", "lastName": "Marlow", "birthDate": "08/08/1988"}
    clash = await _post(portal, path, same)
    assert clash.status_code == 400 and f'href="/patients/{first}"' in clash.text
    saved = await _post(portal, path, {**same, "phone": "614-555-0199", "allowDuplicate": "yes"})
    assert saved.status_code == 303 and saved.headers["location"] == f"/patients/{second}"
    record = await portal.client.get(f"/patients/{second}")
    assert "Marlow, Cyd" in record.text and "(614) 555-0199" in record.text
