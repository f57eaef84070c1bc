"""Coverage discovery over X12: a 270 naming the person by demographics only, and who the 271 found.

The 270's subscriber loop (2100C) carries NM1*IL with the name and no NM108/NM109 (no member id),
and DMG with the birth date and gender (005010X279A1 allows a search on name and birth date when the
id is unknown). The payer answers a 271 with the member it found (NM1*IL with NM109, N4, DMG), or
AAA 75 (not found) / 76 (several members match: duplicate) in the subscriber loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from payers.contract import PayerProtocolError
from payers.model import Demographics
from payers.x12.eligibility import IMPLEMENTATION
from payers.x12.envelope import transactions
from payers.x12.outgoing import (
    ControlNumbers,
    Parties,
    PayerParty,
    ProviderParty,
    SegmentSpec,
    build_interchange,
)
from payers.x12.segments import X12DataError, X12Segment, date_or_none


def build_discovery_270(
    who: Demographics,
    as_of: date,
    *,
    payer: PayerParty,
    provider: ProviderParty,
    parties: Parties,
    numbers: ControlNumbers,
    trace: str,
    created: datetime,
) -> str:
    """A 270 asking whether the payer covers the person ``who`` (no member id) on ``as_of``."""
    gender = (who.gender or "").strip().upper()[:1]
    body: list[SegmentSpec] = [
        ("BHT", "0022", "13", trace, f"{created:%Y%m%d}", f"{created:%H%M}"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.id),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "1P", "2", provider.name, "", "", "", "", "XX", provider.npi),
        ("HL", "3", "2", "22", "0"),
        ("TRN", "1", trace, "9" + provider.npi[-9:].rjust(9, "0")),
        ("NM1", "IL", "1", who.last_name, who.first_name),
        ("DMG", "D8", f"{who.birth_date:%Y%m%d}", *((gender,) if gender in ("F", "M") else ())),
        ("DTP", "291", "D8", f"{as_of:%Y%m%d}"),
        ("EQ", "30"),
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


def found_person(text: str, payer_id: str, *, strict: bool = True) -> Demographics | None:
    """Who the 271's first subscriber loop names (NM1*IL, N4 postal code, DMG birth date/gender)."""
    try:
        segments = transactions(text, payer_id, "271", strict=strict)[0].segments
        return _person(segments)
    except X12DataError as exc:
        raise PayerProtocolError(payer_id, f"271 is invalid: {exc}") from exc


def _person(segments: Sequence[X12Segment]) -> Demographics | None:
    name: X12Segment | None = None
    postal: str | None = None
    birth: date | None = None
    gender: str | None = None
    in_subscriber = False
    for seg in segments:
        if seg.id == "HL":
            if in_subscriber:
                break
            in_subscriber = seg.get(3) == "22"
        elif not in_subscriber:
            continue
        elif seg.id in ("EB", "LS"):  # benefits and related entities follow the person
            break
        elif seg.id == "NM1" and seg.get(1) == "IL":
            name = seg
        elif seg.id == "N4":
            postal = seg.get(3) or None
        elif seg.id == "DMG":
            birth = date_or_none(seg.get(2), seg.where(2))
            gender = seg.get(3) or None
    if name is None or birth is None:
        return None
    return Demographics(name.get(4), name.get(3), birth, gender, postal)
