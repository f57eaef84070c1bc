"""Layout tolerance: the same interchange in every layout payers send reads to the same values.

Each variant is built from a fixture's own segments (never a hand-written interchange): indentation
with spaces or tabs, CRLF, a byte order mark, several segments per line, blank lines, a newline as
the segment terminator, the terminator written at the start of the next line, an ISA12 pyx12 does
not know or that disagrees with GS08/ST03, labels with and without their addenda. The values read
(amounts, codes, counts) must equal the original's, in strict and lenient modes, and the layout
must show as warning findings. What cannot be read is refused in one line naming the segment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from payers.contract import PayerProtocolError
from payers.model import FindingSeverity
from payers.sandbox.x12_claims import read_837p
from payers.sandbox.x12_inquiry import read_270, read_276
from payers.x12.acknowledgment import parse_277ca, parse_999, parse_ta1
from payers.x12.claim_status import parse_277
from payers.x12.eligibility import parse_271
from payers.x12.envelope import read_interchanges, transactions
from payers.x12.layout import for_maps, implementation_family
from payers.x12.outgoing import map_report
from payers.x12.remittance import parse_835

from .conftest import FIXTURES

PAYER = "acme-x12"


# --- named values of each transaction, as our parsers read them ------------------------------------


def values_271(text: str, strict: bool) -> Any:
    r = parse_271(text, PAYER, strict=strict)
    plan = r.plan
    return (
        r.member_id,
        r.active,
        (plan.name, plan.group_number, plan.start) if plan else None,
        [
            (b.code.code, b.amount, b.percent, b.network, [s.code for s in b.service_types])
            for b in r.benefits
        ],
    )


def values_277(text: str, strict: bool) -> Any:
    return [
        (
            s.state,
            s.category.code,
            s.status.code if s.status else None,
            s.total_charge,
            s.paid_amount,
            s.payer_claim_id,
            s.control_number,
        )
        for s in parse_277(text, PAYER, strict=strict)
    ]


def values_277ca(text: str, strict: bool) -> Any:
    return [
        (a.accepted, a.control_number, a.payer_claim_id, [c.code for c in a.reasons])
        for a in parse_277ca(text, PAYER, strict=strict)
    ]


def values_835(text: str, strict: bool) -> Any:
    return [
        (
            p.trace_number,
            p.amount,
            p.method.code,
            p.payment_date,
            [
                (
                    c.control_number,
                    c.status.code,
                    c.charge,
                    c.paid,
                    c.patient_responsibility,
                    [(a.group.code, a.reason.code, a.amount) for a in c.adjustments],
                    [(ln.procedure.code, ln.charge, ln.paid, ln.units) for ln in c.lines],
                )
                for c in p.claims
            ],
            [(a.reason.code, a.amount) for a in p.provider_adjustments],
        )
        for p in parse_835(text, PAYER, strict=strict)
    ]


def values_999(text: str, strict: bool) -> Any:
    ack = parse_999(text, PAYER, "CLM01", strict=strict)
    return ack.accepted, [(r.system, r.code) for r in ack.reasons]


def values_270(text: str, strict: bool) -> Any:
    inquiry = read_270(transactions(text, PAYER, "270", strict=strict)[0])
    m = inquiry.member
    return (
        inquiry.trace,
        m.member_id,
        m.last_name,
        m.birth_date,
        inquiry.as_of,
        inquiry.service_types,
    )


def values_276(text: str, strict: bool) -> Any:
    return [
        (q.trace, q.member.member_id, q.control_number, q.total_charge, q.service_dates)
        for q in (read_276(t) for t in transactions(text, PAYER, "276", strict=strict))
    ]


def values_837_segments(text: str, strict: bool) -> Any:
    """Claims as the envelope gives them (the imsweb 837s have no DMG, which read_837p needs)."""
    return [
        (s.id, s.get(1), s.get(2))
        for t in transactions(text, PAYER, "837", strict=strict)
        for s in t.segments
        if s.id in ("CLM", "SV1", "NM1", "HL")
    ]


def values_837(text: str, strict: bool) -> Any:
    return [
        (
            c.control_number,
            c.submission.total_charge,
            c.submission.member.member_id,
            [(ln.procedure.code, ln.charge, ln.units) for ln in c.submission.lines],
        )
        for t in transactions(text, PAYER, "837", strict=strict)
        for c in read_837p(t)
    ]


def findings_of(text: str, code: str, strict: bool = False) -> set[str]:
    """The finding codes the parser of ``code`` attaches to what it returns."""
    if code == "271":
        return {f.code for f in parse_271(text, PAYER, strict=strict).findings}
    if code == "277":
        return {f.code for s in parse_277(text, PAYER, strict=strict) for f in s.findings}
    if code == "277CA":
        return {f.code for a in parse_277ca(text, PAYER, strict=strict) for f in a.findings}
    if code == "835":
        return {f.code for p in parse_835(text, PAYER, strict=strict) for f in p.findings}
    if code == "999":
        return {f.code for f in parse_999(text, PAYER, "CLM01", strict=strict).findings}
    st = {"270": "270", "276": "276", "837": "837"}[code]
    return {f.code for t in transactions(text, PAYER, st, strict=strict) for f in t.findings}


# (fixture, transaction, reader, whether it passes strict envelope checks)
BASES: list[tuple[str, str, Callable[[str, bool], Any], bool]] = [
    ("271_5010_subscriber_plan_copay_lfh.x12", "271", values_271, True),
    ("271_5010_dependent_plan_copay_lfh.x12", "271", values_271, True),
    ("271_4010_related_entity_tigershark.txt", "271", values_271, False),  # SE01 is wrong
    ("277_5010_claim_level_lfh.x12", "277", values_277, True),
    ("277CA_5010_accepted_imsweb.txt", "277CA", values_277ca, True),
    ("277CA_5010_rejected_imsweb.txt", "277CA", values_277ca, True),
    ("835_5010_managed_care_lfh.x12", "835", values_835, True),
    ("835_5010_medicare_part_a_lfh.x12", "835", values_835, True),
    ("835_4010_reversal_plb_pyx12.txt", "835", values_835, True),
    ("999_5010_rejected_imsweb.txt", "999", values_999, True),
    ("270_5010_subscriber_inquiry_lfh.x12", "270", values_270, True),
    ("276_5010_claim_level_lfh.x12", "276", values_276, True),
    ("837P_5010A2_example1_lfh.x12", "837", values_837, True),
]


def read(name: str) -> str:
    return (FIXTURES / name).read_bytes().decode("ascii")


def parts(text: str) -> tuple[str, str, list[str]]:
    """(ISA without its terminator, terminator, the other segments without layout)."""
    terminator = text[105]
    body = text[106:].split(terminator)
    return text[:105], terminator, [s.strip(" \t\r\n") for s in body if s.strip(" \t\r\n")]


def render(text: str, *, before: str = "", after: str = "\n", terminator: str | None = None) -> str:
    isa, term, segments = parts(text)
    term = terminator or term
    return isa + term + after + "".join(before + s + term + after for s in segments)


# --- variants: (name, builder, finding codes expected) ---------------------------------------------

VARIANTS: list[tuple[str, Callable[[str], str], set[str]]] = [
    ("lf", lambda t: render(t), set()),
    ("crlf", lambda t: render(t, after="\r\n"), set()),
    ("single_line", lambda t: render(t, after=""), set()),
    ("indented_spaces", lambda t: render(t, before="    "), {"X12_LAYOUT_INDENTED"}),
    ("indented_tabs", lambda t: render(t, before="\t\t"), {"X12_LAYOUT_INDENTED"}),
    ("indented_tabs_crlf", lambda t: render(t, before="\t", after="\r\n"), {"X12_LAYOUT_INDENTED"}),
    ("bom", lambda t: "\ufeff" + render(t), {"X12_LAYOUT_BOM"}),
    ("blank_lines", lambda t: render(t, after="\n\n"), {"X12_LAYOUT_BLANK_LINES"}),
    ("blank_lines_before_isa", lambda t: "\r\n\n" + render(t), {"X12_LAYOUT_TEXT_BEFORE_ISA"}),
    ("several_per_line", lambda t: _pairs(t), {"X12_LAYOUT_SEGMENTS_SHARE_LINE"}),
    ("mixed_line_endings", lambda t: _mixed_endings(t), {"X12_LAYOUT_MIXED_LINE_ENDINGS"}),
    (
        "newline_terminator",
        lambda t: render(t, terminator="\n", after=""),
        {"X12_LAYOUT_NEWLINE_TERMINATOR"},
    ),
    ("newline_terminator_crlf", lambda t: _newline_crlf(t), {"X12_LAYOUT_NEWLINE_TERMINATOR"}),
    (
        "newline_terminator_blank_lines",
        lambda t: render(t, terminator="\n", after="\n"),
        {"X12_LAYOUT_NEWLINE_TERMINATOR", "X12_LAYOUT_BLANK_LINES"},
    ),
    (
        "newline_terminator_indented",
        lambda t: render(t, terminator="\n", after="", before="  "),
        {"X12_LAYOUT_NEWLINE_TERMINATOR", "X12_LAYOUT_INDENTED"},
    ),
    (
        "leading_terminator",
        lambda t: _leading(t, "\n"),
        {"X12_LAYOUT_NEWLINE_TERMINATOR", "X12_LAYOUT_LEADING_TERMINATOR"},
    ),
    (
        "leading_terminator_crlf",
        lambda t: _leading(t, "\r\n"),
        {"X12_LAYOUT_NEWLINE_TERMINATOR", "X12_LAYOUT_LEADING_TERMINATOR"},
    ),
    ("empty_segment", lambda t: _empty_segment(t), {"X12_LAYOUT_EMPTY_SEGMENT"}),
    (
        "trailing_terminator",
        lambda t: (
            render(t, terminator="\n", after="").replace("\n", "~\n")[:105]
            + "\n"
            + render(t, terminator="\n", after="").replace("\n", "~\n")[107:]
        ),
        {"X12_LAYOUT_NEWLINE_TERMINATOR", "X12_LAYOUT_TRAILING_TERMINATOR"},
    ),
    ("unterminated_iea", lambda t: render(t).rstrip("\n")[:-1], {"X12_LAYOUT_UNTERMINATED_IEA"}),
    ("isa_not_fixed_width", lambda t: _unpadded_isa(t), {"X12_LAYOUT_ISA_NOT_FIXED_WIDTH"}),
    ("unknown_isa12", lambda t: _isa12(t, "00601"), {"X12_VERSION_UNKNOWN"}),
    (
        "everything_at_once",
        lambda t: "\ufeff\n" + render(t, before=" \t", after="\r\n\r\n"),
        {
            "X12_LAYOUT_BOM",
            "X12_LAYOUT_TEXT_BEFORE_ISA",
            "X12_LAYOUT_INDENTED",
            "X12_LAYOUT_BLANK_LINES",
        },
    ),
]


def _pairs(text: str) -> str:
    isa, term, segments = parts(text)
    lines = [term.join(segments[i : i + 2]) + term for i in range(0, len(segments), 2)]
    return isa + term + "\n" + "\n".join(lines) + "\n"


def _mixed_endings(text: str) -> str:
    isa, term, segments = parts(text)
    return (
        isa
        + term
        + "\r\n"
        + "".join(s + term + ("\n" if n % 2 else "\r\n") for n, s in enumerate(segments))
    )


def _newline_crlf(text: str) -> str:
    isa, _, segments = parts(text)
    return isa + "\r\n" + "".join(s + "\r\n" for s in segments)


def _leading(text: str, eol: str) -> str:
    """ISA106 is the line break; the old terminator starts each following line (``\\n~GS*``)."""
    isa, term, segments = parts(text)
    return isa + eol + "".join(term + s + eol for s in segments)


def _empty_segment(text: str) -> str:
    isa, term, segments = parts(text)
    return (
        isa
        + term
        + "\n"
        + "".join(s + term + ("\n" if n != 2 else term + "\n") for n, s in enumerate(segments))
    )


def _unpadded_isa(text: str) -> str:
    isa, term, segments = parts(text)
    element = isa[3]
    fields = isa.split(element)
    short = element.join(f.strip() if f.strip() else f for f in fields)
    assert len(short) < 105
    return short + term + "\n" + "".join(s + term + "\n" for s in segments)


def _isa12(text: str, version: str) -> str:
    return text[:84] + version + text[89:]


@pytest.mark.parametrize("variant,build,expected", VARIANTS, ids=[v[0] for v in VARIANTS])
@pytest.mark.parametrize("name,code,values,strict_ok", BASES, ids=[b[0] for b in BASES])
def test_every_layout_reads_the_same_values(
    name, code, values, strict_ok, variant, build, expected
):
    original = read(name)
    text = build(original)
    for strict in (True, False) if strict_ok else (False,):
        assert values(text, strict) == values(original, strict)
        assert findings_of(text, code, strict) - findings_of(original, code, strict) == expected


def envelope_findings(result):
    """The layout and version findings (X12_*); the 835's own (its BPR16 date) are not ours here."""
    return [f for f in result.findings if f.code.startswith("X12_")]


