"""Claim status: build a 276 (005010X212), read a 277 (X212, and the loops a 277CA X214 shares).

pyx12 registers no X212 map, so the loops are followed here (see :mod:`payers.x12.status_reader`).
"""

from __future__ import annotations

from datetime import datetime

from payers.contract import PayerProtocolError
from payers.model import ClaimRef, ClaimStatus
from payers.x12.envelope import transactions, with_findings
from payers.x12.outgoing import (
    ControlNumbers,
    Parties,
    PayerParty,
    ProviderParty,
    SegmentSpec,
    build_interchange,
)
from payers.x12.segments import X12DataError
from payers.x12.status_reader import CLAIM_LEVELS, claim_state, status_loops

__all__ = ["CLAIM_LEVELS", "IMPLEMENTATION", "build_276", "claim_state", "parse_277"]

IMPLEMENTATION = "005010X212"


def build_276(
    ref: ClaimRef,
    *,
    payer: PayerParty,
    provider: ProviderParty,
    parties: Parties,
    numbers: ControlNumbers,
    trace: str,
    created: datetime,
) -> str:
    """A 276 for one claim. The patient is sent as the subscriber (X212 allows it when the
    patient has their own member id): our ClaimRef does not carry a dependent's subscriber name."""
    member = ref.member
    body: list[SegmentSpec] = [
        ("BHT", "0010", "13", trace, f"{created:%Y%m%d}", f"{created:%H%M}"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", payer.name, "", "", "", "", "PI", payer.id),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "41", "2", provider.name, "", "", "", "", "46", parties.sender_id),
        ("HL", "3", "2", "19", "1"),
        ("NM1", "1P", "2", provider.name, "", "", "", "", "XX", provider.npi),
        ("HL", "4", "3", "22", "0"),
        ("DMG", "D8", f"{member.birth_date:%Y%m%d}"),
        ("NM1", "IL", "1", member.last_name, member.first_name, "", "", "", "MI", member.member_id),
        ("TRN", "1", trace),
    ]
    if ref.payer_claim_id:
        body.append(("REF", "1K", ref.payer_claim_id))
    if ref.control_number:
        body.append(("REF", "EJ", ref.control_number))
    if ref.total_charge is not None:
        body.append(("AMT", "T3", f"{ref.total_charge:.2f}"))
    if ref.service_date is not None:
        body.append(("DTP", "472", "D8", f"{ref.service_date:%Y%m%d}"))
    return build_interchange(
        parties,
        numbers,
        functional_id="HR",
        transaction_code="276",
        implementation=IMPLEMENTATION,
        body=body,
        created=created,
    )


def parse_277(text: str, payer_id: str, *, strict: bool = True) -> list[ClaimStatus]:
    """Every status loop in a 277, in order: claim-level ones carry claim ids, payer, receiver and
    provider-level ones (an E0 "entity not found" for a provider, say) carry none.

    A malformed part (an STC composite, a date, an amount) is left out of its status with a
    :class:`~payers.model.Finding` on it; the other claims and statuses are all kept."""
    try:
        found: list[ClaimStatus] = []
        for transaction in transactions(text, payer_id, "277", strict=strict):
            found += [
                with_findings(loop.claim_status(), transaction)
                for loop in status_loops(transaction.segments)
                if loop.first_stc is not None or loop.hl_level in CLAIM_LEVELS
            ]
        return found
    except X12DataError as exc:
        raise PayerProtocolError(payer_id, f"277 is invalid: {exc}") from exc
