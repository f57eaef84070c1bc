"""Remittance: read an 835 (005010X221A1, and 004010X091A1 which has the same shape) into Payments.

One transaction set is one Payment: BPR (amount, method, date), TRN (trace number), N1*PE (payee),
then per CLP a ClaimPayment with its CAS adjustments, SVC service lines (their CAS, LQ remarks, DTM
dates, AMT*B6 allowed amount) and, at the end, PLB provider-level adjustments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from payers.codesets import lookup
from payers.contract import PayerProtocolError
from payers.model import (
    Adjustment,
    ClaimPayment,
    Code,
    Payment,
    ProviderAdjustment,
    ServiceLinePayment,
)
from payers.x12.envelope import transactions, with_findings
from payers.x12.segments import X12DataError, X12Segment, date_or_none, parse_d8

_SERVICE_START = frozenset({"472", "150"})
_MOA_REMARKS = range(3, 8)
_MIA_REMARKS = (5, 20, 21, 22, 23)


def parse_835(text: str, payer_id: str, *, strict: bool = True) -> list[Payment]:
    """Every remittance (835 transaction set) in ``text``."""
    try:
        return [
            with_findings(_payment(t.segments, payer_id), t)
            for t in transactions(text, payer_id, "835", strict=strict)
        ]
    except X12DataError as exc:
        raise PayerProtocolError(payer_id, f"835 is invalid: {exc}") from exc


def adjustments(cas: X12Segment, remarks: Sequence[Code] = ()) -> list[Adjustment]:
    """One Adjustment per reason/amount/quantity triplet of a CAS segment (up to six)."""
    group = lookup("adjustment-group", cas.get(1))
    found = []
    for first in range(2, 20, 3):
        reason = cas.get(first)
        if not reason:
            continue
        found.append(
            Adjustment(
                group=group,
                reason=lookup("carc", reason),
                amount=cas.money(first + 1, "adjustment amount"),
                quantity=cas.decimal(first + 2, "adjustment quantity"),
                remarks=tuple(remarks),
            )
        )
    return found


@dataclass
class _Line:
    svc: X12Segment
    cas: list[X12Segment] = field(default_factory=list)
    remarks: list[Code] = field(default_factory=list)
    service_date: date | None = None
    allowed: Decimal | None = None


@dataclass
class _Claim:
    clp: X12Segment
    cas: list[X12Segment] = field(default_factory=list)
    remarks: list[Code] = field(default_factory=list)
    member_id: str | None = None
    dates: dict[str, date] = field(default_factory=dict)
    lines: list[_Line] = field(default_factory=list)


def _payment(segments: Sequence[X12Segment], payer_id: str) -> Payment:
    bpr = trn = None
    payee_npi: str | None = None
    claims: list[_Claim] = []
    plbs: list[X12Segment] = []
    for seg in segments:
        claim = claims[-1] if claims else None
        line = claim.lines[-1] if claim and claim.lines else None
        if seg.id == "BPR":
            bpr = seg
        elif seg.id == "TRN" and trn is None:
            trn = seg
        elif seg.id == "N1" and seg.get(1) == "PE" and seg.get(3) == "XX":
            payee_npi = seg.get(4) or None
        elif seg.id == "CLP":
            claims.append(_Claim(seg))
        elif seg.id == "PLB":
            plbs.append(seg)
        elif claim is None:
            continue
        elif seg.id == "SVC":
            claim.lines.append(_Line(seg))
        elif seg.id == "CAS":
            (line.cas if line else claim.cas).append(seg)
        elif seg.id == "NM1" and seg.get(1) in ("IL", "QC") and seg.get(9):
            if seg.get(1) == "IL" or claim.member_id is None:
                claim.member_id = seg.get(9)
        elif seg.id == "MOA" and line is None:
            claim.remarks += [lookup("rarc", seg.get(n)) for n in _MOA_REMARKS if seg.get(n)]
        elif seg.id == "MIA" and line is None:
            claim.remarks += [lookup("rarc", seg.get(n)) for n in _MIA_REMARKS if seg.get(n)]
        elif seg.id == "DTM" and line is None:
            claim.dates[seg.get(1)] = parse_d8(seg.get(2), seg.where(2))
        elif line is None:
            continue
        elif seg.id == "DTM" and seg.get(1) in _SERVICE_START and line.service_date is None:
            line.service_date = parse_d8(seg.get(2), seg.where(2))
        elif seg.id == "LQ" and seg.get(2):
            line.remarks.append(lookup("rarc", seg.get(2)))
        elif seg.id == "AMT" and seg.get(1) == "B6":
            line.allowed = seg.decimal(2, "allowed amount")
    if bpr is None:
        raise X12DataError("835 has no BPR financial information segment")
    if trn is None:
        raise X12DataError("835 has no TRN reassociation trace number")
    return Payment(
        payer_id=payer_id,
        trace_number=trn.get(2),
        method=lookup("payment-method", bpr.get(4)),
        # A payer's impossible BPR16 (one corpus file says 20002316) must not hide the remittance.
        payment_date=date_or_none(bpr.get(16), bpr.where(16)),
        amount=bpr.money(2, "total payment amount"),
        claims=tuple(_claim_payment(c) for c in claims),
        provider_adjustments=tuple(a for plb in plbs for a in _provider_adjustments(plb)),
        payee_npi=payee_npi,
    )


def _claim_payment(claim: _Claim) -> ClaimPayment:
    clp = claim.clp
    lines = tuple(_line_payment(line) for line in claim.lines)
    line_dates = [ln.service_date for ln in lines if ln.service_date]
    start = claim.dates.get("232") or (min(line_dates) if line_dates else None)
    if "232" in claim.dates:
        end = claim.dates.get("233", start)
    else:
        end = max(line_dates) if line_dates else None
    return ClaimPayment(
        control_number=clp.get(1) or None,
        payer_claim_id=clp.get(7) or None,
        status=lookup("claim-payment-status", clp.get(2)),
        charge=clp.money(3, "total claim charge"),
        paid=clp.money(4, "claim payment amount"),
        patient_responsibility=clp.decimal(5, "patient responsibility"),
        member_id=claim.member_id,
        service_date_from=start,
        service_date_to=end,
        adjustments=tuple(a for cas in claim.cas for a in adjustments(cas, claim.remarks)),
        lines=lines,
        remarks=tuple(claim.remarks),
    )


def _line_payment(line: _Line) -> ServiceLinePayment:
    svc = line.svc
    procedure = svc.procedure_components(1)
    if len(procedure) < 2 or not procedure[1]:
        raise X12DataError(f"{svc.where(1)} has no procedure code")
    line_remarks = tuple(line.remarks)
    return ServiceLinePayment(
        procedure=lookup("procedure", procedure[1]),
        charge=svc.money(2, "line charge"),
        paid=svc.money(3, "line payment"),
        modifiers=tuple(m for m in procedure[2:6] if m),
        units=svc.decimal(5, "units paid"),
        service_date=line.service_date,
        allowed_amount=line.allowed,
        adjustments=tuple(a for cas in line.cas for a in adjustments(cas, line_remarks)),
        remarks=line_remarks,
    )


def _provider_adjustments(plb: X12Segment) -> list[ProviderAdjustment]:
    found = []
    for position in range(3, 15, 2):
        parts = plb.procedure_components(position)
        if not parts or not parts[0]:
            continue
        found.append(
            ProviderAdjustment(
                reason=lookup("plb-reason", parts[0]),
                amount=plb.money(position + 1, "provider adjustment amount"),
                reference=(parts[1] if len(parts) > 1 and parts[1] else None),
            )
        )
    return found