def test_layout_findings_are_warnings_with_a_place_and_no_ids():
    original = read("835_5010_managed_care_lfh.x12")
    isa_ids = [original[:106].split("*")[n].strip() for n in (6, 8, 13)]
    text = "\ufeff" + render(original, before="\t", after="\n\n")
    [payment] = parse_835(text, PAYER)
    assert [(f.code, f.severity, f.location) for f in envelope_findings(payment)] == [
        ("X12_LAYOUT_BOM", FindingSeverity.WARNING, "interchange"),
        ("X12_LAYOUT_INDENTED", FindingSeverity.WARNING, "interchange"),
        ("X12_LAYOUT_BLANK_LINES", FindingSeverity.WARNING, "interchange"),
    ]
    assert payment.findings[1].message == "29 segments are indented with spaces or tabs"
    assert not any(i in f.message for f in payment.findings for i in isa_ids)


def test_unknown_isa12_reads_by_the_transaction_version_and_keeps_repetitions():
    """The 271's EB03 ``1^33^35`` still splits when ISA12 is unreadable: ISA11 is kept."""
    original = read("271_5010_subscriber_plan_copay_lfh.x12")
    text = _isa12(render(original), "09999")
    result = parse_271(text, PAYER)
    [finding] = result.findings
    assert finding.code == "X12_VERSION_UNKNOWN"
    assert "ISA12 interchange version 09999 is not 00401 or 00501: read as 00501" in finding.message
    assert values_271(text, True) == values_271(original, True)
    repeated = [[s.code for s in b.service_types] for b in result.benefits if b.code.code == "1"]
    assert repeated == [["30"], ["1", "33", "35", "47", "86", "88", "98", "AL", "MH", "UC"]]


