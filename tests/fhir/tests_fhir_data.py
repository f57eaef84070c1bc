"""A fictitious professional claim used by the FHIR tests."""

from datetime import date
from decimal import Decimal

from payers.model import ClaimLine, ClaimSubmission, Code, MemberQuery

D = Decimal

SUBMISSION = ClaimSubmission(
    member=MemberQuery("88800933501", "John", "Smith", date(1943, 1, 1)),
    billing_provider_npi="1234567893",
    billing_provider_tax_id="123456789",
    billing_provider_name="Riverside Family Medicine",
    rendering_provider_npi="1679576722",
    place_of_service="11",
    frequency_code="1",
    diagnoses=("E119", "I10"),
    lines=(
        ClaimLine(
            1, Code("procedure", "99214", ""), D("145.00"), D(1), ("25",), (1, 2), date(2024, 3, 1)
        ),
        ClaimLine(2, Code("procedure", "G0008", ""), D("30.10"), D(1), (), (1,), date(2024, 3, 1)),
        ClaimLine(3, Code("procedure", "90686", ""), D("49.80"), D(2), (), (1,), date(2024, 3, 1)),
    ),
    total_charge=D("224.90"),
)
