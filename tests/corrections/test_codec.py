"""The outbox JSON of a claim keeps its responsibility and earlier payers, to the cent."""

from __future__ import annotations

import json

from gateway.claims.codec import submission_from_json, submission_to_json
from tests.corrections.samples import PRIMARY_CLAIM, SECONDARY_CLAIM


def test_secondary_claim_survives_the_outbox_json() -> None:
    stored = json.loads(json.dumps(submission_to_json(SECONDARY_CLAIM)))
    assert stored["priorPayers"][0]["lines"][0]["adjustments"][0] == {
        "group": "CO",
        "reason": "45",
        "amount": "45.00",
        "quantity": None,
        "remarks": [],
    }
    assert submission_from_json(stored) == SECONDARY_CLAIM


def test_rows_written_before_secondary_claims_read_as_primary_without_earlier_payers() -> None:
    stored = submission_to_json(PRIMARY_CLAIM)
    del stored["responsibility"], stored["priorPayers"]
    read = submission_from_json(stored)
    assert (read.responsibility, read.prior_payers) == ("P", ())
    assert read == PRIMARY_CLAIM
