"""The sandbox payers' reading of the earlier payers' adjudication a secondary claim carries.

The payer side of :mod:`payers.x12.prior_payers` (837P loops 2320/2330A/2330B/2430),
:mod:`payers.fhir.prior_payers` (``Claim.insurance`` with contained Coverage and ClaimResponse) and
:mod:`payers.rest.prior_payers` (``priorPayers``). Each turns them back into
:class:`~payers.model.PriorPayerAdjudication` and the billed payer's responsibility, hooked into the
protocol's claim decoder.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from payers.codesets import lookup
from payers.fhir.prior_payers import (
    CARIN_ADJUDICATION,
    GATEWAY_ADJUDICATION,
    PAID_UNITS,
    PRIOR_CLAIM_SYSTEM,
    RESPONSIBILITY_ORDER,
)
from payers.fhir.terminology import ADJUDICATION, CARC, X12_ADJUSTMENT_GROUP
from payers.model import (
    Adjustment,
    ClaimSubmission,
    PriorLineAdjudication,
    PriorPayerAdjudication,
)
from payers.x12.segments import X12DataError, X12Segment, parse_d8

# --- X12 837P ---------------------------------------------------------------------------------


@dataclass
class _Payer:
    responsibility: str
    adjustments: list[Adjustment] = field(default_factory=list)
    paid: Decimal | None = None
    patient: Decimal | None = None
    member_id: str = ""
    payer_id: str = ""
    payer_name: str = ""
    adjudicated: date | None = None
    claim_id: str | None = None


@dataclass
class _Line:
    payer_id: str
    line_number: int
    svd: X12Segment
    adjustments: list[Adjustment] = field(default_factory=list)
    adjudicated: date | None = None


@dataclass
class X12PriorPayers:
    """Takes the 2320/2330x/2430 segments of one claim (CLM) out of the decoder's way.

    ``take(seg, lines)`` is True for a segment of those loops; ``lines`` is how many service lines
    (SV1) the claim has so far, so an SVD belongs to the last of them."""

    payers: list[_Payer] = field(default_factory=list)
    lines: list[_Line] = field(default_factory=list)
    _in_2320: bool = False
    _in_2430: bool = False

    def take(self, seg: X12Segment, line_count: int) -> bool:
        sid, qualifier = seg.id, seg.get(1)
        if sid == "LX":
            self._in_2320 = self._in_2430 = False
            return False
        if sid == "SBR" and line_count == 0:
            self._in_2320 = True
            self.payers.append(_Payer(seg.get(1)))
            return True
        if sid == "SVD" and line_count:
            self._in_2430 = True
            self.lines.append(_Line(seg.get(1), line_count, seg))
            return True
        if self._in_2430:
            line = self.lines[-1]
            if sid == "CAS":
                line.adjustments += _cas(seg)
            elif sid == "DTP" and qualifier == "573":
                line.adjudicated = parse_d8(seg.get(3), seg.where(3))
            return True  # AMT*EAF and anything else of 2430
        if not self._in_2320:
            return False
        payer = self.payers[-1]
        if sid == "CAS":
            payer.adjustments += _cas(seg)
        elif sid == "AMT" and qualifier == "D":
            payer.paid = seg.money(2, "payer paid amount")
        elif sid == "AMT" and qualifier == "EAF":
            payer.patient = seg.money(2, "remaining patient liability")
        elif sid == "NM1" and qualifier == "IL":
            payer.member_id = seg.get(9)
        elif sid == "NM1" and qualifier == "PR":
            payer.payer_name, payer.payer_id = seg.get(3), seg.get(9)
        elif sid == "DTP" and qualifier == "573":
            payer.adjudicated = parse_d8(seg.get(3), seg.where(3))
        elif sid == "REF" and qualifier == "F8":
            payer.claim_id = seg.get(2) or None
        return True

    def adjudications(self) -> tuple[PriorPayerAdjudication, ...]:
        """Every earlier payer's adjudication (X12DataError when one lacks what X222A1 requires)."""
        found = []
        for payer in self.payers:
            if payer.paid is None:  # other coverage named, not adjudicated yet (AMT*D situational)
                continue
            # DTP*573 may sit on the 2430 lines only ("when not reported in loop 2430").
            lines = [x.adjudicated for x in self.lines if x.payer_id == payer.payer_id]
            adjudicated = payer.adjudicated or max((d for d in lines if d), default=None)
            if adjudicated is None or not payer.payer_id:
                raise X12DataError("loop 2320/2330B lacks DTP*573 or the payer's NM1*PR")
            payer.adjudicated = adjudicated
            found.append(
                PriorPayerAdjudication(
                    payer_id=payer.payer_id,
                    payer_name=payer.payer_name,
                    member_id=payer.member_id,
                    responsibility=payer.responsibility,
                    paid=payer.paid,
                    adjudication_date=payer.adjudicated,
                    payer_claim_id=payer.claim_id,
                    patient_responsibility=payer.patient,
                    adjustments=tuple(payer.adjustments),
                    lines=tuple(_line(x) for x in self.lines if x.payer_id == payer.payer_id),
                )
            )
        return tuple(found)


