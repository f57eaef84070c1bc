"""CARIN Blue Button ExplanationOfBenefit -> :class:`Claim` (payments: ``remittance.py``).

Reads professional, institutional (inpatient/outpatient) and pharmacy EOBs, strict or lenient (see
:mod:`payers.fhir.resources`). Choices, each because of real payer data:

- a line's procedure is ``productOrService``; when that is absent (Blue Button institutional lines)
  the CPT/HCPCS coding in ``modifier`` is used, else the revenue code. Revenue code 0001 lines are
  the UB-04 "total charge" line, not a service, and are left out;
- a line's charge is ``net``, else its submitted amount (drug cost on pharmacy lines), else
  ``unitPrice`` x quantity, else (one line only) the claim's submitted total; the claim's charge is
  its submitted total, else the 0001 total line's, else the sum of its lines;
- paid: ``payment.amount``, else the benefit total, else the sum of line benefits;
  patient responsibility: member liability, else paid by patient, else copay + deductible +
  coinsurance (totals first, then lines);
- diagnosis pointers are positions in :attr:`Claim.diagnoses`, translated from ``diagnosisSequence``
  (a DRG ``packageCode`` entry is not a diagnosis and takes no position);
- status: the payer's X12 277 status when it states one in the
  :data:`~payers.fhir.terminology.CLAIM_STATUS_EXTENSION` extension, else ``outcome`` as a
  category: ``complete`` (or absent, as in Blue Button, whose EOBs are final-action claims) -> F1
  when something was paid, F2 when every line was non-covered, else F0; ``partial`` -> P1;
  ``queued`` -> A1; ``error`` -> A3; ``status = cancelled`` -> F0 with the reason in the message;
- member id (when the caller does not know it): the patient or focal coverage Reference's
  identifier, else the Patient id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from payers.codesets import lookup
from payers.fhir.adjudication import Adjudication, read_adjudications, total_of
from payers.fhir.resources import ParsedResource, is_absent
from payers.fhir.terminology import (
    as_date,
    claim_state,
    codings,
    diagnosis_code,
    fhir_code,
    first_code,
    is_procedure_coding,
    money,
    npi_of,
    place_of_service,
    procedure_code,
    stated_status,
)
from payers.model import Claim, ClaimLine, ClaimStatus, Code

CLAIM_TYPES = ("professional", "institutional", "pharmacy", "oral", "vision")
UNIQUE_CLAIM_ID = "uc"
TOTAL_CHARGE_REVENUE_CODE = "0001"
_RENDERING_ROLES = ("performing", "rendering")


@dataclass(frozen=True, slots=True)
class EobLine:
    """One service line of an EOB, before it becomes a ClaimLine or a ServiceLinePayment."""

    sequence: int
    procedure: Code
    modifiers: tuple[str, ...]
    charge: Decimal
    units: Decimal
    service_date: date | None
    diagnosis_pointers: tuple[int, ...]
    adjudication: Adjudication


@dataclass(frozen=True, slots=True)
class EobReading:
    """Everything :func:`eob_to_claim` and the remittance reading take from one EOB."""

    eob: Any
    diagnoses: tuple[Code, ...]
    lines: tuple[EobLine, ...]
    header: Adjudication
    status: ClaimStatus
    charge: Decimal
    patient_responsibility: Decimal | None
    date_from: date | None
    date_to: date | None


def read_eob(parsed: ParsedResource[Any]) -> EobReading:
    """Read lines, amounts, dates and status of one EOB."""
    eob = parsed.resource
    diagnoses, positions = _diagnoses(eob)
    lines = _lines(eob, positions)
    header, totals = _header(eob)
    dates = [line.service_date for line in lines if line.service_date]
    period = eob.billablePeriod
    return EobReading(
        eob=eob,
        diagnoses=diagnoses,
        lines=tuple(lines),
        header=header,
        status=_status(eob, lines, totals),
        charge=_charge(eob, lines, totals),
        patient_responsibility=_patient_responsibility(lines, totals, header),
        date_from=as_date(period.start if period else None) or min(dates, default=None),
        date_to=as_date(period.end if period else None) or max(dates, default=None),
    )


def eob_to_claim(parsed: ParsedResource[Any], payer_id: str, member_id: str | None = None) -> Claim:
    """The claim an EOB describes, with lines, amounts and a 277-style status."""
    reading = read_eob(parsed)
    eob = reading.eob
    return Claim(
        payer_id=payer_id,
        payer_claim_id=payer_claim_id(eob),
        control_number=control_number(eob),
        member_id=member_id or member_id_of(eob),
        status=reading.status,
        service_date_from=reading.date_from,
        service_date_to=reading.date_to,
        total_charge=reading.charge,
        claim_type=claim_type(eob),
        billing_provider_npi=npi_of(eob.provider, eob.contained or ()),
        rendering_provider_npi=_rendering_npi(eob),
        place_of_service=next(
            (p for p in (place_of_service(i.locationCodeableConcept) for i in eob.item or ()) if p),
            None,
        ),
        diagnoses=reading.diagnoses,
        lines=tuple(
            ClaimLine(
                line_number=line.sequence,
                procedure=line.procedure,
                charge=line.charge,
                units=line.units,
                modifiers=line.modifiers,
                diagnosis_pointers=line.diagnosis_pointers,
                service_date=line.service_date,
                allowed_amount=line.adjudication.get("eligible"),
                paid_amount=line_paid(line.adjudication),
            )
            for line in reading.lines
        ),
        paid_amount=reading.status.paid_amount,
        patient_responsibility=reading.patient_responsibility,
    )


def payer_claim_id(eob: Any) -> str | None:
    """The payer's claim id: the identifier typed "uc" (unique claim id), else the first one."""
    identifiers = [i for i in eob.identifier or () if i.value]
    for ident in identifiers:
        if first_code(ident.type, (UNIQUE_CLAIM_ID,)):
            return str(ident.value)
    return str(identifiers[0].value) if identifiers else eob.id


