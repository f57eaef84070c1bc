"""The status loops of a 277 (005010X212 claim status, 005010X214 claim acknowledgment).

A status loop starts at TRN under an HL: 20 information source (2200A), 21 information receiver
(2200B), 19 provider (2200C), 22 subscriber or PT patient (2200D), 23 dependent (2200E). It holds
STC statuses, REF references and DTP*472 service dates; SVC starts a service line (2220D/E) whose
STC, REF and DTP are the line's. Each STC may state up to three statuses (composites STC01, STC10,
STC11: category, status code, entity, code list qualifier).

Nothing readable is dropped for a neighbour's sake: a malformed composite, date, amount or line is
left out where it stands, with a :class:`~payers.model.Finding` (segment = 1-based position in the
transaction set) on the status it belongs to, and the rest of the file is read as usual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from payers.codesets import is_known, lookup
from payers.model import (
    ClaimReference,
    ClaimState,
    ClaimStatus,
    Code,
    Finding,
    FindingSeverity,
    ServiceLineStatus,
    StatusDetail,
    StatusLevel,
)
from payers.x12.segments import X12DataError, X12Segment, parse_d8, parse_period

CLAIM_LEVELS = frozenset({"22", "23", "PT"})
#: HL03 level code -> (level, the IG's status loop).
LOOPS: dict[str, tuple[StatusLevel, str]] = {
    "20": (StatusLevel.INFORMATION_SOURCE, "2200A"),
    "21": (StatusLevel.INFORMATION_RECEIVER, "2200B"),
    "19": (StatusLevel.PROVIDER, "2200C"),
    "22": (StatusLevel.CLAIM, "2200D"),
    "PT": (StatusLevel.CLAIM, "2200D"),
    "23": (StatusLevel.CLAIM, "2200E"),
}
#: The code list an STC status code comes from when its 4th component names one we carry.
CODE_LISTS = {"RX": "ncpdp-reject"}
#: SVC01-1 product/service id qualifiers a 277 may use, and the code set each names.
SERVICE_LISTS = {
    "AD": "American Dental Association (CDT) code",
    "ER": "Jurisdiction specific procedure or supply code",
    "HC": "HCPCS code",
    "HP": "HIPPS skilled nursing facility rate code",
    "IV": "Home Infusion EDI Coalition product/service code",
    "N4": "National Drug Code (5-4-2)",
    "NU": "NUBC revenue code",
    "WK": "Advanced Billing Concepts code",
}
NOT_STATED = Code("claim-status-category", "", "No readable status was stated at this level")
_CATEGORY = re.compile(r"^[A-Z][0-9]{1,2}[A-Z]?$")

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


class _Notes:
    """Findings of one loop or line, placed by the segment's position in its transaction set."""

    def __init__(self, loop: str, base: int) -> None:
        self.loop = loop
        self.base = base
        self.found: list[Finding] = []

    def add(
        self,
        code: str,
        message: str,
        seg: X12Segment,
        element: int | None = None,
        severity: FindingSeverity = FindingSeverity.ERROR,
    ) -> None:
        ref = f"{seg.id}{element:02d}" if element is not None else seg.id
        position = seg.position - self.base
        self.found.append(
            Finding(
                code=code,
                message=message,
                severity=severity,
                location=f"loop {self.loop}, {ref} (segment {position})",
                segment=position,
            )
        )


@dataclass
class LineLoop:
    """One service line (2220D/E) as read."""

    number: int
    notes: _Notes
    procedure: Code | None = None
    modifiers: tuple[str, ...] = ()
    charge: Decimal | None = None
    paid: Decimal | None = None
    units: Decimal | None = None
    dates: tuple[date, date] | None = None
    references: list[ClaimReference] = field(default_factory=list)
    statuses: list[StatusDetail] = field(default_factory=list)

    def model(self) -> ServiceLineStatus:
        start, end = self.dates or (None, None)
        return ServiceLineStatus(
            line=self.number,
            procedure=self.procedure,
            modifiers=self.modifiers,
            charge=self.charge,
            paid=self.paid,
            units=self.units,
            service_date_from=start,
            service_date_to=end,
            references=tuple(self.references),
            statuses=tuple(self.statuses),
        )


