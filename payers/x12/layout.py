"""Layout tolerance: turn an interchange as payers really write it into the text pyx12 reads.

pyx12's reader (``X12Reader``) takes the ISA as 106 fixed characters, strips only CR/LF before a
segment, stops at the first empty segment, refuses a byte order mark and any ISA12 other than 00401
or 00501 (quoting the whole ISA, ids included, in its error), and reads the repetition separator
only under 00501. So before pyx12 sees a payload, :func:`normalize` rewrites its *layout* (never a
value): one segment per line, no indentation, blank lines or BOM, a printable segment terminator, a
fixed-width ISA whose ISA12 pyx12 knows. Each change is a :class:`~payers.model.Finding`
(``X12_LAYOUT_*``, ``X12_VERSION_*``) that the transaction parsers copy onto their results.

What cannot be read is refused with a one-line message naming the segment and the reason, never
quoting the ISA (it holds sender and receiver ids).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from payers.contract import PayerProtocolError
from payers.model import Finding
from payers.x12.segments import Delimiters

#: Widths of ISA01..ISA16 (the ISA is fixed-width: 106 characters with its terminator).
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
ISA_LENGTH = 106
#: The interchange versions pyx12's reader knows.
KNOWN_VERSIONS = frozenset({"00401", "00501"})
#: What a newline terminator is replaced by for pyx12 (never found in X12 text).
_STAND_IN_TERMINATORS = "~\x1c\x1d\x07"
_WHITESPACE = re.compile(r"[ \t\r\n]*")
_ADDENDA = re.compile(r"A\d+$")
# A whole IEA (two elements, a nine-digit control number): a cut-off file must not pass for one.
_LAST_IEA = re.compile(r"^IEA([^A-Za-z0-9\s])\d{1,5}\1\d{9}$")

BOM = "X12_LAYOUT_BOM"
TEXT_BEFORE_ISA = "X12_LAYOUT_TEXT_BEFORE_ISA"
INDENTED = "X12_LAYOUT_INDENTED"
BLANK_LINES = "X12_LAYOUT_BLANK_LINES"
SEGMENTS_SHARE_LINE = "X12_LAYOUT_SEGMENTS_SHARE_LINE"
MIXED_LINE_ENDINGS = "X12_LAYOUT_MIXED_LINE_ENDINGS"
EMPTY_SEGMENT = "X12_LAYOUT_EMPTY_SEGMENT"
NEWLINE_TERMINATOR = "X12_LAYOUT_NEWLINE_TERMINATOR"
LEADING_TERMINATOR = "X12_LAYOUT_LEADING_TERMINATOR"
TRAILING_TERMINATOR = "X12_LAYOUT_TRAILING_TERMINATOR"
UNTERMINATED_IEA = "X12_LAYOUT_UNTERMINATED_IEA"
ISA_NOT_FIXED_WIDTH = "X12_LAYOUT_ISA_NOT_FIXED_WIDTH"
VERSION_UNKNOWN = "X12_VERSION_UNKNOWN"
VERSION_MISMATCH = "X12_VERSION_MISMATCH"


@dataclass(frozen=True, slots=True)
class Layout:
    """A payload rewritten for pyx12, with what was rewritten and the ISA as declared."""

    text: str
    delimiters: Delimiters
    #: ISA12 as the sender wrote it (``text`` may carry another one pyx12 knows).
    isa_version: str
    findings: tuple[Finding, ...] = ()


def implementation_family(label: str) -> str:
    """An implementation guide label without its addenda suffix: 005010X279A1 -> 005010X279."""
    return _ADDENDA.sub("", label.strip().upper())


def version_of(label: str) -> str:
    """The interchange version (ISA12 form) a GS08/ST03 label belongs to: 005010X221A1 -> 00501."""
    label = label.strip()
    return label[:5] if len(label) >= 6 and label[:6].isdigit() else ""


def refuse(payer_id: str, segment: str, reason: str) -> PayerProtocolError:
    """The one-line refusal: which segment, and why."""
    return PayerProtocolError(payer_id, f"X12 {segment} segment cannot be read: {reason}")


def normalize(text: str, payer_id: str) -> Layout:
    """The payload as pyx12 can read it, and a finding for each layout quirk undone."""
    findings: list[Finding] = []
    if text.startswith("\ufeff"):
        text = text[1:]
        findings.append(_finding(BOM, "the payload starts with a UTF-8 byte order mark"))
    stripped = text.lstrip(" \t\r\n")
    if stripped != text:
        findings.append(_finding(TEXT_BEFORE_ISA, "blank lines or spaces precede the ISA segment"))
    text = stripped
    if not text.startswith("ISA"):
        head = text[:3].replace("\n", " ")
        raise PayerProtocolError(
            payer_id, f"not an X12 interchange: it must start with an ISA segment, found {head!r}"
        )
    isa, terminator, body = _split_isa(text, payer_id, findings)
    if terminator in "\r\n":
        body = body[1:] if terminator == "\r" and body.startswith("\n") else body
        findings.append(
            _finding(NEWLINE_TERMINATOR, "the segment terminator (after ISA16) is a line break")
        )
        pieces, leading, trailing_mark = _newline_pieces(body, isa[3])
        if leading:
            findings.append(
                _finding(
                    LEADING_TERMINATOR,
                    f"'{leading}' is written at the start of each line after the line break "
                    "that ISA declares as the segment terminator",
                )
            )
        if trailing_mark:
            findings.append(
                _finding(
                    TRAILING_TERMINATOR,
                    f"'{trailing_mark}' ends every line although ISA declares the line break as "
                    "the segment terminator",
                )
            )
        stand_in = next(c for c in _STAND_IN_TERMINATORS if c not in text)
        pieces.append("")  # every line is a segment: nothing trails the last one
    else:
        pieces, stand_in = body.split(terminator), terminator
    segments, trailing = _clean(pieces, findings, newline=terminator in "\r\n")
    element = isa[3]
    isa_version = isa[84:89]
    isa = _known_version(isa, segments, element, findings)
    rebuilt = isa[:105] + stand_in + "\n" + "".join(s + stand_in + "\n" for s in segments)
    repetition = isa[82]
    return Layout(
        text=rebuilt + trailing,
        delimiters=Delimiters(
            segment=terminator,
            element=element,
            component=isa[104],
            repetition=None if repetition.isalnum() or repetition.isspace() else repetition,
        ),
        isa_version=isa_version,
        findings=tuple(findings),
    )


def version_findings(
    isa_version: str, group_label: str, set_label: str, where: str, *, rewritten: bool = True
) -> list[Finding]:
    """ISA12, GS08 and ST03 must name one version; a disagreement is read by ST03 (else GS08)."""
    found: list[Finding] = []
    own = set_label or group_label
    if isa_version.strip() not in KNOWN_VERSIONS and not rewritten:
        # A later interchange of the payload: pyx12 read it with the first one's settings.
        found.append(
            _finding(
                VERSION_UNKNOWN,
                f"ISA12 interchange version {isa_version.strip() or '(empty)'} is not 00401 or "
                f"00501: read as {own or 'the first interchange'}",
                where,
            )
        )
    if isa_version in KNOWN_VERSIONS and version_of(own) and version_of(own) != isa_version:
        found.append(
            _finding(
                VERSION_MISMATCH,
                f"ISA12 says version {isa_version} but the transaction set is {own}: read as {own}",
                where,
            )
        )
    if (
        group_label
        and set_label
        and implementation_family(group_label) != (implementation_family(set_label))
    ):
        found.append(
            _finding(
                VERSION_MISMATCH,
                f"GS08 says {group_label} but ST03 says {set_label}: read as {set_label}",
                where,
            )
        )
    return found


def _finding(code: str, message: str, location: str | None = "interchange") -> Finding:
    return Finding(code=code, message=message, location=location)


def _split_isa(text: str, payer_id: str, findings: list[Finding]) -> tuple[str, str, str]:
    """(fixed-width ISA with its terminator, the terminator, the rest)."""
    element = text[3:4]
    if not element or element.isalnum() or element.isspace():
        raise refuse(payer_id, "ISA", "its fourth character must be the element separator")
    parts = text.split(element, 16)
    if len(parts) < 17 or len(parts[16]) < 2:
        raise refuse(payer_id, "ISA", f"it is truncated ({len(text)} characters, no ISA16)")
    component, terminator, body = parts[16][0], parts[16][1], parts[16][2:]
    if terminator.isalnum() or terminator in (" ", "\t", element, component):
        raise refuse(
            payer_id,
            "ISA",
            "the character after ISA16 must be the segment terminator and is a letter, digit, "
            "space or separator",
        )
    values = parts[1:16]
    if sum(len(v) for v in values) + 1 + 16 + 3 + 1 != ISA_LENGTH:
        for n, (value, width) in enumerate(zip(values, ISA_WIDTHS, strict=False), start=1):
            if len(value.strip()) > width:
                raise refuse(payer_id, "ISA", f"ISA{n:02d} is longer than {width} characters")
        values = [v.strip().ljust(w) for v, w in zip(values, ISA_WIDTHS, strict=False)]
        findings.append(
            _finding(
                ISA_NOT_FIXED_WIDTH,
                "the ISA segment is not 106 characters wide: its elements were padded to width",
            )
        )
    isa = "ISA" + element + element.join(values) + element + component + terminator
    return isa, terminator, body


def _newline_pieces(body: str, element: str) -> tuple[list[str], str, str]:
    """Segments of a body whose terminator is a line break, and a leading or trailing terminator
    character if every line carries one as well."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and not lines[-1].strip():
        lines.pop()  # the line break ending the last segment
    first = next((ln.lstrip(" \t") for ln in lines if ln.strip()), "")
    leading = ""
    if first and not first[0].isalnum() and not first[0].isspace() and first[0] != element:
        leading = first[0]
        lines = [_drop_leading(ln, leading) for ln in lines]
    filled = [ln.rstrip(" \t") for ln in lines if ln.strip()]
    ends = {ln[-1] for ln in filled}
    trailing = ""
    if not leading and len(filled) > 1 and len(ends) == 1:
        mark = ends.pop()
        if not mark.isalnum() and not mark.isspace() and mark != element:
            trailing = mark
            lines = [ln.rstrip(" \t")[:-1] if ln.strip() else ln for ln in lines]
    return lines, leading, trailing


