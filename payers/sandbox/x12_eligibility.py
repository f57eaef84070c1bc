"""Answer a 270 with a 271 (005010X279A1) from the sandbox payer's book.

Each model :class:`~payers.model.Benefit` becomes an EB line (EB01 kind, EB02 coverage level, EB03
service types joined by the repetition separator, EB05 plan, EB06 time period, EB07 amount, EB08
percent, EB09/EB10 quantity, EB11 authorization, EB12 network, EB04 insurance type and EB13
procedure when stated) with its MSG lines, its own DTP/REF/AAA and its 2120 related entities. What
is left of an accumulator is stated on a second EB line with time period 29 (remaining), as real
payers do; what is already used is not sent (it is the amount less the remaining). A member the book
cannot match gets AAA segments in the subscriber loop: 72 missing member id (and name), 58 missing
birth date, 75 not found, 73 name and 71 birth date mismatch. An inquiry without a member id is a
coverage-discovery search by name and birth date: the one member found, else 75, or 76 when several
match. Other coverage the payer knows of is an EB*R line with REF*IG, DTP*290 and its 2120 NM1*PR
loop. A payer that cannot answer now (``busy``: the AAA03 reason, 42 or 80) says so with
``AAA*Y**42*R`` in the payer's own loop (2100A) and echoes the subscriber only.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from payers.model import (
    Benefit,
    CoverageLevel,
    Demographics,
    EligibilityResult,
    Network,
    OtherCoverage,
)
from payers.sandbox.world import MemberMismatch, SandboxMember, SandboxPayerBook
from payers.sandbox.x12_inquiry import EligibilityInquiry
from payers.x12.eligibility import IMPLEMENTATION
from payers.x12.outgoing import (
    Composite,
    ControlNumbers,
    Parties,
    Repeated,
    SegmentSpec,
    build_interchange,
)

REMAINING = "29"
_LEVEL_CODES = {
    CoverageLevel.INDIVIDUAL: "IND",
    CoverageLevel.FAMILY: "FAM",
    CoverageLevel.EMPLOYEE_ONLY: "EMP",
    CoverageLevel.EMPLOYEE_AND_SPOUSE: "ESP",
    CoverageLevel.EMPLOYEE_AND_CHILDREN: "ECH",
    CoverageLevel.SPOUSE_AND_CHILDREN: "SPC",
    CoverageLevel.CHILDREN_ONLY: "CHD",
    CoverageLevel.DEPENDENTS_ONLY: "DEP",
    CoverageLevel.SPOUSE_ONLY: "SPO",
}
_NETWORK_CODES = {Network.IN_NETWORK: "Y", Network.OUT_OF_NETWORK: "N", Network.BOTH: "W"}
# EB09 quantity qualifiers for the units the book states in words.
_QUANTITY_QUALIFIERS = {"visits": "VS", "days": "DY", "months": "MN", "years": "YY"}


def _number(value: Decimal | None) -> str:
    """A decimal as the book states it ("0.30" stays "0.30": readers compare the text too)."""
    return "" if value is None else f"{value:f}"


_PROCEDURE_QUALIFIERS = {"procedure": "HC", "cdt": "AD", "ndc": "N4", "mutually-defined": "ZZ"}


def _d8_or_range(start: date, end: date) -> tuple[str, str]:
    return ("D8", _d8(start)) if start == end else ("RD8", f"{_d8(start)}-{_d8(end)}")


def _detail_lines(benefit: Benefit) -> list[SegmentSpec]:
    """The benefit's own 2110 DTP/REF/AAA lines and its 2120 related entities (LS..LE)."""
    lines: list[SegmentSpec] = [
        ("DTP", d.qualifier.code, *_d8_or_range(d.start, d.end)) for d in benefit.dates
    ]
    lines += [("REF", r.qualifier.code, r.value, r.description or "") for r in benefit.references]
    for finding in benefit.findings:  # a payer's AAA about this benefit, as its codes say
        by_system = {c.system: c.code for c in finding.codes}
        if "aaa-reject-reason" in by_system:
            lines.append(
                (
                    "AAA",
                    by_system.get("aaa-valid-request", "Y"),
                    "",
                    by_system["aaa-reject-reason"],
                    by_system.get("aaa-follow-up", ""),
                )
            )
    entities: list[SegmentSpec] = []
    for entity in benefit.related_entities:
        if entity.entity is not None:
            qualifier = entity.identifier_qualifier.code if entity.identifier_qualifier else ""
            person = "1" if entity.first_name else "2"
            entities.append(
                (
                    "NM1",
                    entity.entity.code,
                    person,
                    entity.name or "",
                    entity.first_name or "",
                    "",
                    "",
                    "",
                    qualifier if entity.identifier else "",
                    entity.identifier or "",
                )
            )
        for contact in entity.contacts:
            numbers = [x for n in contact.numbers[:3] for x in (n.qualifier.code, n.value)]
            entities.append(("PER", "IC", contact.name or "", *numbers))
    if entities:
        lines += [("LS", "2120"), *entities, ("LE", "2120")]
    return lines


