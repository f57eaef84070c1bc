"""Service-line pieces of a received 837P: SV1, the 2410 drug (LIN/CTP), 2420E/F providers."""

from __future__ import annotations

from decimal import Decimal

from payers.codesets import lookup
from payers.model import ClaimLine, ClaimProvider, DrugIdentification
from payers.x12.segments import X12DataError, X12Segment


def line_of(number: int, sv1: X12Segment) -> ClaimLine:
    """A line from its SV1 (service date, drug and providers follow in their own segments)."""
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


def drug_of(drug: DrugIdentification | None, seg: X12Segment) -> DrugIdentification | None:
    """The line's drug after a LIN (NDC, when LIN02 is N4) or its CTP (quantity and unit)."""
    if seg.id == "LIN":
        if seg.get(2) != "N4":
            return drug
        return DrugIdentification(ndc=seg.get(3), quantity=Decimal(0), unit="")
    if drug is None:  # a CTP with no LIN before it belongs to no drug of ours
        return None
    unit = seg.components(5)
    return DrugIdentification(
        ndc=drug.ndc,
        quantity=seg.decimal(4, "drug quantity") or Decimal(0),
        unit=unit[0] if unit else "",
    )


def provider_of(seg: X12Segment | None, parts: tuple[str, str, str] | None = None) -> ClaimProvider:
    """An NM1*DN / NM1*DK provider (or the (npi, last, first) already taken from one)."""
    if seg is not None:
        parts = (seg.get(9), seg.get(3), seg.get(4))
    assert parts is not None
    npi, last, first = parts
    return ClaimProvider(npi=npi, last_name=last, first_name=first or None)
