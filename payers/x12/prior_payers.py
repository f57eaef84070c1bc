"""The earlier payers' adjudication in an 837P (005010X222A1), for a secondary or tertiary claim.

Per earlier payer, after the claim's providers (2310x): loop 2320 (SBR with that payer's
responsibility, claim-level CAS, AMT*D paid, AMT*EAF remaining patient liability, OI), 2330A (NM1*IL
the patient as that payer's subscriber) and 2330B (NM1*PR the payer, DTP*573 its adjudication date,
REF*F8 its claim number). Per service line, after SV1/DTP*472: loop 2430 (SVD paid amount,
procedure and units, CAS, DTP*573). CAS carries at most six reasons of one group per segment, and the
guide allows five CAS segments per loop: more is refused rather than cut. CARC remarks (RARCs) have
no place in these loops and are not written.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from payers.model import Adjustment, ClaimLine, ClaimSubmission, PriorPayerAdjudication
from payers.x12.outgoing import Composite, SegmentSpec

CAS_REASONS_PER_SEGMENT = 6
CAS_SEGMENTS_PER_LOOP = 5
#: What the gateway states for every earlier payer: the patient is its subscriber (SBR02 18), the
#: provider accepts assignment (OI03 Y) and the patient signed the release (OI06 Y).
SELF = "18"


def prior_payer_problems(claim: ClaimSubmission) -> list[str]:
    """Why the earlier payers' adjudication cannot be written as X222A1 loops, if it cannot."""
    problems = []
    if claim.prior_payers and claim.responsibility == "P":
        problems.append("a claim carrying earlier payers' adjudication cannot go to the primary")
    if len(claim.prior_payers) > 10:
        problems.append("an 837P carries at most 10 other payers (loop 2320)")
    numbers = {line.line_number for line in claim.lines}
    for prior in claim.prior_payers:
        if len(cas_segments(prior.adjustments)) > CAS_SEGMENTS_PER_LOOP:
            problems.append(f"{prior.payer_id}: more claim adjustments than 5 CAS segments hold")
        for line in prior.lines:
            if line.line_number not in numbers:
                problems.append(f"{prior.payer_id}: line {line.line_number} is not on the claim")
            if len(cas_segments(line.adjustments)) > CAS_SEGMENTS_PER_LOOP:
                problems.append(
                    f"{prior.payer_id}: line {line.line_number} has more adjustments than 5 CAS hold"
                )
    return problems


def other_payer_loops(claim: ClaimSubmission, filing_indicator: str) -> list[SegmentSpec]:
    """Loops 2320/2330A/2330B, one set per earlier payer (written after loop 2310x)."""
    body: list[SegmentSpec] = []
    for prior in claim.prior_payers:
        body.append(("SBR", prior.responsibility, SELF, "", "", "", "", "", "", filing_indicator))
        body += cas_segments(prior.adjustments)
        body.append(("AMT", "D", money(prior.paid)))
        if prior.patient_responsibility is not None:
            body.append(("AMT", "EAF", money(prior.patient_responsibility)))
        body.append(("OI", "", "", "Y", "", "", "Y"))
        member = claim.member
        body.append(
            (
                "NM1",
                "IL",
                "1",
                member.last_name,
                member.first_name,
                "",
                "",
                "",
                "MI",
                prior.member_id,
            )
        )
        body.append(("NM1", "PR", "2", prior.payer_name, "", "", "", "", "PI", prior.payer_id))
        body.append(("DTP", "573", "D8", f"{prior.adjudication_date:%Y%m%d}"))
        if prior.payer_claim_id:
            body.append(("REF", "F8", prior.payer_claim_id))
    return body


def line_adjudication_loops(
    prior_payers: Sequence[PriorPayerAdjudication], line: ClaimLine
) -> list[SegmentSpec]:
    """Loop 2430 for ``line``, one per earlier payer that adjudicated it."""
    body: list[SegmentSpec] = []
    for prior in prior_payers:
        for adjudicated in prior.lines:
            if adjudicated.line_number != line.line_number:
                continue
            units = adjudicated.paid_units if adjudicated.paid_units is not None else line.units
            body.append(
                (
                    "SVD",
                    prior.payer_id,
                    money(adjudicated.paid),
                    Composite("HC", adjudicated.procedure.code, *adjudicated.modifiers[:4]),
                    "",
                    quantity(units),
                )
            )
            body += cas_segments(adjudicated.adjustments)
            day = adjudicated.adjudication_date or prior.adjudication_date
            body.append(("DTP", "573", "D8", f"{day:%Y%m%d}"))
    return body


def cas_segments(adjustments: Sequence[Adjustment]) -> list[SegmentSpec]:
    """CAS segments: one group code each, up to six reason/amount/quantity triplets, in order."""
    groups: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        groups.setdefault(adjustment.group.code, []).append(adjustment)
    segments: list[SegmentSpec] = []
    for group, items in groups.items():
        for start in range(0, len(items), CAS_REASONS_PER_SEGMENT):
            elements: list[str] = [group]
            for item in items[start : start + CAS_REASONS_PER_SEGMENT]:
                count = quantity(item.quantity) if item.quantity is not None else ""
                elements += [item.reason.code, money(item.amount), count]
            segments.append(("CAS", *elements))
    return segments


def money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def quantity(units: Decimal) -> str:
    return f"{units.normalize():f}"