@dataclass
class StatusLoop:
    """One TRN-started status loop of a 277 / 277CA at some HL level."""

    hl_level: str
    level: StatusLevel
    loop: str
    trace: str
    notes: _Notes
    member_id: str | None = None
    statuses: list[StatusDetail] = field(default_factory=list)
    first_stc: X12Segment | None = None
    references: list[ClaimReference] = field(default_factory=list)
    dates: tuple[date, date] | None = None
    lines: list[LineLoop] = field(default_factory=list)
    #: Status loops of the HLs above this one (provider, information receiver), nearest last.
    above: list[StatusLoop] = field(default_factory=list)

    def reference(self, qualifier: str) -> str | None:
        return next((r.value for r in self.references if r.qualifier.code == qualifier), None)

    def claim_status(self) -> ClaimStatus:
        """This loop as a ClaimStatus: its first own status is the primary one."""
        primary = self.statuses[0] if self.statuses else None
        stc = self.first_stc
        start, end = self.dates or (None, None)
        line_statuses = [s for line in self.lines for s in line.statuses]
        findings = [*self.notes.found, *(f for line in self.lines for f in line.notes.found)]
        if primary is None:
            findings.append(
                Finding(
                    code="277_STATUS_MISSING",
                    message=f"loop {self.loop} states no readable status (STC); its "
                    "references and dates are kept",
                    severity=FindingSeverity.ERROR,
                    location=f"loop {self.loop}",
                )
            )
        return ClaimStatus(
            state=claim_state(primary.category.code) if primary else ClaimState.ERROR,
            category=primary.category if primary else NOT_STATED,
            status=primary.status if primary else None,
            entity=primary.entity if primary else None,
            effective_date=primary.effective_date if primary else None,
            payer_claim_id=self.reference("1K"),
            control_number=self.reference("EJ")
            or (self.trace if self.hl_level in CLAIM_LEVELS else None),
            total_charge=primary.total_charge if primary else None,
            paid_amount=primary.paid_amount if primary else None,
            message=(stc.get(12) or None) if stc is not None else None,
            findings=tuple(findings),
            level=self.level,
            statuses=(
                *(s for loop in self.above for s in loop.statuses),
                *self.statuses,
                *line_statuses,
            ),
            service_date_from=start,
            service_date_to=end,
            references=tuple(self.references),
            lines=tuple(line.model() for line in self.lines),
        )


def status_loops(segments: Sequence[X12Segment]) -> list[StatusLoop]:
    """The status loops of a 277 body (ST and SE excluded) in order."""
    if not segments:
        return []
    base = segments[0].position - 2  # ST is segment 1 of its transaction set
    loops: list[StatusLoop] = []
    by_hl: dict[str, list[StatusLoop]] = {}
    parent_of: dict[str, str] = {}
    hl_id, hl_level, member_id = "", "", None
    current: StatusLoop | None = None
    line: LineLoop | None = None
    for seg in segments:
        if seg.id == "HL":
            hl_id, hl_level, member_id = seg.get(1), seg.get(3), None
            parent_of[hl_id] = seg.get(2)
            current, line = None, None
        elif seg.id == "NM1" and seg.get(1) in ("IL", "QC"):
            member_id = seg.get(9) or member_id
        elif seg.id == "TRN":
            level, loop = LOOPS.get(hl_level, (StatusLevel.CLAIM, "2200D"))
            current = StatusLoop(hl_level, level, loop, seg.get(2), _Notes(loop, base), member_id)
            current.above = [a for hl in _ancestors(hl_id, parent_of) for a in by_hl.get(hl, [])]
            by_hl.setdefault(hl_id, []).append(current)
            loops.append(current)
            line = None
        elif current is None:
            continue
        elif seg.id == "SVC":
            line_loop = "2220" + current.loop[-1]
            line = LineLoop(len(current.lines) + 1, _Notes(line_loop, base))
            _read_service(seg, line)
            current.lines.append(line)
        elif line is not None:
            _read_line_segment(seg, line)
        elif seg.id == "STC":
            current.statuses += _statuses(seg, current.level, current.loop, None, current.notes)
            current.first_stc = current.first_stc or seg
        elif seg.id == "REF":
            _reference(seg, current.references, current.notes)
        elif seg.id == "DTP" and seg.get(1) == "472":
            current.dates = _service_dates(seg, current.notes) or current.dates
    return loops


