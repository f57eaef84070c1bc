"""correctClaim and voidClaim over the real sandbox payers (REST, FHIR, X12), through the desk's path."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.tables import Coverage
from tests.claims.conftest import SUBMIT, Billed, as_input, new_key, office_visit
from tests.corrections.flow import (
    CORRECT,
    SECONDARY,
    VOID,
    act,
    at_payer,
    dispatched,
    history,
    sent_request,
    submitted,
)
from tests.gateway.conftest import Gateway

#: One sandbox payer per protocol.
PROTOCOLS = {"cascade": "rest", "northwind": "fhir", "summit": "x12"}


def _frequency_and_original(protocol: str, request: str) -> tuple[str, str | None]:
    """The claim frequency and original payer claim number in what went over the wire."""
    if protocol == "x12":
        clm = next(s for s in request.split("~") if s.strip().startswith("CLM*"))
        ref = next((s for s in request.split("~") if s.strip().startswith("REF*F8*")), None)
        return clm.split("*")[5].split(":")[2], ref.split("*")[2] if ref else None
    body = json.loads(request)
    if protocol == "rest":
        return body["frequencyCode"], body["originalClaimId"]
    (info,) = body["supportingInfo"]
    related = body.get("related") or [{}]
    original = related[0].get("claim", {}).get("identifier", {}).get("value")
    return info["code"]["coding"][0]["code"], original


async def _received(gateway: Gateway, payer_id: str) -> dict[str, int]:
    stats = (await gateway.sandbox(payer_id).get("/_control/stats")).json()
    return stats["claims_received"]  # type: ignore[no-any-return]


@pytest.mark.parametrize("payer_id", sorted(PROTOCOLS))
async def test_correct_then_void_reach_the_payer_once_with_its_claim_number(
    claims_gateway: Gateway, world: Any, today: Any, payer_id: str
) -> None:
    gateway, protocol = claims_gateway, PROTOCOLS[payer_id]
    original = await at_payer(gateway, world, today, payer_id)
    assert original["state"] == "ACKNOWLEDGED" and original["payerClaimId"]
    key = new_key()
    changes = {
        "diagnoses": ["E11.65", "Z79.84"],
        "lines": [
            {
                "procedureCode": "99214",
                "charge": "190.00",
                "serviceDate": (today - timedelta(days=3)).isoformat(),
                "modifiers": ["25"],
                "diagnosisPointers": [1, 2],
            },
        ],
    }
    payload = await act(
        gateway, CORRECT, claimId=original["id"], changes=changes, idempotencyKey=key
    )
    assert payload["errors"] == [] and payload["replayed"] is False
    replacement = payload["claim"]
    assert (replacement["frequencyCode"], replacement["relation"]) == ("7", "REPLACES")
    assert replacement["relatedClaimId"] == original["id"]
    assert replacement["totalCharge"] == "190.00"
    assert [ln["procedure"]["code"] for ln in replacement["lines"]] == ["99214"]
    assert await dispatched(gateway) == 1

    # The same key again: the same claim back, nothing sent twice.
    again = await act(gateway, CORRECT, claimId=original["id"], changes=changes, idempotencyKey=key)
    assert again["replayed"] is True and again["claim"]["id"] == replacement["id"]
    assert await dispatched(gateway) == 0
    received = await _received(gateway, payer_id)
    assert received[replacement["controlNumber"]] == 1

    sent = await history(gateway, replacement["id"])
    assert sent["state"] == "ACKNOWLEDGED"
    assert _frequency_and_original(protocol, sent_request(sent)) == ("7", original["payerClaimId"])
    notes = [h for h in (await history(gateway, original["id"]))["statusHistory"]]
    assert notes[-1]["source"] == "correction" and notes[-1]["state"] == "ACKNOWLEDGED"
    assert replacement["controlNumber"] in notes[-1]["message"]

    # The original is corrected once; the replacement is what is voided.
    twice = await act(
        gateway, CORRECT, claimId=original["id"], changes=changes, idempotencyKey=new_key()
    )
    assert [e["code"] for e in twice["errors"]] == ["CLAIM_ALREADY_CORRECTED"] and twice[
        "claim"
    ] is None
    void = await act(gateway, VOID, claimId=replacement["id"], idempotencyKey=new_key())
    assert void["errors"] == []
    assert (void["claim"]["frequencyCode"], void["claim"]["relation"]) == ("8", "VOIDS")
    assert [ln["charge"] for ln in void["claim"]["lines"]] == ["190.00"]
    assert await dispatched(gateway) == 1
    voided = await history(gateway, void["claim"]["id"])
    assert _frequency_and_original(protocol, sent_request(voided)) == (
        "8",
        (await history(gateway, replacement["id"]))["payerClaimId"],
    )
    for target in (replacement["id"], void["claim"]["id"]):
        refused = await act(gateway, VOID, claimId=target, idempotencyKey=new_key())
        assert [e["code"] for e in refused["errors"]] == ["CLAIM_IS_VOID"]
        assert refused["errors"][0]["field"] == ["input", "claimId"]


async def test_refusals_name_their_cause(claims_gateway: Gateway, world: Any, today: Any) -> None:
    gateway = claims_gateway
    waiting = await submitted(gateway, world, today, "cascade")  # still in the outbox
    refused = await act(gateway, VOID, claimId=waiting["id"], idempotencyKey=new_key())
    assert [e["code"] for e in refused["errors"]] == ["CLAIM_NOT_AT_PAYER"]
    assert await dispatched(gateway) == 1
    empty = await act(gateway, CORRECT, claimId=waiting["id"], changes={}, idempotencyKey=new_key())
    assert [e["code"] for e in empty["errors"]] == ["NO_CHANGES"]
    bad = await act(
        gateway,
        CORRECT,
        claimId=waiting["id"],
        changes={"placeOfService": "XX", "totalCharge": "1.00"},
        idempotencyKey=new_key(),
    )
    fields = {(e["code"], tuple(e["field"])) for e in bad["errors"]}
    assert ("TOTAL_MISMATCH", ("input", "changes", "totalCharge")) in fields
    assert any(f[:3] == ("input", "changes", "placeOfService") for _, f in fields)
    assert bad["claim"] is None
    missing = await act(
        gateway, VOID, claimId="00000000-0000-4000-8000-000000000000", idempotencyKey=new_key()
    )
    assert [e["code"] for e in missing["errors"]] == ["CLAIM_NOT_FOUND"]
    bad_key = await act(gateway, VOID, claimId=waiting["id"], idempotencyKey="short")
    assert [e["code"] for e in bad_key["errors"]] == ["IDEMPOTENCY_KEY_INVALID"]


async def test_two_corrections_at_once_make_one_replacement(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    original = await at_payer(gateway, world, today, "cascade")
    changes = {"diagnoses": ["E11.65", "Z79.84"]}
    answers = await asyncio.gather(
        *(
            act(gateway, CORRECT, claimId=original["id"], changes=changes, idempotencyKey=new_key())
            for _ in range(2)
        )
    )
    codes = sorted(tuple(e["code"] for e in a["errors"]) for a in answers)
    assert codes == [(), ("CLAIM_ALREADY_CORRECTED",)]
    assert await dispatched(gateway) == 1
    notes = (await history(gateway, original["id"]))["statusHistory"]
    assert [h["source"] for h in notes].count("correction") == 1


async def test_another_practices_claim_is_not_found_and_untouched(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    member = next(m for m in world.books["cascade"].members.values() if m.active)
    async with gateway.services.database.session() as session:
        card = await session.scalar(
            select(Coverage).where(
                Coverage.practice_id == gateway.other_practice_id,
                Coverage.member_id == member.member_id,
            )
        )
    assert card is not None
    who = Billed(card.patient_id, card.id, "cascade", card.member_id, member.person.key)
    theirs = await gateway.query(
        SUBMIT,
        {"input": as_input(office_visit(world, who, today)), "key": new_key()},
        key=gateway.other_key,
    )
    their_id = theirs["data"]["submitClaim"]["claim"]["id"]
    assert await dispatched(gateway) == 1
    nowhere = "00000000-0000-4000-8000-000000000000"
    for document, extra in (
        (CORRECT, {"changes": {"diagnoses": ["J06.9"]}}),
        (VOID, {}),
        (SECONDARY, {}),
    ):
        answers = []
        for claim_id in (their_id, nowhere):
            body = await gateway.query(
                document, {"input": {"claimId": claim_id, "idempotencyKey": "isolation", **extra}}
            )
            answers.append(json.dumps(body).replace(claim_id, "<id>"))
        assert answers[0] == answers[1]
        assert "CLAIM_NOT_FOUND" in answers[0]
    assert await dispatched(gateway) == 0
    async with gateway.services.database.session() as session:
        theirs_now = list(
            await session.scalars(
                select(SubmittedClaim).where(
                    SubmittedClaim.practice_id == gateway.other_practice_id
                )
            )
        )
    assert [c.id for c in theirs_now] == [their_id]
