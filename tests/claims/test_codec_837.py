"""The outbox stores a claim as JSON: the 837 details (dependent, drugs, providers, references)
survive the round trip, and rows written before them read as before."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

from gateway.claims.codec import submission_from_json, submission_to_json
from gateway.claims.corrections import draft_of
from gateway.claims.draft import DraftDrug, DraftProvider
from gateway.storage.claims_tables import SubmittedClaim
from payers.model import (
    ClaimProvider,
    Demographics,
    DrugIdentification,
    PostalAddress,
    SubscriberRelation,
)
from tests.x12.test_x12_submission import CLAIM

FULL = replace(
    CLAIM,
    member=replace(CLAIM.member, relation=SubscriberRelation.SPOUSE),
    subscriber=Demographics("Rosa", "Lopez", date(1961, 2, 3), "F"),
    patient_gender="F",
    patient_address=PostalAddress("12 Birch Lane", "Springfield", "IL", "62701"),
    referring_provider=ClaimProvider("1234567893", "DOE", "JOHN"),
    prior_authorization="PA-77120",
    referral_number="RF-3301",
    medical_record_number="MRN-000912",
    lines=(
        replace(
            CLAIM.lines[0],
            drug=DrugIdentification("00026063512", Decimal("10.500"), "ML"),
            ordering_provider=ClaimProvider("1245319599", "WELBY", "MARCUS"),
        ),
        replace(CLAIM.lines[1], referring_provider=ClaimProvider("1245319599", "ROE")),
    ),
)


def test_every_837_detail_survives_the_outbox_json() -> None:
    stored = json.loads(json.dumps(submission_to_json(FULL)))
    assert submission_from_json(stored) == FULL
    assert stored["lines"][0]["drug"] == {"ndc": "00026063512", "quantity": "10.500", "unit": "ML"}
    assert stored["subscriber"]["birthDate"] == "1961-02-03"
    assert stored["priorAuthorization"] == "PA-77120"


def test_an_icd9_claim_keeps_its_code_list() -> None:
    icd9 = replace(CLAIM, diagnoses=("4939",), diagnosis_code_list="icd9cm")
    stored = json.loads(json.dumps(submission_to_json(icd9)))
    assert stored["diagnosisCodeList"] == "icd9cm"
    assert submission_from_json(stored).diagnosis_code_list == "icd9cm"


def test_a_claim_without_details_is_stored_as_before() -> None:
    stored = submission_to_json(CLAIM)
    new_keys = {
        "subscriber",
        "patientAddress",
        "referringProvider",
        "patientGender",
        "priorAuthorization",
        "referralNumber",
        "medicalRecordNumber",
        "diagnosisCodeList",
    }
    assert not new_keys & set(stored)
    assert not {"drug", "orderingProvider", "referringProvider"} & set(stored["lines"][0])
    # A row written before the details existed reads with their defaults.
    old = submission_from_json(stored)
    assert old == CLAIM and old.subscriber is None and old.lines[0].drug is None


def test_a_correction_sends_the_837_details_again() -> None:
    sent = SubmittedClaim(
        patient_id="p1",
        coverage_id="c1",
        submission=submission_to_json(FULL),
        patient_account_number=None,
    )
    draft = draft_of(sent, "7", "SH2533150001")
    assert draft.lines[0].drug == DraftDrug("00026063512", Decimal("10.500"), "ML")
    assert draft.lines[0].ordering_provider == DraftProvider("1245319599", "WELBY", "MARCUS")
    assert draft.lines[1].referring_provider == DraftProvider("1245319599", "ROE", None)
    assert draft.referring_provider == DraftProvider("1234567893", "DOE", "JOHN")
    assert (draft.prior_authorization, draft.referral_number, draft.medical_record_number) == (
        "PA-77120",
        "RF-3301",
        "MRN-000912",
    )
    plain = draft_of(
        SubmittedClaim(
            patient_id="p1",
            coverage_id="c1",
            submission=submission_to_json(CLAIM),
            patient_account_number=None,
        ),
        "7",
        "SH2533150001",
    )
    assert plain.referring_provider is None and plain.lines[0].drug is None