def _ancestors(hl_id: str, parent_of: dict[str, str]) -> list[str]:
    """HL ids above ``hl_id``, top first (bounded: a looping parent chain must not hang us)."""
    chain: list[str] = []
    parent = parent_of.get(hl_id, "")
    while parent and parent not in chain and len(chain) < len(parent_of):
        chain.append(parent)
        parent = parent_of.get(parent, "")
    return chain[::-1]


def _read_line_segment(seg: X12Segment, line: LineLoop) -> None:
    if seg.id == "STC":
        loop = line.notes.loop
        line.statuses += _statuses(seg, StatusLevel.SERVICE_LINE, loop, line.number, line.notes)
    elif seg.id == "REF":
        _reference(seg, line.references, line.notes)
    elif seg.id == "DTP" and seg.get(1) == "472":
        line.dates = _service_dates(seg, line.notes) or line.dates


def _statuses(
    stc: X12Segment, level: StatusLevel, loop: str, line: int | None, notes: _Notes
) -> list[StatusDetail]:
    """The statuses of one STC (composites STC01, STC10, STC11), each as far as it is readable."""
    effective = _date(stc, 2, "status effective date", notes)
    charge = _amount(stc, 4, "total claim charge", notes)
    paid = _amount(stc, 5, "claim payment amount", notes)
    found = []
    for position in (1, 10, 11):
        parts = stc.procedure_components(position) if position == 1 else stc.components(position)
        if not any(parts):
            if position == 1:
                notes.add("277_STATUS_UNREADABLE", "STC01 states no status category", stc, 1)
            continue
        parts = [*parts, "", "", ""]
        category, status, entity, code_list = (p.strip().upper() for p in parts[:4])
        if not _CATEGORY.match(category):
            notes.add(
                "277_STATUS_UNREADABLE",
                f"STC{position:02d}-1 is not a claim status category code; this status is left out",
                stc,
                position,
            )
            continue
        found.append(
            StatusDetail(
                category=_known("claim-status-category", category, stc, position, 1, notes),
                level=level,
                loop=loop,
                status=_status_code(status, code_list, stc, position, notes) if status else None,
                entity=_known("entity-identifier", entity, stc, position, 3, notes)
                if entity
                else None,
                code_list=lookup("code-list-qualifier", code_list) if code_list else None,
                line=line,
                effective_date=effective,
                total_charge=charge,
                paid_amount=paid,
            )
        )
    return found


def _status_code(value: str, code_list: str, stc: X12Segment, position: int, notes: _Notes) -> Code:
    """STC0x-2 read in the list STC0x-4 names (the X12 claim status codes when it names none)."""
    if not code_list:
        return _known("claim-status", value, stc, position, 2, notes)
    system = CODE_LISTS.get(code_list)
    if system is not None:
        return _known(system, value, stc, position, 2, notes)
    known = is_known("code-list-qualifier", code_list)
    named = lookup("code-list-qualifier", code_list).description if known else "unknown"
    notes.add(
        "277_CODE_LIST_NOT_CARRIED",
        f"STC{position:02d}-2 is from code list {code_list} ({named}), which the gateway does "
        "not carry; the code is kept as sent",
        stc,
        position,
        FindingSeverity.WARNING,
    )
    return Code(
        system=f"code-list-{code_list.lower()}",
        code=value,
        description=f"code {value} of code list {code_list} (not carried by the gateway)",
    )


