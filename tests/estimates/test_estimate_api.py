"""The estimate and fee schedule over GraphQL, against the sandbox payers: amounts worked out by hand
from the sandbox plans, refusals, scopes, tenancy and the audit trail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from gateway.identity import create_api_key
from gateway.storage.audit_tables import AuditEvent
from tests.gateway.conftest import Gateway

SET_FEES = """mutation($entries: [FeeScheduleEntryInput!]!) {
  setFeeScheduleEntries(entries: $entries) {
    entries { id payerId procedure { code description } modifier allowedAmount effectiveFrom }
    errors { code field message } } }"""
FEES = """query($payer: String, $code: String) { feeSchedule(payerId: $payer, code: $code) {
  payerId procedure { code } modifier allowedAmount effectiveFrom effectiveTo } }"""
ESTIMATE = """query($patient: ID!, $date: Date!, $procedures: [EstimateProcedureInput!]!,
  $npi: String!, $oon: [String!], $fresh: Boolean) {
  estimate(patientId: $patient, date: $date, procedures: $procedures, providerNpi: $npi,
           outOfNetworkPayerIds: $oon, fresh: $fresh) {
    errors { code field message }
    estimate { patientOwes totalCharge flagged unknowns networkBasis dateOfService
      payers { payer { id } priority network pays }
      lines { procedure { code description } units charge serviceType { code } patientOwes steps
        payers { payerId allowed allowedSource allowedCount pays } } } } }"""

NPI = "1588667638"  # Elmridge Family Medicine (sandbox), a valid check digit
VISIT = [
    {"code": "99213", "units": "1", "charge": "145.00", "modifiers": ["25"]},
    {"code": "83036", "units": "1", "charge": "42.00"},
]


def D(value: Any) -> Decimal:
    return Decimal(str(value))


async def set_fees(gateway: Gateway, entries: list[dict[str, Any]], key: str | None = None) -> Any:
    body = await gateway.query(SET_FEES, {"entries": entries}, key=key)
    return body


async def lakeshore_fees(gateway: Gateway, today: Any) -> None:
    start = (today - timedelta(days=365)).isoformat()
    body = await set_fees(
        gateway,
        [
            {
                "payerId": "lakeshore",
                "code": "99213",
                "allowedAmount": "89.90",
                "effectiveFrom": start,
            },
            {"payerId": None, "code": "83036", "allowedAmount": "26.04", "effectiveFrom": start},
        ],
    )
    assert body["data"]["setFeeScheduleEntries"]["errors"] == [], body


async def test_fee_schedule_set_listed_replaced_and_checked(gateway: Gateway, today: Any) -> None:
    await lakeshore_fees(gateway, today)
    again = await set_fees(
        gateway,
        [
            {
                "payerId": "lakeshore",
                "code": "99213",
                "allowedAmount": "91.00",
                "effectiveFrom": (today - timedelta(days=365)).isoformat(),
            }
        ],
    )
    assert again["data"]["setFeeScheduleEntries"]["errors"] == []
    listed = (await gateway.query(FEES, {}))["data"]["feeSchedule"]
    assert [(e["payerId"], e["procedure"]["code"], e["allowedAmount"]) for e in listed] == [
        (None, "83036", "26.04"),
        ("lakeshore", "99213", "91.00"),  # replaced, not added
    ]
    bad = await set_fees(
        gateway,
        [
            {
                "payerId": "nobody",
                "code": "9921",
                "allowedAmount": "1.001",
                "effectiveFrom": "2026-01-02",
                "effectiveTo": "2026-01-01",
                "modifier": "GP",
            },
        ],
    )
    payload = bad["data"]["setFeeScheduleEntries"]
    assert sorted(e["code"] for e in payload["errors"]) == [
        "BEFORE_START",
        "INVALID_CODE",
        "NOT_A_PRICING_MODIFIER",
        "OUT_OF_RANGE",
        "UNKNOWN_PAYER",
    ]
    assert payload["entries"] == []
    # nothing of a refused request was written
    assert len((await gateway.query(FEES, {}))["data"]["feeSchedule"]) == 2


async def test_fee_schedule_needs_fees_write_and_stays_in_the_practice(
    gateway: Gateway, today: Any
) -> None:
    await lakeshore_fees(gateway, today)
    reader = await create_api_key(
        gateway.services.database, gateway.practice_id, "reader", frozenset({"patients:read"})
    )
    denied = await set_fees(
        gateway,
        [{"code": "99213", "allowedAmount": "1.00", "effectiveFrom": "2026-01-01"}],
        key=reader,
    )
    assert denied["data"]["setFeeScheduleEntries"] is None
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert len((await gateway.query(FEES, {}, key=reader))["data"]["feeSchedule"]) == 2
    theirs = await gateway.query(FEES, {}, key=gateway.other_key)
    assert theirs["data"]["feeSchedule"] == []


async def _estimate(gateway: Gateway, person: str, day: Any, **more: Any) -> Any:
    variables = {
        "patient": gateway.patient_ids[person],
        "date": day.isoformat(),
        "procedures": VISIT,
        "npi": NPI,
        **more,
    }
    return await gateway.query(ESTIMATE, variables)


async def test_deductible_not_met_worked_by_hand(gateway: Gateway, today: Any) -> None:
    """Quinn Placeholder, Lakeshore PPO 1500, nothing of the deductible used:
    99213 allowed 89.90 (fee schedule, Lakeshore), copay 25.00 -> Lakeshore pays 64.90;
    83036 allowed 26.04 (fee schedule, any payer), all of it to the deductible -> pays 0.
    Patient 25.00 + 26.04 = 51.04."""
    await lakeshore_fees(gateway, today)
    body = await _estimate(gateway, "quinn", today)
    payload = body["data"]["estimate"]
    assert payload["errors"] == [], body
    estimate = payload["estimate"]
    assert D(estimate["patientOwes"]) == D("51.04")
    assert D(estimate["totalCharge"]) == D("187.00")
    assert [(p["payer"]["id"], p["network"], D(p["pays"])) for p in estimate["payers"]] == [
        ("lakeshore", "IN_NETWORK", D("64.90"))
    ]
    office, lab = estimate["lines"]
    assert office["serviceType"]["code"] == "98" and lab["serviceType"]["code"] == "5"
    assert office["payers"][0]["allowedSource"] == "FEE_SCHEDULE"
    assert "$26.04 goes to the deductible, $1,500.00 left before." in lab["steps"]
    assert not estimate["flagged"]
    # Lakeshore states a primary care and a specialist copay: the choice is named
    assert any("several copays" in u for u in estimate["unknowns"])


async def test_without_allowed_amounts_the_charge_is_used_and_flagged(
    gateway: Gateway, today: Any
) -> None:
    estimate = (await _estimate(gateway, "quinn", today))["data"]["estimate"]["estimate"]
    assert estimate["flagged"]
    assert {s["allowedSource"] for line in estimate["lines"] for s in line["payers"]} == {"CHARGE"}
    # 25.00 copay + 42.00 deductible (the whole charge)
    assert D(estimate["patientOwes"]) == D("67.00")


async def test_out_of_network_uses_the_out_of_network_benefits(
    gateway: Gateway, today: Any
) -> None:
    """Out of network at Lakeshore: no copay; deductible 3000 out of network, 0-10% used;
    both lines go to it (89.90 + 26.04 = 115.94, well under), plus the charges above the allowed
    amounts (55.10 + 15.96 = 71.06): patient 187.00, Lakeshore 0."""
    await lakeshore_fees(gateway, today)
    body = await _estimate(gateway, "quinn", today, oon=["lakeshore"])
    estimate = body["data"]["estimate"]["estimate"]
    assert estimate["payers"][0]["network"] == "OUT_OF_NETWORK"
    assert D(estimate["patientOwes"]) == D("187.00")
    assert D(estimate["payers"][0]["pays"]) == D("0.00")
    assert "lakeshore" in estimate["networkBasis"]


async def test_refusals_are_field_errors(gateway: Gateway, today: Any) -> None:
    body = await gateway.query(
        ESTIMATE,
        {
            "patient": gateway.patient_ids["quinn"],
            "date": today.isoformat(),
            "procedures": [
                {"code": "9921", "units": "0", "charge": "10.001"},
                {"code": "99213", "charge": "-1", "modifiers": ["TOOLONG"]},
            ],
            "npi": "1234567890",
            "oon": ["nobody"],
        },
    )
    payload = body["data"]["estimate"]
    assert payload["estimate"] is None
    assert sorted((".".join(e["field"]), e["code"]) for e in payload["errors"]) == [
        ("outOfNetworkPayerIds", "UNKNOWN_PAYER"),
        ("procedures.0.charge", "OUT_OF_RANGE"),
        ("procedures.0.code", "INVALID_CODE"),
        ("procedures.0.units", "OUT_OF_RANGE"),
        ("procedures.1.charge", "OUT_OF_RANGE"),
        ("procedures.1.modifiers", "INVALID_MODIFIER"),
        ("providerNpi", "INVALID_NPI"),
    ]


async def test_another_practices_patient_is_not_found_and_reads_are_audited(
    gateway: Gateway, today: Any
) -> None:
    body = await gateway.query(
        ESTIMATE,
        {
            "patient": gateway.other_patient_id,
            "date": today.isoformat(),
            "procedures": VISIT,
            "npi": NPI,
        },
    )
    assert body["data"]["estimate"]["errors"][0]["code"] == "NOT_FOUND"
    response = await gateway.post(
        ESTIMATE,
        {
            "patient": gateway.patient_ids["ruth"],
            "date": today.isoformat(),
            "procedures": VISIT,
            "npi": NPI,
        },
    )
    assert response.status_code == 200
    async with gateway.services.database.session() as session:
        rows = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.request_id == response.headers["x-request-id"])
            )
        )
    assert [(r.kind, r.patient_id) for r in rows] == [("phi.read", gateway.patient_ids["ruth"])]
    assert "Query.estimate" in rows[0].fields


async def test_a_payer_that_does_not_answer_is_named(gateway: Gateway, today: Any) -> None:
    await gateway.faults("lakeshore", error_rate=1.0)
    estimate = (await _estimate(gateway, "quinn", today))["data"]["estimate"]["estimate"]
    assert estimate["payers"] == []
    assert D(estimate["patientOwes"]) == D("187.00")
    assert any(u.startswith("Lakeshore Health Plan did not answer") for u in estimate["unknowns"])


async def test_two_payers_primary_then_secondary(gateway: Gateway, today: Any) -> None:
    estimate = (await _estimate(gateway, "victor", today))["data"]["estimate"]["estimate"]
    assert [(p["payer"]["id"], p["priority"]) for p in estimate["payers"]] == [
        ("summit", 1),
        ("lakeshore", 2),
    ]
    for line in estimate["lines"]:
        primary, secondary = line["payers"]
        charge = D(line["charge"])
        # what the primary left: the secondary pays at most that, the patient owes the rest
        assert D(primary["pays"]) + D(secondary["pays"]) + D(line["patientOwes"]) <= charge
        assert any("as secondary it pays at most" in s for s in line["steps"])
