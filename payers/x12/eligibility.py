"""Eligibility and benefits: build a 270 (005010X279A1), read a 271 into an EligibilityResult.

pyx12 has no X279A1 map, so the 271 loops are followed here from HL levels: 20 payer, 21 information
receiver, 22 subscriber, 23 dependent; each EB opens a 2110 loop (its MSG, HSD, AAA, DTP, REF belong
to that benefit), and LS..LE wraps 2120 related entities whose NM1 segments must not be taken for
the member. AAA in a 2100 loop beside benefits is a finding on the result, AAA in a 2110 loop a
finding on its benefit; only AAA with no benefit at all is an error. 4010 (X092A1) answers have
the same shape and are read too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from payers.codesets import lookup
from payers.contract import PayerProtocolError
from payers.model import (
    Benefit,
    BenefitKind,
    CoverageLevel,
    EligibilityResult,
    Finding,
    FindingSeverity,
    MemberQuery,
    Network,
    OtherCoverage,
    Plan,
    SubscriberRelation,
)
from payers.x12.aaa import aaa_finding, raise_for_aaa
from payers.x12.accumulators import REMAINING_PERIODS, USED_PERIODS, fold_accumulators
from payers.x12.eligibility_parts import (
    benefit_dates,
    dependent_person,
    procedure_code,
    reference,
    related_entity,
)
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

IMPLEMENTATION = "005010X279A1"
#: Finding code: an EB line that could not be read (left out; the rest of the answer is kept).
BENEFIT_UNREADABLE = "271_BENEFIT_UNREADABLE"

_KINDS: dict[str, BenefitKind] = {
    **dict.fromkeys("12345", BenefitKind.ACTIVE_COVERAGE),
    **dict.fromkeys("678", BenefitKind.INACTIVE),
    "A": BenefitKind.COINSURANCE,
    "B": BenefitKind.COPAY,
    "C": BenefitKind.DEDUCTIBLE,
    "G": BenefitKind.OUT_OF_POCKET,
    "F": BenefitKind.LIMITATION,
    "E": BenefitKind.NON_COVERED,
    "I": BenefitKind.NON_COVERED,
    "U": BenefitKind.CONTACT_FOR_INFORMATION,
    "CB": BenefitKind.COVERAGE_BASIS,
    "D": BenefitKind.BENEFIT_DESCRIPTION,
    "H": BenefitKind.UNLIMITED,
    "J": BenefitKind.COST_CONTAINMENT,
    "K": BenefitKind.RESERVE,
    "L": BenefitKind.PRIMARY_CARE_PROVIDER,
    "M": BenefitKind.PRE_EXISTING_CONDITION,
    "MC": BenefitKind.MANAGED_CARE_COORDINATOR,
    "N": BenefitKind.SERVICES_RESTRICTED_TO_PROVIDER,
    "O": BenefitKind.NOT_MEDICALLY_NECESSARY,
    "P": BenefitKind.BENEFIT_DISCLAIMER,
    "Q": BenefitKind.SECOND_SURGICAL_OPINION_REQUIRED,
    "R": BenefitKind.OTHER_PAYER,
    "S": BenefitKind.PRIOR_YEAR_HISTORY,
    "T": BenefitKind.CARD_REPORTED_LOST_STOLEN,
    "V": BenefitKind.CANNOT_PROCESS,
    "W": BenefitKind.OTHER_SOURCE_OF_DATA,
    "X": BenefitKind.HEALTH_CARE_FACILITY,
    "Y": BenefitKind.SPEND_DOWN,
}
_LEVELS = {
    "IND": CoverageLevel.INDIVIDUAL,
    "FAM": CoverageLevel.FAMILY,
    "EMP": CoverageLevel.EMPLOYEE_ONLY,
    "ESP": CoverageLevel.EMPLOYEE_AND_SPOUSE,
    "ECH": CoverageLevel.EMPLOYEE_AND_CHILDREN,
    "SPC": CoverageLevel.SPOUSE_AND_CHILDREN,
    "CHD": CoverageLevel.CHILDREN_ONLY,
    "DEP": CoverageLevel.DEPENDENTS_ONLY,
    "SPO": CoverageLevel.SPOUSE_ONLY,
}
_NETWORK = {"Y": Network.IN_NETWORK, "N": Network.OUT_OF_NETWORK, "W": Network.BOTH}
_ACTIVE = frozenset("12345")
_INACTIVE = frozenset("678")


def build_270(
    member: MemberQuery,
    service_types: Sequence[str],
    as_of: date,
    *,
    payer: PayerParty,
    provider: ProviderParty,
    parties: Parties,
    numbers: ControlNumbers,
    trace: str,
    created: datetime,
) -> str:
    """A 270 asking about ``member`` (subscriber, or dependent in loop 2000D) on ``as_of``."""
    dependent = member.relation is not SubscriberRelation.SELF
    body: list[SegmentSpec] = [
        ("BHT", "0022", "13", trace, f"{created:%Y%m%d}", f"{created:%H%M}"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.id),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "1P", "2", provider.name, "", "", "", "", "XX", provider.npi),
        ("HL", "3", "2", "22", "1" if dependent else "0"),
    ]
    trn: SegmentSpec = ("TRN", "1", trace, "9" + provider.npi[-9:].rjust(9, "0"))
    patient: list[SegmentSpec] = [
        ("DMG", "D8", f"{member.birth_date:%Y%m%d}"),
        ("DTP", "291", "D8", f"{as_of:%Y%m%d}"),
        *(("EQ", code) for code in (service_types or ("30",))),
    ]
    group: list[SegmentSpec] = [("REF", "6P", member.group_number)] if member.group_number else []
    if dependent:
        body += [("NM1", "IL", "1", "", "", "", "", "", "MI", member.member_id), *group]
        body += [("HL", "4", "3", "23", "0"), trn]
        body += [("NM1", "03", "1", member.last_name, member.first_name), *patient]
    else:
        body += [
            trn,
            (
                "NM1",
                "IL",
                "1",
                member.last_name,
                member.first_name,
                "",
                "",
                "",
                "MI",
                member.member_id,
            ),
            *group,
            *patient,
        ]
    return build_interchange(
        parties,
        numbers,
        functional_id="HS",
        transaction_code="270",
        implementation=IMPLEMENTATION,
        body=body,
        created=created,
    )


#: The letter of a 271 loop by HL level code: 2100A payer ... 2110D the dependent's benefits.
_LOOP_LETTERS = {"20": "A", "21": "B", "22": "C", "23": "D"}
_EB_LOOP_SEGMENTS = frozenset({"MSG", "HSD", "AAA", "DTP", "REF", "III", "PRV"})


@dataclass
class _EbLoop:
    """One EB line with its 2110 segments (MSG, HSD, AAA, DTP, REF...) and its 2120 entities
    (each the segments from one NM1 on, inside LS..LE)."""

    eb: X12Segment
    loop: str
    extra: list[X12Segment] = field(default_factory=list)
    entities: list[list[X12Segment]] = field(default_factory=list)

    def all_segments(self) -> list[X12Segment]:
        return [*self.extra, *(s for entity in self.entities for s in entity)]


@dataclass
class _Level:
    """What one HL level carries (its 2100 loop and its EB loops)."""

    code: str
    member_id: str | None = None
    refs: dict[str, tuple[str, str]] = field(default_factory=dict)
    dates: dict[str, tuple[date, date]] = field(default_factory=dict)
    benefits: list[_EbLoop] = field(default_factory=list)
    person: dict[str, X12Segment] = field(default_factory=dict)  # its NM1, DMG, INS

    @property
    def letter(self) -> str:
        return _LOOP_LETTERS.get(self.code, "")


def parse_271(
    text: str, payer_id: str, *, as_of: date | None = None, strict: bool = True
) -> EligibilityResult:
    """The first subscriber's eligibility in a 271. AAA beside benefits become findings; AAA with no
    benefit at all raise the contract's errors (see :mod:`payers.x12.aaa`)."""
    try:
        transaction = transactions(text, payer_id, "271", strict=strict)[0]
        return with_findings(_read(transaction.segments, payer_id, as_of), transaction)
    except X12DataError as exc:
        raise PayerProtocolError(payer_id, f"271 is invalid: {exc}") from exc


