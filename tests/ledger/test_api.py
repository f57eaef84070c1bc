"""The ledger through GraphQL: uploads (the X12 sandbox's 835, a public one, a broken one), paper
EOBs typed in, the unmatched worklist and manual matching, scopes and PHI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from gateway.storage.database import Database
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from payers.sandbox.world import World
from tests.gateway.conftest import Gateway
from tests.gateway.people import People
from tests.ledger.api import (
    CLAIM,
    ENTER,
    REMITTANCES,
    UPLOAD,
    our_claim,
    payer_of,
    payment_of,
    sandbox_835,
)
from tests.ledger.conftest import cas, claim_payment, line

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"

UNMATCHED = """
query { unmatchedClaimPayments(first: 10) {
  items { id matchState claimId traceNumber claimPayment { controlNumber paid } }
  pageInfo { hasNextPage }
} }"""

MATCH = """
mutation Match($input: MatchClaimPaymentInput!) {
  matchClaimPayment(input: $input) {
    claimPayment { id matchState claimId financialState }
    errors { code field message }
  }
}"""


async def ledger_rows(database: Database) -> tuple[int, int]:
    async with database.session() as session:
        return (
            await session.scalar(select(func.count()).select_from(Remittance)) or 0,
            await session.scalar(select(func.count()).select_from(RemittanceClaim)) or 0,
        )


def paid_visit(control: str) -> Any:
    return claim_payment(
        control,
        "187.00",
        "110.00",
        payer_claim_id="X12-PCN-1",
        lines=(
            line(
                "99213",
                "145.00",
                "80.00",
                cas("CO", "45", "45.00"),
                cas("PR", "3", "20.00"),
                allowed="100.00",
            ),
            line("83036", "42.00", "30.00", cas("CO", "45", "12.00"), allowed="30.00"),
        ),
    )


async def test_an_835_from_the_x12_sandbox_uploads_posts_and_shows_on_the_claim(
    database: Database, world: World, gateway: Gateway
) -> None:
    payer_id = payer_of(gateway, "x12")
    claim = await our_claim(gateway, payer_id)
    payment = payment_of(
        payer_id, paid_visit(claim.control_number), claim_payment("SOMEONE-ELSES", "50.00", "50.00")
    )
    x12 = sandbox_835(world, payer_id, payment)

    body = await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": x12}})

    answer = body["data"]["uploadRemittance"]
    assert answer["errors"] == [] and answer["alreadyPosted"] == []
    [remit] = answer["remittances"]
    assert (remit["traceNumber"], remit["amount"], remit["source"], remit["findings"]) == (
        payment.trace_number,
        "160.00",
        "UPLOADED",
        [],
    )
    first, second = remit["claimPayments"]
    assert (first["matchState"], first["claimId"], first["financialState"]) == (
        "MATCHED",
        claim.id,
        "PAID",
    )
    assert (second["matchState"], second["claimId"]) == ("UNMATCHED", None)
    visit = first["claimPayment"]["lines"][0]
    assert [
        (a["group"]["code"], a["reason"]["code"], a["amount"]) for a in visit["adjustments"]
    ] == [
        ("CO", "45", "45.00"),
        ("PR", "3", "20.00"),
    ]
    assert visit["adjustments"][1]["reason"]["description"] == "Co-payment Amount"
    assert visit["allowedAmount"] == "100.00"

    shown = (await gateway.query(CLAIM, {"id": claim.id}))["data"]["claim"]
    assert shown["financialState"] == "PAID"
    assert shown["payments"] == [
        {
            "traceNumber": payment.trace_number,
            "amount": "160.00",
            "claims": [
                {"controlNumber": claim.control_number, "paid": "110.00", "status": {"code": "1"}}
            ],
        }
    ]

    # The same file again: reported as already posted, nothing changes.
    before = await ledger_rows(database)
    again = (await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": x12}}))["data"][
        "uploadRemittance"
    ]
    assert again["alreadyPosted"] == [payment.trace_number] and again["errors"] == []
    assert again["remittances"][0]["id"] == remit["id"]
    assert await ledger_rows(database) == before

    listed = (await gateway.query(REMITTANCES, {"payerId": payer_id}))["data"]["remittances"]
    assert [r["id"] for r in listed["items"]] == [remit["id"]]


async def test_a_public_835_uploads_every_transaction_set(
    database: Database, gateway: Gateway
) -> None:
    from payers.x12.remittance import parse_835

    text = (FIXTURES / "835_5010_prof_denial_paid_zentist.txt").read_text()
    payer_id = payer_of(gateway, "x12")
    expected = parse_835(text, payer_id, strict=False)

    body = await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": text}})

    answer = body["data"]["uploadRemittance"]
    assert answer["errors"] == []
    assert sorted(r["traceNumber"] for r in answer["remittances"]) == sorted(
        p.trace_number for p in expected
    )
    assert await ledger_rows(database) == (len(expected), sum(len(p.claims) for p in expected))
    states = {
        c["claimPayment"]["status"]["code"]
        for r in answer["remittances"]
        for c in r["claimPayments"]
    }
    assert states == {c.status.code for p in expected for c in p.claims}


async def test_a_broken_835_is_posted_with_its_findings_shown(
    database: Database, world: World, gateway: Gateway
) -> None:
    payer_id = payer_of(gateway, "x12")
    claim = await our_claim(gateway, payer_id)
    payment = payment_of(payer_id, paid_visit(claim.control_number))
    x12 = sandbox_835(world, payer_id, payment)
    # The payer's BPR says 120.00 while its one claim payment is 110.00.
    broken = x12.replace("BPR*I*110*", "BPR*I*120*").replace("BPR*I*110.00*", "BPR*I*120.00*")
    assert broken != x12

    body = await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": broken}})

    [remit] = body["data"]["uploadRemittance"]["remittances"]
    [finding] = remit["findings"]
    assert (finding["code"], finding["place"]) == ("PAYMENT_UNBALANCED", "BPR02")
    assert {n["name"]: n["value"] for n in finding["numbers"]} == {
        "stated": "120.00",
        "claimsPaid": "110.00",
        "providerAdjustments": "0.00",
        "difference": "10.00",
    }
    assert remit["amount"] == "120.00"  # as the payer stated it, never fixed


async def test_uploads_that_cannot_be_read_write_nothing(
    database: Database, gateway: Gateway
) -> None:
    payer_id = payer_of(gateway, "x12")
    cases = [
        ({"payerId": payer_id, "x12": "hello"}, "INVALID_X12"),
        ({"payerId": payer_id, "x12": "  "}, "REQUIRED"),
        ({"payerId": payer_id, "x12": "ISA" + "*" * 239_998}, "TOO_LARGE"),
        (
            {
                "payerId": "no-such-payer",
                "x12": (FIXTURES / "835_5010_mult_loops_pyx12.txt").read_text(),
            },
            "UNKNOWN_PAYER",
        ),
    ]
    for given, code in cases:
        body = await gateway.query(UPLOAD, {"input": given})
        answer = body["data"]["uploadRemittance"]
        assert answer["remittances"] == []
        assert code in [e["code"] for e in answer["errors"]], (code, answer["errors"])
        assert all(e["field"][0] == "input" for e in answer["errors"])
        assert "Traceback" not in str(body)
    assert await ledger_rows(database) == (0, 0)


def paper_eob(payer_id: str, control: str, **changes: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "payerId": payer_id,
        "traceNumber": "CHK-20931",
        "paymentDate": "2026-11-20",
        "amount": "60.00",
        "method": "CHK",
        "claims": [
            {
                "controlNumber": control,
                "status": "1",
                "charge": "187.00",
                "paid": "60.00",
                "patientResponsibility": "25.00",
                "lines": [
                    {
                        "procedureCode": "99213",
                        "charge": "145.00",
                        "paid": "60.00",
                        "allowed": "85.00",
                        "adjustments": [
                            {"group": "CO", "reason": "45", "amount": "60.00"},
                            {"group": "PR", "reason": "3", "amount": "25.00"},
                        ],
                    },
                    {
                        "procedureCode": "83036",
                        "charge": "42.00",
                        "paid": "0.00",
                        "adjustments": [
                            {"group": "CO", "reason": "97", "amount": "42.00", "remarks": ["M15"]}
                        ],
                    },
                ],
            }
        ],
    }
    entry.update(changes)
    return entry


async def test_a_paper_eob_entered_posts_like_any_remittance(
    database: Database, gateway: Gateway
) -> None:
    payer_id = payer_of(gateway, "rest")
    claim = await our_claim(gateway, payer_id)

    body = await gateway.query(ENTER, {"input": paper_eob(payer_id, claim.control_number)})

    answer = body["data"]["enterRemittance"]
    assert answer["errors"] == []
    [remit] = answer["remittances"]
    assert (remit["source"], remit["method"]["code"], remit["findings"]) == ("ENTERED", "CHK", [])
    [posted] = remit["claimPayments"]
    assert (posted["claimId"], posted["financialState"]) == (claim.id, "PARTIALLY_PAID")
    bundled = posted["claimPayment"]["lines"][1]["adjustments"][0]
    assert bundled["remarks"] == [{"code": "M15"}]

    again = (await gateway.query(ENTER, {"input": paper_eob(payer_id, claim.control_number)}))[
        "data"
    ]["enterRemittance"]
    assert again["alreadyPosted"] == ["CHK-20931"]
    assert await ledger_rows(database) == (1, 1)


async def test_a_paper_eob_with_mistakes_is_refused_whole(
    database: Database, gateway: Gateway
) -> None:
    payer_id = payer_of(gateway, "rest")
    claim = await our_claim(gateway, payer_id)
    entry = paper_eob(
        payer_id, claim.control_number, traceNumber=" ", amount="60.001", method="XYZ"
    )
    entry["claims"][0]["status"] = "99"
    entry["claims"][0]["lines"][0]["adjustments"][0]["reason"] = "NOPE"
    entry["claims"][0]["lines"][1]["procedureCode"] = "9"

    body = await gateway.query(ENTER, {"input": entry})

    errors = {(e["code"], ".".join(e["field"])) for e in body["data"]["enterRemittance"]["errors"]}
    assert errors == {
        ("REQUIRED", "input.traceNumber"),
        ("INVALID_AMOUNT", "input.amount"),
        ("UNKNOWN_CODE", "input.method"),
        ("UNKNOWN_CODE", "input.claims.0.status"),
        ("UNKNOWN_CODE", "input.claims.0.lines.0.adjustments.0.reason"),
        ("INVALID_FORMAT", "input.claims.0.lines.1.procedureCode"),
    }
    # A float is not money: refused before any resolver runs.
    floated = paper_eob(payer_id, claim.control_number, amount=60.0)
    refused = await gateway.query(ENTER, {"input": floated})
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await ledger_rows(database) == (0, 0)


async def test_an_unmatched_claim_payment_waits_then_is_matched_by_hand(
    database: Database, world: World, gateway: Gateway
) -> None:
    payer_id = payer_of(gateway, "x12")
    claim = await our_claim(gateway, payer_id)
    elsewhere = await our_claim(gateway, payer_of(gateway, "rest"))
    # The payer lost our control number and its claim number is unknown to us.
    stray = paid_visit("TYPO-0001")
    x12 = sandbox_835(world, payer_id, payment_of(payer_id, stray))
    await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": x12}})

    [waiting] = (await gateway.query(UNMATCHED))["data"]["unmatchedClaimPayments"]["items"]
    assert (waiting["matchState"], waiting["claimPayment"]["controlNumber"]) == (
        "UNMATCHED",
        "TYPO-0001",
    )

    theirs = await our_claim(gateway, payer_id, practice_id=gateway.other_practice_id)
    not_ours = await gateway.query(
        MATCH, {"input": {"claimPaymentId": waiting["id"], "claimId": theirs.id}}
    )
    assert [e["code"] for e in not_ours["data"]["matchClaimPayment"]["errors"]] == ["NOT_FOUND"]
    by_them = await gateway.query(
        MATCH,
        {"input": {"claimPaymentId": waiting["id"], "claimId": theirs.id}},
        key=gateway.other_key,
    )
    assert [e["code"] for e in by_them["data"]["matchClaimPayment"]["errors"]] == ["NOT_FOUND"]

    wrong_payer = await gateway.query(
        MATCH, {"input": {"claimPaymentId": waiting["id"], "claimId": elsewhere.id}}
    )
    assert [e["code"] for e in wrong_payer["data"]["matchClaimPayment"]["errors"]] == [
        "PAYER_MISMATCH"
    ]

    body = await gateway.query(
        MATCH, {"input": {"claimPaymentId": waiting["id"], "claimId": claim.id}}
    )
    matched = body["data"]["matchClaimPayment"]
    assert matched["errors"] == []
    assert matched["claimPayment"] == {
        "id": waiting["id"],
        "matchState": "MANUAL",
        "claimId": claim.id,
        "financialState": "PAID",
    }
    assert (await gateway.query(UNMATCHED))["data"]["unmatchedClaimPayments"]["items"] == []
    assert (await gateway.query(CLAIM, {"id": claim.id}))["data"]["claim"][
        "financialState"
    ] == "PAID"

    twice = await gateway.query(
        MATCH, {"input": {"claimPaymentId": waiting["id"], "claimId": claim.id}}
    )
    assert [e["code"] for e in twice["data"]["matchClaimPayment"]["errors"]] == ["ALREADY_MATCHED"]
    async with database.session() as session:
        row = await session.get_one(RemittanceClaim, waiting["id"])
        assert row.matched_by is not None


async def test_reading_needs_payments_read_member_ids_need_phi_and_writing_payments_write(
    database: Database, world: World, gateway: Gateway, people: People
) -> None:
    payer_id = payer_of(gateway, "x12")
    claim = await our_claim(gateway, payer_id)
    paid = paid_visit(claim.control_number)
    from dataclasses import replace

    x12 = sandbox_835(
        world, payer_id, payment_of(payer_id, replace(paid, member_id="MEMBER-PHI-1"))
    )
    upload = {"input": {"payerId": payer_id, "x12": x12}}

    refused = await gateway.query(UPLOAD, upload, key=people.analyst.token)
    assert refused["data"]["uploadRemittance"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await ledger_rows(database)) == (0, 0)

    done = await gateway.query(UPLOAD, upload, key=people.biller.token)
    assert done["data"]["uploadRemittance"]["errors"] == []

    analyst = await gateway.query(REMITTANCES, key=people.analyst.token)
    [remit] = analyst["data"]["remittances"]["items"]
    assert remit["claimPayments"][0]["claimPayment"]["memberId"] is None
    assert {e["extensions"]["code"] for e in analyst["errors"]} == {"FORBIDDEN"}
    biller = await gateway.query(REMITTANCES, key=people.biller.token)
    assert (
        biller["data"]["remittances"]["items"][0]["claimPayments"][0]["claimPayment"]["memberId"]
        == "MEMBER-PHI-1"
    )

    front_desk = await gateway.query(REMITTANCES, key=people.front_desk.token)
    assert front_desk["data"]["remittances"] is None

    other = await gateway.query(REMITTANCES, key=gateway.other_key)
    assert other["data"]["remittances"]["items"] == []


FETCH = """
mutation Fetch($payerId: String!) {
  fetchRemittances(payerId: $payerId) { fetched posted errors { code field message } }
}"""


async def test_fetch_remittances_now_posts_the_new_ones_once(
    database: Database, world: World, gateway: Gateway, people: People
) -> None:
    payer_id = payer_of(gateway, "rest")
    first = (await gateway.query(FETCH, {"payerId": payer_id}))["data"]["fetchRemittances"]
    assert first["errors"] == [] and first["fetched"] >= first["posted"] > 0
    again = (await gateway.query(FETCH, {"payerId": payer_id}))["data"]["fetchRemittances"]
    assert again["errors"] == [] and again["posted"] == 0
    assert (await ledger_rows(database))[0] == first["posted"]

    unknown = (await gateway.query(FETCH, {"payerId": "nobody"}))["data"]["fetchRemittances"]
    assert [e["code"] for e in unknown["errors"]] == ["UNKNOWN_PAYER"]
    await gateway.faults(payer_id, error_rate=1.0)
    down = (await gateway.query(FETCH, {"payerId": payer_id}))["data"]["fetchRemittances"]
    assert down["errors"], down
    assert down["errors"][0]["code"].startswith("PAYER_"), down
    refused = await gateway.query(FETCH, {"payerId": payer_id}, key=people.front_desk.token)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_an_835_that_does_not_fit_the_ledger_is_refused_not_cut(
    database: Database, world: World, gateway: Gateway
) -> None:
    payer_id = payer_of(gateway, "x12")
    oversized = claim_payment("C" * 45, "187.00", "99999999999.00")
    x12 = sandbox_835(world, payer_id, payment_of(payer_id, oversized))

    body = await gateway.query(UPLOAD, {"input": {"payerId": payer_id, "x12": x12}})

    answer = body["data"]["uploadRemittance"]
    messages = [e["message"] for e in answer["errors"]]
    assert {e["code"] for e in answer["errors"]} == {"INVALID_X12"}
    assert any("control number (CLP01) is longer than 38" in m for m in messages)
    assert any("claim payment 1 payment is not an amount" in m for m in messages)
    assert "C" * 45 not in str(body)
    assert await ledger_rows(database) == (0, 0)
