"""277 answers from the corpus read into ClaimStatus; 276 requests built and read back."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from payers.model import ClaimRef, ClaimState, MemberQuery
from payers.x12.claim_status import build_276, claim_state, parse_277
from payers.x12.envelope import transactions
from payers.x12.outgoing import ControlNumbers, Parties, PayerParty, ProviderParty


def test_claim_level_statuses(corpus, payer_id):
    pending, finalized, denied = parse_277(corpus("277_5010_claim_level_lfh.x12"), payer_id)
    assert pending.state is ClaimState.PENDING
    assert (pending.category.code, pending.status and pending.status.code) == ("P3", "317")
    assert (pending.payer_claim_id, pending.control_number) == ("05347006051", "SM123456")
    assert (pending.total_charge, pending.paid_amount) == (Decimal("8513.88"), None)
    assert pending.effective_date == date(2005, 9, 13)
    assert finalized.state is ClaimState.FINALIZED
    assert (finalized.paid_amount, finalized.payer_claim_id) == (Decimal("7599.00"), "0529675341")
    assert denied.state is ClaimState.DENIED
    assert denied.entity is not None and denied.entity.code == "QC"
    assert (denied.category.code, denied.status and denied.status.code) == ("F2", "88")
    assert (denied.paid_amount, denied.control_number) == (Decimal("0.00"), "MA345678")
    assert denied.category.description  # from the 277 category table


def test_provider_level_error_has_no_claim_ids(corpus, payer_id):
    claim, provider = parse_277(corpus("277_5010_provider_level_lfh.x12"), payer_id)
    assert claim.payer_claim_id == "05347006051"
    assert provider.state is ClaimState.ERROR
    assert (provider.category.code, provider.status and provider.status.code) == ("E0", "24")
    assert provider.entity is not None and provider.entity.code == "85"
    assert (provider.payer_claim_id, provider.control_number) == (None, None)


def test_many_claims_each_with_a_message(corpus, payer_id):
    statuses = parse_277(corpus("277_5010_x212_multi_claim_imsweb.txt"), payer_id, strict=False)
    assert len(statuses) == 8
    assert {s.state for s in statuses} == {ClaimState.ACKNOWLEDGED}
    assert [s.control_number for s in statuses][:3] == ["12345", "12346", "12347"]
    assert sum(s.total_charge or 0 for s in statuses) == Decimal("2030")
    assert statuses[0].message == "PAYER ACKNOWLEDGED RECEIPT OF THE CLAIM"


@pytest.mark.parametrize(
    ("category", "state"),
    [
        ("A1", ClaimState.ACKNOWLEDGED),
        ("A2", ClaimState.ACKNOWLEDGED),
        ("A5", ClaimState.ACKNOWLEDGED),
        ("A3", ClaimState.REJECTED),
        ("A7", ClaimState.REJECTED),
        ("P1", ClaimState.PENDING),
        ("R3", ClaimState.INFORMATION_REQUESTED),
        ("F1", ClaimState.FINALIZED),
        ("F3F", ClaimState.FINALIZED),
        ("F2", ClaimState.DENIED),
        ("E0", ClaimState.ERROR),
        ("D0", ClaimState.ERROR),
    ],
)
def test_state_from_category_family(category, state):
    assert claim_state(category) is state


def test_built_276_reads_back(payer_id):
    ref = ClaimRef(
        member=MemberQuery("W123456789", "Maria", "Lopez", date(1985, 3, 14)),
        payer_claim_id="PCN-889",
        control_number="RFM-2025-0001",
        service_date=date(2025, 3, 3),
        total_charge=Decimal("185"),
    )
    text = build_276(
        ref,
        payer=PayerParty("60054", "AETNA"),
        provider=ProviderParty("1234567893", "RIVERSIDE"),
        parties=Parties("CLINIC01", "PAYER01"),
        numbers=ControlNumbers.from_number(7),
        trace="RFM-2025-0001",
        created=datetime(2025, 3, 4, 8, 0),
    )
    (transaction,) = transactions(text, payer_id, "276")
    assert transaction.implementation == "005010X212"
    values = {(s.id, s.get(1)): s.get(2) for s in transaction.segments}
    assert values[("REF", "1K")] == "PCN-889"
    assert values[("REF", "EJ")] == "RFM-2025-0001"
    assert values[("AMT", "T3")] == "185.00"
    assert values[("TRN", "1")] == "RFM-2025-0001"
    assert [s.get(3) for s in transaction.segments if s.id == "HL"] == ["20", "21", "19", "22"]


def test_corpus_276_key_fields(corpus, payer_id):
    (transaction,) = transactions(corpus("276_5010_claim_level_lfh.x12"), payer_id, "276")
    trn = [s.get(2) for s in transaction.segments if s.id == "TRN"]
    amounts = [s.decimal(2, "amount") for s in transaction.segments if s.id == "AMT"]
    assert trn == ["ABCXYZ1", "ABCXYZ2", "ABCXYZ3"]
    assert amounts == [Decimal("8513.88"), Decimal("7599.00")]
