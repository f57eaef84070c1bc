"""Secondary claims sent by themselves after a posting, and the practice administrator's switch."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gateway.ledger.after_posting import after_posting
from gateway.storage.audit_tables import AuditEvent
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import RemittanceClaim
from tests.corrections.flow import dispatched
from tests.corrections.ledger_rows import office_visit_paid, post
from tests.corrections.test_secondary import _primary_at_payer
from tests.gateway.conftest import Gateway
from tests.gateway.people import staff

SWITCH = "mutation($on: Boolean!) { setAutoSecondaryClaims(enabled: $on) { enabled } }"


@dataclass(frozen=True)
class PostedClaim:
    remittance_claim_id: str
    claim_id: str | None
    financial_state: str | None


@dataclass(frozen=True)
class Posting:
    """What a posting answers, as far as the secondary claims go (PostingResult.claims); not new to
    the ledger, so no claim events (tests/ledger covers those)."""

    claims: list[PostedClaim]
    created: bool = False


async def _posted(gateway: Gateway, claim_id: str, state: str) -> Posting:
    async with gateway.services.database.session() as session:
        row_id = await session.scalar(
            select(RemittanceClaim.id).where(RemittanceClaim.claim_id == claim_id)
        )
    assert row_id is not None
    return Posting([PostedClaim(row_id, claim_id, state)])


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
    database = gateway.services.database
    primary = await _primary_at_payer(gateway, world, today, "wanda", "cascade")
    paid = office_visit_paid(
        primary["controlNumber"], primary["payerClaimId"], today - timedelta(days=3)
    )
    await post(
        database, gateway.practice_id, "cascade", primary["id"], paid, trace="AUTO-1", paid_on=today
    )
    posted = await _posted(gateway, primary["id"], "paid")

    await after_posting(gateway.services, gateway.practice_id, posted)
    assert await _followers(gateway, primary["id"]) == []  # the switch is off by default

    admin = (await staff(gateway)).admin
    body = await gateway.query(SWITCH, {"on": True}, key=admin.token)
    assert body["data"]["setAutoSecondaryClaims"] == {"enabled": True}
    denied = Posting([PostedClaim(posted.claims[0].remittance_claim_id, primary["id"], "denied")])
    await after_posting(gateway.services, gateway.practice_id, denied)
    assert await _followers(gateway, primary["id"]) == []  # a denial is the worklist's to judge
    await after_posting(gateway.services, gateway.practice_id, posted)
    # Posted again (another process, a retry): still one secondary claim.
    await after_posting(gateway.services, gateway.practice_id, posted)
    (secondary,) = await _followers(gateway, primary["id"])
    assert (secondary.payer_id, secondary.relation) == ("northwind", "secondary_of")
    assert secondary.submission["responsibility"] == "S"
    assert secondary.submission["priorPayers"][0]["paid"] == "96.80"
    assert await dispatched(gateway) == 1

    # Paid in full, nothing left to the patient: nothing for the next payer to pay.
    settled = await _primary_at_payer(gateway, world, today, "felix", "cascade")
    in_full = replace(
        office_visit_paid(settled["controlNumber"], settled["payerClaimId"], today),
        patient_responsibility=Decimal("0.00"),
    )
    await post(
        database,
        gateway.practice_id,
        "cascade",
        settled["id"],
        in_full,
        trace="AUTO-2",
        paid_on=today,
    )
    await after_posting(
        gateway.services, gateway.practice_id, await _posted(gateway, settled["id"], "paid")
    )
    assert await _followers(gateway, settled["id"]) == []


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
