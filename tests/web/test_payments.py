"""Payments over HTTP: a patient's remittances with adjustments in words and what the patient owes;
roles without payments:read get no menu item and a 403 page."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from gateway.web.formats import money
from tests.web.conftest import Portal


def paid_patient(portal: Portal, world: Any) -> tuple[str, Any]:
    """A demo patient with a payment at a sandbox payer, and that payer's book of payments."""
    gateway = portal.gateway
    for key in world.people:
        for member in world.coverages_of(key):
            if member.payer_key not in gateway.sandbox_apps:
                continue
            paid = world.books[member.payer_key].payments_for(member.member_id)
            if paid and key in gateway.patient_ids:
                return key, member
    raise AssertionError("the sandbox world has no paid patient")


async def test_payments_show_adjustments_in_words_and_what_the_patient_owes(
    portal: Portal, world: Any
) -> None:
    person, _ = paid_patient(portal, world)
    patient_id = portal.gateway.patient_ids[person]
    await portal.login("biller")
    picker = await portal.client.get("/payments")
    assert picker.status_code == 200 and "See payments" in picker.text
    page = await portal.client.get(f"/payments/{patient_id}")
    assert page.status_code == 200, page.text
    owed = Decimal(0)
    for member in world.coverages_of(person):
        if member.payer_key not in portal.gateway.sandbox_apps:
            continue
        for payment in world.books[member.payer_key].payments_for(member.member_id):
            assert payment.trace_number in page.text
            for claim in payment.claims:
                assert money(claim.paid) in page.text
                owed += claim.patient_responsibility or Decimal(0)
    assert f"Patient owes {money(owed)}" in page.text
    assert re.search(r"(Contractual obligation|Patient responsibility)</strong>", page.text)
    assert re.search(r"\(reason \w+", page.text)


async def test_roles_without_payments_get_a_403_page(portal: Portal, world: Any) -> None:
    person, _ = paid_patient(portal, world)
    await portal.login("front_desk")
    for path in ("/payments", f"/payments/{portal.gateway.patient_ids[person]}"):
        page = await portal.client.get(path)
        assert page.status_code == 403 and "You cannot see payments" in page.text
        assert 'href="/payments"' not in page.text.split("<main")[0]


async def test_an_unknown_patient_is_a_404_page(portal: Portal) -> None:
    await portal.login("analyst")
    page = await portal.client.get("/payments/00000000-0000-0000-0000-000000000000")
    assert page.status_code == 404 and "Patient not found" in page.text
