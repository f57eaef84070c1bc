"""post_remittance: stored once, every part kept, matched to our claims, financial state set."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from gateway.ledger.posting import PostingResult, post_remittance
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
    RemittanceProviderAdjustment,
)
from payers.codesets import lookup
from payers.model import Payment, ProviderAdjustment
from tests.ledger.conftest import (
    OTHER_PAYER,
    Books,
    cas,
    claim_payment,
    line,
    money,
    open_books,
    remittance,
)


async def post(database: Database, practice_id: str, payment: Payment) -> PostingResult:
    async with database.transaction() as session:
        return await post_remittance(session, practice_id, payment, source="fetched")


async def state_of(database: Database, claim_id: str) -> str | None:
    async with database.session() as session:
        return await session.scalar(
            select(SubmittedClaim.financial_state).where(SubmittedClaim.id == claim_id)
        )


async def counts(database: Database) -> dict[str, int]:
    found = {}
    async with database.session() as session:
        for table in (
            Remittance,
            RemittanceClaim,
            RemittanceLine,
            RemittanceAdjustment,
            RemittanceProviderAdjustment,
        ):
            found[table.__tablename__] = await session.scalar(
                select(func.count()).select_from(table)
            )
    return found


def office_visit_paid(control: str | None, **changes) -> object:
    """99213 $145 allowed $100 (CO-45 $45), $20 copay; 83036 $42 allowed $30 (CO-45 $12), paid."""
    return claim_payment(
        control,
        "187.00",
        "110.00",
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
        **changes,
    )


async def test_a_paid_claim_is_stored_whole_and_matched_by_control_number(
    database: Database, books: Books
) -> None:
    claim = await books.claim()
    paid = office_visit_paid(claim.control_number, payer_claim_id="PCN-1", member_id="M1")
    payment = remittance(paid)
    payment = Payment(
        payer_id=payment.payer_id,
        trace_number=payment.trace_number,
        method=payment.method,
        payment_date=payment.payment_date,
        amount=money("105.00"),
        claims=payment.claims,
        provider_adjustments=(
            ProviderAdjustment(lookup("plb-reason", "L6"), money("5.00"), "INT1"),
        ),
        payee_npi="1234567893",
    )

    result = await post(database, books.practice_id, payment)

    assert result.created and result.findings == []
    [posted] = result.claims
    assert (posted.claim_id, posted.match_state, posted.financial_state, posted.changed) == (
        claim.id,
        "matched",
        "paid",
        True,
    )
    assert await state_of(database, claim.id) == "paid"
    async with database.session() as session:
        stored = await session.get_one(Remittance, result.remittance_id)
        assert (stored.amount, stored.method_code, stored.payee_npi, stored.source) == (
            Decimal("105.00"),
            "ACH",
            "1234567893",
            "fetched",
        )
        row = await session.get_one(RemittanceClaim, posted.remittance_claim_id)
        assert (row.paid, row.patient_responsibility, row.payer_claim_id, row.member_id) == (
            Decimal("110.00"),
            Decimal("20.00"),
            "PCN-1",
            "M1",
        )
        lines = list(
            await session.scalars(
                select(RemittanceLine)
                .where(RemittanceLine.remittance_claim_id == row.id)
                .order_by(RemittanceLine.ordinal)
            )
        )
        assert [(ln.procedure_code, ln.allowed, ln.paid) for ln in lines] == [
            ("99213", Decimal("100.00"), Decimal("80.00")),
            ("83036", Decimal("30.00"), Decimal("30.00")),
        ]
        adjustments = await session.execute(
            select(
                RemittanceAdjustment.line_id,
                RemittanceAdjustment.group_code,
                RemittanceAdjustment.reason_code,
                RemittanceAdjustment.amount,
            ).where(RemittanceAdjustment.remittance_claim_id == row.id)
        )
        assert sorted(adjustments.all(), key=lambda a: (a[0] == lines[1].id, a[1])) == [
            (lines[0].id, "CO", "45", Decimal("45.00")),
            (lines[0].id, "PR", "3", Decimal("20.00")),
            (lines[1].id, "CO", "45", Decimal("12.00")),
        ]
        plb = await session.scalar(select(RemittanceProviderAdjustment))
        assert plb is not None
        assert (plb.reason_code, plb.reference, plb.amount) == ("L6", "INT1", Decimal("5.00"))


async def test_each_financial_state(database: Database, books: Books) -> None:
    partly, denied_4, denied_zero, deductible, short = [await books.claim() for _ in range(5)]
    payment = remittance(
        # 83036 refused as bundled (CO-97): something paid, something denied.
        claim_payment(
            partly.control_number,
            "187.00",
            "80.00",
            lines=(
                line("99213", "145.00", "80.00", cas("CO", "45", "45.00"), cas("PR", "3", "20.00")),
                line("83036", "42.00", "0.00", cas("CO", "97", "42.00", "M15")),
            ),
        ),
        claim_payment(
            denied_4.control_number,
            "187.00",
            "0.00",
            status="4",
            adjustments=(cas("CO", "29", "187.00"),),
        ),
        claim_payment(
            denied_zero.control_number, "187.00", "0.00", adjustments=(cas("CO", "50", "187.00"),)
        ),
        # Everything went to the deductible: processed, the patient owes it.
        claim_payment(
            deductible.control_number,
            "187.00",
            "0.00",
            adjustments=(cas("CO", "45", "57.00"), cas("PR", "1", "130.00")),
        ),
        # The payer allowed $130, the patient owes $20, yet only $100 came: short paid.
        claim_payment(
            short.control_number,
            "187.00",
            "100.00",
            lines=(
                line(
                    "99213",
                    "187.00",
                    "100.00",
                    cas("CO", "45", "57.00"),
                    cas("PR", "3", "20.00"),
                    cas("CO", "45", "10.00"),
                    allowed="130.00",
                ),
            ),
        ),
    )

    result = await post(database, books.practice_id, payment)

    states = [p.financial_state for p in result.claims]
    assert states == ["partially_paid", "denied", "denied", "paid", "partially_paid"]
    for claim, state in zip(
        (partly, denied_4, denied_zero, deductible, short), states, strict=True
    ):
        assert await state_of(database, claim.id) == state


async def test_a_reversal_undoes_and_the_corrected_payment_posts_anew(
    database: Database, books: Books
) -> None:
    claim = await books.claim()
    first = await post(
        database, books.practice_id, remittance(office_visit_paid(claim.control_number))
    )
    assert await state_of(database, claim.id) == "paid"

    # The payer takes the payment back (CLP02 22, amounts negated) and pays less in the same 835.
    reversal = claim_payment(
        claim.control_number,
        "-187.00",
        "-110.00",
        status="22",
        adjustments=(cas("CO", "45", "-57.00"), cas("PR", "3", "-20.00")),
    )
    corrected = claim_payment(
        claim.control_number,
        "187.00",
        "50.00",
        lines=(
            line("99213", "145.00", "50.00", cas("CO", "45", "45.00"), cas("PR", "3", "50.00")),
            line("83036", "42.00", "0.00", cas("CO", "97", "42.00")),
        ),
    )
    second = await post(database, books.practice_id, remittance(reversal, corrected))

    assert first.remittance_id != second.remittance_id
    assert [(p.claim_id, p.financial_state) for p in second.claims] == [
        (claim.id, "partially_paid"),
        (claim.id, "partially_paid"),
    ]
    assert [p.changed for p in second.claims] == [True, False]  # one change for one claim
    assert await state_of(database, claim.id) == "partially_paid"

    # A reversal on its own leaves the claim reversed.
    alone = await post(database, books.practice_id, remittance(reversal))
    assert alone.claims[0].financial_state == "reversed"
    assert await state_of(database, claim.id) == "reversed"


async def test_the_same_remittance_twice_changes_nothing(database: Database, books: Books) -> None:
    claim = await books.claim()
    payment = remittance(office_visit_paid(claim.control_number))
    first = await post(database, books.practice_id, payment)
    before = await counts(database)
    async with database.session() as session:
        stamped = await session.scalar(
            select(SubmittedClaim.updated_at).where(SubmittedClaim.id == claim.id)
        )

    again = await post(database, books.practice_id, payment)
    # Even a different body under the same trace number is the same remittance.
    changed_body = remittance(
        claim_payment(claim.control_number, "187.00", "0.00", status="4"),
        trace=payment.trace_number,
    )
    third = await post(database, books.practice_id, changed_body)

    for repeat in (again, third):
        assert not repeat.created
        assert repeat.remittance_id == first.remittance_id
        assert [(p.remittance_claim_id, p.claim_id, p.financial_state) for p in repeat.claims] == [
            (p.remittance_claim_id, p.claim_id, p.financial_state) for p in first.claims
        ]
        assert not any(p.changed for p in repeat.claims)
    assert await counts(database) == before
    assert await state_of(database, claim.id) == "paid"
    async with database.session() as session:
        assert stamped == await session.scalar(
            select(SubmittedClaim.updated_at).where(SubmittedClaim.id == claim.id)
        )


async def test_a_duplicate_leaves_the_callers_transaction_usable(
    database: Database, books: Books
) -> None:
    claim = await books.claim()
    payment = remittance(office_visit_paid(claim.control_number))
    async with database.transaction() as session:
        first = await post_remittance(session, books.practice_id, payment, source="uploaded")
        again = await post_remittance(session, books.practice_id, payment, source="uploaded")
        assert first.created and not again.created
        # The transaction goes on: the caller's other writes commit with it.
        await session.execute(
            SubmittedClaim.__table__.update()
            .where(SubmittedClaim.id == claim.id)
            .values(state="finalized")
        )
    async with database.session() as session:
        assert (
            await session.scalar(select(SubmittedClaim.state).where(SubmittedClaim.id == claim.id))
            == "finalized"
        )
        assert await session.scalar(select(func.count()).select_from(Remittance)) == 1


async def test_concurrent_postings_of_one_remittance_store_it_once(
    database: Database, books: Books
) -> None:
    claims = [await books.claim() for _ in range(3)]
    payment = remittance(*(office_visit_paid(c.control_number) for c in claims))

    results = await asyncio.gather(*(post(database, books.practice_id, payment) for _ in range(4)))

    assert sorted(r.created for r in results) == [False, False, False, True]
    assert len({r.remittance_id for r in results}) == 1
    assert (await counts(database))["remittance_claims"] == 3


async def test_matching_falls_back_to_payer_claim_number_then_patient_and_dates(
    database: Database, books: Books
) -> None:
    by_number = await books.claim(payer_claim_id="PAYER-CLAIM-77")
    by_patient = await books.claim("215.00")
    member = books.member_id(books.practice_id)
    payment = remittance(
        claim_payment(None, "187.00", "187.00", payer_claim_id="PAYER-CLAIM-77"),
        claim_payment("NOT-OURS-1", "215.00", "215.00", member_id=member),
        # Same member and dates but no claim with this charge: unmatched, kept for the worklist.
        claim_payment("NOT-OURS-2", "999.00", "999.00", member_id=member),
    )

    result = await post(database, books.practice_id, payment)

    assert [(p.claim_id, p.match_state) for p in result.claims] == [
        (by_number.id, "matched"),
        (by_patient.id, "matched"),
        (None, "unmatched"),
    ]
    async with database.session() as session:
        kept = await session.get_one(RemittanceClaim, result.claims[2].remittance_claim_id)
        assert (kept.control_number, kept.paid, kept.match_state) == (
            "NOT-OURS-2",
            Decimal("999.00"),
            "unmatched",
        )


async def test_ambiguous_patient_matches_stay_unmatched(database: Database, books: Books) -> None:
    twins = [await books.claim("300.00") for _ in range(2)]
    member = books.member_id(books.practice_id)
    result = await post(
        database,
        books.practice_id,
        remittance(claim_payment(None, "300.00", "300.00", member_id=member)),
    )
    assert result.claims[0].match_state == "unmatched"
    for claim in twins:
        assert await state_of(database, claim.id) is None


async def test_never_matches_another_practice_or_payer(database: Database, books: Books) -> None:
    theirs = await books.claim(practice_id=books.other_practice_id, payer_claim_id="SHARED-PCN")
    other_payer = await books.claim(payer_id=OTHER_PAYER)
    payment = remittance(
        office_visit_paid(theirs.control_number),
        claim_payment(None, "187.00", "187.00", payer_claim_id="SHARED-PCN"),
        office_visit_paid(other_payer.control_number),
        claim_payment(None, "187.00", "187.00", member_id=books.member_id(books.other_practice_id)),
    )

    result = await post(database, books.practice_id, payment)

    assert [p.match_state for p in result.claims] == ["unmatched"] * 4
    assert await state_of(database, theirs.id) is None
    assert await state_of(database, other_payer.id) is None


async def test_a_remittance_that_does_not_balance_is_stored_with_its_findings(
    database: Database, books: Books
) -> None:
    claim = await books.claim()
    broken = claim_payment(
        claim.control_number,
        "187.00",
        "110.00",
        patient="25.00",  # the PR adjustments say 20.00
        lines=(
            line("99213", "145.00", "80.00", cas("CO", "45", "40.00"), cas("PR", "3", "20.00")),
            line("83036", "42.00", "30.00", cas("CO", "45", "12.00")),
        ),
    )
    payment = remittance(broken, amount="120.00")

    result = await post(database, books.practice_id, payment)

    assert [(f["code"], f["place"]) for f in result.findings] == [
        ("PAYMENT_UNBALANCED", "BPR02"),
        ("CLAIM_UNBALANCED", f"claim payment 1 (CLP01 {claim.control_number})"),
        ("PATIENT_RESPONSIBILITY_MISMATCH", f"claim payment 1 (CLP01 {claim.control_number})"),
        (
            "LINE_UNBALANCED",
            f"claim payment 1 (CLP01 {claim.control_number}), service line 1 (99213)",
        ),
    ]
    assert result.findings[0]["numbers"] == {
        "stated": "120.00",
        "claimsPaid": "110.00",
        "providerAdjustments": "0.00",
        "difference": "10.00",
    }
    async with database.session() as session:
        stored = await session.get_one(Remittance, result.remittance_id)
        assert stored.findings == result.findings
        row = await session.get_one(RemittanceClaim, result.claims[0].remittance_claim_id)
        assert row.paid == Decimal("110.00")  # stored as stated, never fixed
    assert await state_of(database, claim.id) == "paid"


async def test_matched_claim_payments_reach_remittance_webhooks_once(
    database: Database, books: Books
) -> None:
    from gateway.storage.claims_tables import Webhook, WebhookDelivery

    async with database.transaction() as session:
        session.add_all(
            [
                Webhook(
                    practice_id=books.practice_id,
                    url="https://billing.example/hook",
                    secret="s1",
                    events=["claim.remittance"],
                ),
                Webhook(
                    practice_id=books.practice_id,
                    url="https://billing.example/status",
                    secret="s2",
                    events=["claim.status_changed"],
                ),
                Webhook(
                    practice_id=books.other_practice_id,
                    url="https://other.example/hook",
                    secret="s3",
                    events=["claim.remittance"],
                ),
            ]
        )
    claim = await books.claim()
    payment = remittance(
        office_visit_paid(claim.control_number), claim_payment("UNKNOWN-9", "10.00", "10.00")
    )

    await post(database, books.practice_id, payment)
    await post(database, books.practice_id, payment)

    async with database.session() as session:
        deliveries = list(await session.scalars(select(WebhookDelivery)))
    assert len(deliveries) == 1
    [delivery] = deliveries
    assert (delivery.event, delivery.practice_id) == ("claim.remittance", books.practice_id)
    assert delivery.payload["claimId"] == claim.id
    assert delivery.payload["financialState"] == "paid"
    assert (delivery.payload["paid"], delivery.payload["traceNumber"]) == (
        "110.00",
        payment.trace_number,
    )


async def test_a_large_remittance_is_written_in_batches_and_kept_whole(
    database: Database, books: Books, monkeypatch
) -> None:
    from gateway.ledger import posting

    monkeypatch.setattr(posting, "WRITE_BATCH", 2)
    claims = [await books.claim() for _ in range(5)]
    payment = remittance(*(office_visit_paid(c.control_number) for c in claims))

    result = await post(database, books.practice_id, payment)

    assert [p.claim_id for p in result.claims] == [c.id for c in claims]
    assert await counts(database) == {
        "remittances": 1,
        "remittance_claims": 5,
        "remittance_lines": 10,
        "remittance_adjustments": 15,
        "remittance_provider_adjustments": 0,
    }
    for claim in claims:
        assert await state_of(database, claim.id) == "paid"


async def test_on_postgresql_a_second_posting_waits_for_the_first_and_changes_nothing(
    postgres_url: str,
) -> None:
    """The race the unique key decides: both look, neither sees the other; the second insert waits
    for the first transaction, then finds the row and posts nothing (its transaction goes on)."""
    from gateway.storage import load_metadata
    from gateway.storage.migrate import upgrade

    database = Database(postgres_url)
    try:
        await upgrade(database)
        names = ", ".join(t.name for t in load_metadata().sorted_tables)
        async with database.engine.begin() as connection:
            from sqlalchemy import text

            await connection.execute(text(f"TRUNCATE {names} CASCADE"))
        books = await open_books(database)
        claim = await books.claim()
        payment = remittance(office_visit_paid(claim.control_number))

        async with database.transaction() as first:
            won = await post_remittance(first, books.practice_id, payment, source="fetched")

            async def second() -> PostingResult:
                async with database.transaction() as session:
                    return await post_remittance(
                        session, books.practice_id, payment, source="uploaded"
                    )

            racing = asyncio.create_task(second())
            await asyncio.sleep(0.3)
            assert not racing.done()  # waiting on the first transaction's row
        lost = await racing

        assert won.created and not lost.created
        assert lost.remittance_id == won.remittance_id
        assert [p.remittance_claim_id for p in lost.claims] == [
            p.remittance_claim_id for p in won.claims
        ]
        assert (await counts(database))["remittance_claims"] == 1
    finally:
        await database.dispose()


async def test_a_late_older_remittance_is_kept_but_does_not_turn_the_state_back(
    database: Database, books: Books
) -> None:
    """A denial dated before a payment that was already posted (an old 835 uploaded after the
    newer one was fetched) is stored and listed, but the claim stays paid."""
    claim = await books.claim()
    newer = remittance(office_visit_paid(claim.control_number), trace="NEWER-1")
    await post(database, books.practice_id, newer)
    older = replace(
        remittance(
            claim_payment(
                claim.control_number,
                "187.00",
                "0.00",
                status="4",
                adjustments=(cas("CO", "16", "187.00", "N290"),),
            ),
            trace="OLDER-1",
        ),
        payment_date=newer.payment_date - timedelta(days=20),  # type: ignore[operator]
    )
    result = await post(database, books.practice_id, older)
    (posted,) = result.claims
    assert (posted.claim_id, posted.financial_state, posted.changed) == (claim.id, "paid", False)
    async with database.session() as session:
        stored = await session.get(SubmittedClaim, claim.id)
        assert stored is not None and stored.financial_state == "paid"
        rows = await session.scalar(
            select(func.count())
            .select_from(RemittanceClaim)
            .where(RemittanceClaim.claim_id == claim.id)
        )
    assert rows == 2

    # A later-dated one still moves it on.
    reversal = replace(
        remittance(
            claim_payment(claim.control_number, "-187.00", "-110.00", status="22"),
            trace="LATER-1",
        ),
        payment_date=newer.payment_date + timedelta(days=7),  # type: ignore[operator]
    )
    (moved,) = (await post(database, books.practice_id, reversal)).claims
    assert (moved.financial_state, moved.changed) == ("reversed", True)