def _known(
    system: str, value: str, stc: X12Segment, position: int, component: int, notes: _Notes
) -> Code:
    code = lookup(system, value)
    if not is_known(system, value):
        notes.add(
            "277_UNKNOWN_CODE",
            f"STC{position:02d}-{component} {system} code {code.code} is not in the gateway's "
            "table; kept as sent",
            stc,
            position,
            FindingSeverity.WARNING,
        )
    return code


def _date(seg: X12Segment, element: int, what: str, notes: _Notes) -> date | None:
    text = seg.get(element)
    if not text:
        return None
    try:
        return parse_d8(text, what)
    except X12DataError:
        notes.add("277_DATE_UNREADABLE", f"{what} is not a CCYYMMDD date", seg, element)
        return None


def _amount(seg: X12Segment, element: int, what: str, notes: _Notes) -> Decimal | None:
    try:
        return seg.decimal(element, what)
    except X12DataError:
        notes.add("277_AMOUNT_UNREADABLE", f"{what} is not a number", seg, element)
        return None


def _service_dates(seg: X12Segment, notes: _Notes) -> tuple[date, date] | None:
    """DTP*472: D8 or RD8. An RD8 holding one date is read as that day, with a warning."""
    qualifier, text = seg.get(2), seg.get(3)
    if not text:
        notes.add(
            "277_DATE_UNREADABLE",
            f"service date has no DTP03 date (DTP02 is {'present' if qualifier else 'empty'})",
            seg,
            3,
        )
        return None
    try:
        if qualifier == "RD8" and "-" not in text:
            single = parse_d8(text, "service date")
            notes.add(
                "277_DATE_FORMAT_MISMATCH",
                "service date is qualified RD8 (a range) but holds one date; read as that day",
                seg,
                3,
                FindingSeverity.WARNING,
            )
            return single, single
        return parse_period(qualifier, text, "service date")
    except X12DataError:
        notes.add(
            "277_DATE_UNREADABLE", f"service date is not a valid {qualifier or 'D8'} date", seg, 3
        )
        return None


def _reference(seg: X12Segment, into: list[ClaimReference], notes: _Notes) -> None:
    qualifier, value = seg.get(1), seg.get(2)
    if not qualifier or not value:
        notes.add("277_REFERENCE_UNREADABLE", "REF lacks its qualifier or its value", seg)
        return
    into.append(ClaimReference(lookup("claim-reference-qualifier", qualifier), value))


def _read_service(seg: X12Segment, line: LineLoop) -> None:
    """SVC: SVC01 procedure (qualifier:code:modifiers), SVC02 charge, SVC03 paid, SVC07 units."""
    parts = seg.procedure_components(1)
    qualifier, code = [*parts, "", ""][:2]
    if qualifier and code:
        line.procedure = _procedure(qualifier.upper(), code)
        line.modifiers = tuple(m for m in parts[2:6] if m)
    else:
        line.notes.add(
            "277_SERVICE_LINE_UNREADABLE", "SVC01 lacks its qualifier or its code", seg, 1
        )
    line.charge = _amount(seg, 2, "line item charge amount", line.notes)
    line.paid = _amount(seg, 3, "line item payment amount", line.notes)
    line.units = _amount(seg, 7, "units of service", line.notes)


def _procedure(qualifier: str, code: str) -> Code:
    if qualifier == "HC":
        return lookup("procedure", code)
    name = SERVICE_LISTS.get(qualifier, f"code list {qualifier}")
    return Code(
        system=f"svc-{qualifier.lower()}",
        code=code,
        description=f"{name} {code} (the gateway carries no table for this list)",
    )