def _line(line: _Line) -> PriorLineAdjudication:
    svd = line.svd
    procedure = svd.procedure_components(3)
    if len(procedure) < 2 or not procedure[1]:
        raise X12DataError(f"{svd.where(3)} has no procedure code")
    return PriorLineAdjudication(
        line_number=line.line_number,
        procedure=lookup("procedure", procedure[1]),
        paid=svd.money(2, "line paid amount"),
        paid_units=svd.decimal(5, "paid units"),
        modifiers=tuple(m for m in procedure[2:6] if m),
        adjustments=tuple(line.adjustments),
        adjudication_date=line.adjudicated,
    )


def _cas(seg: X12Segment) -> list[Adjustment]:
    group = lookup("adjustment-group", seg.get(1))
    found = []
    for start in range(2, 20, 3):
        if not seg.get(start):
            break
        found.append(
            Adjustment(
                group=group,
                reason=lookup("carc", seg.get(start)),
                amount=seg.money(start + 1, "adjustment amount"),
                quantity=seg.decimal(start + 2, "adjustment quantity"),
            )
        )
    return found


# --- FHIR Claim ----------------------------------------------------------------------------------


def with_fhir_prior_payers(resource: Any, submission: ClaimSubmission) -> ClaimSubmission:
    """``submission`` with the responsibility and earlier payers a received Claim states."""
    contained = {r.id: r for r in resource.contained or ()}
    responsibility, earlier = submission.responsibility, []
    for entry in resource.insurance or ():
        letter = _letter(entry.sequence)
        if entry.focal:
            responsibility = letter
            continue
        response = contained.get(_local(entry.claimResponse))
        coverage = contained.get(_local(entry.coverage))
        if response is None or coverage is None:
            continue  # an earlier coverage without its adjudication: nothing to coordinate
        earlier.append(_fhir_prior(letter, coverage, response, submission))
    return replace(submission, responsibility=responsibility, prior_payers=tuple(earlier))


def _letter(sequence: int) -> str:
    if not 1 <= sequence <= len(RESPONSIBILITY_ORDER):
        raise ValueError("Claim.insurance.sequence must be 1, 2 or 3")
    return RESPONSIBILITY_ORDER[sequence - 1]


def _local(reference: Any) -> str | None:
    text = str(getattr(reference, "reference", None) or "")
    return text[1:] if text.startswith("#") else None


def _fhir_prior(
    letter: str, coverage: Any, response: Any, submission: ClaimSubmission
) -> PriorPayerAdjudication:
    payor = (coverage.payor or [None])[0]
    payer_id = str(payor.identifier.value) if payor and payor.identifier else ""
    totals = {_category(a.category): a for a in response.total or ()}
    paid = response.payment.amount.value if response.payment and response.payment.amount else None
    adjudicated = response.payment.date if response.payment else None
    if paid is None or adjudicated is None or not payer_id:
        raise ValueError("an earlier payer's ClaimResponse needs payment amount and date and payor")
    liability = totals.get((CARIN_ADJUDICATION, "memberliability"))
    procedures = {line.line_number: line for line in submission.lines}
    lines = []
    for item in response.item or ():
        billed = procedures.get(item.itemSequence)
        if billed is None:
            raise ValueError(f"ClaimResponse item {item.itemSequence} is not a line of the claim")
        by_category = {_category(a.category): a for a in item.adjudication or ()}
        benefit = by_category.get((ADJUDICATION, "benefit"))
        units = by_category.get((GATEWAY_ADJUDICATION, PAID_UNITS))
        lines.append(
            PriorLineAdjudication(
                line_number=billed.line_number,
                procedure=billed.procedure,
                paid=benefit.amount.value if benefit and benefit.amount else Decimal(0),
                paid_units=units.value if units is not None else None,
                modifiers=billed.modifiers,
                adjustments=_fhir_adjustments(item.adjudication),
                adjudication_date=adjudicated,
            )
        )
    return PriorPayerAdjudication(
        payer_id=payer_id,
        payer_name=str(payor.display or ""),
        member_id=str(coverage.subscriberId or ""),
        responsibility=letter,
        paid=paid,
        adjudication_date=adjudicated,
        payer_claim_id=next(
            (str(i.value) for i in response.identifier or () if i.system == PRIOR_CLAIM_SYSTEM),
            None,
        ),
        patient_responsibility=liability.amount.value if liability and liability.amount else None,
        adjustments=_fhir_adjustments(response.adjudication),
        lines=tuple(lines),
    )


