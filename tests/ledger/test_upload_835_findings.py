"""An uploaded 835 with a broken part is posted with what could be read, and the ledger shows the
reader's findings beside its own balancing (never a misleading difference for the part left out)."""

from __future__ import annotations

from pathlib import Path

from gateway.storage.database import Database
from tests.gateway.conftest import Gateway
from tests.ledger.api import UPLOAD, payer_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"


async def test_a_broken_service_line_is_reported_not_balanced(
    database: Database, gateway: Gateway
) -> None:
    text = (FIXTURES / "835_5010_tertiary_broken_svc_composite_lfh.x12").read_bytes().decode()
    payer_id = payer_of(gateway, "x12")

    body = await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": text}})

    answer = body["data"]["uploadRemittance"]
    assert answer["errors"] == []
    [remit] = answer["remittances"]
    assert (remit["traceNumber"], remit["amount"]) == ("0012524879", "187.50")
    # The claim is posted without its unreadable line; no CLAIM_UNBALANCED for the missing part.
    assert [f["code"] for f in remit["findings"]] == ["835_LINE_UNREADABLE"]
    [finding] = remit["findings"]
    assert finding["place"] == "loop 2110, claim 1, line 1"
    assert finding["numbers"] == []
    [claim] = remit["claimPayments"]
    assert (claim["claimPayment"]["charge"], claim["claimPayment"]["paid"]) == ("1766.50", "187.50")
    assert claim["claimPayment"]["lines"] == []


async def test_wrong_counts_and_unbalanced_claims_are_stored_once_each(
    database: Database, gateway: Gateway
) -> None:
    text = (FIXTURES / "835_4010_unbalanced_bad_se_count_zentist.txt").read_bytes().decode()
    payer_id = payer_of(gateway, "x12")

    body = await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": text}})

    [remit] = body["data"]["uploadRemittance"]["remittances"]
    found = {
        (f["code"], tuple((n["name"], n["value"]) for n in f["numbers"])) for f in remit["findings"]
    }
    assert found == {
        (
            "PAYMENT_UNBALANCED",
            (
                ("stated", "12345.67"),
                ("claimsPaid", "12200.67"),
                ("providerAdjustments", "0.00"),
                ("difference", "145.00"),
            ),
        ),
        (
            "CLAIM_UNBALANCED",
            (
                ("charge", "23276.56"),
                ("paid", "12000.65"),
                ("adjustments", "11130.91"),
                ("difference", "145.00"),
            ),
        ),
        (
            "PATIENT_RESPONSIBILITY_MISMATCH",
            (("stated", "145.00"), ("adjustments", "0.00"), ("difference", "145.00")),
        ),
        ("835_SEGMENT_COUNT", (("expected", "44"), ("actual", "5109"))),
        # The file ends each segment with a line break and writes "~" at the start of the next.
        ("X12_LAYOUT_NEWLINE_TERMINATOR", ()),
        ("X12_LAYOUT_LEADING_TERMINATOR", ()),
    }