def test_isa12_disagreeing_with_the_transaction_is_read_by_st03():
    original = read("835_5010_managed_care_lfh.x12")
    text = _isa12(original, "00401")
    [payment] = parse_835(text, PAYER)
    assert [(f.code, f.location) for f in envelope_findings(payment)] == [
        ("X12_VERSION_MISMATCH", "segment 3 (ST)")
    ]
    assert payment.findings[0].message == (
        "ISA12 says version 00401 but the transaction set is 005010X221A1: read as 005010X221A1"
    )
    assert values_835(text, True) == values_835(original, True)


LABELS = [
    ("271_5010_subscriber_plan_copay_lfh.x12", "005010X279A1", "005010X279", values_271),
    ("835_5010_managed_care_lfh.x12", "005010X221A1", "005010X221", values_835),
    ("277_5010_claim_level_lfh.x12", "005010X212", "005010X212A1", values_277),
    ("277CA_5010_accepted_imsweb.txt", "005010X214", "005010X214A1", values_277ca),
    ("999_5010_rejected_imsweb.txt", "005010X231A1", "005010X231", values_999),
    ("837P_5010A2_example1_lfh.x12", "005010X222A2", "005010X222", values_837),
    ("837P_5010A1_valid_two_claims_imsweb.txt", "005010X222A1", "005010X222", values_837_segments),
    ("276_5010_claim_level_lfh.x12", "005010X212", "005010X212A1", values_276),
    # 4010 labels on 5010-shaped content and the other way round.
    ("271_5010_subscriber_plan_copay_lfh.x12", "005010X279A1", "004010X092A1", values_271),
    ("835_4010_reversal_plb_pyx12.txt", "004010X091A1", "004010X091", values_835),
    ("277_5010_claim_level_lfh.x12", "005010X212", "004010X093A1", values_277),
]