def benefit_lines(benefit: Benefit) -> list[SegmentSpec]:
    """The EB (+ MSG, DTP, REF, AAA, 2120) lines stating one benefit; a remaining amount gets its
    own EB*...*29 line."""
    level = _LEVEL_CODES.get(benefit.coverage_level) if benefit.coverage_level else ""
    service_types = Repeated(*(st.code for st in benefit.service_types))
    network = _NETWORK_CODES.get(benefit.network, "")
    unit = (benefit.quantity_unit or "").strip()
    qualifier = _QUANTITY_QUALIFIERS.get(unit.lower(), unit.upper()[:2]) if benefit.quantity else ""
    authorization = {True: "Y", False: "N", None: ""}[benefit.authorization_required]
    lines: list[SegmentSpec] = [
        (
            "EB",
            benefit.code.code,
            level or "",
            service_types,
            benefit.insurance_type.code if benefit.insurance_type else "",
            benefit.plan_description or "",
            benefit.time_period.code if benefit.time_period else "",
            _number(benefit.amount),
            _number(benefit.percent),
            qualifier,
            _number(benefit.quantity) if benefit.quantity else "",
            authorization,
            network,
            *_procedure(benefit),
        ),
        *(("MSG", message) for message in benefit.messages),
        *_detail_lines(benefit),
    ]
    if benefit.remaining is not None:
        lines.append(
            (
                "EB",
                benefit.code.code,
                level or "",
                service_types,
                "",
                "",
                REMAINING,
                _number(benefit.remaining),
                "",
                "",
                "",
                "",
                network,
            )
        )
    return lines


def _procedure(benefit: Benefit) -> tuple[Composite, ...]:
    """EB13, when the benefit names a procedure of a code list with an EB13-1 qualifier."""
    procedure = benefit.procedure
    qualifier = _PROCEDURE_QUALIFIERS.get(procedure.system) if procedure else None
    return (Composite(qualifier, procedure.code),) if procedure and qualifier else ()


def _d8(day: date) -> str:
    return f"{day:%Y%m%d}"


def answer_270(
    book: SandboxPayerBook,
    inquiry: EligibilityInquiry,
    today: date,
    *,
    parties: Parties,
    numbers: ControlNumbers,
    created: datetime,
    busy: str | None = None,
) -> str:
    """The 271 for ``inquiry``: benefits from the book, or AAA when the member does not match
    (or, with ``busy``, when the payer cannot answer now)."""
    asked = inquiry.member
    # A busy payer looks nothing up: no member, no subscriber-level AAA.
    member, rejection = _match(book, inquiry) if busy is None else (None, [])
    requester = inquiry.requester
    body: list[SegmentSpec] = [
        ("BHT", "0022", "11", inquiry.reference, f"{created:%Y%m%d}", f"{created:%H%M}"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", book.name, "", "", "", "", "PI", book.payer_number),
        *([("AAA", "Y", "", busy, "R")] if busy is not None else []),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "1P", "2", requester.name, "", "", "", "", "XX", requester.npi),
        ("HL", "3", "2", "22", "0"),
    ]
    if inquiry.trace[0]:
        body.append(("TRN", "2", inquiry.trace[0], inquiry.trace[1]))
    if member is None:
        body.append(
            ("NM1", "IL", "1", asked.last_name, asked.first_name, "", "", "", "MI", asked.member_id)
            if asked.member_id
            else ("NM1", "IL", "1", asked.last_name, asked.first_name)
        )
        body += [("AAA", valid, "", reason, "C") for valid, reason in rejection]
        if asked.birth_date is not None:
            body.append(("DMG", "D8", _d8(asked.birth_date)))
    else:
        result = book.eligibility(member, inquiry.service_types, inquiry.as_of or today)
        body += _member_loop(member, result)
    return build_interchange(
        parties,
        numbers,
        functional_id="HB",
        transaction_code="271",
        implementation=IMPLEMENTATION,
        body=body,
        created=created,
    )