def _read(segments: Sequence[X12Segment], payer_id: str, as_of: date | None) -> EligibilityResult:
    levels: list[_Level] = []
    rejections: list[tuple[str, X12Segment]] = []
    level = _Level("")
    in_related_entity = False
    eb: _EbLoop | None = None
    inquiry_date: date | None = None
    created: date | None = None
    for seg in segments:
        if seg.id == "BHT":
            created = date_or_none(seg.get(4), seg.where(4))
        elif seg.id == "HL":
            if levels and seg.get(3) == "22":
                break  # only the first subscriber answers our inquiry
            level, eb = _Level(seg.get(3)), None
            if level.code in ("22", "23"):
                levels.append(level)
        elif seg.id == "LS":
            in_related_entity = True
        elif seg.id == "LE":
            in_related_entity = False
        elif in_related_entity:
            if eb is not None:  # a 2120 entity of the EB line: each NM1 opens one
                if seg.id == "NM1" or not eb.entities:
                    eb.entities.append([])
                eb.entities[-1].append(seg)
            continue
        elif seg.id == "EB":
            eb = _EbLoop(seg, f"2110{level.letter}")
            level.benefits.append(eb)
        elif eb is not None and seg.id in _EB_LOOP_SEGMENTS:
            eb.extra.append(seg)  # a REF or DTP here is the benefit's, not the member's plan's
        elif seg.id == "AAA":
            rejections.append((level.code, seg))
        elif seg.id == "NM1" and seg.get(1) == "IL":
            level.member_id = seg.get(9) or None
            level.person["NM1"] = seg
        elif seg.id in ("NM1", "DMG", "INS") and level.code == "23":
            level.person.setdefault(seg.id, seg)
        elif seg.id == "REF":
            level.refs[seg.get(1)] = (seg.get(2), seg.get(3))
        elif seg.id == "DTP":
            start, end = parse_period(seg.get(2), seg.get(3), seg.where(3))
            level.dates[seg.get(1)] = (start, end)
            inquiry_date = (
                start if seg.get(1) in ("291", "307") and inquiry_date is None else inquiry_date
            )
    if not any(lv.benefits for lv in levels):
        raise_for_aaa(payer_id, rejections)  # AAA and no benefit at all: the payer's refusal
    if not levels:
        raise PayerProtocolError(
            payer_id, "271 has no subscriber (HL 22) loop and no AAA rejection"
        )
    member_id = levels[0].member_id
    if not member_id:
        raise PayerProtocolError(payer_id, "271 subscriber loop has no NM1*IL member identifier")
    patient = next((lv for lv in reversed(levels) if lv.benefits), levels[-1])
    read, unreadable = _benefits(patient.benefits)
    benefits = fold_accumulators(read)
    plan = _plan(levels, benefits)
    disclaimers = tuple(m for b in benefits if b.code.code == "P" for m in b.messages)
    return EligibilityResult(
        payer_id=payer_id,
        member_id=member_id,
        active=any(b.code.code in _ACTIVE for b in benefits),
        as_of=as_of or inquiry_date or created or date.today(),
        plan=plan,
        benefits=benefits,
        messages=disclaimers,
        # EB*R stays a benefit (the payer's words); the payer it names is also a COB hint.
        other_coverage=tuple(o for loop in patient.benefits if (o := _other_payer_of(loop))),
        # The payer's AAA beside benefits: its reasons, kept as warnings on a usable answer.
        findings=(
            *(aaa_finding(seg, f"2100{_LOOP_LETTERS.get(lv, '')}") for lv, seg in rejections),
            *unreadable,
        ),
        dependent=dependent_person(patient.person) if patient.code == "23" else None,
    )