@pytest.mark.parametrize("name,label,other,values", LABELS, ids=[f"{b[0]}-{b[2]}" for b in LABELS])
def test_implementation_labels_with_and_without_addenda_read_alike(name, label, other, values):
    original = read(name)
    assert label in original
    text = original.replace(label, other)
    assert values(text, False) == values(original, False)
    codes = {
        f.code
        for i in read_interchanges(text, PAYER, strict=False)
        for g in i.groups
        for t in g.transactions
        for f in t.findings
    }
    same_version = other[:5] == label[:5]
    assert ("X12_VERSION_MISMATCH" in codes) is not same_version
    assert implementation_family(other) == implementation_family(label) or not same_version


def test_gs08_and_st03_disagreeing_is_a_finding_naming_both():
    original = read("835_5010_managed_care_lfh.x12")
    text = original.replace("ST*835*112233~", "ST*835*112233*005010X222A1~", 1)
    assert text != original
    [payment] = parse_835(text, PAYER)
    assert [f.message for f in envelope_findings(payment)] == [
        "GS08 says 005010X221A1 but ST03 says 005010X222A1: read as 005010X222A1"
    ]


def test_sandbox_validates_an_837_labelled_without_addenda_with_the_x222a1_map():
    text = read("837P_5010A1_valid_two_claims_imsweb.txt").replace("005010X222A1", "005010X222")
    prepared = for_maps(text, PAYER)
    assert "005010X222A1" in prepared and "\ufeff" not in prepared
    report = map_report(prepared)
    assert report is not None  # the X222A1 map read it (None: "Map not found")


