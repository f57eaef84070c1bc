"""The X12 sandbox payer takes a dependent's claim (2000C) and adjudicates it as the dependent, keeps
a line's drug and providers, and rejects ICD-9-CM diagnoses for services after 2015-10-01 in its
277CA (A7:254) instead of failing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from payers.codesets import lookup
from payers.model import (
    ClaimLine,
    ClaimProvider,
    ClaimSubmission,
    Demographics,
    DrugIdentification,
    MemberQuery,
    PostalAddress,
    SubscriberRelation,
)
from payers.sandbox.world import SandboxPayerBook, World, build_world
from payers.sandbox.x12_app import create_x12_app
from payers.x12.acknowledgment import parse_277ca
from payers.x12.adapter import PAYLOAD_837, X12PayerAdapter
from payers.x12.outgoing import ControlNumbers, map_errors
from payers.x12.submission import build_837p
from tests.x12.test_x12_sandbox import CREDENTIALS, settings

TODAY = date(2025, 11, 27)
OSCAR = "LHP205517604"  # Lakeshore family card holder
LILY = "LHP205517612"  # his daughter, a member of her own under his card


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(TODAY)


@pytest.fixture(scope="module")
def book(world: World) -> SandboxPayerBook:
    # The Lakeshore book, served in X12: it is the sandbox book with a dependent under a card.
    return world.books["lakeshore"]


@pytest.fixture
def app(book: SandboxPayerBook):  # type: ignore[no-untyped-def]
    return create_x12_app(book, credentials=CREDENTIALS, today=TODAY)


@pytest.fixture
async def adapter(app, book: SandboxPayerBook) -> AsyncIterator[X12PayerAdapter]:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        yield X12PayerAdapter(settings(book), http)


def dependent_claim(world: World, book: SandboxPayerBook) -> ClaimSubmission:
    lily, oscar = book.members[LILY].person, book.members[OSCAR].person
    practice = world.providers["mfm"]
    day = TODAY - timedelta(days=2)
    return ClaimSubmission(
        member=MemberQuery(
            OSCAR,
            lily.first_name,
            lily.last_name,
            lily.birth_date,
            relation=SubscriberRelation.CHILD,
        ),
        billing_provider_npi=practice.npi,
        billing_provider_tax_id=practice.tax_id or "",
        billing_provider_name=practice.name,
        rendering_provider_npi=None,
        place_of_service="11",
        frequency_code="1",
        diagnoses=("J45.20",),
        lines=(
            ClaimLine(
                1,
                lookup("procedure", "99213"),
                Decimal("120.00"),
                diagnosis_pointers=(1,),
                service_date=day,
            ),
            ClaimLine(
                2,
                lookup("procedure", "J1100"),
                Decimal("30.00"),
                Decimal(4),
                (),
                (1,),
                day,
                drug=DrugIdentification("00641036721", Decimal("4"), "ML"),
                ordering_provider=ClaimProvider(world.providers["dr_exampleton"].npi, "EXAMPLETON"),
            ),
        ),
        total_charge=Decimal("150.00"),
        subscriber=Demographics(oscar.first_name, oscar.last_name, oscar.birth_date, "M"),
        patient_gender="F",
        patient_address=PostalAddress(lily.address1, lily.city, lily.state, lily.postal_code),
        prior_authorization="AUTH-5521",
    )


async def test_a_dependent_on_the_card_holders_id_is_adjudicated_as_the_dependent(
    adapter: X12PayerAdapter, app, world: World, book: SandboxPayerBook
) -> None:  # type: ignore[no-untyped-def]
    ack = await adapter.submit_claim(dependent_claim(world, book), "PGW-DEP-1")
    assert ack.accepted and ack.payer_claim_id is not None
    assert "PAT*19" in adapter.exchanges[-1].request
    (claim,) = app.state.intake.received()
    assert claim.member_id == LILY  # not Oscar's: the payer found his daughter under his card
    assert claim.total_charge == Decimal("150.00")
    assert [d.code for d in claim.diagnoses] == ["J45.20"]
    drug_line = claim.lines[1]
    assert drug_line.drug == DrugIdentification("00641036721", Decimal("4"), "ML")
    assert drug_line.ordering_provider == ClaimProvider(
        world.providers["dr_exampleton"].npi, "EXAMPLETON"
    )
    # Claim search for the dependent finds it.
    assert [c.control_number for c in app.state.intake.claims_of(LILY)][:1] == ["PGW-DEP-1"]


async def test_a_dependent_the_payer_does_not_know_under_that_card_is_rejected(
    adapter: X12PayerAdapter, world: World, book: SandboxPayerBook
) -> None:
    claim = dependent_claim(world, book)
    stranger = replace(claim, member=replace(claim.member, first_name="Lola"))
    ack = await adapter.submit_claim(stranger, "PGW-DEP-2")
    assert not ack.accepted
    assert ack.status is not None and ack.status.category.code == "A7"
    assert [c.code for c in ack.reasons] == ["30"]  # subscriber and subscriber id mismatched


async def test_icd9_after_october_2015_is_rejected_in_the_277ca(
    adapter: X12PayerAdapter, app, world: World, book: SandboxPayerBook
) -> None:  # type: ignore[no-untyped-def]
    claim = replace(dependent_claim(world, book), diagnoses=("J4520",))
    text = build_837p(
        claim,
        "PGW-ICD9-1",
        payer=adapter.payer,
        submitter=adapter.submitter,
        parties=adapter.parties,
        numbers=ControlNumbers.for_claim("PGW-ICD9-1"),
        created=datetime.now(UTC),
    )
    icd9 = text.replace("HI*ABK:J4520", "HI*BK:49390")  # asthma, as ICD-9-CM wrote it
    assert icd9 != text
    answer = await adapter._transport.exchange(PAYLOAD_837, icd9)
    (ack,) = parse_277ca(answer, "lakeshore")
    assert not ack.accepted and ack.control_number == "PGW-ICD9-1"
    assert ack.status is not None and ack.status.category.code == "A7"
    assert [(c.system, c.code, c.description) for c in ack.reasons] == [
        ("claim-status", "254", "Principal diagnosis code.")
    ]
    assert app.state.intake.received() == ()
    ack_999, ack_277ca = ["ISA" + part for part in answer.split("ISA")[1:]]
    assert map_errors(ack_999) == () and map_errors(ack_277ca) == ()  # ICD-9 is valid X222A1


async def test_icd9_before_october_2015_is_kept_as_icd9(
    adapter: X12PayerAdapter, app, world: World, book: SandboxPayerBook
) -> None:  # type: ignore[no-untyped-def]
    """A late claim for a 2015 service: the sandbox takes ICD-9 for it and keeps the code list."""
    claim = dependent_claim(world, book)
    old = date(2015, 9, 30)
    claim = replace(
        claim,
        diagnoses=("J4520",),
        lines=tuple(replace(line, service_date=old) for line in claim.lines),
    )
    text = build_837p(
        claim,
        "PGW-ICD9-2",
        payer=adapter.payer,
        submitter=adapter.submitter,
        parties=adapter.parties,
        numbers=ControlNumbers.for_claim("PGW-ICD9-2"),
        created=datetime.now(UTC),
    )
    answer = await adapter._transport.exchange(
        PAYLOAD_837, text.replace("HI*ABK:J4520", "HI*BK:49390")
    )
    (ack,) = parse_277ca(answer, "lakeshore")
    received = [c for c in app.state.intake.received() if c.control_number == "PGW-ICD9-2"]
    assert ack.accepted, ack.reasons
    assert [(d.system, d.code) for d in received[0].diagnoses] == [("icd9cm", "493.90")]