def _benefits(loops: Sequence[_EbLoop]) -> tuple[list[Benefit], list[Finding]]:
    """Each EB loop as a Benefit; one the payer wrote wrong (an amount that is no number) is left
    out with a finding naming its segment, and the others are kept."""
    benefits: list[Benefit] = []
    unreadable: list[Finding] = []
    for loop in loops:
        try:
            benefits.append(_benefit(loop))
        except X12DataError as exc:
            unreadable.append(
                Finding(
                    code=BENEFIT_UNREADABLE,
                    message=f"{exc}; this benefit is left out, the others are kept",
                    severity=FindingSeverity.ERROR,
                    location=f"loop {loop.loop}, {loop.eb.where()}",
                    segment=loop.eb.position,
                    codes=(lookup("benefit-kind", loop.eb.get(1)),),
                )
            )
    return benefits, unreadable


def _other_payer_of(loop: _EbLoop) -> OtherCoverage | None:
    try:
        return other_payer(loop.eb, loop.all_segments())
    except X12DataError:  # its unreadable DTP*290 is already a finding on the benefit
        return None


def other_payer(eb: X12Segment, extra: Sequence[X12Segment]) -> OtherCoverage | None:
    """EB*R (other or additional payor) with its 2120 NM1 (PR/IN/PRP/SEP/TTP), REF*IG or 18/6P
    (the member's policy there) and DTP*290 (coordination of benefits dates)."""
    if eb.get(1) != "R":
        return None
    payer = next(
        (s for s in extra if s.id == "NM1" and s.get(1) in ("PR", "IN", "PRP", "SEP", "TTP")),
        None,
    )
    if payer is None or not (payer.get(3) or payer.get(9)):
        return None
    ref = next((s for s in extra if s.id == "REF" and s.get(1) in ("IG", "18", "6P", "SY")), None)
    dates = next((s for s in extra if s.id == "DTP" and s.get(1) == "290"), None)
    start: date | None = None
    end: date | None = None
    if dates is not None:
        start, end = parse_period(dates.get(2), dates.get(3), dates.where(3))
        end = end if dates.get(2) == "RD8" else None  # a single date is when COB began
    return OtherCoverage(
        payer_name=payer.get(3) or payer.get(9),
        payer_id=payer.get(9) or None,
        member_id=(ref.get(2) or None) if ref else None,
        start=start,
        end=end,
    )