def _drop_leading(line: str, leading: str) -> str:
    content = line.lstrip(" \t")
    return line[: len(line) - len(content)] + content[1:] if content[:1] == leading else line


def _clean(pieces: list[str], findings: list[Finding], *, newline: bool) -> tuple[list[str], str]:
    """Segments stripped of the whitespace before them; the text after the last terminator."""
    segments: list[str] = []
    indented = blank = empty = 0
    own_line = shared = 0
    crlf = lf = False
    trailing = pieces[-1] if pieces else ""
    for n, piece in enumerate(pieces[:-1] if pieces else []):
        # A newline terminator's pieces end with it: look at what precedes the content.
        lead = _WHITESPACE.match(piece)
        before = lead.group() if lead else ""
        content = piece[len(before) :].rstrip("\r\n")
        breaks = before.replace("\r\n", "\n").count("\n") + before.replace("\r\n", "").count("\r")
        crlf = crlf or "\r\n" in piece
        lf = lf or bool(re.search(r"(?<!\r)\n", piece))
        if not content:
            if newline:  # an empty line between newline-terminated segments
                blank += 1
                continue
            empty += 1 if breaks == 0 else 0
            blank += 1 if breaks else 0
            continue
        blank += 1 if breaks > 1 else 0
        indented += 1 if before.replace("\r", "").split("\n")[-1] else 0
        if n and not newline:
            own_line, shared = own_line + (breaks > 0), shared + (breaks == 0)
        segments.append(content)
    if trailing.strip(" \t\r\n") == "":
        blank += 1 if trailing.replace("\r\n", "\n").count("\n") > 1 else 0
        trailing = ""
    elif _LAST_IEA.match(trailing.strip(" \t\r\n")):
        # The closing IEA written without its terminator.
        segments.append(trailing.strip(" \t\r\n"))
        trailing = ""
        findings.append(
            _finding(UNTERMINATED_IEA, "the closing IEA segment has no segment terminator")
        )
    if indented:
        findings.append(_finding(INDENTED, f"{indented} segments are indented with spaces or tabs"))
    if blank:
        findings.append(_finding(BLANK_LINES, f"{blank} blank lines between or after segments"))
    if own_line and shared:
        findings.append(
            _finding(
                SEGMENTS_SHARE_LINE,
                f"{shared} segments share a line with the one before while {own_line} start "
                "their own line",
            )
        )
    if crlf and lf:
        findings.append(_finding(MIXED_LINE_ENDINGS, "lines end in both CRLF and LF"))
    if empty:
        findings.append(
            _finding(EMPTY_SEGMENT, f"{empty} empty segments (two terminators in a row) skipped")
        )
    return segments, trailing


