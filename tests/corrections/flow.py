"""Driving claims through the gateway as a practice does: submit, dispatch, correct, void, send on."""

from __future__ import annotations

from typing import Any

from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.gateway.conftest import Gateway

CLAIM_FIELDS = """claim { id controlNumber state payerClaimId frequencyCode relation relatedClaimId
                        totalCharge payer { id } lines { procedure { code } modifiers charge } }"""


def _mutation(name: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ "
        f"replayed errors {{ code field message }} {CLAIM_FIELDS} }} }}"
    )


CORRECT = _mutation("correctClaim", "CorrectClaimInput")
VOID = _mutation("voidClaim", "ClaimActionInput")
SECONDARY = _mutation("sendSecondaryClaim", "ClaimActionInput")
HISTORY = """query($id: ID!) { claim(id: $id) { state payerClaimId
  statusHistory { state source message rawExchange { request } } } }"""


async def submitted(gateway: Gateway, world: Any, today: Any, payer_id: str) -> dict[str, Any]:
    """An office visit billed to ``payer_id``, accepted (not yet sent)."""
    who = await billed(gateway.services.database, gateway.patient_ids, world, payer_id)
    result = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    payload = result["data"]["submitClaim"]
    assert payload["errors"] == [], payload
    return payload["claim"]  # type: ignore[no-any-return]


async def dispatched(gateway: Gateway) -> int:
    """Send everything due (once); how many claims went out."""
    assert gateway.services.claims is not None
    return await gateway.services.claims.dispatcher.run_once()


async def at_payer(gateway: Gateway, world: Any, today: Any, payer_id: str) -> dict[str, Any]:
    """A claim the payer acknowledged, with its payer claim number."""
    claim = await submitted(gateway, world, today, payer_id)
    assert await dispatched(gateway) == 1
    return await history(gateway, claim["id"])


async def history(gateway: Gateway, claim_id: str) -> dict[str, Any]:
    body = await gateway.query(HISTORY, {"id": claim_id})
    return {"id": claim_id, **body["data"]["claim"]}


async def act(gateway: Gateway, document: str, **values: Any) -> dict[str, Any]:
    body = await gateway.query(document, {"input": values})
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    return payload  # type: ignore[no-any-return]


def sent_request(claim: dict[str, Any]) -> str:
    """What the gateway sent the payer for this claim (the acknowledgment's raw exchange)."""
    (ack,) = [h for h in claim["statusHistory"] if h["source"] == "acknowledgment"]
    return ack["rawExchange"]["request"]  # type: ignore[no-any-return]