def _benefit(loop: _EbLoop) -> Benefit:
    eb, extra = loop.eb, loop.extra
    code = lookup("benefit-kind", eb.get(1))
    period_code = eb.get(6)
    amount = eb.decimal(7, "benefit amount")
    quantity = eb.decimal(10, "benefit quantity")
    unit = eb.get(9) or None
    hsd = next((s for s in extra if s.id == "HSD"), None)
    if quantity is None and hsd is not None:
        quantity, unit = hsd.decimal(2, "service delivery quantity"), hsd.get(1) or None
    remaining = amount if period_code in REMAINING_PERIODS else None
    used = amount if period_code in USED_PERIODS else None
    authorization = {"Y": True, "N": False}.get(eb.get(11))
    dates, findings = benefit_dates(extra, loop.loop)
    return Benefit(
        kind=_KINDS.get(code.code, BenefitKind.OTHER),
        code=code,
        service_types=tuple(lookup("service-type", c) for c in eb.repeats(3)),
        network=_NETWORK.get(eb.get(12), Network.UNKNOWN),
        coverage_level=_LEVELS.get(eb.get(2)),
        time_period=lookup("time-period", period_code) if period_code else None,
        amount=amount if remaining is None and used is None else None,
        percent=eb.decimal(8, "benefit percent"),
        remaining=remaining,
        used=used,
        quantity=quantity,
        quantity_unit=unit,
        authorization_required=authorization,
        plan_description=eb.get(5) or None,
        messages=tuple(s.get(1) for s in extra if s.id == "MSG" and s.get(1)),
        insurance_type=lookup("insurance-type", eb.get(4)) if eb.get(4) else None,
        procedure=procedure_code(eb.procedure_components(13)),
        quantity_qualifier=lookup("quantity-qualifier", unit) if unit else None,
        in_plan_network={"Y": True, "N": False}.get(eb.get(12)),
        dates=dates,
        references=tuple(reference(s) for s in extra if s.id == "REF" and s.get(2)),
        related_entities=tuple(related_entity(segs) for segs in loop.entities),
        findings=(
            *(aaa_finding(s, loop.loop, benefit=True) for s in extra if s.id == "AAA"),
            *findings,
        ),
    )


def _plan(levels: Sequence[_Level], benefits: Sequence[Benefit]) -> Plan | None:
    refs: dict[str, tuple[str, str]] = {}
    dates: dict[str, tuple[date, date]] = {}
    for lv in levels:  # the dependent's own values override the subscriber's
        refs.update(lv.refs)
        dates.update(lv.dates)
    group = refs.get("6P") or refs.get("1L")
    plan_number = refs.get("18") or refs.get("IG") or refs.get("N6")
    # An inactive member's EB*6 names the plan that ended: keep it when no active line names one.
    name = next(
        (b.plan_description for b in benefits if b.code.code in _ACTIVE and b.plan_description),
        next((b.plan_description for b in benefits if b.code.code in _INACTIVE), None),
    )
    start = next((dates[q][0] for q in ("346", "356", "291", "307") if q in dates), None)
    end = next((dates[q][1] for q in ("347", "357") if q in dates), None)
    if end is None and "291" in dates and dates["291"][0] != dates["291"][1]:
        end = dates["291"][1]
    plan = Plan(
        name=name,
        group_number=group[0] if group else None,
        group_name=(group[1] or None) if group else None,
        plan_number=plan_number[0] if plan_number else None,
        start=start,
        end=end,
    )
    return None if plan == Plan() else plan
