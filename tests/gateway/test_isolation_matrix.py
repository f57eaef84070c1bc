"""Tenant isolation, enumerated from the schema: every root query and mutation that takes an id
(as an argument or inside its input) is called with practice A's credentials on practice B's ids,
and must answer exactly as for ids that do not exist, and change nothing of B's.

A new root field with an id and no entry in CASES fails this test: add the case, with the kind of
object each id names (a key of ``_theirs``), and the test will hold the new field to the same rule.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)
from graphql.pyutils import Undefined
from sqlalchemy import select

from gateway.graphql.schema import build_schema
from gateway.jobs.worklist import CheckFailure, classify
from gateway.jobs.worklist_store import CheckSubject, batch_items, record_items
from gateway.ledger.posting import post_remittance
from gateway.storage import load_metadata, tables
from gateway.storage.batch_tables import EligibilityBatch
from gateway.storage.claims_tables import Webhook
from gateway.storage.identity_tables import Invitation as InvitationRow
from gateway.storage.schedule_tables import Appointment
from payers.codesets import lookup
from payers.model import ClaimPayment, Payment
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

APPOINTMENT = {
    "date": (datetime.now(UTC) + timedelta(days=3)).date().isoformat(),
    "time": "09:30",
    "providerNpi": "1245319599",
    "visitType": "Office visit",
    "serviceTypes": ["98"],
}
CARD = {"payerId": "lakeshore", "memberId": "LHP424242", "priority": 3}

#: root field -> its variables, with "{kind}" standing for the id of an object of that kind.
CASES: dict[str, dict[str, Any]] = {
    "patient": {"id": "{patient}"},
    "estimate": {
        "patientId": "{patient}",
        "date": "2026-11-02",
        "procedures": [{"code": "99213", "units": "1", "charge": "145.00"}],
        "providerNpi": "1245319599",
    },
    "auditEvents": {"patientId": "{patient}", "actorId": "{user}"},
    "addCoverage": {"input": {"patientId": "{patient}", "coverage": CARD}},
    "discoverCoverage": {"patientId": "{patient}"},
    "addDiscoveredCoverage": {
        "input": {"patientId": "{patient}", "payerId": "lakeshore", "memberId": "LHP424243"}
    },
    "updatePatient": {"input": {"id": "{patient}", "lastName": "Otherwise"}},
    "updateCoverage": {"input": {"id": "{coverage}", "memberId": "LHP424243"}},
    "endCoverage": {"id": "{coverage}", "endDate": "2024-01-31"},
    "deleteWebhook": {"id": "{webhook}"},
    "disableUser": {"id": "{user}"},
    "enableUser": {"id": "{user}"},
    "revokeApiKey": {"id": "{api_key}"},
    "revokeInvitation": {"id": "{invitation}"},
    "approvePractice": {"id": "{practice}"},
    "rejectPractice": {"id": "{practice}", "reason": "not ours to decide"},
    "claim": {"id": "{claim}"},
    "remittance": {"id": "{remittance}"},
    "matchClaimPayment": {"input": {"claimPaymentId": "{claim_payment}", "claimId": "{claim}"}},
    "claims": {"filter": {"patientId": "{patient}"}},
    "correctClaim": {
        "input": {
            "claimId": "{claim}",
            "idempotencyKey": "{run}",
            "changes": {"diagnoses": ["J06.9"]},
        }
    },
    "voidClaim": {"input": {"claimId": "{claim}", "idempotencyKey": "{run}"}},
    "batchWorklist": {"batchId": "{worklist_batch}"},
    "batch": {"id": "{batch}"},
    "checkEligibilityBatch": {"idempotencyKey": "isolation-batch-1", "patientIds": ["{patient}"]},
    "resolveWorklistItem": {"input": {"id": "{worklist_item}"}},
    "sendSecondaryClaim": {"input": {"claimId": "{claim}", "idempotencyKey": "{run}"}},
    "submitClaim": {
        "idempotencyKey": "{run}",
        "input": {
            "patientId": "{patient}",
            "coverageId": "{coverage}",
            "diagnoses": ["J06.9"],
            "billingProvider": {
                "name": "Harbor Pediatrics",
                "npi": "1245319599",
                "taxId": "987654321",
            },
            "lines": [
                {
                    "procedureCode": "99213",
                    "charge": "125.00",
                    "units": "1",
                    "diagnosisPointers": [1],
                    "modifiers": [],
                }
            ],
        },
    },
    "appointment": {"id": "{appointment}"},
    "cancelAppointment": {"input": {"id": "{appointment}"}},
    "createAppointment": {"input": {"patientId": "{patient}", **APPOINTMENT}},
    "updateAppointment": {
        "input": {"id": "{appointment}", "appointment": {"patientId": "{patient}", **APPOINTMENT}}
    },
}


def _holds_id(type_: GraphQLInputType, seen: frozenset[str] = frozenset()) -> bool:
    named = get_named_type(type_)
    if named.name == "ID":
        return True
    if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
        return any(_holds_id(f.type, seen | {named.name}) for f in named.fields.values())
    return False


def _fields_with_ids() -> dict[str, tuple[str, GraphQLField]]:
    schema = build_schema()._schema
    found = {}
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            if any(_holds_id(arg.type) for arg in field.args.values()):
                found[name] = (kind, field)
    return found


def _selection(type_: Any, depth: int) -> str:
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if depth == 0 or not isinstance(named, GraphQLObjectType):
        return "{ __typename }"
    parts = []
    for name, field in named.fields.items():
        if any(
            is_non_null_type(a.type) and a.default_value is Undefined for a in field.args.values()
        ):
            continue
        sub = _selection(field.type, depth - 1)
        parts.append(f"{name} {sub}".strip())
    return "{ " + " ".join(parts) + " }"


def _document(name: str, kind: str, field: GraphQLField, variables: dict[str, Any]) -> str:
    definitions = ", ".join(f"${arg}: {field.args[arg].type}" for arg in variables)
    arguments = ", ".join(f"{arg}: ${arg}" for arg in variables)
    return f"{kind} M({definitions}) {{ {name}({arguments}) {_selection(field.type, 3)} }}"


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


async def _theirs(gateway: Gateway, people: People) -> dict[str, str]:
    async with gateway.services.database.session() as session:
        key_id = await session.scalar(
            select(tables.ApiKey.id).where(tables.ApiKey.practice_id == gateway.other_practice_id)
        )
    assert key_id
    ids = {
        "patient": gateway.other_patient_id,
        "user": people.other_admin.id,
        "api_key": key_id,
        "practice": gateway.other_practice_id,
        "run": "isolation-theirs",
    }
    async with gateway.services.database.session() as session:
        coverage = await session.scalar(
            select(tables.Coverage.id).where(tables.Coverage.patient_id == gateway.other_patient_id)
        )
        claims = load_metadata().tables.get("claims")
        claim = None
        if claims is not None:
            claim = await session.scalar(
                select(claims.c.id).where(claims.c.practice_id == gateway.other_practice_id)
            )
    async with gateway.services.database.transaction() as session:
        webhook = Webhook(
            practice_id=gateway.other_practice_id,
            url="https://partner.example/hooks",
            secret="whsec_isolation",
            events=["claim.status_changed"],
        )
        session.add(webhook)
        invitation = InvitationRow(
            practice_id=gateway.other_practice_id,
            email="invited@b.example",
            role="biller",
            token_hash="isolation-invitation",
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
        session.add(invitation)
        await session.flush()
        ids["webhook"] = webhook.id
        ids["invitation"] = invitation.id
    ids["coverage"] = coverage or str(uuid.uuid4())
    # B's remittance, with a claim payment waiting on B's unmatched worklist.
    async with gateway.services.database.transaction() as session:
        posted = await post_remittance(
            session,
            gateway.other_practice_id,
            Payment(
                payer_id="lakeshore",
                trace_number="ISOLATION-B-1",
                method=lookup("payment-method", "CHK"),
                payment_date=datetime.now(UTC).date(),
                amount=Decimal("10.00"),
                claims=(
                    ClaimPayment(
                        control_number="NOT-A-CLAIM",
                        payer_claim_id=None,
                        status=lookup("claim-payment-status", "1"),
                        charge=Decimal("10.00"),
                        paid=Decimal("10.00"),
                    ),
                ),
            ),
            source="entered",
        )
    ids["remittance"] = posted.remittance_id
    # B's appointment.
    async with gateway.services.database.transaction() as session:
        appointment = Appointment(
            practice_id=gateway.other_practice_id,
            patient_id=gateway.other_patient_id,
            starts_at=datetime.now(UTC) + timedelta(days=3),
            provider_npi="1245319599",
            visit_type="Office visit",
            service_types=["98"],
        )
        session.add(appointment)
        await session.flush()
        ids["appointment"] = appointment.id
    ids["claim_payment"] = posted.claims[0].remittance_claim_id
    # B's batch worklist with an open item.
    ids["worklist_batch"] = str(uuid.uuid4())
    async with gateway.services.database.transaction() as session:
        subject = CheckSubject(
            gateway.other_practice_id,
            ids["worklist_batch"],
            str(uuid.uuid4()),
            gateway.other_patient_id,
            None,
            "lakeshore",
        )
        await record_items(session, subject, classify(CheckFailure("MEMBER_NOT_FOUND")))
        ids["worklist_item"] = (
            await batch_items(session, gateway.other_practice_id, ids["worklist_batch"])
        )[0].id
    # B's eligibility batch.
    async with gateway.services.database.transaction() as session:
        now = datetime.now(UTC)
        batch = EligibilityBatch(
            practice_id=gateway.other_practice_id,
            idempotency_key="isolation-b-batch",
            request_digest="0" * 64,
            source="patients",
            as_of=now.date(),
            total=0,
            retry_until=now + timedelta(hours=4),
        )
        session.add(batch)
        await session.flush()
        ids["batch"] = batch.id
    # B's submitted claim when the fixture has one; a random id still checks the same answer shape.
    ids["claim"] = claim or str(uuid.uuid4())
    return ids


async def _snapshot_of_b(gateway: Gateway) -> str:
    """Every row of practice B (in every table with a practice_id, except the audit trail)."""
    rows = []
    async with gateway.services.database.session() as session:
        for table in load_metadata().sorted_tables:
            if "practice_id" in table.c and table.name != "audit_events":
                result = await session.execute(
                    select(table).where(table.c.practice_id == gateway.other_practice_id)
                )
                rows += [f"{table.name}:{sorted(r._mapping.items(), key=str)}" for r in result]
    return "\n".join(sorted(rows))


def test_every_root_field_taking_an_id_has_an_isolation_case() -> None:
    missing = set(_fields_with_ids()) - set(CASES)
    assert not missing, f"root fields taking ids without a tenant-isolation case: {sorted(missing)}"


async def test_practice_b_ids_behave_exactly_like_missing_ids(
    gateway: Gateway, people: People
) -> None:
    theirs = await _theirs(gateway, people)
    before = await _snapshot_of_b(gateway)
    fields = _fields_with_ids()
    assert {"patient", "addCoverage", "revokeApiKey", "disableUser"} <= set(fields)
    for credential in (people.admin.token, gateway.key):
        for name, (kind, field) in sorted(fields.items()):
            template = CASES[name]
            nowhere = {k: str(uuid.uuid4()) for k in theirs} | {"run": "isolation-nowhere"}
            document = _document(name, kind, field, template)
            answers = []
            for ids in (theirs, nowhere):
                body = await gateway.query(document, _fill(template, ids), key=credential)
                text = json.dumps(body, sort_keys=True)
                for kind_name, value in ids.items():
                    text = text.replace(value, f"<{kind_name}>")
                answers.append(text)
            assert answers[0] == answers[1], f"{name} tells practice B's ids from missing ones"
            assert "INTERNAL_ERROR" not in answers[0], name
    assert await _snapshot_of_b(gateway) == before
    # B's key and B's admin still work: nothing of B's was revoked or disabled.
    assert (await gateway.post("{ me { role } }", key=people.other_admin.token)).status_code == 200
    assert (await gateway.post("{ me { actorKind } }", key=gateway.other_key)).status_code == 200
