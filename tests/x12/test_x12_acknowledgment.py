"""999 and 277CA acknowledgments of the corpus read into SubmissionAck."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from payers.model import ClaimState
from payers.x12.acknowledgment import parse_277ca, parse_999


def test_999_rejected(corpus, payer_id):
    ack = parse_999(corpus("999_5010_rejected_imsweb.txt"), payer_id, "RFM-2025-0001")
    assert (ack.accepted, ack.control_number, ack.payer_claim_id) == (False, "RFM-2025-0001", None)
    assert [(r.system, r.code) for r in ack.reasons] == [
        ("x12-999-segment-error", "1"),
        ("x12-999-transaction-error", "5"),
    ]
    assert ack.reasons[0].description == "Unrecognized segment ID (NM segment 17, loop -)"


def test_999_accepted(corpus, payer_id):
    text = corpus("999_5010_rejected_imsweb.txt")
    text = (
        text.replace("IK3*NM*17**1~\n", "")
        .replace("IK5*R*5", "IK5*A")
        .replace("AK9*R*1*1*0", "AK9*A*1*1*1")
    )
    text = text.replace("SE*7*", "SE*6*")
    ack = parse_999(text, payer_id, "RFM-2025-0001")
    assert ack.accepted and ack.reasons == ()


def test_277ca_accepted(corpus, payer_id):
    (ack,) = parse_277ca(corpus("277CA_5010_accepted_imsweb.txt"), payer_id)
    assert (ack.accepted, ack.control_number, ack.payer_claim_id) == (
        True,
        "5781",
        "1107000000014420",
    )
    assert ack.status is not None and ack.status.state is ClaimState.ACKNOWLEDGED
    assert (ack.status.category.code, ack.status.status and ack.status.status.code) == ("A2", "20")
    assert ack.status.total_charge == Decimal("125")
    assert ack.status.effective_date == date(2011, 3, 11)
    assert ack.reasons == () and not ack.duplicate


def test_277ca_rejected(corpus, payer_id):
    (ack,) = parse_277ca(corpus("277CA_5010_rejected_imsweb.txt"), payer_id)
    assert (ack.accepted, ack.control_number, ack.payer_claim_id) == (
        False,
        "3920394930203",
        "1107000000001120",
    )
    assert ack.status is not None and ack.status.state is ClaimState.REJECTED
    assert ack.status.entity is not None and ack.status.entity.code == "85"
    assert [(r.system, r.code) for r in ack.reasons] == [("claim-status", "562")]
