"""A secondary claim's earlier payers, written by each protocol's writer and read back by its sandbox."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from payers.fhir.claims import build_claim
from payers.fhir.intake import read_submission
from payers.fhir.resources import parse_resource
from payers.model import ClaimSubmission
from payers.rest.wire import submission_json
from payers.sandbox.prior_payers_wire import with_fhir_prior_payers
from payers.sandbox.rest_json import BadRequest, parse_submission
from payers.sandbox.x12_claims import read_837p
from payers.x12.envelope import transactions
from payers.x12.outgoing import ControlNumbers, Parties, PayerParty, map_errors
from payers.x12.submission import Address, ClaimBuildError, SubmitterSettings, build_837p
from tests.corrections.samples import PRIMARY, PRIMARY_CLAIM, SECONDARY_CLAIM, adjustment

SUBMITTER = SubmitterSettings(
    "RIVERSIDE FAMILY MEDICINE",
    "CLINIC01",
    "JANE ROE",
    "5551234567",
    "NORTHWIND",
    "PAYER02",
    Address("100 MAIN ST", "SPRINGFIELD", "IL", "62701"),
)
#: More reasons of one group than one CAS holds, with a quantity: split over two segments.
MANY = replace(
    PRIMARY,
    adjustments=(
        *(adjustment("OA", str(code), "1.00") for code in (94, 23, 100, 121, 129, 131, 132)),
        adjustment("CO", "253", "1.97", "2"),
    ),
)


def _837(claim: ClaimSubmission, control: str = "PGW-S-0001") -> str:
    return build_837p(
        claim,
        control,
        payer=PayerParty("77777", "NORTHWIND"),
        submitter=SUBMITTER,
        parties=Parties("CLINIC01", "PAYER02", usage="T"),
        numbers=ControlNumbers.for_claim(control),
        created=datetime(2025, 3, 21, 9, 30),
    )


@pytest.mark.parametrize("prior", [PRIMARY, MANY], ids=["primary", "split-cas"])
def test_x12_secondary_claim_passes_the_map_and_reads_back_equal(prior) -> None:
    claim = replace(SECONDARY_CLAIM, prior_payers=(prior,))
    text = _837(claim)
    assert map_errors(text) == ()
    assert "SBR*S*18*GRP2002" in text and "SBR*P*18" in text
    (transaction,) = transactions(text, "northwind", "837")
    (received,) = read_837p(transaction)
    assert received.submission.responsibility == "S"
    assert received.submission.prior_payers == (prior,)
    # 2330B's REF*F8 is the primary's claim number, not a replacement's original.
    assert received.submission.original_payer_claim_id is None
    assert received.submission.lines == claim.lines


def test_x12_tertiary_claim_carries_both_earlier_payers() -> None:
    secondary = replace(
        PRIMARY,
        payer_id="77777",
        payer_name="NORTHWIND",
        responsibility="S",
        paid=Decimal("20.00"),
        payer_claim_id="NW-1",
        lines=(),
    )
    claim = replace(PRIMARY_CLAIM, responsibility="T", prior_payers=(PRIMARY, secondary))
    (transaction,) = transactions(_837(claim), "third", "837")
    (received,) = read_837p(transaction)
    assert received.submission.prior_payers == (PRIMARY, secondary)
    assert received.submission.responsibility == "T"


def test_x12_primary_claim_reads_back_as_primary_without_earlier_payers() -> None:
    (transaction,) = transactions(_837(PRIMARY_CLAIM), "northwind", "837")
    (received,) = read_837p(transaction)
    assert (received.submission.responsibility, received.submission.prior_payers) == ("P", ())


def test_x12_refuses_what_the_loops_cannot_hold() -> None:
    with pytest.raises(ClaimBuildError, match="cannot go to the primary"):
        _837(replace(SECONDARY_CLAIM, responsibility="P"))
    stray = replace(PRIMARY, lines=(replace(PRIMARY.lines[0], line_number=9),))
    with pytest.raises(ClaimBuildError, match="line 9 is not on the claim"):
        _837(replace(SECONDARY_CLAIM, prior_payers=(stray,)))


def _fhir(claim: ClaimSubmission) -> ClaimSubmission:
    resource = build_claim(
        claim, "PGW-S-0002", insurer={"display": "Northwind"}, created=date(2025, 3, 21)
    )
    body = json.dumps(resource, default=str)  # as it goes over the wire
    parsed = parse_resource(body, ("Claim",))
    assert parsed.strict
    _, submission = read_submission(parsed)
    return with_fhir_prior_payers(parsed.resource, submission)


def test_fhir_secondary_claim_reads_back_equal() -> None:
    resource = build_claim(
        SECONDARY_CLAIM, "PGW-S-0002", insurer={"display": "Northwind"}, created=date(2025, 3, 21)
    )
    focal = [(i["sequence"], i["focal"]) for i in resource["insurance"]]
    assert focal == [(1, False), (2, True)]
    read = _fhir(SECONDARY_CLAIM)
    assert read.responsibility == "S"
    assert read.prior_payers == (PRIMARY,)


def test_fhir_primary_claim_is_sequence_one_focal_and_reads_back_without_prior_payers() -> None:
    read = _fhir(PRIMARY_CLAIM)
    assert (read.responsibility, read.prior_payers) == ("P", ())


def test_rest_secondary_claim_reads_back_equal_with_amounts_as_strings() -> None:
    body = json.loads(json.dumps(submission_json(SECONDARY_CLAIM, "PGW-S-0003")))
    assert body["priorPayers"][0]["paid"] == "98.40"
    control, read = parse_submission(body)
    assert control == "PGW-S-0003"
    assert read == SECONDARY_CLAIM


def test_rest_amount_as_a_number_is_a_bad_request() -> None:
    body = json.loads(json.dumps(submission_json(SECONDARY_CLAIM, "PGW-S-0004")))
    body["priorPayers"][0]["paid"] = 98.4
    with pytest.raises(BadRequest, match="priorPayers: amounts must be decimal strings"):
        parse_submission(body)
    del body["priorPayers"][0]["memberId"]
    with pytest.raises(BadRequest, match="memberId is required"):
        parse_submission(body)
