"""One contract suite for every adapter that has a sandbox: the same assertions for REST, FHIR and X12.

Each case builds the sandbox server for one payer book of the world, the adapter named by the payers
config the demo would write, and drives the adapter through httpx.ASGITransport. What the adapter
returns must equal what the payer's book holds, projected onto what every protocol can carry.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from payers.codesets import lookup
from payers.contract import (
    Capability,
    MemberNotFound,
    PayerAdapter,
    PayerProtocolError,
    PayerUnavailable,
)
from payers.model import ClaimLine, ClaimRef, ClaimStatusFilter, ClaimSubmission, MemberQuery
from payers.registry import AdapterRegistry, build_adapter, parse_payers_config
from payers.sandbox.launch import KINDS, payers_toml, plan_sandboxes
from payers.sandbox.world import SandboxMember, SandboxPayerBook, build_world

TODAY = __import__("datetime").date.today()
WORLD = build_world(TODAY)
BOOKS = [key for key, book in WORLD.books.items() if book.protocol in KINDS]


@dataclass
class Case:
    book: SandboxPayerBook
    adapter: PayerAdapter
    sandbox: httpx.AsyncClient

    def has(self, capability: Capability) -> bool:
        return capability in type(self.adapter).capabilities


@pytest.fixture(params=BOOKS)
async def case(request: pytest.FixtureRequest) -> AsyncIterator[Case]:
    key = request.param
    plan = plan_sandboxes(WORLD, only={key})
    os.environ.update(plan.environ)
    (settings,) = parse_payers_config(
        payers_toml(WORLD, {key: f"http://{key}.sandbox"}, timeout_seconds=3)
    )
    transport = httpx.ASGITransport(app=plan.apps[key])
    async with (
        httpx.AsyncClient(transport=transport) as client,
        httpx.AsyncClient(transport=transport, base_url=f"http://{key}.sandbox") as sandbox,
    ):
        yield Case(
            WORLD.books[key], build_adapter(settings, AdapterRegistry.discover(), client), sandbox
        )


def query(member: SandboxMember) -> MemberQuery:
    p = member.person
    return MemberQuery(
        member.member_id,
        p.first_name,
        p.last_name,
        p.birth_date,
        member.group_number,
        member.relation,
    )


def active_members(book: SandboxPayerBook) -> list[SandboxMember]:
    return [m for m in book.members.values() if m.active]


def benefit_rows(benefits: Any) -> list[tuple[Any, ...]]:
    """What every protocol carries of a benefit: kind, network, level, money, percent, service types."""
    return sorted(
        (
            b.kind,
            b.network,
            b.coverage_level,
            b.amount,
            b.percent,
            b.remaining,
            tuple(sorted(st.code for st in b.service_types)),
        )
        for b in benefits
        if b.code.code != "R"  # X12 states other coverage as an EB*R line too (see other_coverage)
        # A FHIR card's costToBeneficiary restates some copays (checked in tests/fhir).
        and b.code.system != "fhir-copay-type"
    )


async def test_eligibility_equals_the_payers_book(case: Case) -> None:
    assert case.has(Capability.ELIGIBILITY)
    for member in active_members(case.book):
        result = await case.adapter.check_eligibility(query(member), ["30"], TODAY)  # type: ignore[attr-defined]
        expected = case.book.eligibility(member, ["30"], TODAY)
        assert (result.payer_id, result.member_id, result.active) == (
            case.book.key,
            member.member_id,
            True,
        )
        assert benefit_rows(result.benefits) == benefit_rows(expected.benefits), member.member_id
        assert [
            (o.payer_name, o.payer_id, o.member_id, o.start) for o in result.other_coverage
        ] == [(o.payer_name, o.payer_id, o.member_id, o.start) for o in expected.other_coverage], (
            member.member_id
        )
        assert result.plan is not None and result.plan.group_number == member.group_number


async def test_eligibility_of_an_ended_coverage_is_inactive(case: Case) -> None:
    ended = [
        m for m in case.book.members.values() if not m.active and m.plan.end and m.plan.end < TODAY
    ]
    for member in ended:
        result = await case.adapter.check_eligibility(query(member), ["30"], TODAY)  # type: ignore[attr-defined]
        assert result.active is False


async def test_unknown_member_and_wrong_demographics_are_member_not_found(case: Case) -> None:
    member = active_members(case.book)[0]
    unknown = MemberQuery(
        "ZZ000000000", member.person.first_name, member.person.last_name, member.person.birth_date
    )
    with pytest.raises(MemberNotFound) as caught:
        await case.adapter.check_eligibility(unknown, ["30"], TODAY)  # type: ignore[attr-defined]
    assert caught.value.payer_id == case.book.key and caught.value.code == "MEMBER_NOT_FOUND"
    wrong_birth = MemberQuery(
        member.member_id,
        member.person.first_name,
        member.person.last_name,
        member.person.birth_date - timedelta(days=400),
    )
    with pytest.raises(MemberNotFound):
        await case.adapter.check_eligibility(wrong_birth, ["30"], TODAY)  # type: ignore[attr-defined]


async def test_claim_search_equals_the_payers_book(case: Case) -> None:
    if not case.has(Capability.CLAIM_SEARCH):
        pytest.skip(f"{case.book.protocol} has no claim search (declared, not faked)")
    for member in case.book.members.values():
        claims = await case.adapter.search_claims(query(member), None, ClaimStatusFilter.ALL)  # type: ignore[attr-defined]
        expected = case.book.claims_of(member.member_id, None, ClaimStatusFilter.ALL)
        assert sorted(
            (c.payer_claim_id, c.control_number, c.total_charge, c.status.state) for c in claims
        ) == sorted(
            (c.payer_claim_id, c.control_number, c.total_charge, c.status.state) for c in expected
        )


async def test_claim_status_equals_the_payers_book(case: Case) -> None:
    assert case.has(Capability.CLAIM_STATUS)
    for member in active_members(case.book):
        for claim in case.book.claims_of(member.member_id)[:2]:
            ref = ClaimRef(
                query(member),
                claim.payer_claim_id,
                claim.control_number,
                claim.service_date_from,
                claim.total_charge,
            )
            status = await case.adapter.claim_status(ref)  # type: ignore[attr-defined]
            assert (status.state, status.category.code) == (
                claim.status.state,
                claim.status.category.code,
            )
            assert status.status is not None and claim.status.status is not None
            assert status.status.code == claim.status.status.code


async def test_payments_equal_the_payers_book(case: Case) -> None:
    assert case.has(Capability.PAYMENTS)
    compared = 0
    for member in case.book.members.values():
        payments = await case.adapter.payments(query(member), None)  # type: ignore[attr-defined]
        expected = case.book.payments_for(member.member_id)
        assert sorted(p.trace_number for p in payments) == sorted(p.trace_number for p in expected)
        by_trace = {p.trace_number: p for p in payments}
        for payment in expected:
            got = by_trace[payment.trace_number]
            assert got.amount == payment.amount
            assert sorted((c.control_number, c.paid, c.charge) for c in got.claims) == sorted(
                (c.control_number, c.paid, c.charge) for c in payment.claims
            )
            for claim in payment.claims:
                mine = next(c for c in got.claims if c.control_number == claim.control_number)
                claim_level = sorted(
                    (a.group.code, a.reason.code, a.amount) for a in mine.adjustments
                )
                line_level = sorted(
                    (a.group.code, a.reason.code, a.amount)
                    for ln in mine.lines
                    for a in ln.adjustments
                )
                want_claim = sorted(
                    (a.group.code, a.reason.code, a.amount) for a in claim.adjustments
                )
                want_line = sorted(
                    (a.group.code, a.reason.code, a.amount)
                    for ln in claim.lines
                    for a in ln.adjustments
                )
                assert (claim_level, line_level) == (want_claim, want_line)
                compared += 1
    assert compared > 0


def submission(book: SandboxPayerBook) -> ClaimSubmission:
    member = active_members(book)[0]
    provider = WORLD.providers["mfm"]
    day = TODAY - timedelta(days=2)
    return ClaimSubmission(
        member=query(member),
        billing_provider_npi=provider.npi,
        billing_provider_tax_id=provider.tax_id or "",
        billing_provider_name=provider.name,
        rendering_provider_npi=WORLD.providers["dr_exampleton"].npi,
        place_of_service="11",
        frequency_code="1",
        diagnoses=("J06.9", "R05.9"),
        lines=(
            ClaimLine(
                1,
                lookup("procedure", "99213"),
                Decimal("150.00"),
                diagnosis_pointers=(1, 2),
                service_date=day,
            ),
            ClaimLine(
                2,
                lookup("procedure", "87880"),
                Decimal("35.00"),
                modifiers=("QW",),
                diagnosis_pointers=(1,),
                service_date=day,
            ),
        ),
        total_charge=Decimal("185.00"),
    )


async def test_submission_is_accepted_once_per_control_number(case: Case) -> None:
    assert case.has(Capability.CLAIM_SUBMISSION)
    control = f"PGWC{case.book.key[:4].upper()}01"
    first = await case.adapter.submit_claim(submission(case.book), control)  # type: ignore[attr-defined]
    again = await case.adapter.submit_claim(submission(case.book), control)  # type: ignore[attr-defined]
    assert first.accepted and again.accepted
    assert first.control_number == control
    stats = (await case.sandbox.get("/_control/stats")).json()
    assert stats["claims_received"][control] == 2
    received = [
        c
        for c in case.sandbox._transport.app.state.intake.received()
        if c.control_number == control
    ]  # type: ignore[attr-defined]
    assert len(received) == 1, "the payer must hold the claim once however often it was sent"
    if first.payer_claim_id is not None:
        assert again.payer_claim_id == first.payer_claim_id


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"error_rate": 1.0}, PayerUnavailable),
        ({"malformed": True}, PayerProtocolError),
        ({"busy": True}, PayerUnavailable),
    ],
)
async def test_faults_become_typed_errors(
    case: Case, fault: dict[str, Any], error: type[Exception]
) -> None:
    assert (await case.sandbox.put("/_control/faults", json=fault)).status_code == 200
    member = active_members(case.book)[0]
    with pytest.raises(error) as caught:
        await case.adapter.check_eligibility(query(member), ["30"], TODAY)  # type: ignore[attr-defined]
    assert caught.value.payer_id == case.book.key  # type: ignore[attr-defined]
