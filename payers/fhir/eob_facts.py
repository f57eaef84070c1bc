"""What else an ExplanationOfBenefit says about a claim: subtype, precedence, accident, the focal
coverage and the payer's process notes (kept on :class:`~payers.model.ClaimPayment`).

- ``subType`` keeps its FHIR code and display (ex-claimsubtype: ``ortho``, ``emergency``);
- ``precedence`` is the payer's position in coordination of benefits (1 primary, 2 secondary...);
- ``accident``: its date, type (v3-ActCode: ``SPT`` sports, ``MVA``...) and where: the address in
  one line, else the place's reference or display;
- the focal coverage: the ``insurance`` entry with ``focal = true`` (the only entry when it does
  not state ``focal``, as Blue Button omits it; never one stated ``focal = false``): its Coverage
  reference, identifier or display, and its ``preAuthRef`` numbers;
- ``processNote``: number, type (display, print, printoper), text and language, in order.
"""

from __future__ import annotations

from typing import Any

from payers.fhir.resources import is_absent
from payers.fhir.terminology import as_date, codings, fhir_code
from payers.model import Accident, Code, FocalCoverage, ProcessNote


def sub_type(eob: Any) -> Code | None:
    return next((fhir_code(c) for c in codings(eob.subType)), None)


def accident(eob: Any) -> Accident | None:
    stated = eob.accident
    if stated is None:
        return None
    return Accident(
        occurred_on=as_date(stated.date),
        type=next((fhir_code(c) for c in codings(stated.type)), None),
        location=_address(stated.locationAddress) or _reference(stated.locationReference),
    )


def focal_coverage(eob: Any) -> FocalCoverage | None:
    insurances = list(eob.insurance or ())
    focal = [i for i in insurances if i.focal is True]
    if not focal and len(insurances) == 1 and insurances[0].focal is None:
        focal = insurances  # focal not stated (Blue Button); an explicit false is not focal
    if not focal:
        return None
    chosen = focal[0]
    coverage = _reference(chosen.coverage)
    if coverage is None:
        return None
    return FocalCoverage(
        coverage=coverage, pre_auth_refs=tuple(str(r) for r in chosen.preAuthRef or () if r)
    )


def process_notes(eob: Any) -> tuple[ProcessNote, ...]:
    return tuple(
        ProcessNote(
            text=str(note.text),
            number=note.number,
            type=str(note.type) if note.type else None,
            language=next((fhir_code(c) for c in codings(note.language)), None),
        )
        for note in eob.processNote or ()
        if note.text
    )


def _reference(reference: Any) -> str | None:
    if is_absent(reference):
        return None
    if reference.reference:
        return str(reference.reference)
    identifier = reference.identifier
    if identifier is not None and identifier.value:
        return str(identifier.value)
    return str(reference.display) if reference.display else None


def _address(address: Any) -> str | None:
    if address is None:
        return None
    if address.text:
        return str(address.text)
    parts = [*(address.line or ()), address.city, address.state, address.postalCode]
    return ", ".join(str(p) for p in parts if p) or None
