"""Claim status: build a 276 (005010X212), read a 277 (X212, and the loops a 277CA X214 shares).

pyx12 has no X212 map, so the loops are followed here. A status loop starts at TRN under an HL (20
payer, 21 information receiver, 19 provider, 22 subscriber, 23 dependent, PT patient in the 277CA)
and holds STC statuses, REF*1K (payer claim id), REF*EJ (patient control number),
DTP*472; SVC starts a service line whose STCs are the line's, not the claim's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from payers.codesets import lookup
from payers.contract import PayerProtocolError
from payers.model import ClaimRef, ClaimState, ClaimStatus, Code
from payers.x12.envelope import transactions, with_findings
from payers.x12.outgoing import (
    ControlNumbers,
    Parties,
    PayerParty,
    ProviderParty,
    SegmentSpec,
    build_interchange,
)
from payers.x12.segments import X12DataError, X12Segment, date_or_none, parse_period

IMPLEMENTATION = "005010X212"
CLAIM_LEVELS = frozenset({"22", "23", "PT"})

_FINAL = {
    "F0": ClaimState.FINALIZED,
    "F1": ClaimState.FINALIZED,
    "F2": ClaimState.DENIED,
    "F3": ClaimState.FINALIZED,
    "F4": ClaimState.FINALIZED,
}
_ACKNOWLEDGED = frozenset({"A0", "A1", "A2", "A5"})  # A5 is a split claim, not a rejection


def claim_state(category: str) -> ClaimState:
    """ClaimState from a 277 category code (A*, P*, R*, F*, E*, D0)."""
    category = category.strip().upper()
    if category in _ACKNOWLEDGED:
        return ClaimState.ACKNOWLEDGED
    if category.startswith("A"):
        return ClaimState.REJECTED
    if category[:2] in _FINAL:
        return _FINAL[category[:2]]
    family = {
        "P": ClaimState.PENDING,
        "R": ClaimState.INFORMATION_REQUESTED,
        "E": ClaimState.ERROR,
        "D": ClaimState.ERROR,
    }
    return family.get(category[:1], ClaimState.PENDING)


def build_276(
    ref: ClaimRef,
    *,
    payer: PayerParty,
    provider: ProviderParty,
    parties: Parties,
    numbers: ControlNumbers,
    trace: str,
    created: datetime,
) -> str:
    """A 276 for one claim. The patient is sent as the subscriber (X212 allows it when the
    patient has their own member id): our ClaimRef does not carry a dependent's subscriber name."""
    member = ref.member
    body: list[SegmentSpec] = [
        ("BHT", "0010", "13", trace, f"{created:%Y%m%d}", f"{created:%H%M}"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.id),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "41", "2", provider.name, "", "", "", "", "46", parties.sender_id),
        ("HL", "3", "2", "19", "1"),
        ("NM1", "1P", "2", provider.name, "", "", "", "", "XX", provider.npi),
        ("HL", "4", "3", "22", "0"),
        ("DMG", "D8", f"{member.birth_date:%Y%m%d}"),
        ("NM1", "IL", "1", member.last_name, member.first_name, "", "", "", "MI", member.member_id),
        ("TRN", "1", trace),
    ]
    if ref.payer_claim_id:
        body.append(("REF", "1K", ref.payer_claim_id))
    if ref.control_number:
        body.append(("REF", "EJ", ref.control_number))
    if ref.total_charge is not None:
        body.append(("AMT", "T3", f"{ref.total_charge:.2f}"))
    if ref.service_date is not None:
        body.append(("DTP", "472", "D8", f"{ref.service_date:%Y%m%d}"))
    return build_interchange(
        parties,
        numbers,
        functional_id="HR",
        transaction_code="276",
        implementation=IMPLEMENTATION,
        body=body,
        created=created,
    )


@dataclass
class StatusLoop:
    """One TRN-started status loop of a 277 / 277CA at some HL level."""

    level: str
    trace: str
    member_id: str | None = None
    statuses: list[X12Segment] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    service_dates: tuple[date, date] | None = None
    line_count: int = 0


def status_loops(segments: Sequence[X12Segment]) -> list[StatusLoop]:
    """The status loops of a 277 body in order."""
    loops: list[StatusLoop] = []
    level, member_id = "", None
    current: StatusLoop | None = None
    for seg in segments:
        if seg.id == "HL":
            level, member_id, current = seg.get(3), None, None
        elif seg.id == "NM1" and seg.get(1) in ("IL", "QC"):
            member_id = seg.get(9) or member_id
        elif seg.id == "TRN":
            current = StatusLoop(level, seg.get(2), member_id)
            loops.append(current)
        elif current is None:
            continue
        elif seg.id == "SVC":
            current.line_count += 1
        elif current.line_count:
            continue  # service line detail (2220): its STC/REF/DTP are not the claim's
        elif seg.id == "STC":
            current.statuses.append(seg)
        elif seg.id == "REF":
            current.refs.setdefault(seg.get(1), seg.get(2))
        elif seg.id == "DTP" and seg.get(1) == "472":
            current.service_dates = parse_period(seg.get(2), seg.get(3), seg.where(3))
    return loops


def status_codes(stc: X12Segment) -> list[tuple[Code, Code | None, Code | None]]:
    """(category, status, entity) of each STC composite: STC01, STC10 and STC11."""
    found = []
    for position in (1, 10, 11):
        parts = stc.procedure_components(position) if position == 1 else stc.components(position)
        parts = [p for p in parts] + ["", "", ""]
        if not parts[0]:
            continue
        found.append(
            (
                lookup("claim-status-category", parts[0]),
                lookup("claim-status", parts[1]) if parts[1] else None,
                lookup("entity-identifier", parts[2]) if parts[2] else None,
            )
        )
    return found


def claim_status_of(loop: StatusLoop, stc: X12Segment) -> ClaimStatus:
    """ClaimStatus from a loop's STC (its first composite gives category, status and entity)."""
    codes = status_codes(stc)
    if not codes:
        raise X12DataError(f"{stc.where(1)} has no status category")
    category, status, entity = codes[0]
    charge: Decimal | None = stc.decimal(4, "total claim charge")
    return ClaimStatus(
        state=claim_state(category.code),
        category=category,
        status=status,
        entity=entity,
        effective_date=date_or_none(stc.get(2), stc.where(2)),
        payer_claim_id=loop.refs.get("1K"),
        control_number=loop.refs.get("EJ") or (loop.trace if loop.level in CLAIM_LEVELS else None),
        total_charge=charge,
        paid_amount=stc.decimal(5, "claim payment amount"),
        message=stc.get(12) or None,
    )


def parse_277(text: str, payer_id: str, *, strict: bool = True) -> list[ClaimStatus]:
    """Every status in a 277: claim-level ones carry claim ids, payer/receiver/provider-level ones
    (an E0 "entity not found" for a provider, say) carry none."""
    try:
        found: list[ClaimStatus] = []
        for transaction in transactions(text, payer_id, "277", strict=strict):
            for loop in status_loops(transaction.segments):
                if loop.statuses:  # the first STC is the current status; later ones are history
                    status = claim_status_of(loop, loop.statuses[0])
                    found.append(with_findings(status, transaction))
        return found
    except X12DataError as exc:
        raise PayerProtocolError(payer_id, f"277 is invalid: {exc}") from exc