def _category(concept: Any) -> tuple[str, str]:
    first = (concept.coding or [None])[0] if concept is not None else None
    return (str(first.system or ""), str(first.code or "")) if first else ("", "")


def _fhir_adjustments(entries: Any) -> tuple[Adjustment, ...]:
    found = []
    for entry in entries or ():
        carc = next(
            (c.code for c in (entry.reason.coding if entry.reason else ()) if c.system == CARC),
            None,
        )
        group = next(
            (c.code for c in entry.category.coding or () if c.system == X12_ADJUSTMENT_GROUP),
            None,
        )
        if carc is None or group is None or entry.amount is None:
            continue  # an amount (submitted, benefit...), not an adjustment
        found.append(
            Adjustment(
                group=lookup("adjustment-group", str(group)),
                reason=lookup("carc", str(carc)),
                amount=entry.amount.value,
                quantity=entry.value,
            )
        )
    return tuple(found)


# --- REST ------------------------------------------------------------------------------------------


def with_rest_prior_payers(
    data: dict[str, Any], submission: ClaimSubmission, error: type[ValueError] = ValueError
) -> ClaimSubmission:
    """``submission`` with ``responsibility`` and ``priorPayers`` of a REST claim body; ``error``
    (naming the field) when they are malformed."""
    try:
        responsibility = data.get("responsibility") or "P"
        if responsibility not in RESPONSIBILITY_ORDER:
            raise ValueError("responsibility must be P, S or T")
        earlier = tuple(_rest_prior(p) for p in data.get("priorPayers") or ())
    except (KeyError, TypeError, InvalidOperation, ValueError) as exc:
        raise error(f"priorPayers: {_reason(exc)}") from exc
    return replace(submission, responsibility=responsibility, prior_payers=earlier)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"{exc.args[0]} is required"
    if isinstance(exc, InvalidOperation):
        return "amounts must be decimal strings"
    return str(exc) or "malformed"


def _rest_prior(data: dict[str, Any]) -> PriorPayerAdjudication:
    return PriorPayerAdjudication(
        payer_id=str(data["payerId"]),
        payer_name=str(data.get("payerName") or ""),
        member_id=str(data["memberId"]),
        responsibility=str(data["responsibility"]),
        paid=_amount(data["paid"]),
        adjudication_date=date.fromisoformat(data["adjudicationDate"]),
        payer_claim_id=data.get("claimId"),
        patient_responsibility=_decimal(data.get("patientResponsibility")),
        adjustments=_rest_adjustments(data.get("adjustments")),
        lines=tuple(
            PriorLineAdjudication(
                line_number=int(line["lineNumber"]),
                procedure=lookup("procedure", str(line["procedureCode"])),
                paid=_amount(line["paid"]),
                paid_units=_decimal(line.get("paidUnits")),
                modifiers=tuple(str(m) for m in line.get("modifiers") or ()),
                adjustments=_rest_adjustments(line.get("adjustments")),
                adjudication_date=date.fromisoformat(line["adjudicationDate"])
                if line.get("adjudicationDate")
                else None,
            )
            for line in data.get("lines") or ()
        ),
    )


def _rest_adjustments(items: Any) -> tuple[Adjustment, ...]:
    return tuple(
        Adjustment(
            group=lookup("adjustment-group", str(a["group"])),
            reason=lookup("carc", str(a["reason"])),
            amount=_amount(a["amount"]),
            quantity=_decimal(a.get("quantity")),
            remarks=tuple(lookup("rarc", str(r)) for r in a.get("remarks") or ()),
        )
        for a in items or ()
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else _amount(value)


def _amount(value: Any) -> Decimal:
    if not isinstance(value, str):  # a JSON number may already have lost a cent
        raise ValueError("amounts must be decimal strings")
    return Decimal(value)
