"""No PHI in logs: the demo's patient summary run (plus failing payers and bad input, and the raw
payer exchanges asked for) is logged at DEBUG through the gateway's own JSON logging, and no demo
patient's name, birth date or member id, nor any line of a raw exchange, appears in any line."""

from __future__ import annotations

import io
import logging
from typing import Any

from gateway.demo import EXAMPLE_QUERY
from gateway.logs import configure_logging
from tests.gateway.conftest import Gateway

RAW_EXCHANGES = """query($id: ID!) { patient(id: $id) {
  eligibility { rawExchange { protocol request response } }
  claims(status: ALL) { claims { status { rawExchange { request response } } } }
} }"""


def _phi_of(world: Any) -> set[str]:
    values = set()
    for person in world.people.values():
        values |= {person.first_name, person.last_name, person.birth_date.isoformat()}
        values |= {m.member_id for m in world.coverages_of(person.key)}
    return {v for v in values if v and len(v) >= 3}


async def test_a_full_demo_query_run_logs_no_phi(
    gateway: Gateway, world: Any, monkeypatch: Any
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    configure_logging("DEBUG")
    raw_texts: list[str] = []
    try:
        for patient_id in gateway.patient_ids.values():
            body = await gateway.query(EXAMPLE_QUERY, {"id": patient_id})
            assert body["data"]["patient"]["lastName"]
        for patient_id in list(gateway.patient_ids.values())[:4]:
            raw = (await gateway.query(RAW_EXCHANGES, {"id": patient_id}))["data"]["patient"]
            exchanges = [a["rawExchange"] for a in raw["eligibility"] if a] + [
                c["status"]["rawExchange"] for g in raw["claims"] if g for c in g["claims"]
            ]
            raw_texts += [e[part] for e in exchanges if e for part in ("request", "response")]
        broken = next(iter(gateway.sandbox_apps))
        await gateway.faults(broken, error_rate=1.0)
        for patient_id in list(gateway.patient_ids.values())[:3]:
            await gateway.query(EXAMPLE_QUERY, {"id": patient_id})
        person = next(iter(world.people.values()))
        await gateway.query(
            "query($s: String!) { patients(search: $s) { edges { node { id } } } }",
            {"s": person.last_name},
        )
        await gateway.query('{ patient(id: "' + person.last_name + '") { id } }')
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    logged = stream.getvalue()
    assert logged.count("\n") >= 3, (
        "the run should have logged something (errors of the failing payer)"
    )
    leaked = sorted(value for value in _phi_of(world) if value in logged)
    assert leaked == [], f"PHI in logs: {leaked}"
    assert len(raw_texts) >= 8, "the run should have read raw payer exchanges"
    # Any 40-character stretch of what a payer said or was sent (X12 segments, JSON) is not logged.
    pieces = {t[i : i + 40] for t in raw_texts for i in range(0, max(len(t) - 40, 1), 40)}
    assert not [p for p in pieces if len(p) == 40 and p in logged], "raw exchange text in logs"