# --- what cannot be read: one line, the segment, the reason, no id ----------------------------------

ISA_IDS = ("ABCDEFGHIJKLMNO", "123456789012345", "000003438")


@pytest.mark.parametrize(
    "mangle,message",
    [
        (
            lambda t: t[:105] + "A" + t[106:],
            "X12 ISA segment cannot be read: the character after ISA16 must be the segment "
            "terminator and is a letter, digit, space or separator",
        ),
        (
            lambda t: t[:60],
            "X12 ISA segment cannot be read: it is truncated (60 characters, no ISA16)",
        ),
        (
            lambda t: t.replace("*ZZ*ABCDEFGHIJKLMNO*", "*ZZ*ABCDEFGHIJKLMNOPQRS*", 1),
            "X12 ISA segment cannot be read: ISA06 is longer than 15 characters",
        ),
        (
            lambda t: "ISA" + "A" + t[4:],
            "X12 ISA segment cannot be read: its fourth character must be the element separator",
        ),
        (
            lambda t: "  " + t[107:],
            "not an X12 interchange: it must start with an ISA segment, found 'GS*'",
        ),
    ],
    ids=["letter_terminator", "truncated", "isa06_too_long", "no_element_separator", "no_isa"],
)
def test_unreadable_isa_is_refused_in_one_line_without_ids(mangle, message):
    text = mangle(read("271_4010_isa_5010_st_version_mismatch_imsweb.txt"))
    for strict in (True, False):
        with pytest.raises(PayerProtocolError) as refused:
            parse_271(text, PAYER, strict=strict)
        assert refused.value.message == message
        assert refused.value.code == "PAYER_PROTOCOL_ERROR"
        assert "\n" not in refused.value.message
        assert not any(i in refused.value.message for i in ISA_IDS)


def test_indentation_is_never_taken_for_a_terminator():
    """ISA106 a line break and the next line indented: the terminator is the line break."""
    original = read("835_5010_managed_care_lfh.x12")
    text = render(original, terminator="\n", after="", before="   ")
    assert values_835(text, True) == values_835(original, True)
    [interchange] = read_interchanges(text, PAYER)
    assert interchange.delimiters.segment == "\n"


# --- the new public sample files ---------------------------------------------------------------------


