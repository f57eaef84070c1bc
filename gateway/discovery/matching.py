"""How well a coverage a payer found matches the person asked about.

The payer's own record of the person (``DiscoveredCoverage.person``) is compared with what was asked:

- HIGH: first and last name, birth date and postal code all the same;
- MEDIUM: last name and birth date the same, with the same first name (no postal code to confirm
  it) or a variant of it (Jordyn for Jordan, Sam for Samuel): probably the patient, check the card;
- LOW: anything less (the payer matched on what it did not show us, or on part of it).

Names compare without case, spaces or punctuation; postal codes on their first five digits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from payers.model import Demographics


class Confidence(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class MatchedField(enum.StrEnum):
    FIRST_NAME = "first_name"
    FIRST_NAME_VARIANT = "first_name_variant"
    LAST_NAME = "last_name"
    BIRTH_DATE = "birth_date"
    GENDER = "gender"
    POSTAL_CODE = "postal_code"


@dataclass(frozen=True, slots=True)
class Match:
    confidence: Confidence
    matched_on: tuple[MatchedField, ...]


def _name(text: str | None) -> str:
    return "".join(c for c in (text or "").casefold() if c.isalnum())


def is_variant(asked: str, known: str) -> bool:
    """A short form or different spelling of the same first name (not the same name)."""
    a, b = _name(asked), _name(known)
    if not a or not b or a == b:
        return False
    return a.startswith(b) or b.startswith(a) or (min(len(a), len(b)) >= 4 and a[:3] == b[:3])


def grade(asked: Demographics, found: Demographics | None) -> Match:
    """The confidence of a find and the fields that matched (none known: LOW)."""
    if found is None:
        return Match(Confidence.LOW, ())
    matched: list[MatchedField] = []
    if _name(asked.first_name) and _name(asked.first_name) == _name(found.first_name):
        matched.append(MatchedField.FIRST_NAME)
    elif is_variant(asked.first_name, found.first_name):
        matched.append(MatchedField.FIRST_NAME_VARIANT)
    if _name(asked.last_name) and _name(asked.last_name) == _name(found.last_name):
        matched.append(MatchedField.LAST_NAME)
    if asked.birth_date == found.birth_date:
        matched.append(MatchedField.BIRTH_DATE)
    if asked.gender and found.gender and asked.gender[:1].upper() == found.gender[:1].upper():
        matched.append(MatchedField.GENDER)
    if asked.postal_code and found.postal_code and asked.postal_code[:5] == found.postal_code[:5]:
        matched.append(MatchedField.POSTAL_CODE)
    have = set(matched)
    core = {MatchedField.LAST_NAME, MatchedField.BIRTH_DATE}
    if core | {MatchedField.FIRST_NAME, MatchedField.POSTAL_CODE} <= have:
        confidence = Confidence.HIGH
    elif core <= have and have & {MatchedField.FIRST_NAME, MatchedField.FIRST_NAME_VARIANT}:
        confidence = Confidence.MEDIUM
    else:
        confidence = Confidence.LOW
    return Match(confidence, tuple(matched))
