"""Each worklist kind happens to a sandbox person, over the protocol of their payer.

The adapter asks the sandbox payer (REST, FHIR or X12 over httpx.ASGITransport) with the card as the
practice recorded it (as gateway/seeding.py does), and the answer is classified.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

import httpx
import pytest

from gateway.jobs.worklist import CheckFailure, PlannedVisit, WorklistKind, classify
from payers.codesets import lookup
from payers.contract import Capability, PayerError, PayerRejected, SupportsEligibility
from payers.model import EligibilityResult, MemberQuery
from payers.registry import AdapterRegistry, build_adapter, parse_payers_config
from payers.sandbox.launch import payers_toml, plan_sandboxes
from payers.sandbox.world import SandboxMember, build_world

TODAY = date.today()
TOMORROW = TODAY + timedelta(days=1)
WORLD = build_world(TODAY)


def member(person: str) -> SandboxMember:
    (found,) = WORLD.coverages_of(person)
    return found


def card(m: SandboxMember) -> MemberQuery:
    """The practice's card: the member id it typed, the plan it has on file."""
    p = m.person
    plan = m.plan_on_file or m.plan
    return MemberQuery(
        m.practice_member_id or m.member_id,
        p.first_name,
        p.last_name,
        p.birth_date,
        plan.group_number,
        m.relation,
    )


class Payer:
    def __init__(self, adapter: SupportsEligibility, sandbox: httpx.AsyncClient) -> None:
        self.adapter = adapter
        self.sandbox = sandbox

    async def check(
        self, m: SandboxMember, as_of: date, service_types: tuple[str, ...] = ("30",)
    ) -> EligibilityResult | CheckFailure:
        try:
            return await self.adapter.check_eligibility(card(m), service_types, as_of)
        except PayerError as exc:
            reasons = exc.reasons if isinstance(exc, PayerRejected) else ()
            return CheckFailure(exc.code, tuple(r.code for r in reasons))


@pytest.fixture
async def payer_of() -> AsyncIterator[Callable[[str], object]]:
    clients: list[httpx.AsyncClient] = []

    async def open_payer(key: str) -> Payer:
        plan = plan_sandboxes(WORLD, only={key})
        os.environ.update(plan.environ)
        (settings,) = parse_payers_config(
            payers_toml(WORLD, {key: f"http://{key}.sandbox"}, timeout_seconds=3)
        )
        transport = httpx.ASGITransport(app=plan.apps[key])
        client = httpx.AsyncClient(transport=transport)
        sandbox = httpx.AsyncClient(transport=transport, base_url=f"http://{key}.sandbox")
        clients.extend((client, sandbox))
        adapter = build_adapter(settings, AdapterRegistry.discover(), client)
        assert Capability.ELIGIBILITY in type(adapter).capabilities
        return Payer(cast(SupportsEligibility, adapter), sandbox)

    yield open_payer
    for client in clients:
        await client.aclose()


def kinds(items) -> list[WorklistKind]:  # type: ignore[no-untyped-def]
    return [item.kind for item in items]


async def test_rosa_plan_changed_between_two_checks(payer_of) -> None:  # type: ignore[no-untyped-def]
    rosa = member("rosa")
    payer = await payer_of(rosa.payer_key)
    assert WORLD.books[rosa.payer_key].protocol == "fhir"
    last_month = TODAY.replace(day=1) - timedelta(days=1)
    before = await payer.check(rosa, last_month)
    after = await payer.check(rosa, TOMORROW)
    assert isinstance(before, EligibilityResult) and isinstance(after, EligibilityResult)
    assert before.active and after.active
    (item,) = [i for i in classify(after, before) if i.kind is WorklistKind.PLAN_CHANGED]
    assert [(c.field, c.before, c.after) for c in item.changes] == [
        ("group number", "0072215", "0081340"),
        ("group name", "Heron Logistics LLC", "Quillfeather Press Inc"),
    ]
    assert item.start_date == TODAY.replace(day=1)
    # the same day twice is no change
    again = await payer.check(rosa, TOMORROW)
    assert isinstance(again, EligibilityResult)
    assert WorklistKind.PLAN_CHANGED not in kinds(classify(again, after))


