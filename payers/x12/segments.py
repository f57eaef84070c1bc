"""Typed access to the fields of segments pyx12 has already split.

pyx12 splits elements and components but not repetitions (EB03 ``1^33^35``) and gives strings only;
this module adds what our parsers need on top of it: repetition splitting with ISA11, Decimal money,
``date`` values, and errors that name the segment and element without quoting member data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

import pyx12.segment


class X12DataError(ValueError):
    """A field of a received transaction is not what its implementation guide allows."""


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The separators an interchange declares in its ISA segment."""

    segment: str = "~"
    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"


_SERVICE_QUALIFIER = re.compile(r"^[A-Z0-9]{2}([^A-Za-z0-9 ])")


class X12Segment:
    """One received segment: ``seg.get(3)`` is element 03, positions are 1-based."""

    __slots__ = ("delimiters", "position", "raw")

    def __init__(self, raw: pyx12.segment.Segment, delimiters: Delimiters, position: int) -> None:
        self.raw = raw
        self.delimiters = delimiters
        self.position = position

    def __repr__(self) -> str:
        return f"<X12Segment {self.id} #{self.position}>"  # never the content: it is PHI

    @property
    def id(self) -> str:
        return self.raw.get_seg_id() or ""

    def where(self, element: int | None = None) -> str:
        """Name a segment (and element) for error messages, without its content."""
        ref = f"{self.id}{element:02d}" if element is not None else self.id
        return f"{ref} (segment {self.position})"

    def get(self, element: int) -> str:
        """Element ``element`` as text (components re-joined), "" when absent."""
        value = self.raw.get_value(f"{element:02d}")
        return value.strip() if value else ""

    def components(self, element: int) -> list[str]:
        """The components of a composite element (a simple element gives one component)."""
        if element > len(self.raw):
            return []
        composite = self.raw.elements[element - 1]
        return [part.get_value().strip() for part in composite.elements]

    def procedure_components(self, element: int) -> list[str]:
        """Components of a qualifier+code composite (SVC01, SV101), tolerating a foreign separator.

        Some senders write ``HC>55669`` while ISA16 declares ``:``; the qualifier is always two
        characters, so a punctuation character in third place is the separator actually used.
        """
        parts = self.components(element)
        if len(parts) == 1:
            found = _SERVICE_QUALIFIER.match(parts[0])
            if found and found.group(1) != self.delimiters.element:
                return [p.strip() for p in parts[0].split(found.group(1))]
        return parts

    def repeats(self, element: int) -> list[str]:
        """The repetitions of a repeatable element (EB03), split on ISA11; empty parts dropped."""
        value = self.get(element)
        if not value:
            return []
        separator = self.delimiters.repetition
        values = value.split(separator) if separator else [value]
        return [v.strip() for v in values if v.strip()]

    def decimal(self, element: int, what: str) -> Decimal | None:
        """Element as a Decimal (money, percent, quantity), None when empty."""
        return parse_decimal(self.get(element), f"{self.where(element)} {what}")

    def money(self, element: int, what: str) -> Decimal:
        """A required amount."""
        value = self.decimal(element, what)
        if value is None:
            raise X12DataError(f"{self.where(element)} {what} is missing")
        return value


def parse_decimal(text: str, what: str) -> Decimal | None:
    """X12 numeric text ("945.00", ".3", "-9") as Decimal, never via float."""
    text = text.strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise X12DataError(f"{what} is not a number") from exc
    if not value.is_finite():
        raise X12DataError(f"{what} is not a number")
    return value


def parse_d8(text: str, what: str) -> date:
    """A CCYYMMDD date."""
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        raise X12DataError(f"{what} is not a CCYYMMDD date")
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise X12DataError(f"{what} is not a valid date") from exc


def parse_period(qualifier: str, text: str, what: str) -> tuple[date, date]:
    """A DTP/DTM date or range (D8 ``CCYYMMDD`` or RD8 ``CCYYMMDD-CCYYMMDD``) as (start, end)."""
    if qualifier == "RD8" or (not qualifier and "-" in text):
        start, _, end = text.partition("-")
        return parse_d8(start, what), parse_d8(end, what)
    single = parse_d8(text, what)
    return single, single


def date_or_none(text: str, what: str) -> date | None:
    """A CCYYMMDD date where a payer's invalid date must not sink the whole answer."""
    try:
        return parse_d8(text, what) if text.strip() else None
    except X12DataError:
        return None
