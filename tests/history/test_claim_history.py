"""claimHistory: one row per claim from every source, linked not doubled, ordered, filtered, and
paged with cursors that hold while rows are inserted."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.history_tables import ClaimHistoryRefresh, PayerReportedClaim
from gateway.storage.ledger_tables import RemittanceClaim
from tests.gateway.conftest import Gateway
from tests.history.queries import CLAIMS, every_page, post
from tests.ledger.api import our_claim, payer_of, payment_of
from tests.ledger.conftest import cas, claim_payment, line


async def refreshed(gateway: Gateway) -> None:
    refresher = gateway.services.claims.history
    for protocol in ("fhir", "rest"):
        outcome = await refresher.refresh(gateway.practice_id, payer_of(gateway, protocol))
        assert outcome is not None and outcome.error is None and outcome.claims > 0


async def test_payer_reported_rows_from_fhir_and_rest_sandboxes(gateway: Gateway) -> None:
    await refreshed(gateway)
    nodes = await every_page(gateway, CLAIMS, "claimHistory", {}, 500)
    by_payer = {n["payerId"] for n in nodes if n["source"] == "REPORTED_BY_PAYER"}
    assert by_payer == {payer_of(gateway, "fhir"), payer_of(gateway, "rest")}
    async with gateway.services.database.session() as session:
        stored = await session.scalar(
            select(func.count()).where(PayerReportedClaim.practice_id == gateway.practice_id)
        )
    assert len(nodes) == stored
    reported = [n for n in nodes if n["source"] == "REPORTED_BY_PAYER"]
    assert all(n["payerReport"]["refreshedAt"] and n["patientKey"] for n in reported)
    # Refreshing again updates in place: nothing is stored twice.
    await refreshed(gateway)
    again = await every_page(gateway, CLAIMS, "claimHistory", {}, 500)
    assert sorted(n["id"] for n in again) == sorted(n["id"] for n in nodes)


async def test_a_reported_claim_that_we_submitted_is_linked_not_doubled(gateway: Gateway) -> None:
    await refreshed(gateway)
    async with gateway.services.database.session() as session:
        report = await session.scalar(
            select(PayerReportedClaim)
            .where(PayerReportedClaim.practice_id == gateway.practice_id)
            .order_by(PayerReportedClaim.id)
            .limit(1)
        )
    assert report is not None
    async with gateway.services.database.transaction() as session:
        ours = SubmittedClaim(
            practice_id=gateway.practice_id,
            patient_id=report.patient_id,
            coverage_id=report.coverage_id,
            payer_id=report.payer_id,
            idempotency_key=str(uuid.uuid4()),
            request_digest="0" * 64,
            control_number=report.control_number,
            submission={},
            total_charge=report.total_charge,
            service_date_from=report.service_date_from,
            service_date_to=report.service_date_to,
            frequency_code="1",
            state="acknowledged",
        )
        session.add(ours)
    before = await every_page(gateway, CLAIMS, "claimHistory", {}, 500)
    await refreshed(gateway)
    after = await every_page(gateway, CLAIMS, "claimHistory", {}, 500)
    assert len(after) == len(before) - 1  # the report folded into our claim
    [row] = [n for n in after if n["id"] == ours.id]
    assert row["source"] == "SUBMITTED_BY_GATEWAY" and row["claimId"] == ours.id
    assert row["payerReport"]["state"] == report.state.upper()
    assert report.id not in {n["id"] for n in after}


async def test_x12_payers_get_no_refresh(gateway: Gateway) -> None:
    refresher = gateway.services.claims.history
    assert payer_of(gateway, "x12") not in refresher.payer_ids()
    await refresher.run_once()
    async with gateway.services.database.session() as session:
        payers = set(await session.scalars(select(ClaimHistoryRefresh.payer_id)))
    assert payers and payer_of(gateway, "x12") not in payers


async def _claims(gateway: Gateway, days: list[int]) -> list[SubmittedClaim]:
    payer = payer_of(gateway, "x12")
    made = []
    for offset in days:
        claim = await our_claim(gateway, payer)
        async with gateway.services.database.transaction() as session:
            row = await session.get(SubmittedClaim, claim.id)
            assert row is not None
            row.service_date_from = row.service_date_to = date(2026, 6, 1) + timedelta(offset)
        made.append(claim)
    return made


async def test_order_is_service_date_desc_then_id(gateway: Gateway) -> None:
    await _claims(gateway, [0, 0, 0, 5, 9, 9, 2])
    nodes = await every_page(gateway, CLAIMS, "claimHistory", {}, 3)
    keys = [(n["serviceDateFrom"], n["id"]) for n in nodes]
    assert keys == sorted(keys, reverse=True)
    assert len(set(keys)) == len(keys) == 7


async def test_cursor_holds_while_rows_are_inserted(gateway: Gateway) -> None:
    await _claims(gateway, [0, 1, 1, 1, 2, 3, 3, 4, 5, 6])
    first = await gateway.query(CLAIMS, {"first": 4})
    page1 = [e["node"]["id"] for e in first["data"]["claimHistory"]["edges"]]
    original = {n["id"] for n in await every_page(gateway, CLAIMS, "claimHistory", {}, 100)}
    # New rows land before, at and after the cursor's position (same dates as the boundary).
    await _claims(gateway, [0, 1, 3, 3, 6, 7])
    rest: list[str] = []
    after = first["data"]["claimHistory"]["pageInfo"]["endCursor"]
    while after:
        answer = await gateway.query(CLAIMS, {"first": 4, "after": after})
        page = answer["data"]["claimHistory"]
        rest += [e["node"]["id"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None
    seen = page1 + rest
    assert len(seen) == len(set(seen))  # nothing repeated
    assert original <= set(seen)  # nothing skipped


async def test_filters(gateway: Gateway) -> None:
    await refreshed(gateway)
    x12 = payer_of(gateway, "x12")
    paid_claim, denied_claim, _ = await _claims(gateway, [10, 11, 12])
    payment = payment_of(
        x12,
        claim_payment(
            paid_claim.control_number,
            "187.00",
            "120.00",
            lines=(line("99213", "187.00", "120.00", cas("CO", "45", "67.00")),),
        ),
        claim_payment(
            denied_claim.control_number,
            "187.00",
            "0.00",
            status="4",
            adjustments=(cas("CO", "197", "187.00", "N54"),),
        ),
    )
    await post(gateway, payment)

    async def ids(**filter: object) -> set[str]:
        nodes = await every_page(gateway, CLAIMS, "claimHistory", {"filter": filter}, 500)
        return {n["id"] for n in nodes}

    assert await ids(denialReasons=["197"]) == {denied_claim.id}
    assert await ids(denialReasons=["45", "197"]) == {paid_claim.id, denied_claim.id}
    day = payment.payment_date
    assert await ids(paidDateFrom=str(day), paidDateTo=str(day)) == {paid_claim.id, denied_claim.id}
    assert await ids(paidDateFrom=str(day + timedelta(1))) == set()
    assert await ids(serviceDateFrom="2026-06-12", serviceDateTo="2026-06-12") >= {denied_claim.id}
    assert paid_claim.id not in await ids(serviceDateFrom="2026-06-12", serviceDateTo="2026-06-12")
    every = await every_page(gateway, CLAIMS, "claimHistory", {}, 500)
    rest = payer_of(gateway, "rest")
    assert await ids(payerIds=[rest]) == {n["id"] for n in every if n["payerId"] == rest}
    assert await ids(states=["DENIED"]) == {n["id"] for n in every if n["state"] == "DENIED"}
    assert await ids(sources=["SUBMITTED_BY_GATEWAY"]) == {
        n["id"] for n in every if n["source"] == "SUBMITTED_BY_GATEWAY"
    }
    answer = await gateway.query(CLAIMS, {"filter": {"denialReasons": ["197"]}})
    [node] = [e["node"] for e in answer["data"]["claimHistory"]["edges"]]
    assert node["paid"] == "0.00" and node["lastPaidOn"] == str(day)
    assert node["adjustmentReasons"][0]["reason"]["description"].startswith("Precertification")
    assert answer["data"]["claimHistory"]["totalCount"] == 1


async def test_totals_equal_the_ledger_and_each_payment_belongs_to_one_row(
    gateway: Gateway,
) -> None:
    await refreshed(gateway)
    x12 = payer_of(gateway, "x12")
    a, b, c = await _claims(gateway, [1, 2, 3])
    # One remittance paying three patients' claims, a reversal and repayment, and a claim the
    # gateway never sent (known only from the remittance).
    await post(
        gateway,
        payment_of(
            x12,
            claim_payment(a.control_number, "187.00", "101.10"),
            claim_payment(b.control_number, "187.00", "55.55", patient="20.00"),
            claim_payment(c.control_number, "187.00", "10.01"),
            claim_payment("ELSEWHERE1", "90.00", "44.44", payer_claim_id="SH-OUTSIDE-1"),
        ),
    )
    await post(
        gateway,
        payment_of(
            x12,
            claim_payment(a.control_number, "-187.00", "-101.10", status="22"),
            claim_payment(a.control_number, "187.00", "99.99"),
            claim_payment("ELSEWHERE1", "90.00", "1.00", payer_claim_id="SH-OUTSIDE-1"),
        ),
    )
    answer = await gateway.query(CLAIMS, {"first": 500})
    history = answer["data"]["claimHistory"]
    async with gateway.services.database.session() as session:
        ledger_paid = await session.scalar(
            select(func.sum(RemittanceClaim.paid)).where(
                RemittanceClaim.practice_id == gateway.practice_id
            )
        )
    assert Decimal(history["totals"]["paid"]) == Decimal(str(ledger_paid)).quantize(Decimal("0.01"))
    nodes = [e["node"] for e in history["edges"]]
    assert sum(Decimal(n["paid"]) for n in nodes) == Decimal(history["totals"]["paid"])
    assert history["totals"]["claims"] == history["totalCount"] == len(nodes)
    by_id = {n["id"]: n for n in nodes}
    assert by_id[a.id]["paid"] == "99.99" and len(by_id[a.id]["payments"]) == 3
    outside = [n for n in nodes if n["payerClaimId"] == "SH-OUTSIDE-1"]
    assert len(outside) == 1 and outside[0]["source"] == "REMITTANCE"
    assert outside[0]["paid"] == "45.44" and len(outside[0]["payments"]) == 2