def test_imsweb_271_with_4010_envelope_and_5010_transaction():
    """ISA12 00401, GS08 004010X092A1, ST03 005010X279A1: read by ST03, both disagreements shown."""
    text = read("271_4010_isa_5010_st_version_mismatch_imsweb.txt")
    result = parse_271(text, PAYER, strict=False)
    assert (result.member_id, result.active) == ("123456789", True)
    assert result.plan is not None and (result.plan.name, result.plan.start) == (
        "GOLD 123 PLAN",
        date(2006, 1, 1),
    )
    assert [(b.code.code, [s.code for s in b.service_types]) for b in result.benefits] == [
        ("1", ["30"])
    ]
    assert [f.message for f in result.findings] == [
        "ISA12 says version 00401 but the transaction set is 005010X279A1: read as 005010X279A1",
        "GS08 says 004010X092A1 but ST03 says 005010X279A1: read as 005010X279A1",
    ]
    assert {f.code for f in result.findings} == {"X12_VERSION_MISMATCH"}
    # Upstream counts are wrong too (SE01 22 for 18 segments, IEA02 not ISA13): strict refuses.
    with pytest.raises(PayerProtocolError, match="SE count of 22 for SE02=4321 is wrong"):
        parse_271(text, PAYER, strict=True)


def test_imsweb_270_4010_x092a1_is_read_by_the_sandbox():
    text = read("270_4010_x092a1_inquiry_imsweb.txt")
    [transaction] = transactions(text, PAYER, "270", strict=False)
    assert transaction.implementation == "004010X092A1"
    inquiry = read_270(transaction)
    assert (inquiry.member.member_id, inquiry.member.last_name, inquiry.service_types) == (
        "123456",
        "DOE",
        ("30",),
    )
    assert inquiry.trace == ("1234667890", "9876543210")
    assert inquiry.member.birth_date == date(1985, 10, 31)
    # Its SE02 (0000121) does not match ST02 (000121): a defect strict mode refuses.
    with pytest.raises(PayerProtocolError, match="SE id=0000121 does not match ST id=000121"):
        transactions(text, PAYER, "270", strict=True)


def test_imsweb_999_after_a_ta1_interchange_acknowledgment():
    text = read("999_5010_with_ta1_imsweb.txt")
    [interchange] = read_interchanges(text, PAYER)
    [ta1] = interchange.acknowledgments
    assert (ta1.id, ta1.get(1), ta1.get(4), ta1.get(5)) == ("TA1", "101", "A", "000")
    ack = parse_999(text, PAYER, "101")
    assert ack.accepted is False
    assert [r.code for r in ack.reasons] == ["6", "6", "5"]
    assert [r.system for r in ack.reasons] == [
        "x12-999-segment-error",
        "x12-999-segment-error",
        "x12-999-transaction-error",
    ]
    assert "(CLM segment 289, loop 2010)" in ack.reasons[0].description
    assert ack.findings == ()


def test_imsweb_837_with_tilde_elements_and_underscore_terminator():
    """ISA: element ``~``, component ``^``, terminator ``_``, ISA11 ``U`` (no repetitions)."""
    text = read("837P_5010A1_tilde_element_underscore_terminator_imsweb.txt")
    [interchange] = read_interchanges(text, PAYER, strict=False)
    d = interchange.delimiters
    assert (d.segment, d.element, d.component, d.repetition) == ("_", "~", "^", None)
    claims = [v for v in values_837_segments(text, False) if v[0] in ("CLM", "SV1")]
    assert claims == [
        ("CLM", "A37YH556", "500"),
        ("SV1", "HC^99211^25", "12.25"),
        ("CLM", "A37YH667", "500"),
        ("SV1", "HC^478331^25", "12.25"),
    ]
    # Seven blank lines after IEA; upstream HL numbering and SE01 are wrong (strict refuses).
    [transaction] = interchange.transactions("837")
    assert [f.code for f in transaction.findings] == ["X12_LAYOUT_BLANK_LINES"]
    assert interchange.defects == (
        "My HL count 3 does not match your HL count 2",
        "HL parent (3) is not a valid parent",
        "SE count of 25 for SE02=987654 is wrong. I count 34",
    )


def test_imsweb_837_two_interchanges_in_one_payload():
    text = read("837P_5010A1_two_interchanges_imsweb.txt")
    interchanges = read_interchanges(text, PAYER, strict=False)
    assert [i.control_number for i in interchanges] == ["000000905", "000000906"]
    claims = [v for v in values_837_segments(text, False) if v[0] == "CLM"]
    assert [c[1] for c in claims] == ["A37YH556", "A37YH667", "A37YH5561", "A37YH6672"]
    assert sum(Decimal(c[2]) for c in claims) == Decimal("2000")