def _match(
    book: SandboxPayerBook, inquiry: EligibilityInquiry
) -> tuple[SandboxMember | None, list[tuple[str, str]]]:
    """The member asked about, or the (AAA01 valid request, AAA03 reason) pairs saying why not."""
    asked = inquiry.member
    if asked.birth_date is None:
        return None, [("N", "58")]
    if not asked.member_id:
        if not asked.last_name:
            return None, [("N", "72")]
        return _search(book, inquiry, asked.birth_date)
    try:
        member = book.verify_member(
            asked.member_id, asked.first_name, asked.last_name, asked.birth_date
        )
    except MemberMismatch as exc:
        return None, [("Y", reason.code) for reason in exc.reasons]
    return member, []


def _search(
    book: SandboxPayerBook, inquiry: EligibilityInquiry, birth_date: date
) -> tuple[SandboxMember | None, list[tuple[str, str]]]:
    """A demographics-only inquiry: the one member matching (exact first name preferred), AAA 75
    when nobody does, AAA 76 when several do and the payer cannot tell which."""
    asked = inquiry.member
    who = Demographics(asked.first_name, asked.last_name, birth_date)
    found = book.discover_members(who, inquiry.as_of or book.today)
    exact = [m for m in found if m.person.first_name.casefold() == asked.first_name.casefold()]
    chosen = exact or found
    if not chosen:
        return None, [("Y", "75")]
    if len(chosen) > 1:
        return None, [("Y", "76")]
    return chosen[0], []


def _other_payer_lines(other: OtherCoverage) -> list[SegmentSpec]:
    """EB*R naming another payer of the member (COB), with its 2120 loop."""
    lines: list[SegmentSpec] = [("EB", "R", "", "30")]
    if other.member_id:
        lines.append(("REF", "IG", other.member_id))
    if other.start is not None:
        span = f"{_d8(other.start)}-{_d8(other.end)}" if other.end else _d8(other.start)
        lines.append(("DTP", "290", "RD8" if other.end else "D8", span))
    lines += [
        ("LS", "2120"),
        ("NM1", "PR", "2", other.payer_name, "", "", "", "", "PI", other.payer_id or ""),
        ("LE", "2120"),
    ]
    return lines


def _member_loop(member: SandboxMember, result: EligibilityResult) -> list[SegmentSpec]:
    person = member.person
    plan = result.plan
    body: list[SegmentSpec] = [
        ("NM1", "IL", "1", person.last_name, person.first_name, "", "", "", "MI", member.member_id),
    ]
    if plan is not None and plan.group_number:
        body.append(("REF", "6P", plan.group_number, plan.group_name or ""))
    if plan is not None and plan.plan_number:
        body.append(("REF", "18", plan.plan_number))
    body += [
        ("N3", person.address1),
        ("N4", person.city, person.state, person.postal_code),
        ("DMG", "D8", _d8(person.birth_date), person.gender),
    ]
    if plan is not None and plan.start is not None:
        body.append(("DTP", "346", "D8", _d8(plan.start)))
    if plan is not None and plan.end is not None:
        body.append(("DTP", "347", "D8", _d8(plan.end)))
    for benefit in result.benefits:
        body += benefit_lines(benefit)
    for other in result.other_coverage:
        body += _other_payer_lines(other)
    return body
