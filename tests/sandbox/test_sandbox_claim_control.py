"""``PUT /_control/claims/{control_number}/status``: a test adjudicates a claim a sandbox received, and
the REST, FHIR and X12 payers answer the new status from then on (through our adapters)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from payers.codesets import lookup
from payers.contract import Capability, PayerAdapter
from payers.model import (
    ClaimLine,
    ClaimRef,
    ClaimState,
    ClaimStatusFilter,
    ClaimSubmission,
    MemberQuery,
)
from payers.registry import AdapterRegistry, build_adapter, parse_payers_config
from payers.sandbox.launch import KINDS, payers_toml, plan_sandboxes
from payers.sandbox.world import World
from tests.sandbox.conftest import TODAY

CONTROL = "PGW7731A2"
ADJUDICATED = {
    "category": "F1",
    "status": "65",
    "paid_amount": "68.00",
    "effective_date": "2025-12-04",
}


@dataclass
class Sandbox:
    adapter: PayerAdapter
    control: httpx.AsyncClient  # the sandbox's own /_control routes
    member: MemberQuery


@contextlib.asynccontextmanager
async def _open(
    world: World, protocol: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Sandbox]:
    """The first book of ``protocol`` served in process, with our adapter for it."""
    key = next(key for key, book in world.books.items() if book.protocol == protocol)
    plan = plan_sandboxes(world, only={key})
    for name, value in plan.environ.items():
        monkeypatch.setenv(name, value)
    (settings,) = parse_payers_config(payers_toml(world, {key: f"http://{key}.sandbox"}, 3))
    transport = httpx.ASGITransport(app=plan.apps[key])
    member = next(m for m in world.books[key].members.values() if m.active)
    person = member.person
    query = MemberQuery(
        member.member_id,
        person.first_name,
        person.last_name,
        person.birth_date,
        member.group_number,
        member.relation,
    )
    async with (
        httpx.AsyncClient(transport=transport) as client,
        httpx.AsyncClient(transport=transport, base_url=f"http://{key}.sandbox") as control,
    ):
        yield Sandbox(build_adapter(settings, AdapterRegistry.discover(), client), control, query)


@pytest.fixture(params=sorted(KINDS))
async def sandbox(
    request: pytest.FixtureRequest, world: World, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Sandbox]:
    async with _open(world, request.param, monkeypatch) as opened:
        yield opened


@pytest.fixture
async def rest_sandbox(world: World, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Sandbox]:
    """Body validation is the same for every server (faults.py + the intake): REST is the quickest."""
    async with _open(world, "rest", monkeypatch) as opened:
        yield opened


def _sinusitis_visit(world: World, member: MemberQuery) -> ClaimSubmission:
    """An acute sinusitis visit: 99213 with a rapid strep test (87880-QW), $163.00."""
    day = TODAY - timedelta(days=4)
    practice = world.providers["mfm"]
    return ClaimSubmission(
        member=member,
        billing_provider_npi=practice.npi,
        billing_provider_tax_id=practice.tax_id or "",
        billing_provider_name=practice.name,
        rendering_provider_npi=world.providers["dr_exampleton"].npi,
        place_of_service="11",
        frequency_code="1",
        diagnoses=("J01.90", "J02.9"),
        lines=(
            ClaimLine(
                1,
                lookup("procedure", "99213"),
                Decimal("128.00"),
                diagnosis_pointers=(1, 2),
                service_date=day,
            ),
            ClaimLine(
                2,
                lookup("procedure", "87880"),
                Decimal("35.00"),
                modifiers=("QW",),
                diagnosis_pointers=(2,),
                service_date=day,
            ),
        ),
        total_charge=Decimal("163.00"),
    )


async def test_a_finalized_status_is_what_claim_status_and_search_answer(
    sandbox: Sandbox, world: World
) -> None:
    ack = await sandbox.adapter.submit_claim(_sinusitis_visit(world, sandbox.member), CONTROL)  # type: ignore[attr-defined]
    assert ack.accepted
    ref = ClaimRef(
        sandbox.member, ack.payer_claim_id, CONTROL, TODAY - timedelta(days=4), Decimal("163.00")
    )
    before = await sandbox.adapter.claim_status(ref)  # type: ignore[attr-defined]
    assert (before.state, before.category.code) == (ClaimState.ACKNOWLEDGED, "A1")

    put = await sandbox.control.put(f"/_control/claims/{CONTROL}/status", json=ADJUDICATED)
    assert put.status_code == 200, put.text
    assert put.json() == {
        "control_number": CONTROL,
        "payer_claim_id": ack.payer_claim_id or put.json()["payer_claim_id"],
        "state": "finalized",
        "category": "F1",
        "status": "65",
        "paid_amount": "68.00",
        "effective_date": "2025-12-04",
    }
    after = await sandbox.adapter.claim_status(ref)  # type: ignore[attr-defined]
    assert (after.state, after.category.code, after.status and after.status.code) == (
        ClaimState.FINALIZED,
        "F1",
        "65",
    )
    assert (after.paid_amount, after.effective_date) == (Decimal("68.00"), date(2025, 12, 4))
    if Capability.CLAIM_SEARCH in type(sandbox.adapter).capabilities:
        found = await sandbox.adapter.search_claims(sandbox.member, None, ClaimStatusFilter.CLOSED)  # type: ignore[attr-defined]
        mine = [c for c in found if c.control_number == CONTROL]
        assert [(c.status.state, c.status.category.code) for c in mine] == [
            (ClaimState.FINALIZED, "F1")
        ]
        still_open = await sandbox.adapter.search_claims(
            sandbox.member, None, ClaimStatusFilter.OPEN
        )  # type: ignore[attr-defined]
        assert CONTROL not in {c.control_number for c in still_open}


async def test_a_denial_and_a_request_for_information(sandbox: Sandbox, world: World) -> None:
    await sandbox.adapter.submit_claim(_sinusitis_visit(world, sandbox.member), CONTROL)  # type: ignore[attr-defined]
    ref = ClaimRef(sandbox.member, None, CONTROL, TODAY - timedelta(days=4), Decimal("163.00"))
    for body, state in (
        ({"category": "R4", "status": "21"}, ClaimState.INFORMATION_REQUESTED),
        ({"category": "F2", "status": "88", "paid_amount": "0.00"}, ClaimState.DENIED),
    ):
        put = await sandbox.control.put(f"/_control/claims/{CONTROL}/status", json=body)
        assert put.status_code == 200, put.text
        status = await sandbox.adapter.claim_status(ref)  # type: ignore[attr-defined]
        assert (status.state, status.category.code, status.status and status.status.code) == (
            state,
            body["category"],
            body["status"],
        )
        assert status.effective_date == TODAY  # the payer's today when no date is given


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"category": "Z9", "status": "65"},
            "category 'Z9' is not a 277 claim status category (STC01-1)",
        ),
        (
            {"category": "F1", "status": "99999"},
            "status '99999' is not a 277 claim status code (STC01-2)",
        ),
        ({"category": "F1"}, "status is required: a 277 claim status code (STC01-2)"),
        (
            {"category": "F1", "status": "65", "paid_amount": 68.0},
            'paid_amount must be a string amount like "68.00" (not negative, 2 decimals)',
        ),
        (
            {"category": "F1", "status": "65", "paid_amount": "-5.00"},
            'paid_amount must be a string amount like "68.00" (not negative, 2 decimals)',
        ),
        (
            {"category": "P1", "status": "20", "paid_amount": "10.00"},
            "paid_amount goes with a finalized category (F0-F4), not P1",
        ),
        (
            {"category": "F1", "status": "65", "paid_amount": "500.00"},
            "paid_amount 500.00 exceeds the claim's charge 163.00",
        ),
        (
            {"category": "F1", "status": "65", "effective_date": "12/04/2025"},
            "effective_date must be a date as YYYY-MM-DD",
        ),
        (
            {"category": "F1", "status": "65", "effective_date": "2025-02-30"},
            "effective_date must be a date as YYYY-MM-DD",
        ),
        ({"category": "F1", "status": "65", "paid": "1.00"}, "unknown fields: paid"),
        (["F1", "65"], "expected a JSON object"),
    ],
)
async def test_bad_bodies_are_400_with_the_reason(
    rest_sandbox: Sandbox, world: World, body: Any, message: str
) -> None:
    sandbox = rest_sandbox
    await sandbox.adapter.submit_claim(_sinusitis_visit(world, sandbox.member), CONTROL)  # type: ignore[attr-defined]
    put = await sandbox.control.put(f"/_control/claims/{CONTROL}/status", json=body)
    assert (put.status_code, put.json()) == (
        400,
        {"error": {"code": "INVALID", "message": message}},
    )
    not_json = await sandbox.control.put(f"/_control/claims/{CONTROL}/status", content=b"F1*65")
    assert (
        not_json.status_code == 400
        and not_json.json()["error"]["message"] == "the body is not JSON"
    )


async def test_unknown_control_numbers_are_404_and_a_reset_forgets_the_claim(
    sandbox: Sandbox, world: World
) -> None:
    missing = await sandbox.control.put("/_control/claims/PGWNOSUCH1/status", json=ADJUDICATED)
    assert (missing.status_code, missing.json()) == (
        404,
        {
            "error": {
                "code": "CLAIM_NOT_FOUND",
                "message": "no claim with control number 'PGWNOSUCH1' was received",
            }
        },
    )
    await sandbox.adapter.submit_claim(_sinusitis_visit(world, sandbox.member), CONTROL)  # type: ignore[attr-defined]
    # The control route is never faulted nor counted: it works while the payer is down.
    await sandbox.control.put("/_control/faults", json={"error_rate": 1.0})
    assert (
        await sandbox.control.put(f"/_control/claims/{CONTROL}/status", json=ADJUDICATED)
    ).status_code == 200
    stats = (await sandbox.control.get("/_control/stats")).json()
    assert stats["claims_received"] == {CONTROL: 1}
    assert sum(stats["requests"].values()) == 1  # the submission only
    assert (await sandbox.control.post("/_control/reset")).status_code == 200
    gone = await sandbox.control.put(f"/_control/claims/{CONTROL}/status", json=ADJUDICATED)
    assert gone.status_code == 404
    wrong_method = await sandbox.control.get(f"/_control/claims/{CONTROL}/status")
    assert wrong_method.status_code == 404