async def test_dario_mistyped_member_id_is_not_found(payer_of) -> None:  # type: ignore[no-untyped-def]
    dario = member("dario")
    assert dario.practice_member_id and dario.practice_member_id != dario.member_id
    payer = await payer_of(dario.payer_key)
    assert WORLD.books[dario.payer_key].protocol == "x12"
    outcome = await payer.check(dario, TOMORROW)
    assert isinstance(outcome, CheckFailure)
    (item,) = classify(outcome)
    assert item.kind is WorklistKind.MEMBER_NOT_FOUND
    assert [r.code for r in item.reasons] == ["75"]
    assert "check the member ID" in item.explanation


async def test_elsie_has_her_deductible_left(payer_of) -> None:  # type: ignore[no-untyped-def]
    elsie = member("elsie")
    payer = await payer_of(elsie.payer_key)
    assert WORLD.books[elsie.payer_key].protocol == "rest"
    outcome = await payer.check(elsie, TOMORROW)
    assert isinstance(outcome, EligibilityResult)
    (item,) = classify(outcome)
    assert item.kind is WorklistKind.DEDUCTIBLE_REMAINING
    assert item.amount_left == Decimal("820.00")
    assert item.deductible_amount == Decimal("1000.00")


async def test_hank_coverage_ended_last_month(payer_of) -> None:  # type: ignore[no-untyped-def]
    hank = member("hank")
    payer = await payer_of(hank.payer_key)
    outcome = await payer.check(hank, TOMORROW)
    assert isinstance(outcome, EligibilityResult) and not outcome.active
    (item,) = classify(outcome)
    assert item.kind is WorklistKind.COVERAGE_ENDED
    assert item.end_date == TODAY.replace(day=1) - timedelta(days=1)
    assert (hank.plan_on_file or hank.plan).end is None  # the practice has not heard yet


async def test_petra_physical_therapy_needs_authorization(payer_of) -> None:  # type: ignore[no-untyped-def]
    petra = member("petra")
    payer = await payer_of(petra.payer_key)
    assert WORLD.books[petra.payer_key].protocol == "x12"
    visit = PlannedVisit(
        TOMORROW,
        (lookup("service-type", "PT"),),
        (lookup("procedure", "97161"), lookup("procedure", "97110")),
    )
    outcome = await payer.check(petra, TOMORROW, ("PT",))
    assert isinstance(outcome, EligibilityResult)
    (auth,) = [i for i in classify(outcome, visit=visit) if i.kind is WorklistKind.AUTH_REQUIRED]
    assert [st.code for st in auth.service_types] == ["PT"]
    assert [p.code for p in auth.procedures] == ["97161", "97110"]


@pytest.mark.parametrize("person", ["rosa", "elsie", "petra"])
async def test_a_payer_not_answering_after_retries(payer_of, person: str) -> None:  # type: ignore[no-untyped-def]
    m = member(person)
    payer = await payer_of(m.payer_key)
    fault = {"busy": True, "operations": ["eligibility"]}
    assert (await payer.sandbox.put("/_control/faults", json=fault)).status_code == 200
    outcomes = [await payer.check(m, TOMORROW) for _ in range(3)]
    assert all(isinstance(o, CheckFailure) for o in outcomes)
    last = outcomes[-1]
    assert isinstance(last, CheckFailure)
    (item,) = classify(CheckFailure(last.code, last.reasons, attempts=3))
    assert item.kind is WorklistKind.PAYER_NOT_ANSWERING
    assert item.error_code == "PAYER_UNAVAILABLE"


async def test_the_people_before_them_still_have_no_plan_change(payer_of) -> None:  # type: ignore[no-untyped-def]
    """The new people did not move anyone else: Theo's plan reads the same last month and now."""
    theo = next(m for m in WORLD.coverages_of("theo") if m.payer_key == "northwind")
    payer = await payer_of("northwind")
    before = await payer.check(theo, TODAY.replace(day=1) - timedelta(days=1))
    after = await payer.check(theo, TOMORROW)
    assert isinstance(before, EligibilityResult) and isinstance(after, EligibilityResult)
    assert WorklistKind.PLAN_CHANGED not in kinds(classify(after, before))
