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

Layout (indentation, blank lines, a BOM, a newline terminator, an ISA12 pyx12 does not know) is
never a refusal, in either mode: :mod:`payers.x12.layout` rewrites it for pyx12 and each transaction
set carries the resulting findings in :attr:`TransactionSet.findings`, which the transaction
parsers copy onto their results.
"""

from __future__ import annotations

import dataclasses
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pyx12.errors
import pyx12.x12file

from payers.contract import PayerProtocolError
from payers.model import Finding
from payers.x12.layout import Layout, normalize, version_findings
from payers.x12.segments import Delimiters, X12Segment

# pyx12 logs segment values (member data) while it reads and validates: keep them out of our logs.
logging.getLogger("pyx12").addHandler(logging.NullHandler())
logging.getLogger("pyx12").propagate = False

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
    #: Layout and version findings of the interchange and of this set (copied onto results).
    findings: tuple[Finding, ...] = ()


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
    #: TA1 interchange acknowledgments found between ISA and the first GS.
    acknowledgments: tuple[X12Segment, ...] = ()
    findings: tuple[Finding, ...] = ()

    def transactions(self, code: str) -> Iterator[TransactionSet]:
        for group in self.groups:
            yield from (t for t in group.transactions if t.code == code)


def read_interchanges(text: str, payer_id: str, *, strict: bool = True) -> tuple[Interchange, ...]:
    """Every interchange in ``text`` (a payload may hold several sharing one set of delimiters)."""
    layout = normalize(text, payer_id)
    try:
        reader = pyx12.x12file.X12Reader(io.StringIO(layout.text))
        raw_segments = list(reader)
    except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
        # pyx12's messages can quote the whole ISA (sender and receiver ids): keep one line of it.
        reason = str(exc).splitlines()[0].split(" for ISA")[0][:200]
        raise PayerProtocolError(payer_id, f"X12 envelope is invalid: {reason}") from exc
    reader.cleanup()
    fatal, defects = _classify(reader.pop_errors())
    delimiters = layout.delimiters
    segments = [X12Segment(raw, delimiters, n) for n, raw in enumerate(raw_segments, start=1)]
    for seg in segments:
        if any("\n" in e or "\r" in e for e in seg.raw.format().split(delimiters.element)):
            fatal.append(
                f"segment {seg.position} ({seg.id}) contains a line break: its segment "
                f"terminator {delimiters.segment!r} is probably missing"
            )
    if fatal:
        raise PayerProtocolError(payer_id, "X12 interchange is damaged: " + "; ".join(fatal))
    if strict and defects:
        raise PayerProtocolError(payer_id, "X12 envelope is inconsistent: " + "; ".join(defects))
    return _assemble(segments, layout, tuple(defects), payer_id)


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


_Result = TypeVar("_Result", bound=Any)


def with_findings(result: _Result, transaction: TransactionSet) -> _Result:
    """``result`` (a model dataclass with ``findings``) with the set's layout findings first."""
    return dataclasses.replace(result, findings=transaction.findings + tuple(result.findings))


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
    segments: list[X12Segment], layout: Layout, defects: tuple[str, ...], payer_id: str
) -> tuple[Interchange, ...]:
    interchanges: list[Interchange] = []
    isa: X12Segment | None = None
    gs: X12Segment | None = None
    st: X12Segment | None = None
    groups: list[FunctionalGroup] = []
    sets: list[TransactionSet] = []
    body: list[X12Segment] = []
    ta1: list[X12Segment] = []
    for seg in segments:
        if seg.id == "ISA":
            isa, groups, ta1 = seg, [], []
        elif seg.id == "TA1" and isa is not None and gs is None:
            ta1.append(seg)
        elif seg.id == "GS":
            gs, sets = seg, []
        elif seg.id == "ST":
            st, body = seg, []
        elif seg.id == "SE" and st is not None:
            implementation = st.get(3) or (gs.get(8) if gs else "")
            # The first interchange's ISA12 as sent (pyx12 may have read a substitute).
            declared = layout.isa_version if not interchanges else isa.get(12) if isa else ""
            own = version_findings(
                declared,
                gs.get(8) if gs else "",
                st.get(3),
                f"segment {st.position} (ST)",
                rewritten=not interchanges,  # layout.normalize rewrote only the first ISA12
            )
            sets.append(
                TransactionSet(
                    st.get(1),
                    st.get(2),
                    implementation,
                    tuple(body),
                    findings=layout.findings + tuple(own),
                )
            )
            st = None
        elif seg.id == "GE" and gs is not None:
            groups.append(
                FunctionalGroup(gs.get(1), gs.get(2), gs.get(3), gs.get(6), gs.get(8), tuple(sets))
            )
            gs = None
        elif seg.id == "IEA" and isa is not None:
            interchanges.append(
                Interchange(
                    delimiters=layout.delimiters,
                    version=layout.isa_version.strip() if not interchanges else isa.get(12),
                    sender_qualifier=isa.get(5),
                    sender_id=isa.get(6),
                    receiver_qualifier=isa.get(7),
                    receiver_id=isa.get(8),
                    control_number=isa.get(13),
                    usage=isa.get(15),
                    groups=tuple(groups),
                    defects=defects,
                    acknowledgments=tuple(ta1),
                    findings=layout.findings,
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
