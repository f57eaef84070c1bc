"""sendSecondaryClaim: the primary's posted adjudication sent on to the next payer, per protocol."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from gateway.storage.tables import Coverage
from payers.codesets import lookup
from payers.fhir.intake import read_submission
from payers.fhir.resources import parse_resource
from payers.model import ClaimSubmission, PriorLineAdjudication, PriorPayerAdjudication
from payers.sandbox.prior_payers_wire import with_fhir_prior_payers
from payers.sandbox.rest_json import parse_submission
from payers.sandbox.x12_claims import read_837p
from payers.x12.envelope import transactions
from tests.claims.conftest import SUBMIT, Billed, as_input, new_key, office_visit
from tests.corrections.flow import SECONDARY, VOID, act, dispatched, history, sent_request
from tests.corrections.ledger_rows import office_visit_paid, post
from tests.corrections.samples import adjustment
from tests.gateway.conftest import Gateway

#: person -> (primary payer, secondary payer, the secondary's protocol)
CHAINS = {
    "felix": ("cascade", "lakeshore", "rest"),
    "wanda": ("cascade", "northwind", "fhir"),
    "theo": ("northwind", "summit", "x12"),
}


async def _card(gateway: Gateway, person: str, payer_id: str) -> Billed:
    patient_id = gateway.patient_ids[person]
    async with gateway.services.database.session() as session:
        coverage = await session.scalar(
            select(Coverage).where(Coverage.patient_id == patient_id, Coverage.payer_id == payer_id)
        )
    assert coverage is not None
    return Billed(patient_id, coverage.id, payer_id, coverage.member_id, person)


async def _primary_at_payer(
    gateway: Gateway, world: Any, today: Any, person: str, payer_id: str
) -> dict[str, Any]:
    card = await _card(gateway, person, payer_id)
    body = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, card, today)), "key": new_key()}
    )
    claim = body["data"]["submitClaim"]["claim"]
    assert claim is not None, body
    assert await dispatched(gateway) == 1
    return {**(await history(gateway, claim["id"])), "controlNumber": claim["controlNumber"]}


def _read_back(protocol: str, request: str) -> ClaimSubmission:
    """The claim as the secondary's sandbox decodes it."""
    if protocol == "x12":
        (transaction,) = transactions(request, "summit", "837")
        (received,) = read_837p(transaction)
        return received.submission
    if protocol == "fhir":
        parsed = parse_resource(request, ("Claim",))
        return with_fhir_prior_payers(parsed.resource, read_submission(parsed)[1])
    return parse_submission(json.loads(request))[1]


