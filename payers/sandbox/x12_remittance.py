"""Serialize the sandbox payer's payments as 835 remittances (005010X221A1), one set per payment.

BPR (amount, method, date; ACH with fictitious bank numbers, or check), TRN (trace number), the payer
(N1*PR with its PER*BL contact) and payee (N1*PE with NPI), then per claim CLP, its claim-level CAS,
the patient (NM1*QC), MOA remarks and per line SVC, DTM*472, CAS, AMT*B6 (allowed) and LQ*HE
(remarks), and PLB provider-level adjustments. Amounts balance as the guide requires: per line and
per claim, charge - paid = sum of CAS; BPR02 = sum of CLP04 - sum of PLB amounts (the book's
payments already do; this module only writes them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from payers.model import Adjustment, ClaimPayment, Code, Payment, ServiceLinePayment
from payers.sandbox.cast import SandboxProvider
from payers.sandbox.world import SandboxPayerBook
from payers.x12.outgoing import Composite, ControlNumbers, Parties, SegmentSpec, build_group

IMPLEMENTATION = "005010X221A1"
_MAX_CAS_TRIPLETS = 6


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def payer_tax_id(book: SandboxPayerBook) -> str:
    """A stable fictitious 9-digit EIN for the payer (BPR10, TRN03 are '1' + EIN)."""
    digest = hashlib.sha256(book.payer_number.encode()).hexdigest()
    return f"{int(digest, 16) % 10**9:09d}"


def _filing_indicator(book: SandboxPayerBook) -> str:
    """CLP06 from the plan type: 14 EPO, 12 PPO, CI commercial otherwise."""
    name = book.design.name.upper()
    return "14" if "EPO" in name else "12" if "PPO" in name else "CI"


def answer_835(
    book: SandboxPayerBook,
    payments: Sequence[Payment],
    *,
    parties: Parties,
    numbers: ControlNumbers,
    created: datetime,
) -> str:
    """One interchange with an 835 per payment (``payments`` must not be empty)."""
    providers = {p.npi: p for p in book.providers.values()}
    return build_group(
        parties,
        numbers,
        functional_id="HP",
        transaction_code="835",
        implementation=IMPLEMENTATION,
        bodies=[_remittance(book, p, providers.get(p.payee_npi or "")) for p in payments],
        created=created,
    )


def _remittance(
    book: SandboxPayerBook, payment: Payment, payee: SandboxProvider | None
) -> list[SegmentSpec]:
    tin = payer_tax_id(book)
    day = f"{payment.payment_date:%Y%m%d}" if payment.payment_date else ""
    method = payment.method.code
    if payment.amount == 0:
        bpr: SegmentSpec = ("BPR", "H", "0", "C", "NON", *[""] * 11, day)
    elif method == "ACH":
        bpr = (
            "BPR",
            "I",
            _money(payment.amount),
            "C",
            "ACH",
            "CCP",
            "01",
            "999999992",
            "DA",
            "1029384756",
            f"1{tin}",
            "",
            "01",
            "999999995",
            "DA",
            "5647382910",
            day,
        )
    else:
        bpr = ("BPR", "C", _money(payment.amount), "C", method, *[""] * 11, day)
    body: list[SegmentSpec] = [
        bpr,
        ("TRN", "1", payment.trace_number, f"1{tin}"),
        ("DTM", "405", day),
        ("N1", "PR", book.name),
        ("N3", "PO Box 4410"),
        ("N4", "Elmridge", "OH", "43990"),
        ("PER", "BL", "EDI SUPPORT", "TE", "6145550199"),
    ]
    if payee is not None:
        body += [
            ("N1", "PE", payee.name, "XX", payee.npi),
            ("N3", payee.address1),
            ("N4", payee.city, payee.state, payee.postal_code),
        ]
        if payee.tax_id:
            body.append(("REF", "TJ", payee.tax_id.replace("-", "")))
    elif payment.payee_npi:
        body.append(("N1", "PE", "PAYEE", "XX", payment.payee_npi))
    if payment.claims:
        body.append(("LX", "1"))
    for claim in payment.claims:
        body += _claim(book, claim)
    if payment.provider_adjustments:
        year_end = f"{payment.payment_date:%Y}1231" if payment.payment_date else ""
        provider = payment.payee_npi or (payee.npi if payee else "")
        pairs: list[str | Composite] = []
        for adjustment in payment.provider_adjustments:
            pairs += [
                Composite(adjustment.reason.code, adjustment.reference or ""),
                _money(adjustment.amount),
            ]
        for n in range(0, len(pairs), 12):  # six reason/amount pairs per PLB
            body.append(("PLB", provider, year_end, *pairs[n : n + 12]))
    return body


def _claim(book: SandboxPayerBook, claim: ClaimPayment) -> list[SegmentSpec]:
    member = book.members.get(claim.member_id or "")
    lines: list[SegmentSpec] = [
        (
            "CLP",
            claim.control_number or "",
            claim.status.code,
            _money(claim.charge),
            _money(claim.paid),
            _money(claim.patient_responsibility)
            if claim.patient_responsibility is not None
            else "",
            _filing_indicator(book),
            claim.payer_claim_id or "",
        ),
        *_adjustments(claim.adjustments),
    ]
    if member is not None:
        person = member.person
        lines.append(
            (
                "NM1",
                "QC",
                "1",
                person.last_name,
                person.first_name,
                "",
                "",
                "",
                "MI",
                member.member_id,
            )
        )
    elif claim.member_id:
        lines.append(("NM1", "QC", "1", "UNKNOWN", "", "", "", "", "MI", claim.member_id))
    if claim.remarks:
        lines.append(("MOA", "", "", *(r.code for r in claim.remarks[:5])))
    for line in claim.lines:
        lines += _line(line)
    return lines


def _line(line: ServiceLinePayment) -> list[SegmentSpec]:
    procedure = Composite("HC", line.procedure.code, *line.modifiers[:4])
    units = _number(line.units) if line.units is not None else ""
    found: list[SegmentSpec] = [
        ("SVC", procedure, _money(line.charge), _money(line.paid), "", units)
    ]
    if line.service_date is not None:
        found.append(("DTM", "472", f"{line.service_date:%Y%m%d}"))
    found += _adjustments(line.adjustments)
    if line.allowed_amount is not None:
        found.append(("AMT", "B6", _money(line.allowed_amount)))
    # 835 remarks belong to the line (LQ), not to one CAS: gather those of every adjustment.
    remarks = _unique([*line.remarks, *(r for a in line.adjustments for r in a.remarks)])
    found += [("LQ", "HE", remark.code) for remark in remarks]
    return found


def _unique(codes: Iterable[Code]) -> list[Code]:
    seen: list[Code] = []
    for code in codes:
        if code.code not in {c.code for c in seen}:
            seen.append(code)
    return seen


def _adjustments(adjustments: Sequence[Adjustment]) -> list[SegmentSpec]:
    """CAS segments: one per group code (first-seen order), up to six reasons each."""
    by_group: dict[str, list[Adjustment]] = {}
    for adjustment in adjustments:
        by_group.setdefault(adjustment.group.code, []).append(adjustment)
    found: list[SegmentSpec] = []
    for group, items in by_group.items():
        for n in range(0, len(items), _MAX_CAS_TRIPLETS):
            triplets: list[str] = []
            for item in items[n : n + _MAX_CAS_TRIPLETS]:
                quantity = _number(item.quantity) if item.quantity is not None else ""
                triplets += [item.reason.code, _money(item.amount), quantity]
            found.append(("CAS", group, *triplets))
    return found
