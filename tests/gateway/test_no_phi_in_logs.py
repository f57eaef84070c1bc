"""No PHI in logs: the demo's patient summary run (plus failing payers and bad input) is logged at
DEBUG through the gateway's own JSON logging, and no demo patient's name, birth date or member id
appears in any line."""

from __future__ import annotations

import io
import logging
from typing import Any

from gateway.demo import EXAMPLE_QUERY
from gateway.logs import configure_logging
from tests.gateway.conftest import Gateway


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
    try:
        for patient_id in gateway.patient_ids.values():
            body = await gateway.query(EXAMPLE_QUERY, {"id": patient_id})
            assert body["data"]["patient"]["lastName"]
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
