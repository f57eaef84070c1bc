"""A secondary claim as the tests send it: the primary paid part, the patient owes the rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from payers.codesets import lookup
from payers.model import (
    Adjustment,
    ClaimLine,
    ClaimSubmission,
    MemberQuery,
    PriorLineAdjudication,
    PriorPayerAdjudication,
)

ADJUDICATED = date(2025, 3, 20)


def adjustment(group: str, reason: str, amount: str, quantity: str | None = None) -> Adjustment:
    return Adjustment(
        lookup("adjustment-group", group),
        lookup("carc", reason),
        Decimal(amount),
        Decimal(quantity) if quantity is not None else None,
    )


PRIMARY = PriorPayerAdjudication(
    payer_id="60054",
    payer_name="AETNA",
    member_id="W123456789",
    responsibility="P",
    paid=Decimal("98.40"),
    adjudication_date=ADJUDICATED,
    payer_claim_id="AET250310000123",
    patient_responsibility=Decimal("30.00"),
    adjustments=(adjustment("OA", "94", "0.00"),),
    lines=(
        PriorLineAdjudication(
            line_number=1,
            procedure=lookup("procedure", "99214"),
            paid=Decimal("80.00"),
            paid_units=Decimal(1),
            modifiers=("25",),
            adjustments=(
                adjustment("CO", "45", "45.00"),
                adjustment("PR", "3", "25.00"),
            ),
            adjudication_date=ADJUDICATED,
        ),
        PriorLineAdjudication(
            line_number=2,
            procedure=lookup("procedure", "83036"),
            paid=Decimal("18.40"),
            paid_units=Decimal(1),
            adjustments=(
                adjustment("CO", "45", "11.60"),
                adjustment("PR", "2", "5.00"),
            ),
            adjudication_date=ADJUDICATED,
        ),
    ),
)

PRIMARY_CLAIM = ClaimSubmission(
    member=MemberQuery("S98765432", "Maria", "Lopez", date(1985, 3, 14), "GRP2002"),
    billing_provider_npi="1234567893",
    billing_provider_tax_id="123456789",
    billing_provider_name="RIVERSIDE FAMILY MEDICINE",
    rendering_provider_npi="1245319599",
    place_of_service="11",
    frequency_code="1",
    diagnoses=("E119", "I10"),
    lines=(
        ClaimLine(
            1,
            lookup("procedure", "99214"),
            Decimal("150.00"),
            Decimal(1),
            ("25",),
            (1, 2),
            date(2025, 3, 3),
        ),
        ClaimLine(
            2,
            lookup("procedure", "83036"),
            Decimal("35.00"),
            Decimal(1),
            (),
            (1,),
            date(2025, 3, 3),
        ),
    ),
    total_charge=Decimal("185.00"),
)

SECONDARY_CLAIM = replace(PRIMARY_CLAIM, responsibility="S", prior_payers=(PRIMARY,))
