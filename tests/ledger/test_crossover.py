"""A crossover: the payer we billed forwarded the claim to the patient's next payer (CLP02 19 + MA18),
whose remittance carries our control number. It posts to our claim only when the patient holds a card
of that payer; by hand the same rule holds."""

from __future__ import annotations

from sqlalchemy import select

from gateway.ledger.matching import match_by_hand
from gateway.ledger.posting import PostedClaim, post_remittance
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.ledger_tables import RemittanceClaim
from payers.model import Payment
from tests.ledger.conftest import OTHER_PAYER, PAYER, Books, cas, claim_payment, remittance

THIRD_PAYER = "third-sandbox"  # nobody at the practice holds its card


async def _post(database: Database, practice_id: str, payment: Payment) -> list[PostedClaim]:
    async with database.transaction() as session:
        result = await post_remittance(session, practice_id, payment, source="fetched")
    return result.claims


async def test_the_next_payers_payment_posts_to_the_forwarded_claim(
    database: Database, books: Books
) -> None:
    claim = await books.claim("187.00", payer_id=PAYER)
    forwarded = claim_payment(
        claim.control_number,
        "187.00",
        "97.20",
        status="19",
        adjustments=(cas("CO", "45", "65.50"), cas("PR", "2", "24.30")),
    )
    (primary,) = await _post(database, books.practice_id, remittance(forwarded, payer_id=PAYER))
    assert (primary.claim_id, primary.financial_state) == (claim.id, "paid")

    # The supplemental payer pays the coinsurance under our control number.
    supplement = claim_payment(
        claim.control_number,
        "187.00",
        "24.30",
        status="2",
        adjustments=(cas("CO", "45", "65.50"), cas("OA", "23", "97.20")),
    )
    (crossed,) = await _post(
        database, books.practice_id, remittance(supplement, payer_id=OTHER_PAYER)
    )
    assert (crossed.claim_id, crossed.match_state) == (claim.id, "matched")


async def test_a_payer_the_patient_has_no_card_of_cannot_claim_it(
    database: Database, books: Books
) -> None:
    claim = await books.claim("187.00", payer_id=PAYER)
    stranger = claim_payment(claim.control_number, "187.00", "50.00", status="2")
    (row,) = await _post(database, books.practice_id, remittance(stranger, payer_id=THIRD_PAYER))
    assert (row.claim_id, row.match_state) == (None, "unmatched")
    # Another practice's claim with that control number is not ours to pay either.
    theirs = await books.claim("90.00", payer_id=PAYER, practice_id=books.other_practice_id)
    crossing = claim_payment(theirs.control_number, "90.00", "10.00", status="2")
    (row2,) = await _post(database, books.practice_id, remittance(crossing, payer_id=OTHER_PAYER))
    assert row2.match_state == "unmatched"

    async with database.transaction() as session:
        refused = await match_by_hand(
            session, books.practice_id, row.remittance_claim_id, claim.id, "u1"
        )
    assert isinstance(refused, tuple) and refused[1] == "PAYER_MISMATCH"
    async with database.transaction() as session:
        state = await session.scalar(
            select(RemittanceClaim.match_state).where(RemittanceClaim.id == row.remittance_claim_id)
        )
        assert state == "unmatched"


async def test_by_hand_a_crossover_payment_posts_when_the_patient_holds_the_card(
    database: Database, books: Books
) -> None:
    claim = await books.claim("187.00", payer_id=PAYER)
    unnumbered = claim_payment(None, "187.00", "24.30", status="2")
    (row,) = await _post(database, books.practice_id, remittance(unnumbered, payer_id=OTHER_PAYER))
    assert row.match_state == "unmatched"
    async with database.transaction() as session:
        done = await match_by_hand(
            session, books.practice_id, row.remittance_claim_id, claim.id, "u1"
        )
    assert not isinstance(done, tuple) and done.claim_id == claim.id
    async with database.transaction() as session:
        stored = await session.get(SubmittedClaim, claim.id)
        assert stored is not None and stored.financial_state == "paid"
