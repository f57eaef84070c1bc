"""Read the real-time inquiries a provider sends the X12 sandbox payer: 270 and 276.

The payer side of :mod:`payers.x12.eligibility` and :mod:`payers.x12.claim_status`: transaction sets
come from :func:`payers.x12.envelope.read_interchanges`, loops are followed from HL levels (20 payer,
21 information receiver, 19 provider, 22 subscriber, 23 dependent). A dependent with a member id of
their own is answered as that member (X279A1 1.4.7: such a dependent is the subscriber).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from payers.x12.envelope import TransactionSet
from payers.x12.segments import X12DataError, X12Segment, date_or_none, parse_decimal, parse_period


@dataclass(frozen=True, slots=True)
class InquiredMember:
    """Who an inquiry is about, as sent (any field may be missing in a bad request)."""

    member_id: str
    first_name: str
    last_name: str
    birth_date: date | None
    group_number: str | None = None


@dataclass(frozen=True, slots=True)
class Requester:
    """The provider asking (NM1*1P) and, on a 276, the information receiver (NM1*41)."""

    name: str
    npi: str
    receiver_name: str = ""
    receiver_id: str = ""


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    """A 270: the member, the date of service asked about and the service types (EQ)."""

    reference: str  # BHT03
    trace: tuple[str, str]  # TRN02, TRN03 of the subscriber or dependent loop
    member: InquiredMember
    requester: Requester
    as_of: date | None
    service_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StatusInquiry:
    """A 276 for one claim."""

    reference: str
    trace: str
    member: InquiredMember
    requester: Requester
    payer_claim_id: str | None
    control_number: str | None
    total_charge: Decimal | None
    service_dates: tuple[date, date] | None


@dataclass
class _Reading:
    member_id: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: date | None = None
    group_number: str | None = None
    trace: tuple[str, str] = ("", "")


def _people(segments: Sequence[X12Segment]) -> tuple[_Reading, Requester, dict[str, X12Segment]]:
    """Member (subscriber, overridden by the dependent's name and birth date), requester, and the
    last segment of each other kind seen in the subscriber/dependent loops (keyed ``ID`` or
    ``ID*qualifier``)."""
    member = _Reading()
    requester = Requester("", "")
    level = ""
    seen: dict[str, X12Segment] = {}
    for seg in segments:
        if seg.id == "HL":
            level = seg.get(3)
        elif seg.id == "NM1" and seg.get(1) == "1P":
            requester = Requester(
                seg.get(3), seg.get(9), requester.receiver_name, requester.receiver_id
            )
        elif seg.id == "NM1" and seg.get(1) == "41":
            requester = Requester(requester.name, requester.npi, seg.get(3), seg.get(9))
        elif level not in ("22", "23"):
            continue
        elif seg.id == "NM1" and seg.get(1) == "IL":
            member.member_id = seg.get(9)
            member.last_name, member.first_name = seg.get(3), seg.get(4)
        elif seg.id == "NM1" and seg.get(1) == "03":  # the dependent: name is the patient's
            member.last_name, member.first_name = seg.get(3), seg.get(4)
        elif seg.id == "DMG":
            member.birth_date = date_or_none(seg.get(2), seg.where(2))
        elif seg.id == "REF" and seg.get(1) in ("6P", "1L"):
            member.group_number = seg.get(2) or None
        elif seg.id == "TRN":
            member.trace = (seg.get(2), seg.get(3))
        else:
            seen[seg.id] = seg
            seen[f"{seg.id}*{seg.get(1)}"] = seg
    return member, requester, seen


def _inquired(reading: _Reading) -> InquiredMember:
    return InquiredMember(
        reading.member_id,
        reading.first_name,
        reading.last_name,
        reading.birth_date,
        reading.group_number,
    )


def read_270(transaction: TransactionSet) -> EligibilityInquiry:
    """The inquiry of a 270 (X12DataError when a required part is unreadable)."""
    segments = transaction.segments
    bht = next((s for s in segments if s.id == "BHT"), None)
    if bht is None:
        raise X12DataError("270 has no BHT segment")
    member, requester, _ = _people(segments)
    as_of = None
    for seg in segments:
        if seg.id == "DTP" and seg.get(1) == "291":
            as_of = parse_period(seg.get(2), seg.get(3), seg.where(3))[0]
    service_types = tuple(s.get(1) for s in segments if s.id == "EQ" and s.get(1))
    return EligibilityInquiry(
        reference=bht.get(3),
        trace=member.trace,
        member=_inquired(member),
        requester=requester,
        as_of=as_of,
        service_types=service_types,
    )


def read_276(transaction: TransactionSet) -> StatusInquiry:
    """The claim a 276 asks about (X12DataError when a required part is unreadable)."""
    segments = transaction.segments
    bht = next((s for s in segments if s.id == "BHT"), None)
    if bht is None:
        raise X12DataError("276 has no BHT segment")
    member, requester, seen = _people(segments)
    amount = seen.get("AMT*T3")
    dates = seen.get("DTP*472")
    return StatusInquiry(
        reference=bht.get(3),
        trace=member.trace[0],
        member=_inquired(member),
        requester=requester,
        payer_claim_id=(seen["REF*1K"].get(2) or None) if "REF*1K" in seen else None,
        control_number=(seen["REF*EJ"].get(2) or None) if "REF*EJ" in seen else None,
        total_charge=parse_decimal(amount.get(2), amount.where(2)) if amount else None,
        service_dates=parse_period(dates.get(2), dates.get(3), dates.where(3)) if dates else None,
    )
