"""Which X12 service type (EB03 / EQ01) a CPT or HCPCS code is billed under, for looking up its copay
and coinsurance in a payer's benefits. A small table of ranges, first match wins; anything else is
"1" (Medical Care), and benefits stated for "30" (the whole plan) apply when none is stated for the
type itself.

Preventive codes are marked too: in network, the ACA (PHS Act section 2713) makes them free of cost
sharing, which is how payers (and the sandbox payers) adjudicate them.
"""

from __future__ import annotations

from payers.codesets import lookup
from payers.model import Code

# (first, last, service type) over 5-character codes compared as text; first match wins.
_RANGES: tuple[tuple[str, str, str], ...] = (
    ("99202", "99215", "98"),  # office or outpatient E/M visit
    ("99281", "99285", "86"),  # emergency department visit
    ("99381", "99429", "BZ"),  # preventive medicine visit (well visit)
    ("G0438", "G0439", "BZ"),  # annual wellness visit
    ("98940", "98942", "33"),  # chiropractic manipulative treatment
    ("97810", "97814", "1"),  # acupuncture: medical care (plans state its coverage by code)
    ("97010", "97799", "PT"),  # physical medicine and rehabilitation
    ("90791", "90792", "MH"),  # psychiatric diagnostic evaluation
    ("90832", "90853", "A6"),  # psychotherapy
    ("90460", "90749", "80"),  # immunization administration and vaccines
    ("92002", "92015", "AL"),  # eye exams and refraction
    ("93000", "93010", "73"),  # electrocardiogram
    ("70551", "70559", "62"),  # MRI of the brain
    ("72141", "72158", "62"),  # MRI of the spine
    ("70010", "79999", "4"),  # radiology
    ("80047", "89398", "5"),  # pathology and laboratory
    ("10004", "69990", "2"),  # surgery
)

#: In network, no cost sharing (ACA preventive services): well visits, annual wellness, vaccines.
PREVENTIVE_TYPES = frozenset({"BZ", "80"})

GENERAL = "30"  # Health Benefit Plan Coverage: benefits that apply to every service


def service_type_code(procedure: str) -> str:
    """The service type code for a CPT/HCPCS code (``"1"`` Medical Care when not in the table)."""
    code = procedure.strip().upper()
    if len(code) == 5:
        for first, last, service_type in _RANGES:
            if first[0].isdigit() == code[0].isdigit() and first <= code <= last:
                return service_type
    return "1"


def service_type(procedure: str) -> Code:
    """The service type for a CPT/HCPCS code, with its description."""
    return lookup("service-type", service_type_code(procedure))


def is_preventive(procedure: str) -> bool:
    return service_type_code(procedure) in PREVENTIVE_TYPES
