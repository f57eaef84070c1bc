"""Claim submission: build an 837P (005010X222A1) from a ClaimSubmission, checked by pyx12's map.

The patient is sent as the subscriber (loop 2000B, SBR02=18) unless the claim carries the card
holder's demographics: then 2010BA names the card holder and 2000C/2010CA the dependent patient, and
the claim's referring and ordering providers, drugs and references follow
(:mod:`payers.x12.claim_parties`).
A claim to a secondary or tertiary payer carries the earlier payers' adjudication
(:mod:`payers.x12.prior_payers`: loops 2320/2330A/2330B and 2430). The rendering provider (2310B)
is written only when it differs from the billing provider; the model carries its NPI but not its
name, so the billing provider's name stands in (NM102=2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from payers.model import ClaimLine, ClaimSubmission
from payers.x12.claim_parties import (
    REPLACEMENT_FREQUENCIES,
    claim_references,
    line_loops,
    party_problems,
    patient_loops,
    referring_loop,
    subscriber_loops,
)
from payers.x12.outgoing import (
    Composite,
    ControlNumbers,
    Parties,
    PayerParty,
    SegmentSpec,
    build_interchange,
    map_errors,
)
from payers.x12.prior_payers import (
    line_adjudication_loops,
    other_payer_loops,
    prior_payer_problems,
)

IMPLEMENTATION = "005010X222A1"
_REPLACEMENT_FREQUENCIES = REPLACEMENT_FREQUENCIES
_RESPONSIBILITIES = frozenset({"P", "S", "T"})


class ClaimBuildError(ValueError):
    """The claim cannot be written as a valid 837P; ``problems`` lists every reason."""

    def __init__(self, control_number: str, problems: list[str]) -> None:
        super().__init__(
            f"837P for claim {control_number} is not valid X222A1: " + "; ".join(problems)
        )
        self.problems = tuple(problems)


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True, slots=True)
class SubmitterSettings:
    """Who submits claims (loop 1000A), who receives them (1000B), and billing address."""

    submitter_name: str
    submitter_id: str
    contact_name: str
    contact_phone: str
    receiver_name: str
    receiver_id: str
    billing_address: Address
    claim_filing_indicator: str = "CI"


def build_837p(
    claim: ClaimSubmission,
    control_number: str,
    *,
    payer: PayerParty,
    submitter: SubmitterSettings,
    parties: Parties,
    numbers: ControlNumbers,
    created: datetime,
) -> str:
    """The 837P interchange for ``claim``; ClaimBuildError unless pyx12's X222A1 map accepts it."""
    problems = _precheck(claim, control_number)
    if problems:
        raise ClaimBuildError(control_number, problems)
    text = build_interchange(
        parties,
        numbers,
        functional_id="HC",
        transaction_code="837",
        implementation=IMPLEMENTATION,
        body=_body(claim, control_number, payer, submitter, created),
        created=created,
    )
    errors = map_errors(text)
    if errors:
        raise ClaimBuildError(control_number, list(errors))
    return text


def _precheck(claim: ClaimSubmission, control_number: str) -> list[str]:
    problems = []
    if not 1 <= len(control_number) <= 20:
        problems.append("CLM01 claim control number must be 1 to 20 characters")
    if not claim.diagnoses:
        problems.append("at least one diagnosis is required")
    if len(claim.diagnoses) > 12:
        problems.append("an 837P carries at most 12 diagnoses")
    if not 1 <= len(claim.lines) <= 50:
        problems.append("an 837P claim carries 1 to 50 service lines")
    problems += [
        f"line {ln.line_number} has no service date" for ln in claim.lines if not ln.service_date
    ]
    if claim.frequency_code in _REPLACEMENT_FREQUENCIES and not claim.original_payer_claim_id:
        problems.append(f"frequency {claim.frequency_code} needs the original payer claim id")
    if claim.responsibility not in _RESPONSIBILITIES:
        problems.append("SBR01 payer responsibility must be P, S or T")
    if claim.diagnosis_code_list != "icd10cm":
        problems.append("our 837P writes ICD-10-CM diagnoses only (HI ABK/ABF)")
    return problems + party_problems(claim) + prior_payer_problems(claim)


def _body(
    claim: ClaimSubmission,
    control_number: str,
    payer: PayerParty,
    submitter: SubmitterSettings,
    created: datetime,
) -> list[SegmentSpec]:
    member = claim.member
    address = submitter.billing_address
    body: list[SegmentSpec] = [
        ("BHT", "0019", "00", control_number, f"{created:%Y%m%d}", f"{created:%H%M}", "CH"),
        ("NM1", "41", "2", submitter.submitter_name, "", "", "", "", "46", submitter.submitter_id),
        ("PER", "IC", submitter.contact_name, "TE", submitter.contact_phone),
        ("NM1", "40", "2", submitter.receiver_name, "", "", "", "", "46", submitter.receiver_id),
        ("HL", "1", "", "20", "1"),
        (
            "NM1",
            "85",
            "2",
            claim.billing_provider_name,
            "",
            "",
            "",
            "",
            "XX",
            claim.billing_provider_npi,
        ),
        ("N3", address.street),
        ("N4", address.city, address.state, address.postal_code),
        ("REF", "EI", claim.billing_provider_tax_id.replace("-", "")),
        *subscriber_loops(claim, member.group_number or "", submitter.claim_filing_indicator),
        ("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.id),
        *patient_loops(claim),
        (
            "CLM",
            control_number,
            _money(claim.total_charge),
            "",
            "",
            Composite(claim.place_of_service, "B", claim.frequency_code),
            "Y",
            "A",
            "Y",
            "Y",
        ),
    ]
    body += claim_references(claim)
    body.append(
        (
            "HI",
            *(
                Composite("ABK" if n == 0 else "ABF", code.replace(".", "").upper())
                for n, code in enumerate(claim.diagnoses)
            ),
        )
    )
    body += referring_loop(claim)
    rendering = claim.rendering_provider_npi
    if rendering and rendering != claim.billing_provider_npi:
        body.append(
            ("NM1", "82", "2", claim.billing_provider_name, "", "", "", "", "XX", rendering)
        )
    body += other_payer_loops(claim, submitter.claim_filing_indicator)
    for number, line in enumerate(claim.lines, start=1):
        body += _line(number, line)
        body += line_loops(line)
        body += line_adjudication_loops(claim.prior_payers, line)
    return body


def _line(number: int, line: ClaimLine) -> list[SegmentSpec]:
    if line.service_date is None:  # _precheck refuses these; keeps the type checker informed
        raise ClaimBuildError("", [f"line {line.line_number} has no service date"])
    return [
        ("LX", str(number)),
        (
            "SV1",
            Composite("HC", line.procedure.code, *line.modifiers[:4]),
            _money(line.charge),
            "UN",
            _quantity(line.units),
            "",
            "",
            Composite(*(str(p) for p in line.diagnosis_pointers[:4])),
        ),
        ("DTP", "472", "D8", f"{line.service_date:%Y%m%d}"),
    ]


def _money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def _quantity(units: Decimal) -> str:
    return f"{units.normalize():f}"
