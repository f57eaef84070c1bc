"""Secondary claims sent by themselves after a posting, and the practice administrator's switch."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gateway.ledger.after_posting import after_posting
from gateway.storage.audit_tables import AuditEvent
from gateway.storage.claims_tables import SubmittedClaim
from payers.codesets import lookup
from tests.corrections.flow import dispatched
from tests.corrections.ledger_rows import office_visit_paid, post
from tests.corrections.samples import adjustment
from tests.corrections.test_secondary import _primary_at_payer
from tests.gateway.conftest import Gateway
from tests.gateway.people import staff

SWITCH = "mutation($on: Boolean!) { setAutoSecondaryClaims(enabled: $on) { enabled } }"


async def _followers(gateway: Gateway, claim_id: str) -> list[SubmittedClaim]:
    async with gateway.services.database.session() as session:
        return list(
            await session.scalars(
                select(SubmittedClaim).where(SubmittedClaim.related_claim_id == claim_id)
            )
        )


async def test_a_posted_payment_sends_the_secondary_once_when_the_practice_turned_it_on(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    database, practice = gateway.services.database, gateway.practice_id
    service_day = today - timedelta(days=3)

    before = await _primary_at_payer(gateway, world, today, "felix", "cascade")
    paid = office_visit_paid(before["controlNumber"], before["payerClaimId"], service_day)
    posted = await post(database, practice, "cascade", paid, trace="AUTO-0", paid_on=today)
    await after_posting(gateway.services, practice, posted)
    assert await _followers(gateway, before["id"]) == []  # the switch is off by default

    admin = (await staff(gateway)).admin
    body = await gateway.query(SWITCH, {"on": True}, key=admin.token)
    assert body["data"]["setAutoSecondaryClaims"] == {"enabled": True}

    primary = await _primary_at_payer(gateway, world, today, "wanda", "cascade")
    paid = office_visit_paid(primary["controlNumber"], primary["payerClaimId"], service_day)
    posted = await post(database, practice, "cascade", paid, trace="AUTO-1", paid_on=today)
    await after_posting(gateway.services, practice, posted)
    # The same remittance again (another process, a retry): still one secondary claim.
    again = await post(database, practice, "cascade", paid, trace="AUTO-1", paid_on=today)
    assert not again.created
    await after_posting(gateway.services, practice, again)
    (secondary,) = await _followers(gateway, primary["id"])
    assert (secondary.payer_id, secondary.relation) == ("northwind", "secondary_of")
    assert secondary.submission["responsibility"] == "S"
    assert secondary.submission["priorPayers"][0]["paid"] == "96.80"
    assert await dispatched(gateway) == 1

    # Paid in full, nothing left to the patient: nothing for the next payer to pay.
    settled = await _primary_at_payer(gateway, world, today, "felix", "cascade")
    in_full = replace(
        office_visit_paid(settled["controlNumber"], settled["payerClaimId"], service_day),
        patient_responsibility=Decimal("0.00"),
    )
    in_full = replace(
        in_full,
        lines=tuple(
            replace(line, adjustments=tuple(a for a in line.adjustments if a.group.code != "PR"))
            for line in in_full.lines
        ),
    )
    posted = await post(database, practice, "cascade", in_full, trace="AUTO-2", paid_on=today)
    await after_posting(gateway.services, practice, posted)
    assert await _followers(gateway, settled["id"]) == []

    # Denied: the worklist judges whether the next payer would pay.
    refused = await _primary_at_payer(gateway, world, today, "felix", "cascade")
    denial = replace(
        office_visit_paid(refused["controlNumber"], refused["payerClaimId"], service_day),
        status=lookup("claim-payment-status", "4"),
        paid=Decimal("0.00"),
        patient_responsibility=Decimal("0.00"),
        adjustments=(adjustment("CO", "197", "187.00"),),
        lines=(),
    )
    posted = await post(database, practice, "cascade", denial, trace="AUTO-3", paid_on=today)
    assert [p.financial_state for p in posted.claims] == ["denied"]
    await after_posting(gateway.services, practice, posted)
    assert await _followers(gateway, refused["id"]) == []
    assert await dispatched(gateway) == 0


async def test_only_practice_administrators_switch_it_and_it_is_audited(
    claims_gateway: Gateway,
) -> None:
    gateway, people = claims_gateway, await staff(claims_gateway)
    refused = await gateway.query(SWITCH, {"on": True}, key=people.biller.token)
    assert refused["data"]["setAutoSecondaryClaims"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = await gateway.query(SWITCH, {"on": True}, key=people.admin.token)
    assert allowed["data"]["setAutoSecondaryClaims"] == {"enabled": True}
    async with gateway.services.database.session() as session:
        events = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.kind == "practice.auto_secondary_claims")
            )
        )
    assert [(e.practice_id, e.actor_id, e.detail) for e in events] == [
        (gateway.practice_id, people.admin.id, {"enabled": "true"})
    ]
