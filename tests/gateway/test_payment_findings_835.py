"""An 835 whose figures do not add up reaches the API with its findings, on the payment, the claim
and the service line it concerns: the X12 sandbox is given a book whose first payment states a
BPR02, a CLP05 and a line charge that its other figures contradict, exactly as a payer might."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from payers.sandbox.world import World, build_world
from tests.gateway.conftest import Gateway

QUERY = """
query($id: ID!) { patient(id: $id) { payments { payer { id } payments {
  traceNumber amount payerName payeeName payeeTaxId payerIds { qualifier { code } value }
  findings { code severity location segment expected actual }
  claims {
    controlNumber filingIndicator { code description }
    findings { code severity location segment expected actual }
    lines { procedure { code system } procedureQualifier { code }
            findings { code severity location segment expected actual } }
  }
} } } }"""


def _x12_key(world: World) -> str:
    return next(k for k, b in world.books.items() if b.protocol == "x12")


@pytest.fixture(scope="module")
def world(today):  # type: ignore[no-untyped-def]
    """The sandbox world with the X12 payer's first payment's figures contradicting each other."""
    built = build_world(today)
    key = _x12_key(built)
    book = built.books[key]
    payment = book.payments[0]
    claim = payment.claims[0]
    line = claim.lines[0]
    claim = replace(
        claim,
        patient_responsibility=(claim.patient_responsibility or Decimal(0)) + Decimal("1.00"),
        lines=(replace(line, charge=line.charge + Decimal("5.00")), *claim.lines[1:]),
    )
    payment = replace(
        payment, amount=payment.amount + Decimal("10.00"), claims=(claim, *payment.claims[1:])
    )
    books = dict(built.books)
    books[key] = replace(book, payments=(payment, *book.payments[1:]))
    return replace(built, books=books)


async def test_balancing_findings_show_where_they_are(gateway: Gateway, world: Any) -> None:
    key = _x12_key(world)
    book = world.books[key]
    payment = book.payments[0]
    member = next(
        m for m in book.members.values() if any(c.member_id == m.member_id for c in payment.claims)
    )
    body = await gateway.query(QUERY, {"id": gateway.patient_ids[member.person.key]})
    assert "errors" not in body, body.get("errors")
    group = next(g for g in body["data"]["patient"]["payments"] if g["payer"]["id"] == key)
    shown = next(p for p in group["payments"] if p["traceNumber"] == payment.trace_number)

    claims_paid = sum(c.paid for c in payment.claims) - sum(
        a.amount for a in payment.provider_adjustments
    )
    assert shown["amount"] == str(payment.amount)
    assert shown["findings"] == [
        {
            "code": "835_PAYMENT_UNBALANCED",
            "severity": "WARNING",
            "location": "BPR",
            "segment": 2,
            "expected": str(claims_paid),
            "actual": str(payment.amount),
        }
    ]
    assert shown["payerName"] == book.name
    claim = next(
        c for c in shown["claims"] if c["controlNumber"] == payment.claims[0].control_number
    )
    [finding] = claim["findings"]
    assert (finding["code"], finding["severity"], finding["location"]) == (
        "835_PATIENT_RESPONSIBILITY_MISMATCH",
        "WARNING",
        "loop 2100, claim 1",
    )
    stated = payment.claims[0].patient_responsibility
    assert Decimal(finding["actual"]) == stated
    assert Decimal(finding["expected"]) == stated - Decimal("1.00")
    assert claim["filingIndicator"]["code"] == "12"
    [line_finding] = claim["lines"][0]["findings"]
    assert line_finding["code"] == "835_LINE_UNBALANCED"
    assert line_finding["location"] == "loop 2110, claim 1, line 1"
    assert Decimal(line_finding["actual"]) - Decimal(line_finding["expected"]) == Decimal("5.00")
    assert claim["lines"][0]["procedureQualifier"] == {"code": "HC"}
    assert claim["lines"][0]["procedure"]["system"] == "procedure"
    assert all(ln["findings"] == [] for ln in claim["lines"][1:])
