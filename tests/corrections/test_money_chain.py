"""End to end over sandbox payers that adjudicate on their own (stepped clocks): a corrected claim
supersedes the original (its payment reversed, the replacement paid), a void reverses, and the
secondary claim is priced by the secondary payer against the primary's posted adjudication."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from gateway.storage.database import Database
from gateway.storage.tables import Practice
from payers.sandbox.world import World
from tests.claims.conftest import SUBMIT, as_input, billed, new_key, office_visit
from tests.corrections.flow import CORRECT, SECONDARY, VOID, act
from tests.corrections.test_secondary import _card
from tests.gateway.conftest import Gateway
from tests.ledger.test_money_loop import CLAIM, _settle

PROTOCOL_PAYERS = {"rest": "lakeshore", "fhir": "northwind", "x12": "summit"}


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


async def _claim(gateway: Gateway, claim_id: str) -> dict[str, Any]:
    return (await gateway.query(CLAIM, {"id": claim_id}))["data"]["claim"]  # type: ignore[no-any-return]


async def _paid_claim(
    gateway: Gateway, database: Database, world: World, today: Any, who: Any
) -> dict[str, Any]:
    """An office visit submitted, sent, adjudicated, remitted, pulled and posted."""
    claims = gateway.services.claims
    assert claims is not None
    body = await gateway.query(
        SUBMIT, {"input": as_input(office_visit(world, who, today)), "key": new_key()}
    )
    claim = body["data"]["submitClaim"]["claim"]
    assert claim is not None, body
    assert await claims.dispatcher.run_once() == 1
    await _settle(gateway, database, who.payer_id, [claim["id"]])
    posted = await _claim(gateway, claim["id"])
    assert posted["financialState"] in ("PAID", "PARTIALLY_PAID"), posted
    return {**claim, **posted}


@pytest.mark.parametrize("protocol", sorted(PROTOCOL_PAYERS))
async def test_a_correction_supersedes_and_a_void_reverses(
    database: Database, world: World, today: Any, stepped_gateway: Gateway, protocol: str
) -> None:
    gateway, payer_id = stepped_gateway, PROTOCOL_PAYERS[protocol]
    claims = gateway.services.claims
    assert claims is not None
    who = await billed(database, gateway.patient_ids, world, payer_id)
    original = await _paid_claim(gateway, database, world, today, who)

    corrected = await act(
        gateway,
        CORRECT,
        claimId=original["id"],
        changes={"diagnoses": ["E11.65", "Z79.84"]},
        idempotencyKey=new_key(),
    )
    assert corrected["errors"] == []
    replacement = corrected["claim"]
    assert await claims.dispatcher.run_once() == 1
    await _settle(
        gateway, database, payer_id, [original["id"], replacement["id"]], schedule_passes=True
    )
    before, after = await _claim(gateway, original["id"]), await _claim(gateway, replacement["id"])
    assert before["financialState"] == "REVERSED"
    first, taken_back = before["payments"]
    assert taken_back["claims"][0]["status"]["code"] == "22"
    assert money(taken_back["claims"][0]["paid"]) == -money(first["claims"][0]["paid"])
    assert after["financialState"] in ("PAID", "PARTIALLY_PAID")
    assert after["payerClaimId"]

    void = await act(gateway, VOID, claimId=replacement["id"], idempotencyKey=new_key())
    assert void["errors"] == []
    assert await claims.dispatcher.run_once() == 1
    await _settle(
        gateway, database, payer_id, [replacement["id"], void["claim"]["id"]], schedule_passes=True
    )
    voided = await _claim(gateway, replacement["id"])
    assert voided["financialState"] == "REVERSED"
    assert sum(money(p["claims"][0]["paid"]) for p in voided["payments"]) == 0


@pytest.mark.parametrize(
    ("person", "primary_payer"),
    [("harriet", "lakeshore"), ("theo", "northwind")],
    ids=["rest-to-x12", "fhir-to-x12"],
)
async def test_the_secondary_pays_against_the_primarys_posted_adjudication(
    database: Database,
    world: World,
    today: Any,
    stepped_gateway: Gateway,
    person: str,
    primary_payer: str,
) -> None:
    gateway = stepped_gateway
    claims = gateway.services.claims
    assert claims is not None
    primary = await _paid_claim(
        gateway, database, world, today, await _card(gateway, person, primary_payer)
    )
    [stated] = primary["payments"][0]["claims"]
    left_to_patient = money(stated["patientResponsibility"])

    payload = await act(gateway, SECONDARY, claimId=primary["id"], idempotencyKey=new_key())
    assert payload["errors"] == []
    secondary = payload["claim"]
    assert secondary["payer"] == {"id": "summit"}
    assert await claims.dispatcher.run_once() == 1
    await _settle(gateway, database, "summit", [secondary["id"]])

    paid = await _claim(gateway, secondary["id"])
    [remitted] = paid["payments"][0]["claims"]
    assert remitted["status"]["code"] == "2"  # processed as secondary
    assert Decimal(0) <= money(remitted["paid"]) <= left_to_patient
    primary_paid = {line["procedure"]["code"]: money(line["paid"]) for line in stated["lines"]}
    for line in remitted["lines"]:
        others = [a for a in line["adjustments"] if a["group"]["code"] == "OA"]
        # The primary's payment shows as OA 23 (prior payer's adjudication) on each line.
        assert any(a["reason"]["code"] == "23" for a in others), line
        assert (
            money(line["paid"]) <= money(line["charge"]) - primary_paid[line["procedure"]["code"]]
        )


async def test_automatic_secondary_after_the_scheduled_pull_and_no_second_claim_on_crossover(
    database: Database, world: World, today: Any, stepped_gateway: Gateway
) -> None:
    gateway = stepped_gateway
    claims = gateway.services.claims
    assert claims is not None
    async with database.transaction() as session:
        await session.execute(
            update(Practice)
            .where(Practice.id == gateway.practice_id)
            .values(auto_secondary_claims=True)
        )
    # Harriet: Lakeshore pays, leaves her a share; the pull posts it and the secondary goes by itself.
    primary = await _paid_claim(
        gateway, database, world, today, await _card(gateway, "harriet", "lakeshore")
    )
    assert await claims.dispatcher.run_once() == 1  # the automatic secondary claim
    followers = await gateway.query(
        "query($p: ID!) { claims(filter: {patientId: $p}) { edges { node { id relation "
        "relatedClaimId payer { id } } } } }",
        {"p": gateway.patient_ids["harriet"]},
    )
    nodes = [e["node"] for e in followers["data"]["claims"]["edges"]]
    assert [
        (n["payer"]["id"], n["relation"]) for n in nodes if n["relatedClaimId"] == primary["id"]
    ] == [("summit", "SECONDARY_OF")]

    # Wanda: Cascade crosses her claims over to Northwind itself; the gateway sends nothing more.
    crossed = await _paid_claim(
        gateway, database, world, today, await _card(gateway, "wanda", "cascade")
    )
    assert crossed["payments"][0]["claims"][0]["status"]["code"] == "19"
    assert await claims.dispatcher.run_once() == 0
    refused = await act(gateway, SECONDARY, claimId=crossed["id"], idempotencyKey=new_key())
    assert [e["code"] for e in refused["errors"]] == ["PRIMARY_FORWARDED"]
