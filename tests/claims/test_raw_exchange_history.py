"""A submitted claim's acknowledgment keeps the payer's raw answer on its status history entry,
shown only to callers with phi:read and claims:read, and audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from gateway.storage.audit_tables import AuditEvent
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.gateway.conftest import Gateway
from tests.gateway.people import staff

HISTORY = """query($id: ID!) { claim(id: $id) { controlNumber
  statusHistory { source state rawExchange { protocol request response contentType fetchedAt } } } }"""


@pytest.mark.parametrize(
    ("payer_id", "protocol"), [("lakeshore", "rest"), ("northwind", "fhir"), ("summit", "x12")]
)
async def test_the_acknowledgment_entry_keeps_what_the_payer_said(
    claims_gateway: Gateway, world: Any, today: Any, payer_id: str, protocol: str
) -> None:
    gateway = claims_gateway
    who = await billed(gateway.services.database, gateway.patient_ids, world, payer_id)
    submitted = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    claim = submitted["data"]["submitClaim"]["claim"]
    assert await gateway.services.claims.dispatcher.run_once() == 1  # type: ignore[union-attr]

    body = await gateway.query(HISTORY, {"id": claim["id"]})
    assert "errors" not in body, body.get("errors")
    history = body["data"]["claim"]["statusHistory"]
    assert [h["source"] for h in history] == ["submission", "acknowledgment"]
    assert history[0]["rawExchange"] is None  # the gateway's own entry: no payer spoke
    raw = history[1]["rawExchange"]
    assert raw["protocol"] == protocol and raw["fetchedAt"]
    assert claim["controlNumber"] in raw["request"] and who.member_id in raw["request"]
    assert raw["response"]
    if protocol == "x12":
        assert "ST*837*" in raw["request"] and "99213" in raw["request"]
        assert raw["contentType"] == "application/edi-x12"
        assert "ST*999*" in raw["response"] or "ST*277*" in raw["response"]

    people = await staff(gateway)
    denied = await gateway.query(HISTORY, {"id": claim["id"]}, key=people.analyst.token)
    entries = denied["data"]["claim"]["statusHistory"]
    assert [(h["source"], h["rawExchange"]) for h in entries] == [
        ("submission", None),
        ("acknowledgment", None),
    ]
    assert {tuple(e["path"]): e["extensions"]["code"] for e in denied["errors"]} == {
        ("claim", "statusHistory", 0, "rawExchange"): "FORBIDDEN",
        ("claim", "statusHistory", 1, "rawExchange"): "FORBIDDEN",
    }
    async with gateway.services.database.session() as session:
        reads = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.kind == "phi.read", AuditEvent.patient_id == who.patient_id
                )
            )
        )
    assert [r.fields for r in reads if "ClaimStatusEntry.rawExchange" in r.fields] == [
        ["ClaimStatusEntry.rawExchange"]
    ]