def test_pyx12_mult_isa_4010_groups_and_sets():
    """Two 4010 interchanges, three groups each (278 x3, 837, 835): the envelope reads all; the
    835 there is an empty set (no BPR), which the 835 parser refuses saying so."""
    text = read("mixed_4010_two_interchanges_278_837_835_pyx12.txt")
    interchanges = read_interchanges(text, PAYER)
    assert [i.version for i in interchanges] == ["00401", "00401"]
    assert [[g.version for g in i.groups] for i in interchanges] == [
        ["004010X094A1", "004010X098A1", "004010X091A1"]
    ] * 2
    assert [[t.code for g in i.groups for t in g.transactions] for i in interchanges] == [
        ["278", "278", "278", "837", "835"]
    ] * 2
    assert all(t.findings == () for i in interchanges for g in i.groups for t in g.transactions)
    with pytest.raises(
        PayerProtocolError, match=r"^835 is invalid: 835 has no BPR financial information segment$"
    ):
        parse_835(text, PAYER)


def test_every_finding_code_is_documented():
    from pathlib import Path

    from payers.x12 import layout

    docs = (Path(__file__).resolve().parents[2] / "docs" / "x12.md").read_text(encoding="utf-8")
    codes = [v for k, v in vars(layout).items() if k.isupper() and isinstance(v, str)]
    codes = [c for c in codes if c.startswith("X12_")]
    assert len(codes) == 14
    assert [c for c in codes if f"`{c}`" not in docs] == []


def test_a_later_interchange_with_an_unknown_isa12_is_read_with_a_finding():
    first = read("835_5010_managed_care_lfh.x12")
    second = _isa12(first, "00601").replace("000000907", "000000908")
    interchanges = read_interchanges(first + "\n" + second, PAYER)
    assert [i.version for i in interchanges] == ["00501", "00601"]
    sets = [t for i in interchanges for g in i.groups for t in g.transactions]
    assert [[f.code for f in t.findings] for t in sets] == [[], ["X12_VERSION_UNKNOWN"]]
    assert sets[1].findings[0].message == (
        "ISA12 interchange version 00601 is not 00401 or 00501: read as 005010X221A1"
    )
    payments = parse_835(first + "\n" + second, PAYER)
    assert [(p.trace_number, p.amount) for p in payments] == [
        (p.trace_number, p.amount) for p in parse_835(first, PAYER)
    ] * 2


def test_ta1_accepting_the_interchange_before_a_999():
    ack = parse_ta1(read("999_5010_with_ta1_imsweb.txt"), PAYER, "101")
    assert ack is not None
    assert (ack.accepted, ack.reasons, ack.findings) == (True, (), ())


def test_ta1_rejecting_the_whole_interchange_names_its_note_code():
    """The same file with TA104 R / TA105 022 and no group: the interchange was refused."""
    text = read("999_5010_with_ta1_imsweb.txt")
    rejected = text.replace("TA1*101*241018*0307*A*000~", "TA1*101*241018*0307*R*022~")
    rejected = rejected[: rejected.index("GS*")] + rejected[rejected.index("IEA*") :]
    rejected = rejected.replace("IEA*1*", "IEA*0*")
    ack = parse_ta1(rejected, PAYER, "101")
    assert ack is not None and ack.accepted is False
    assert [(r.system, r.code, r.description) for r in ack.reasons] == [
        ("x12-ta1-note", "022", "Invalid control structure (interchange 101)")
    ]
    assert parse_ta1(read("999_5010_rejected_imsweb.txt"), PAYER, "1") is None


def test_a_practice_upload_with_bom_tabs_and_crlf_is_read_like_the_clean_file():
    """What a browser hands the ledger: a Windows editor's BOM, tabs and CRLF."""
    from gateway.ledger.intake import read_upload

    original = read("835_5010_medicare_part_a_lfh.x12")
    quirky = "\ufeff" + render(original, before="\t", after="\r\n")
    payments, problems = read_upload("acme-x12", quirky)
    clean, _ = read_upload("acme-x12", original)
    assert problems == []
    assert [(p.trace_number, p.amount, len(p.claims)) for p in payments] == [
        (p.trace_number, p.amount, len(p.claims)) for p in clean
    ]
    assert [f.code for f in payments[0].findings] == ["X12_LAYOUT_BOM", "X12_LAYOUT_INDENTED"]
