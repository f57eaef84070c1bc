"""Answer a 276 with a 277 (005010X212) from the sandbox payer's book and received claims.

The claim's :class:`~payers.model.ClaimStatus` becomes STC (STC01 category:status:entity, STC02
effective date, STC04 total charge, STC05 payment, 0 until paid since X212 requires it) with REF*1K
(payer claim id), REF*EJ (patient control number) and DTP*472 (service dates). A member the book
cannot match gets E0 with 33 (not found), 31 (name) or 158 (birth date); a claim that is not the
member's, or not there at all, gets A4:35 (not found). A payer that cannot answer now (``busy``: the
AAA03-style reason of the fault, 42 or 80) states E1:484 (E2:484 for 80) in the claim's loop, with
the claim references echoed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from payers.model import Claim, ClaimStatus
from payers.sandbox.intake import ClaimIntake
from payers.sandbox.world import MemberMismatch, SandboxPayerBook
from payers.sandbox.x12_inquiry import StatusInquiry
from payers.x12.claim_status import IMPLEMENTATION
from payers.x12.outgoing import Composite, ControlNumbers, Parties, SegmentSpec, build_interchange

# AAA-style reasons the book gives -> 277 status codes about the subscriber (entity IL).
_MISMATCH_STATUS = {"75": "33", "73": "31", "71": "158"}
# The busy fault's reason -> 277 category: E1 system status, E2 information holder not responding.
BUSY_CATEGORIES = {"42": "E1", "80": "E2"}
BUSINESS_APPLICATION_UNAVAILABLE = "484"


def _money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)).quantize(Decimal('0.01'))}"


def status_segment(status: ClaimStatus, total: Decimal | None) -> SegmentSpec:
    """The STC stating ``status``."""
    composite = Composite(
        status.category.code,
        status.status.code if status.status else "",
        status.entity.code if status.entity else "",
    )
    effective = f"{status.effective_date:%Y%m%d}" if status.effective_date else ""
    stc: SegmentSpec = ("STC", composite, effective, "", _money(total), _money(status.paid_amount))
    if status.message:
        stc = (*stc, "", "", "", "", "", "", "", status.message)
    return stc


def _error(category: str, status: str, entity: str, day: date) -> SegmentSpec:
    return ("STC", Composite(category, status, entity), f"{day:%Y%m%d}", "", "0.00", "0.00")


def answer_276(
    book: SandboxPayerBook,
    intake: ClaimIntake,
    inquiry: StatusInquiry,
    today: date,
    *,
    parties: Parties,
    numbers: ControlNumbers,
    created: datetime,
    busy: str | None = None,
) -> str:
    """The 277 for ``inquiry`` (with ``busy``: that the payer cannot answer now)."""
    asked = inquiry.member
    requester = inquiry.requester
    body: list[SegmentSpec] = [
        ("BHT", "0010", "08", inquiry.reference, f"{created:%Y%m%d}", f"{created:%H%M}", "DG"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", book.name, "", "", "", "", "PI", book.payer_number),
        ("HL", "2", "1", "21", "1"),
        (
            "NM1",
            "41",
            "2",
            requester.receiver_name or requester.name,
            "",
            "",
            "",
            "",
            "46",
            requester.receiver_id or parties.receiver_id,
        ),
        ("HL", "3", "2", "19", "1"),
        ("NM1", "1P", "2", requester.name, "", "", "", "", "XX", requester.npi),
        ("HL", "4", "3", "22", "0"),
        ("NM1", "IL", "1", asked.last_name, asked.first_name, "", "", "", "MI", asked.member_id),
        ("TRN", "2", inquiry.trace),
    ]
    # A busy payer looks nothing up.
    mismatch = None if busy else _member_problem(book, inquiry)
    claim = (
        None
        if busy or mismatch
        else intake.find_claim(inquiry.payer_claim_id, inquiry.control_number)
    )
    if claim is not None and claim.member_id != asked.member_id.strip().upper():
        claim = None  # another member's claim: as good as absent
    if busy is not None:
        category = BUSY_CATEGORIES.get(busy, "E1")
        body.append(_error(category, BUSINESS_APPLICATION_UNAVAILABLE, "", today))
        body += _references(inquiry.payer_claim_id, inquiry.control_number)
    elif mismatch:
        body.append(_error("E0", mismatch, "IL", today))
    elif claim is None:
        body.append(_error("A4", "35", "", today))
        body += _references(inquiry.payer_claim_id, inquiry.control_number)
    else:
        body += _claim_lines(claim)
    return build_interchange(
        parties,
        numbers,
        functional_id="HN",
        transaction_code="277",
        implementation=IMPLEMENTATION,
        body=body,
        created=created,
    )


def _member_problem(book: SandboxPayerBook, inquiry: StatusInquiry) -> str | None:
    asked = inquiry.member
    if not asked.member_id or asked.birth_date is None:
        return "33" if not asked.member_id else "158"
    try:
        book.verify_member(asked.member_id, asked.first_name, asked.last_name, asked.birth_date)
    except MemberMismatch as exc:
        return _MISMATCH_STATUS.get(exc.reasons[0].code if exc.reasons else "75", "33")
    return None


def _references(payer_claim_id: str | None, control_number: str | None) -> list[SegmentSpec]:
    refs: list[SegmentSpec] = []
    if payer_claim_id:
        refs.append(("REF", "1K", payer_claim_id))
    if control_number:
        refs.append(("REF", "EJ", control_number))
    return refs


def _claim_lines(claim: Claim) -> list[SegmentSpec]:
    status = claim.status
    lines: list[SegmentSpec] = [
        status_segment(
            status, status.total_charge if status.total_charge is not None else claim.total_charge
        ),
        *_references(claim.payer_claim_id, claim.control_number),
    ]
    start, end = claim.service_date_from, claim.service_date_to
    if start is not None:
        if end is None or end == start:
            lines.append(("DTP", "472", "D8", f"{start:%Y%m%d}"))
        else:
            lines.append(("DTP", "472", "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}"))
    return lines