@pytest.mark.parametrize("person", sorted(CHAINS))
async def test_secondary_claim_carries_the_primarys_posted_adjudication(
    claims_gateway: Gateway, world: Any, today: Any, person: str
) -> None:
    gateway = claims_gateway
    primary_payer, secondary_payer, protocol = CHAINS[person]
    primary = await _primary_at_payer(gateway, world, today, person, primary_payer)
    early = await act(gateway, SECONDARY, claimId=primary["id"], idempotencyKey=new_key())
    assert [e["code"] for e in early["errors"]] == ["PRIMARY_NOT_ADJUDICATED"]

    paid_on, service_day = today - timedelta(days=1), today - timedelta(days=3)
    paid = office_visit_paid(primary["controlNumber"], primary["payerClaimId"], service_day)
    await post(
        gateway.services.database,
        gateway.practice_id,
        primary_payer,
        primary["id"],
        paid,
        trace=f"TRC-{person}",
        paid_on=paid_on,
    )
    key = new_key()
    payload = await act(gateway, SECONDARY, claimId=primary["id"], idempotencyKey=key)
    assert payload["errors"] == []
    secondary = payload["claim"]
    assert secondary["payer"] == {"id": secondary_payer}
    assert (secondary["relation"], secondary["relatedClaimId"]) == ("SECONDARY_OF", primary["id"])
    assert (secondary["frequencyCode"], secondary["totalCharge"]) == ("1", "187.00")
    assert await dispatched(gateway) == 1
    stats = (await gateway.sandbox(secondary_payer).get("/_control/stats")).json()
    assert stats["claims_received"] == {secondary["controlNumber"]: 1}

    sent = _read_back(protocol, sent_request(await history(gateway, secondary["id"])))
    primary_card = await _card(gateway, person, primary_payer)
    configured = gateway.services.payers.get(primary_payer)
    assert configured is not None
    assert sent.responsibility == "S"
    expected = (
        PriorPayerAdjudication(
            payer_id=primary_payer,
            payer_name=configured.settings.name,
            member_id=primary_card.member_id.upper(),
            responsibility="P",
            paid=Decimal("96.80"),
            adjudication_date=paid_on,
            payer_claim_id=primary["payerClaimId"],
            patient_responsibility=Decimal("30.00"),
            adjustments=(adjustment("OA", "94", "0.00"),),
            lines=(
                PriorLineAdjudication(
                    1,
                    lookup("procedure", "99213"),
                    Decimal("80.00"),
                    Decimal(1),
                    ("25",),
                    (adjustment("CO", "45", "40.00"), adjustment("PR", "3", "25.00")),
                    paid_on,
                ),
                PriorLineAdjudication(
                    2,
                    lookup("procedure", "83036"),
                    Decimal("16.80"),
                    Decimal(1),
                    (),
                    (adjustment("CO", "45", "20.20"), adjustment("PR", "2", "5.00")),
                    paid_on,
                ),
            ),
        ),
    )
    assert sent.prior_payers == expected
    notes = (await history(gateway, primary["id"]))["statusHistory"]
    assert notes[-1]["source"] == "secondary" and secondary["controlNumber"] in notes[-1]["message"]

    again = await act(gateway, SECONDARY, claimId=primary["id"], idempotencyKey=key)
    assert again["replayed"] is True and again["claim"]["id"] == secondary["id"]
    assert await dispatched(gateway) == 0
    twice = await act(gateway, SECONDARY, claimId=primary["id"], idempotencyKey=new_key())
    assert [e["code"] for e in twice["errors"]] == ["SECONDARY_ALREADY_SENT"]
    # The secondary's own secondary: the patient has no third coverage.
    third = await act(gateway, SECONDARY, claimId=secondary["id"], idempotencyKey=new_key())
    assert [e["code"] for e in third["errors"]] == ["NO_SECONDARY_COVERAGE"]

    # Voiding the secondary claim tells its payer again whose adjudication it coordinated.
    void = await act(gateway, VOID, claimId=secondary["id"], idempotencyKey=new_key())
    assert void["errors"] == [] and void["claim"]["payer"] == {"id": secondary_payer}
    assert await dispatched(gateway) == 1
    voided = _read_back(protocol, sent_request(await history(gateway, void["claim"]["id"])))
    assert (voided.frequency_code, voided.responsibility) == ("8", "S")
    assert voided.prior_payers == expected


async def test_forwarded_reversed_and_uncovered_claims_are_refused(
    claims_gateway: Gateway, world: Any, today: Any
) -> None:
    gateway = claims_gateway
    database, practice = gateway.services.database, gateway.practice_id
    paid_on, service_day = today - timedelta(days=1), today - timedelta(days=3)

    crossover = await _primary_at_payer(gateway, world, today, "harriet", "lakeshore")
    forwarded = office_visit_paid(
        crossover["controlNumber"], crossover["payerClaimId"], service_day, status="19"
    )
    await post(
        database, practice, "lakeshore", crossover["id"], forwarded, trace="TRC-19", paid_on=paid_on
    )
    refused = await act(gateway, SECONDARY, claimId=crossover["id"], idempotencyKey=new_key())
    assert [e["code"] for e in refused["errors"]] == ["PRIMARY_FORWARDED"]

    taken_back = await _primary_at_payer(gateway, world, today, "wanda", "cascade")
    paid = office_visit_paid(taken_back["controlNumber"], taken_back["payerClaimId"], service_day)
    await post(
        database, practice, "cascade", taken_back["id"], paid, trace="TRC-1", paid_on=paid_on
    )
    reversal = office_visit_paid(
        taken_back["controlNumber"], taken_back["payerClaimId"], service_day, status="22"
    )
    await post(
        database, practice, "cascade", taken_back["id"], reversal, trace="TRC-22", paid_on=today
    )
    refused = await act(gateway, SECONDARY, claimId=taken_back["id"], idempotencyKey=new_key())
    assert [e["code"] for e in refused["errors"]] == ["PRIMARY_NOT_ADJUDICATED"]

    # Theo's second card is the summit one; bill it as if it were his only one (priority 2 of 2).
    alone = await _primary_at_payer(gateway, world, today, "theo", "summit")
    await post(
        database,
        practice,
        "summit",
        alone["id"],
        office_visit_paid(alone["controlNumber"], alone["payerClaimId"], service_day),
        trace="TRC-S",
        paid_on=paid_on,
    )
    refused = await act(gateway, SECONDARY, claimId=alone["id"], idempotencyKey=new_key())
    assert [e["code"] for e in refused["errors"]] == ["NO_SECONDARY_COVERAGE"]
    assert await dispatched(gateway) == 0
