"""Read the claims of a received 837P (005010X222A1) into ClaimSubmissions for the sandbox intake.

The payer side of :mod:`payers.x12.submission`. Loops followed: 1000A submitter (NM1*41), 2010AA
billing provider (NM1*85, REF*EI), 2000B/2010BA subscriber (SBR, NM1*IL, DMG), 2000C/2010CA patient
(NM1*QC, DMG) when the patient is a dependent, 2300 claim (CLM, REF*F8, HI), 2310B rendering
provider (NM1*82), 2400 lines (LX, SV1, DTP*472); a secondary claim's 2320/2330x/2430 loops go to
:class:`~payers.sandbox.prior_payers_wire.X12PriorPayers`. One 837 may carry many claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from payers.codesets import lookup
from payers.model import ClaimLine, ClaimSubmission, MemberQuery
from payers.sandbox.prior_payers_wire import X12PriorPayers
from payers.x12.envelope import TransactionSet
from payers.x12.segments import X12DataError, X12Segment, parse_d8, parse_period


@dataclass(frozen=True, slots=True)
class ReceivedClaim:
    """One CLM of an 837P: its control number (CLM01), the claim, and who sent it."""

    control_number: str
    submission: ClaimSubmission
    batch_reference: str  # BHT03
    submitter_name: str
    submitter_id: str


@dataclass
class _Claim:
    clm: X12Segment
    diagnoses: tuple[str, ...] = ()
    original: str | None = None
    rendering: str | None = None
    lines: list[ClaimLine] = field(default_factory=list)
    prior: X12PriorPayers = field(default_factory=X12PriorPayers)  # loops 2320-2330B, 2430


@dataclass
class _Parties:
    billing_name: str = ""
    billing_npi: str = ""
    tax_id: str = ""
    group: str | None = None
    responsibility: str = "P"  # SBR01
    member_id: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None


def _line(number: int, sv1: X12Segment) -> ClaimLine:
    procedure = sv1.procedure_components(1)
    if len(procedure) < 2 or not procedure[1]:
        raise X12DataError(f"{sv1.where(1)} has no procedure code")
    pointers = tuple(int(p) for p in sv1.components(7) if p.isdigit())
    return ClaimLine(
        line_number=number,
        procedure=lookup("procedure", procedure[1]),
        charge=sv1.money(2, "line charge"),
        units=sv1.decimal(4, "units") or Decimal(1),
        modifiers=tuple(m for m in procedure[2:6] if m),
        diagnosis_pointers=pointers,
    )


def read_837p(transaction: TransactionSet) -> list[ReceivedClaim]:
    """Every claim of one 837P transaction set (X12DataError when one cannot be read)."""
    reference, submitter = "", ("", "")
    parties = _Parties()
    claims: list[tuple[_Claim, _Parties]] = []
    claim: _Claim | None = None
    level = ""
    for seg in transaction.segments:
        if claim is not None and claim.prior.take(seg, len(claim.lines)):
            continue
        qualifier = seg.get(1)
        if seg.id == "BHT":
            reference = seg.get(3)
        elif seg.id == "HL":
            level, claim = seg.get(3), None
            if level == "20":
                parties = _Parties()
        elif seg.id == "NM1" and qualifier == "41":
            submitter = (seg.get(3), seg.get(9))
        elif seg.id == "NM1" and qualifier == "85":
            parties.billing_name, parties.billing_npi = seg.get(3), seg.get(9)
        elif seg.id == "REF" and qualifier == "EI" and level == "20":
            parties.tax_id = seg.get(2)
        elif seg.id == "SBR":
            parties.group, parties.responsibility = seg.get(3) or None, seg.get(1) or "P"
        elif seg.id == "NM1" and qualifier == "IL":
            parties.member_id = seg.get(9)
            parties.last_name, parties.first_name = seg.get(3), seg.get(4)
        elif seg.id == "NM1" and qualifier == "QC":
            parties.last_name, parties.first_name = seg.get(3), seg.get(4)
        elif seg.id == "DMG" and claim is None:
            parties.birth_date = parse_d8(seg.get(2), seg.where(2))
        elif seg.id == "CLM":
            claim = _Claim(seg)
            claims.append((claim, _Parties(**vars(parties))))
        elif claim is None:
            continue
        elif seg.id == "REF" and qualifier == "F8":
            claim.original = seg.get(2) or None
        elif seg.id == "HI":
            claim.diagnoses += tuple(
                seg.components(n)[1] for n in range(1, 13) if len(seg.components(n)) > 1
            )
        elif seg.id == "NM1" and qualifier == "82":
            claim.rendering = seg.get(9) or None
        elif seg.id == "SV1":
            claim.lines.append(_line(len(claim.lines) + 1, seg))
        elif seg.id == "DTP" and qualifier == "472" and claim.lines:
            start, _ = parse_period(seg.get(2), seg.get(3), seg.where(3))
            last = claim.lines[-1]
            claim.lines[-1] = ClaimLine(
                last.line_number,
                last.procedure,
                last.charge,
                last.units,
                last.modifiers,
                last.diagnosis_pointers,
                start,
            )
    return [_received(c, p, reference, submitter) for c, p in claims]


def _received(
    claim: _Claim, parties: _Parties, reference: str, submitter: tuple[str, str]
) -> ReceivedClaim:
    clm = claim.clm
    facility = [*clm.components(5), "", "", ""]
    if parties.birth_date is None:
        raise X12DataError("837P subscriber or patient has no DMG birth date")
    member = MemberQuery(
        member_id=parties.member_id,
        first_name=parties.first_name,
        last_name=parties.last_name,
        birth_date=parties.birth_date,
        group_number=parties.group,
    )
    submission = ClaimSubmission(
        member=member,
        billing_provider_npi=parties.billing_npi,
        billing_provider_tax_id=parties.tax_id,
        billing_provider_name=parties.billing_name,
        rendering_provider_npi=claim.rendering or parties.billing_npi,
        place_of_service=facility[0],
        frequency_code=facility[2] or "1",
        diagnoses=claim.diagnoses,
        lines=tuple(claim.lines),
        total_charge=clm.money(2, "total claim charge"),
        original_payer_claim_id=claim.original,
        responsibility=parties.responsibility,
        prior_payers=claim.prior.adjudications(),
    )
    return ReceivedClaim(clm.get(1), submission, reference, *submitter)
