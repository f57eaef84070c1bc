"""Each sandbox fault at one payer, over real loopback sockets: that payer's parts fail with its code,
every other payer's data still arrives, and the whole answer comes within the payer timeout."""

from __future__ import annotations

import os
import time

import pytest

from payers.contract import Capability
from payers.model import ClaimStatusFilter
from payers.sandbox.fleet import serving, stop_server
from payers.sandbox.launch import plan_sandboxes
from tests.cache.fixtures import active_payers, covered_people, open_gateway

pytestmark = pytest.mark.timed  # wall-clock bounds: see tests/conftest.py

SUMMARY = """
query Summary($id: ID!) {
  patient(id: $id) {
    eligibility(fresh: true) { payer { id } memberId active }
    claims(status: ALL, fresh: true) { payer { id } claims { controlNumber totalCharge } }
    payments(fresh: true) { payer { id } payments { traceNumber amount } }
  }
}"""

TIMEOUT = 0.8
FIELDS = {
    "eligibility": Capability.ELIGIBILITY,
    "claims": Capability.CLAIM_SEARCH,
    "payments": Capability.PAYMENTS,
}
NEEDED = frozenset(FIELDS.values())

FAULTS = {
    "5xx burst": ({"error_rate": 1.0, "error_status": 502}, "PAYER_UNAVAILABLE"),
    "hang": ({"hang": True}, "PAYER_TIMEOUT"),
    "connection refused": (None, "PAYER_UNAVAILABLE"),
    "malformed body": ({"malformed": True}, "PAYER_PROTOCOL_ERROR"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_one_payers_fault_leaves_the_others_intact(database, world, fault: str) -> None:  # type: ignore[no-untyped-def]
    plan = plan_sandboxes(world)
    os.environ.update(plan.environ)
    async with serving(plan.apps) as running:
        urls = {key: server.base_url for key, server in running.items()}
        async with open_gateway(
            database, world, base_urls=urls, sandbox_apps=plan.apps, timeout_seconds=TIMEOUT
        ) as gateway:
            person = covered_people(gateway, world, 2)[0]
            payers = active_payers(gateway, world, person)
            broken = next(
                p for p in payers if gateway.services.payers.get(p).capabilities >= NEEDED
            )  # type: ignore[union-attr]
            healthy = {
                field: sorted(
                    p
                    for p in payers
                    if p != broken and capability in gateway.services.payers.get(p).capabilities
                )  # type: ignore[union-attr]
                for field, capability in FIELDS.items()
            }
            settings, code = FAULTS[fault]
            if settings is None:
                await stop_server(running[broken])
            else:
                await gateway.faults(broken, **settings)
            started = time.perf_counter()
            body = await gateway.query(SUMMARY, {"id": gateway.patient_ids[person]})
            elapsed = time.perf_counter() - started
    assert elapsed < TIMEOUT + 0.5, f"{fault}: {elapsed:.2f} s"
    patient = body["data"]["patient"]
    assert healthy["eligibility"], "the patient must be covered by another payer"
    for field in FIELDS:
        failed = [e for e in body["errors"] if e["path"][:2] == ["patient", field]]
        assert [(e["extensions"]["payer"], e["extensions"]["code"]) for e in failed] == [
            (broken, code)
        ], field
        answered = [item for item in patient[field] if item is not None]
        assert sorted(item["payer"]["id"] for item in answered) == healthy[field], field
    for payer in healthy["eligibility"]:
        member = next(m for m in world.coverages_of(person) if m.payer_key == payer)
        eligibility = next(a for a in patient["eligibility"] if a and a["payer"]["id"] == payer)
        assert (eligibility["memberId"], eligibility["active"]) == (member.member_id, member.active)
    for payer in healthy["claims"]:
        member = next(m for m in world.coverages_of(person) if m.payer_key == payer)
        book = world.books[payer]
        claims = next(g for g in patient["claims"] if g and g["payer"]["id"] == payer)["claims"]
        assert [(c["controlNumber"], c["totalCharge"]) for c in claims] == [
            (c.control_number, str(c.total_charge))
            for c in book.claims_of(member.member_id, None, ClaimStatusFilter.ALL)
        ]
    for payer in healthy["payments"]:
        member = next(m for m in world.coverages_of(person) if m.payer_key == payer)
        book = world.books[payer]
        payments = next(g for g in patient["payments"] if g and g["payer"]["id"] == payer)[
            "payments"
        ]
        assert [(p["traceNumber"], p["amount"]) for p in payments] == [
            (p.trace_number, str(p.amount)) for p in book.payments_for(member.member_id)
        ]
