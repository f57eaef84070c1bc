"""Build outgoing interchanges: control numbers, the ISA/GS/ST envelope, and pyx12 map validation.

Segments are written by ``pyx12.x12file.X12Writer``, which also writes SE/GE/IEA with the right
counts and control numbers. Element values are cleaned of delimiter characters so member data can
never split a segment. :func:`map_errors` runs pyx12's implementation-guide map where one exists
(837P X222A1, 999, 835, 277CA); 270/276 have no map in pyx12 and are checked by reading them back.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyx12.errors
import pyx12.params
import pyx12.segment
import pyx12.x12file
import pyx12.x12n_document

from payers.x12.segments import Delimiters

OUTGOING = Delimiters(segment="~", element="*", component=":", repetition="^")
_MAX_CONTROL = 999_999_999
# Guides whose ST segment has no ST03 ("Not Used" in the 835 X221A1; pyx12's map refuses it there).
_NO_ST03 = frozenset({"005010X221A1"})


class Composite(tuple[str, ...]):
    """A composite element value (written with the component separator)."""

    def __new__(cls, *parts: str) -> Composite:
        return super().__new__(cls, parts)


class Repeated(tuple[str, ...]):
    """A repeated element value (written with the repetition separator)."""

    def __new__(cls, *values: str) -> Repeated:
        return super().__new__(cls, values)


Element = str | Composite | Repeated
SegmentSpec = tuple[Element, ...]


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    """ISA13 / GS06 / ST02 of one outgoing interchange."""

    interchange: str
    group: str
    transaction: str

    @classmethod
    def from_number(cls, number: int) -> ControlNumbers:
        if not 1 <= number <= _MAX_CONTROL:
            raise ValueError(f"control number {number} is outside 1..{_MAX_CONTROL}")
        return cls(f"{number:09d}", str(number), f"{number:09d}")

    @classmethod
    def for_claim(cls, claim_control_number: str) -> ControlNumbers:
        """Numbers derived from a claim's control number: every retry of one claim reuses them."""
        digest = hashlib.sha256(claim_control_number.encode()).digest()
        return cls.from_number(int.from_bytes(digest[:8], "big") % _MAX_CONTROL + 1)


class ControlNumberSequence:
    """Monotonic ISA13/GS06/ST02 numbers for one sender id.

    The caller persists :attr:`last` and passes it back after a restart. Without a persisted value
    the sequence starts from the clock (seconds since 2020 modulo 10^9), so a restarted process does
    not reuse a recent number as long as it sends less than one interchange per second on average.
    """

    def __init__(self, sender_id: str, last: int | None = None) -> None:
        self.sender_id = sender_id
        self._last = last if last is not None else int(time.time() - 1_577_836_800) % _MAX_CONTROL

    @property
    def last(self) -> int:
        return self._last

    def next(self) -> ControlNumbers:
        self._last = self._last % _MAX_CONTROL + 1
        return ControlNumbers.from_number(self._last)


@dataclass(frozen=True, slots=True)
class Parties:
    """Who an interchange is from and to (ISA05-08, GS02-03) and whether it is test data (ISA15)."""

    sender_id: str
    receiver_id: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    usage: str = "P"


