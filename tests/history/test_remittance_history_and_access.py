"""remittanceHistory (one node per claim payment, sums never double a payment covering several
patients), and who may read what: scopes, PHI masking and audit, tenancy, cursors, limits."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from gateway.identity import CLAIMS_READ, PATIENTS_READ, PAYMENTS_READ, PHI_READ, create_api_key
from gateway.storage.audit_tables import AuditEvent
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from tests.gateway.conftest import Gateway
from tests.history.queries import CLAIMS, PAYMENTS, every_page, post
from tests.ledger.api import our_claim, payer_of, payment_of
from tests.ledger.conftest import cas, claim_payment, line


async def _three_patients_one_payment(gateway: Gateway) -> tuple[str, list[str]]:
    payer = payer_of(gateway, "x12")
    claims = [await our_claim(gateway, payer) for _ in range(3)]
    payment = payment_of(
        payer,
        *(
            claim_payment(
                c.control_number,
                "187.00",
                paid,
                member_id="SHA300917265",
                lines=(
                    line(
                        "99213", "187.00", paid, cas("CO", "45", str(187 - int(paid[:-3])) + ".00")
                    ),
                ),
            )
            for c, paid in zip(claims, ("120.00", "80.00", "33.00"), strict=True)
        ),
    )
    await post(gateway, payment)
    await post(
        gateway,
        payment_of(
            payer,
            claim_payment(
                "NOT-OURS-7",
                "60.00",
                "0.00",
                status="4",
                adjustments=(cas("CO", "96", "60.00", "N130"),),
            ),
        ),
    )
    return payment.trace_number, [c.id for c in claims]


async def test_a_payment_for_several_patients_is_one_node_per_claim_and_summed_once(
    gateway: Gateway,
) -> None:
    trace, claim_ids = await _three_patients_one_payment(gateway)
    answer = await gateway.query(PAYMENTS, {"first": 500})
    history = answer["data"]["remittanceHistory"]
    nodes = [e["node"] for e in history["edges"]]
    ours = [n for n in nodes if n["traceNumber"] == trace]
    assert sorted(n["claimId"] for n in ours) == sorted(claim_ids)
    assert {n["claimHistoryId"] for n in ours} == set(claim_ids)
    assert sum(Decimal(n["paid"]) for n in ours) == Decimal("233.00")
    async with gateway.services.database.session() as session:
        paid = await session.scalar(
            select(func.sum(RemittanceClaim.paid)).where(
                RemittanceClaim.practice_id == gateway.practice_id
            )
        )
        amount = await session.scalar(
            select(func.sum(Remittance.amount)).where(Remittance.practice_id == gateway.practice_id)
        )
        count = await session.scalar(
            select(func.count()).where(RemittanceClaim.practice_id == gateway.practice_id)
        )
    totals = history["totals"]
    assert Decimal(totals["paid"]) == Decimal(str(paid)).quantize(Decimal("0.01"))
    assert Decimal(totals["remittanceAmount"]) == Decimal(str(amount)).quantize(Decimal("0.01"))
    assert totals["remittances"] == 2 and totals["claimPayments"] == count == len(nodes) == 4
    assert history["totalCount"] == 4
    # Narrowed to one claim payment of the shared payment, the remittance still counts once.
    one = await gateway.query(
        PAYMENTS, {"filter": {"paidDateFrom": ours[0]["paymentDate"]}, "first": 1}
    )
    assert one["data"]["remittanceHistory"]["pageInfo"]["hasNextPage"]
    denied = await gateway.query(PAYMENTS, {"filter": {"statuses": ["4"], "denialReasons": ["96"]}})
    [node] = [e["node"] for e in denied["data"]["remittanceHistory"]["edges"]]
    assert node["claimHistorySource"] == "REMITTANCE" and node["claimId"] is None
    assert node["adjustments"][0]["reason"]["code"] == "96"
    assert node["status"]["description"]
    walked = await every_page(gateway, PAYMENTS, "remittanceHistory", {}, 1)
    keys = [(n["paymentDate"], n["id"]) for n in walked]
    assert keys == sorted(keys, reverse=True) and len(walked) == 4


async def test_scopes_phi_masking_and_audit(gateway: Gateway) -> None:
    await _three_patients_one_payment(gateway)
    database = gateway.services.database
    claims_only = await create_api_key(
        database, gateway.practice_id, "claims", frozenset({CLAIMS_READ, PATIENTS_READ})
    )
    answer = await gateway.query(CLAIMS, key=claims_only)
    assert answer["data"]["claimHistory"]["totalCount"] == 4
    codes = {(tuple(e["path"][-1:]), e["extensions"]["code"]) for e in answer["errors"]}
    assert (("paid",), "FORBIDDEN") in codes and (("totals",), "FORBIDDEN") in codes
    refused = await gateway.query(PAYMENTS, key=claims_only)
    assert refused["data"]["remittanceHistory"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    member = "query { remittanceHistory(first: 10) { edges { node { claimId memberId } } } }"
    analyst = await create_api_key(
        database, gateway.practice_id, "analyst", frozenset({CLAIMS_READ, PAYMENTS_READ})
    )
    masked = await gateway.query(member, key=analyst)
    assert all(e["node"]["memberId"] is None for e in masked["data"]["remittanceHistory"]["edges"])
    assert {e["extensions"]["code"] for e in masked["errors"]} == {"FORBIDDEN"}
    async with database.session() as session:
        before = await session.scalar(select(func.count()).where(AuditEvent.kind == "phi.read"))
    phi = await create_api_key(
        database, gateway.practice_id, "phi", frozenset({CLAIMS_READ, PAYMENTS_READ, PHI_READ})
    )
    shown = await gateway.query(member, key=phi)
    assert "errors" not in shown
    edges = shown["data"]["remittanceHistory"]["edges"]
    assert {e["node"]["memberId"] for e in edges if e["node"]["claimId"]} == {"SHA300917265"}
    async with database.session() as session:
        reads = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.kind == "phi.read").offset(before or 0)
            )
        )
    patients = {r.patient_id for r in reads}
    assert len(patients - {None}) >= 1
    assert all("ClaimPaymentHistoryEntry.memberId" in r.fields for r in reads)


async def test_tenancy_cursors_and_limits(gateway: Gateway) -> None:
    await _three_patients_one_payment(gateway)
    other = await gateway.query(CLAIMS, key=gateway.other_key)
    assert other["data"]["claimHistory"]["totalCount"] == 0
    assert other["data"]["claimHistory"]["edges"] == []
    theirs = await gateway.query(PAYMENTS, key=gateway.other_key)
    assert theirs["data"]["remittanceHistory"]["totals"]["paid"] == "0.00"

    page = await gateway.query(CLAIMS, {"first": 1})
    cursor = page["data"]["claimHistory"]["pageInfo"]["endCursor"]
    body, _, signature = cursor.partition(".")
    for bad, key in (
        (cursor, gateway.other_key),  # another practice's cursor
        (body + "." + signature[::-1], None),  # altered signature
        ("WzEsMl0", None),  # not one of ours
    ):
        answer = await gateway.query(CLAIMS, {"first": 1, "after": bad}, key=key)
        assert answer["data"]["claimHistory"] is None
        assert (
            answer["errors"][0]["extensions"]
            == {
                "code": "BAD_USER_INPUT",
                "field": "after",
            }
            or answer["errors"][0]["extensions"]["field"] == "after"
        )
    other_filter = await gateway.query(
        CLAIMS, {"first": 1, "after": cursor, "filter": {"denialReasons": ["45"]}}
    )
    assert other_filter["errors"][0]["extensions"]["field"] == "after"
    too_many = await gateway.query(CLAIMS, {"first": 501})
    assert too_many["errors"][0]["extensions"]["field"] == "first"
    assert "errors" not in await gateway.query(CLAIMS, {"first": 500})
    bad = await gateway.query(
        PAYMENTS,
        {
            "filter": {
                "statuses": ["99x"],
                "denialReasons": ["no good"],
                "paidDateFrom": "2026-05-02",
                "paidDateTo": "2026-05-01",
            }
        },
    )
    extensions = bad["errors"][0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT"
    assert {p["field"] for p in extensions["problems"]} == {
        "filter.paymentStatuses",
        "filter.denialReasons",
        "filter.paidDateTo",
    }