def _known_version(isa: str, segments: list[str], element: str, findings: list[Finding]) -> str:
    """The ISA with an ISA12 pyx12 knows: the transaction's own version (ST03, else GS08)."""
    declared = isa[84:89]
    if declared in KNOWN_VERSIONS:
        return isa
    labels = [_element(s, element, 8) for s in segments if s.startswith("GS" + element)][:1]
    labels += [_element(s, element, 3) for s in segments if s.startswith("ST" + element)][:1]
    labels = [lb for lb in reversed(labels) if version_of(lb)]
    version = next((version_of(lb) for lb in labels if version_of(lb) in KNOWN_VERSIONS), "")
    if not version:
        version = "00501" if not isa[82].isalnum() else "00401"
    source = f"the transaction's label {labels[0]}" if labels else "its repetition separator"
    findings.append(
        _finding(
            VERSION_UNKNOWN,
            f"ISA12 interchange version {declared.strip() or '(empty)'} is not 00401 or 00501: "
            f"read as {version} from {source}",
        )
    )
    return isa[:84] + version + isa[89:]


def _element(segment: str, element: str, n: int) -> str:
    parts = segment.split(element)
    value = parts[n].strip() if len(parts) > n else ""
    return value if len(value) <= 20 else ""


#: Labels written without their addenda, and the label of the pyx12 map that reads them.
MAP_LABELS = {
    "005010X221": "005010X221A1",
    "005010X222": "005010X222A1",
    "005010X231": "005010X231A1",
}


def for_maps(text: str, payer_id: str) -> str:
    """The payload as pyx12's map-based validation reads it: layout undone (see :func:`normalize`)
    and GS08/ST03 labels without addenda given the label of the map that reads them."""
    layout = normalize(text, payer_id)
    element = layout.delimiters.element
    lines = layout.text.split("\n")
    for n, line in enumerate(lines):
        at = {"GS": 8, "ST": 3}.get(line[:2]) if line[2:3] == element else None
        if at is None:
            continue
        parts = line.split(element)
        if len(parts) > at:
            terminator = parts[-1][-1:] if at == len(parts) - 1 else ""
            label = parts[at][: len(parts[at]) - len(terminator)]
            if label in MAP_LABELS:
                parts[at] = MAP_LABELS[label] + terminator
                lines[n] = element.join(parts)
    return "\n".join(lines)