def claim_type(eob: Any) -> str:
    return first_code(eob.type, CLAIM_TYPES) or "professional"


def control_number(eob: Any) -> str | None:
    claim = eob.claim
    if claim is not None and claim.identifier is not None and claim.identifier.value:
        return str(claim.identifier.value)
    return None


def member_id_of(eob: Any) -> str:
    """The member id the EOB names (patient or focal coverage identifier), else the Patient id."""
    references = [eob.patient] + [i.coverage for i in eob.insurance or () if i.focal]
    for reference in references:
        identifier = getattr(reference, "identifier", None)
        if not is_absent(reference) and identifier is not None and identifier.value:
            return str(identifier.value)
    reference = str(getattr(eob.patient, "reference", "") or "")
    return reference.rsplit("/", 1)[-1]


def _diagnoses(eob: Any) -> tuple[tuple[Code, ...], dict[int, int]]:
    diagnoses: list[Code] = []
    positions: dict[int, int] = {}
    for entry in sorted(eob.diagnosis or (), key=lambda d: d.sequence or 0):
        found = codings(entry.diagnosisCodeableConcept)
        if found:
            diagnoses.append(diagnosis_code(found[0]))
            positions[entry.sequence] = len(diagnoses)
    return tuple(diagnoses), positions


def _lines(eob: Any, positions: dict[int, int]) -> list[EobLine]:
    pharmacy = claim_type(eob) == "pharmacy"
    totals_submitted = read_adjudications(eob.total).get("submitted")
    items = list(eob.item or ())
    out = []
    for item in items:
        revenue = codings(item.revenue)
        if revenue and str(revenue[0].code) == TOTAL_CHARGE_REVENUE_CODE:
            continue
        adjudication = read_adjudications(item.adjudication, pharmacy=pharmacy)
        procedure, modifiers = _procedure(item)
        units = money(item.quantity) or Decimal(1)
        charge = _first(
            money(item.net),
            adjudication.get("submitted", "drugcost"),
            _times(money(item.unitPrice), units),
            totals_submitted if len(items) == 1 else None,
            Decimal(0),
        )
        served = as_date(item.servicedDate) or as_date(
            item.servicedPeriod.start if item.servicedPeriod else None
        )
        pointers = tuple(positions[s] for s in item.diagnosisSequence or () if s in positions)
        out.append(
            EobLine(
                item.sequence, procedure, modifiers, charge, units, served, pointers, adjudication
            )
        )
    return out


def _procedure(item: Any) -> tuple[Code, tuple[str, ...]]:
    modifier_codings = [c for m in item.modifier or () for c in codings(m)]
    product = codings(item.productOrService)
    if product:
        return procedure_code(product[0]), tuple(str(c.code) for c in modifier_codings)
    # Blue Button institutional lines carry the HCPCS code in modifier, not productOrService.
    for coding in modifier_codings:
        if is_procedure_coding(coding) and len(str(coding.code)) == 5:
            rest = tuple(str(c.code) for c in modifier_codings if c is not coding)
            return procedure_code(coding), rest
    revenue = codings(item.revenue)
    if revenue:
        return fhir_code(revenue[0]), tuple(str(c.code) for c in modifier_codings)
    return Code("unspecified", "unknown", "Service not stated by the payer"), ()


