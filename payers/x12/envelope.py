"""X12 interchange envelopes: read ISA/GS/ST structure from text.

Reading goes through ``pyx12.x12file.X12Reader`` (it honours the ISA delimiters and checks control
numbers and counts); this module turns its findings into :class:`Interchange` objects or a
:class:`~payers.contract.PayerProtocolError` whose message says what is wrong. Functions take the
``payer_id`` to put on those errors, since nothing in an interchange names our payer configuration.

Envelope defects are of two kinds. Fatal ones (no ISA, a truncated interchange, a missing SE/GE/IEA,
a segment swallowing its neighbour because its terminator is missing) always raise. Bookkeeping
mismatches (SE01 segment count, SE02/GE02/IEA02 control numbers not matching their headers, group
and transaction counts) raise when ``strict`` (the default: X12 acknowledgment rules reject them);
with ``strict=False`` they are kept in :attr:`Interchange.defects` so a payer's otherwise readable
answer can still be used.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pyx12.errors
import pyx12.x12file

from payers.contract import PayerProtocolError
from payers.x12.segments import Delimiters, X12Segment

# pyx12 logs segment values (member data) while it reads and validates: keep them out of our logs.
logging.getLogger("pyx12").addHandler(logging.NullHandler())
logging.getLogger("pyx12").propagate = False

_ISA_LENGTH = 106
# pyx12 error codes that mean segments were lost, whatever the strictness.
_FATAL = {("isa", "023"), ("gs", "3"), ("st", "2"), ("isa", "024"), ("seg", "8")}
# pyx12 notes about layout only (a trailing element separator, a leading space).
_COSMETIC = {("seg", "SEG1")}


@dataclass(frozen=True, slots=True)
class TransactionSet:
    """One ST..SE transaction set; ``segments`` excludes ST and SE."""

    code: str
    control_number: str
    implementation: str
    segments: tuple[X12Segment, ...]


@dataclass(frozen=True, slots=True)
class FunctionalGroup:
    functional_id: str
    sender: str
    receiver: str
    control_number: str
    version: str
    transactions: tuple[TransactionSet, ...]


@dataclass(frozen=True, slots=True)
class Interchange:
    """One ISA..IEA interchange as received."""

    delimiters: Delimiters
    version: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    control_number: str
    usage: str
    groups: tuple[FunctionalGroup, ...]
    defects: tuple[str, ...] = ()

    def transactions(self, code: str) -> Iterator[TransactionSet]:
        for group in self.groups:
            yield from (t for t in group.transactions if t.code == code)


def read_interchanges(text: str, payer_id: str, *, strict: bool = True) -> tuple[Interchange, ...]:
    """Every interchange in ``text`` (a payload may hold several sharing one set of delimiters)."""
    text = _repair_layout(text, payer_id)
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(text))
        raw_segments = list(reader)
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        raise PayerProtocolError(payer_id, f"X12 envelope is invalid: {exc}") from exc
    reader.cleanup()
    fatal, defects = _classify(reader.pop_errors())
    delimiters = Delimiters(
        segment=reader.seg_term or "~",
        element=reader.ele_term or "*",
        component=reader.subele_term or ":",
        repetition=reader.repetition_term,
    )
    segments = [X12Segment(raw, delimiters, n) for n, raw in enumerate(raw_segments, start=1)]
    for seg in segments:
        if any("\n" in e or "\r" in e for e in seg.raw.format().split(delimiters.element)):
            fatal.append(
                f"segment {seg.position} ({seg.id}) contains a line break: its segment "
                f"terminator '{delimiters.segment}' is probably missing"
            )
    if fatal:
        raise PayerProtocolError(payer_id, "X12 interchange is damaged: " + "; ".join(fatal))
    if strict and defects:
        raise PayerProtocolError(payer_id, "X12 envelope is inconsistent: " + "; ".join(defects))
    return _assemble(segments, delimiters, tuple(defects), payer_id)


def transactions(
    text: str, payer_id: str, code: str, *, strict: bool = True
) -> list[TransactionSet]:
    """The ``code`` transaction sets (e.g. "271") of a payload (protocol error if none)."""
    interchanges = read_interchanges(text, payer_id, strict=strict)
    found = [t for i in interchanges for t in i.transactions(code)]
    if not found:
        present = sorted({t.code for i in interchanges for g in i.groups for t in g.transactions})
        raise PayerProtocolError(
            payer_id, f"expected an X12 {code} transaction, found {', '.join(present) or 'none'}"
        )
    return found


def _repair_layout(text: str, payer_id: str) -> str:
    """Undo harmless layouts pyx12 cannot read; refuse text that is not an interchange at all."""
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith("ISA"):
        head = text[:3].replace("\n", " ")
        raise PayerProtocolError(
            payer_id, f"not an X12 interchange: it must start with an ISA segment, found {head!r}"
        )
    if len(text) < _ISA_LENGTH:
        raise PayerProtocolError(
            payer_id,
            f"X12 interchange is truncated inside its ISA segment ({len(text)} characters)",
        )
    after_isa = text[_ISA_LENGTH - 1 :]
    following = after_isa.lstrip("\r\n")
    if after_isa[0] in "\r\n" and following and not following[0].isalnum():
        # Terminator written at the start of each next line ("...|^\n~GS|..."): the character after
        # ISA16 is a line break, the real terminator leads every following line.
        terminator = following[0]
        body = following[1:].replace("\r\n" + terminator, terminator + "\n")
        body = body.replace("\n" + terminator, terminator + "\n").rstrip("\r\n")
        if not body.endswith(terminator):
            body += terminator
        text = text[: _ISA_LENGTH - 1] + terminator + "\n" + body
    return text


def _classify(
    errors: list[tuple[str, str, str, str | None, int | None]],
) -> tuple[list[str], list[str]]:
    fatal: list[str] = []
    defects: list[str] = []
    for kind, code, message, _value, _line in errors:
        if (kind, code) in _COSMETIC:
            continue
        if (kind, code) in _FATAL or message.startswith("Segment identifier"):
            fatal.append(message)
        else:
            defects.append(message)
    return fatal, defects


def _assemble(
    segments: list[X12Segment], delimiters: Delimiters, defects: tuple[str, ...], payer_id: str
) -> tuple[Interchange, ...]:
    interchanges: list[Interchange] = []
    isa: X12Segment | None = None
    gs: X12Segment | None = None
    st: X12Segment | None = None
    groups: list[FunctionalGroup] = []
    sets: list[TransactionSet] = []
    body: list[X12Segment] = []
    for seg in segments:
        if seg.id == "ISA":
            isa, groups = seg, []
        elif seg.id == "GS":
            gs, sets = seg, []
        elif seg.id == "ST":
            st, body = seg, []
        elif seg.id == "SE" and st is not None:
            implementation = st.get(3) or (gs.get(8) if gs else "")
            sets.append(TransactionSet(st.get(1), st.get(2), implementation, tuple(body)))
            st = None
        elif seg.id == "GE" and gs is not None:
            groups.append(
                FunctionalGroup(gs.get(1), gs.get(2), gs.get(3), gs.get(6), gs.get(8), tuple(sets))
            )
            gs = None
        elif seg.id == "IEA" and isa is not None:
            interchanges.append(
                Interchange(
                    delimiters=delimiters,
                    version=isa.get(12),
                    sender_qualifier=isa.get(5),
                    sender_id=isa.get(6),
                    receiver_qualifier=isa.get(7),
                    receiver_id=isa.get(8),
                    control_number=isa.get(13),
                    usage=isa.get(15),
                    groups=tuple(groups),
                    defects=defects,
                )
            )
            isa = None
        elif st is not None:
            body.append(seg)
        else:
            raise PayerProtocolError(
                payer_id, f"segment {seg.position} ({seg.id}) is outside any ST..SE transaction set"
            )
    return tuple(interchanges)