@dataclass(frozen=True, slots=True)
class PayerParty:
    """The payer as named in NM1*PR (loop 2100A / 2010BB)."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class ProviderParty:
    """The provider asking (270/276 information receiver)."""

    npi: str
    name: str


def build_interchange(
    parties: Parties,
    numbers: ControlNumbers,
    *,
    functional_id: str,
    transaction_code: str,
    implementation: str,
    body: Sequence[SegmentSpec],
    created: datetime,
) -> str:
    """Wrap ``body`` segments in ST/GS/ISA and let pyx12 write them with SE/GE/IEA trailers."""
    return build_group(
        parties,
        numbers,
        functional_id=functional_id,
        transaction_code=transaction_code,
        implementation=implementation,
        bodies=(body,),
        created=created,
    )


def build_group(
    parties: Parties,
    numbers: ControlNumbers,
    *,
    functional_id: str,
    transaction_code: str,
    implementation: str,
    bodies: Sequence[Sequence[SegmentSpec]],
    created: datetime,
) -> str:
    """One interchange, one functional group, one transaction set per body (an 835 per payment).

    A lone set takes ST02 from ``numbers``; several are numbered 0001, 0002... within the group.
    """
    if not bodies:
        raise ValueError("an interchange needs at least one transaction set")
    d = OUTGOING
    out = io.StringIO()
    writer = pyx12.x12file.X12Writer(
        out, d.segment, d.element, d.component, "\n", d.repetition or "^"
    )
    isa = (
        f"ISA*00*{'':10}*00*{'':10}*{parties.sender_qualifier:2}*{_fixed(parties.sender_id, 15)}"
        f"*{parties.receiver_qualifier:2}*{_fixed(parties.receiver_id, 15)}"
        f"*{created:%y%m%d}*{created:%H%M}*^*00501*{numbers.interchange}*0*{parties.usage}*:"
    )
    writer.Write(pyx12.segment.Segment(isa, d.segment, d.element, d.component))
    group: SegmentSpec = (
        "GS",
        functional_id,
        parties.sender_id,
        parties.receiver_id,
        f"{created:%Y%m%d}",
        f"{created:%H%M}",
        numbers.group,
        "X",
        implementation,
    )
    specs: list[SegmentSpec] = [group]
    for n, body in enumerate(bodies, start=1):
        st02 = numbers.transaction if len(bodies) == 1 else f"{n:04d}"
        # An SE spec makes pyx12's writer close the set with its own count and control number.
        st03 = "" if implementation in _NO_ST03 else implementation
        specs += [("ST", transaction_code, st02, st03), *body, ("SE",)]
    for spec in specs:
        writer.Write(pyx12.segment.Segment(format_segment(spec), d.segment, d.element, d.component))
    writer.close()
    return out.getvalue()


def format_segment(spec: SegmentSpec) -> str:
    """One segment's text (no terminator), trailing empty elements dropped."""
    values = [_format_element(e) for e in spec]
    while len(values) > 1 and values[-1] == "":
        values.pop()
    return OUTGOING.element.join(values)


def map_errors(text: str) -> tuple[str, ...] | None:
    """pyx12 map validation of an interchange: its error messages, or None when it has no map."""
    try:
        found = map_report(text)
    except pyx12.errors.EngineError as exc:
        return (f"pyx12 could not validate: {exc}",)
    if found is None:
        return None
    valid, report = found
    errors: list[str] = []
    _collect(report, errors)
    if not valid and not errors:
        errors.append("pyx12 reported the interchange invalid")
    return tuple(errors)


def map_report(text: str) -> tuple[bool, dict[str, Any]] | None:
    """pyx12's structured validation report (interchanges > groups > transactions > segments,
    each with ``errors`` carrying X12 999 error codes) and its verdict; None when it has no map.

    Raises ``pyx12.errors.EngineError`` when pyx12 cannot read the interchange at all.
    """
    report = io.StringIO()
    try:
        # pyx12 prints its error list (segment values: PHI) to stdout on some invalid input.
        with contextlib.redirect_stdout(io.StringIO()):
            valid = pyx12.x12n_document.x12n_document(
                pyx12.params.params(), io.StringIO(text), None, None, fd_json=report
            )
    except pyx12.errors.EngineError as exc:
        if "Map not found" in str(exc):
            return None
        raise
    data = json.loads(report.getvalue()) if report.getvalue() else {}
    return bool(valid), data if isinstance(data, dict) else {}


def _collect(node: Any, into: list[str]) -> None:
    if isinstance(node, dict):
        for error in node.get("errors") or ():
            if isinstance(error, dict) and "err_str" in error:
                into.append(str(error["err_str"]))
        for value in node.values():
            if isinstance(value, dict | list):
                _collect(value, into)
    elif isinstance(node, list):
        for value in node:
            _collect(value, into)


def _format_element(value: Element) -> str:
    d = OUTGOING
    if isinstance(value, Composite):
        parts = [_clean(p) for p in value]
        while parts and parts[-1] == "":
            parts.pop()
        return d.component.join(parts)
    if isinstance(value, Repeated):
        return (d.repetition or "^").join(_clean(v) for v in value if v)
    return _clean(value)


def _clean(value: str) -> str:
    """Delimiters inside data would split the segment: replace them and line breaks by spaces."""
    for char in (
        OUTGOING.segment,
        OUTGOING.element,
        OUTGOING.component,
        OUTGOING.repetition or "",
        "\r",
        "\n",
    ):
        if char:
            value = value.replace(char, " ")
    return value.strip()


def _fixed(value: str, width: int) -> str:
    return _clean(value)[:width].ljust(width)