def _header(eob: Any) -> tuple[Adjudication, Adjudication]:
    pharmacy = claim_type(eob) == "pharmacy"
    return (
        read_adjudications(eob.adjudication, pharmacy=pharmacy),
        read_adjudications(eob.total, pharmacy=pharmacy),
    )


def _charge(eob: Any, lines: Sequence[EobLine], totals: Adjudication) -> Decimal:
    """The submitted total, else the UB-04 total line (revenue code 0001), else the lines' sum."""
    submitted = totals.get("submitted")
    if submitted is not None:
        return submitted
    for item in eob.item or ():
        revenue = codings(item.revenue)
        if revenue and str(revenue[0].code) == TOTAL_CHARGE_REVENUE_CODE:
            stated = read_adjudications(item.adjudication).get("submitted")
            if stated is not None:
                return stated
    return sum((line.charge for line in lines), Decimal(0))


def line_paid(adjudication: Adjudication) -> Decimal | None:
    paid = adjudication.get("benefit")
    if paid is not None:
        return paid
    to_provider, to_patient = adjudication.get("paidtoprovider"), adjudication.get("paidtopatient")
    if to_provider is None and to_patient is None:
        return None
    return (to_provider or Decimal(0)) + (to_patient or Decimal(0))


def _paid(eob: Any, lines: Sequence[EobLine], totals: Adjudication) -> Decimal | None:
    if eob.payment is not None and money(eob.payment.amount) is not None:
        return money(eob.payment.amount)
    benefit = totals.get("benefit")
    if benefit is not None:
        return benefit
    paid = [p for p in (line_paid(line.adjudication) for line in lines) if p is not None]
    return sum(paid, Decimal(0)) if paid else None


def _patient_responsibility(
    lines: Sequence[EobLine], totals: Adjudication, header: Adjudication
) -> Decimal | None:
    adjudications = [line.adjudication for line in lines]
    for category in ("memberliability", "paidbypatient"):
        for source in (
            totals.get(category),
            header.get(category),
            total_of(adjudications, category),
        ):
            if source is not None:
                return source
    shares = ("copay", "deductible", "coinsurance")
    if any(totals.get(c) is not None for c in shares):
        return sum((totals.get(c) or Decimal(0) for c in shares), Decimal(0))
    found = [total_of(adjudications, c) for c in shares]
    if all(v is None for v in found):
        return None
    return sum((v or Decimal(0) for v in found), Decimal(0))


def _status(eob: Any, lines: Sequence[EobLine], totals: Adjudication) -> ClaimStatus:
    paid = _paid(eob, lines, totals)
    outcome = eob.outcome or "complete"
    if outcome == "error":
        category = "A3"
    elif outcome == "queued":
        category = "A1"
    elif outcome == "partial":
        category = "P1"
    elif paid:
        category = "F1"
    elif lines and all(_non_covered(line) for line in lines):
        category = "F2"
    else:
        category = "F0"
    message = eob.disposition
    if eob.status == "cancelled":
        category, message = "F0", f"EOB cancelled{': ' + message if message else ''}"
    effective = as_date(eob.payment.date if eob.payment else None) or as_date(eob.created)
    stated = stated_status(eob)
    if stated is not None and eob.status != "cancelled":
        return ClaimStatus(
            state=claim_state(stated.category.code),
            category=stated.category,
            status=stated.status,
            entity=stated.entity,
            effective_date=stated.effective_date or effective,
            payer_claim_id=payer_claim_id(eob),
            control_number=control_number(eob),
            total_charge=_charge(eob, lines, totals),
            paid_amount=paid,
            message=message,
        )
    return ClaimStatus(
        state=claim_state(category),
        category=lookup("claim-status-category", category),
        effective_date=effective,
        payer_claim_id=payer_claim_id(eob),
        control_number=control_number(eob),
        total_charge=_charge(eob, lines, totals),
        paid_amount=paid,
        message=message,
    )


def _non_covered(line: EobLine) -> bool:
    noncovered = line.adjudication.get("noncovered")
    return bool(noncovered) and noncovered == line.charge


def _rendering_npi(eob: Any) -> str | None:
    for member in eob.careTeam or ():
        if first_code(member.role, _RENDERING_ROLES) and not is_absent(member.provider):
            npi = npi_of(member.provider, eob.contained or ())
            if npi:
                return npi
    return None


def _first(*values: Decimal | None) -> Decimal:
    return next(v for v in values if v is not None)


def _times(price: Decimal | None, units: Decimal) -> Decimal | None:
    return price * units if price is not None else None
