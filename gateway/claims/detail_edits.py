"""Front-end edits on a claim's 837 details: drugs (NDC, quantity, unit), referring and ordering
providers (NPI check digit, name), and the claim's reference numbers (prior authorization,
referral, medical record)."""

from __future__ import annotations

import re

from gateway.claims.draft import ClaimDraft, DraftDrug, DraftProvider
from gateway.claims.edits import blank, check_npi
from gateway.graphql.validation import Problems

#: CTP05-1 units of measure an 837P drug may be given in.
DRUG_UNITS = {
    "F2": "international unit",
    "GR": "gram",
    "ME": "milligram",
    "ML": "millilitre",
    "UN": "unit",
}
_NDC = re.compile(r"^\d{5}-?\d{4}-?\d{2}$")  # 11 digits in the 5-4-2 form HIPAA claims use
MAX_REFERENCE = 50  # REF02 in loop 2300
MAX_NAME = 60  # NM103 last name


def ndc_digits(value: str) -> str:
    """The 11-digit NDC as X12 carries it (hyphens dropped)."""
    return value.strip().replace("-", "")


def check_details(problems: Problems, draft: ClaimDraft) -> None:
    """Every edit on the claim's drugs, providers and references."""
    check_provider(problems, "referringProvider", draft.referring_provider, "Referring provider")
    for field, value, label in (
        ("priorAuthorization", draft.prior_authorization, "Prior authorization number"),
        ("referralNumber", draft.referral_number, "Referral number"),
        ("medicalRecordNumber", draft.medical_record_number, "Medical record number"),
    ):
        if value is not None and len(value.strip()) > MAX_REFERENCE:
            problems.add(
                field, "REFERENCE_TOO_LONG", f"{label} is at most {MAX_REFERENCE} characters."
            )
    for index, line in enumerate(draft.lines):
        at = f"lines.{index}"
        check_drug(problems, f"{at}.drug", line.drug)
        check_provider(
            problems, f"{at}.orderingProvider", line.ordering_provider, "Ordering provider"
        )
        check_provider(
            problems, f"{at}.referringProvider", line.referring_provider, "Referring provider"
        )


def check_drug(problems: Problems, at: str, drug: DraftDrug | None) -> None:
    if drug is None:
        return
    if blank(drug.ndc):
        problems.add(f"{at}.ndc", "REQUIRED", "The drug's NDC is required.")
    elif not _NDC.match(drug.ndc.strip()):  # type: ignore[union-attr]
        problems.add(
            f"{at}.ndc",
            "NDC_FORMAT",
            f"{drug.ndc!r} is not an 11-digit NDC in 5-4-2 form, e.g. 00026-0635-12.",
        )
    if drug.quantity is None:
        problems.add(f"{at}.quantity", "REQUIRED", "The drug quantity is required.")
    elif not drug.quantity.is_finite() or drug.quantity <= 0:
        problems.add(
            f"{at}.quantity", "DRUG_QUANTITY_NOT_POSITIVE", "Drug quantity must be greater than 0."
        )
    if blank(drug.unit):
        problems.add(f"{at}.unit", "REQUIRED", "The drug's unit of measure is required.")
    elif drug.unit.strip().upper() not in DRUG_UNITS:  # type: ignore[union-attr]
        problems.add(
            f"{at}.unit",
            "DRUG_UNIT_INVALID",
            "Drug unit must be F2 (international unit), GR (gram), ME (milligram), "
            "ML (millilitre) or UN (unit).",
        )


def check_provider(problems: Problems, at: str, who: DraftProvider | None, label: str) -> None:
    if who is None:
        return
    check_npi(problems, f"{at}.npi", who.npi, label, required=True)
    if blank(who.last_name):
        problems.add(f"{at}.lastName", "REQUIRED", f"{label} last name is required.")
    elif len(who.last_name.strip()) > MAX_NAME:  # type: ignore[union-attr]
        problems.add(f"{at}.lastName", "NAME_TOO_LONG", f"{label} name is at most 60 characters.")
