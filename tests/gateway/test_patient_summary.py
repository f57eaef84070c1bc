"""The headline query: one request, every payer covering the patient, asked at once."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest

from payers.model import ClaimStatusFilter
from tests.gateway.conftest import Gateway

SUMMARY = """
query Summary($id: ID!, $types: [String!]) {
  patient(id: $id) {
    lastName
    coverages { payer { id } memberId priority }
    eligibility(serviceTypes: $types) {
      payer { id } memberId active fetchedAt
      plan { name groupNumber }
      benefits { kind code { system } network coverageLevel amount percent remaining serviceTypes { code description } timePeriod { code } }
    }
    claims(status: ALL) {
      payer { id }
      claims { controlNumber payerClaimId totalCharge status { state category { code description } }
               lines { procedure { code description } charge modifiers } placeOfService { code description } }
    }
    payments {
      payer { id }
      payments { traceNumber amount method { code } paymentDate
                 claims { controlNumber paid patientResponsibility
                          adjustments { group { code } reason { code description } amount explanation } } }
    }
  }
}"""


def _multi_covered(gateway: Gateway, world: Any) -> list[str]:
    running = set(gateway.sandbox_apps)
    return [
        key
        for key in world.people
        if len(
            [
                m
                for m in world.coverages_of(key)
                if m.payer_key in running and m.active and m.on_file  # the practice's cards
            ]
        )
        >= 2
    ]


def _benefit_row(b: Any) -> tuple[Any, ...]:
    return (
        b["kind"],
        b["network"],
        b["coverageLevel"],
        b["amount"],
        b["percent"],
        b["remaining"],
        tuple(st["code"] for st in b["serviceTypes"]),
    )


def _model_row(b: Any) -> tuple[Any, ...]:
    def money(value: Decimal | None) -> str | None:
        return None if value is None else str(value)

    return (
        b.kind.name,
        b.network.name,
        b.coverage_level.name if b.coverage_level else None,
        money(b.amount),
        money(b.percent),
        money(b.remaining),
        tuple(st.code for st in b.service_types),
    )


async def test_summary_joins_every_payer_and_matches_what_each_payer_holds(
    gateway: Gateway, world, today
) -> None:  # type: ignore[no-untyped-def]
    people = _multi_covered(gateway, world)
    assert len(people) >= 3, "the sandbox world must have several patients covered by two payers"
    for person in people:
        body = await gateway.query(SUMMARY, {"id": gateway.patient_ids[person]})
        assert "errors" not in body, body.get("errors")
        patient = body["data"]["patient"]
        members = {
            m.payer_key: m
            for m in world.coverages_of(person)
            if m.payer_key in gateway.sandbox_apps and m.on_file
        }
        assert {c["payer"]["id"] for c in patient["coverages"]} == set(members)
        for answer in patient["eligibility"]:
            member = members[answer["payer"]["id"]]
            expected = world.books[member.payer_key].eligibility(member, ["30"], today)
            assert answer["memberId"] == member.member_id
            assert answer["active"] is expected.active
            assert answer["plan"]["groupNumber"] == member.group_number
            # A FHIR card restates some copays (costToBeneficiary): checked in tests/fhir.
            stated = [b for b in answer["benefits"] if b["code"]["system"] != "fhir-copay-type"]
            assert sorted(map(_benefit_row, stated), key=str) == sorted(
                map(_model_row, expected.benefits), key=str
            )
        for group in patient["claims"]:
            member = members[group["payer"]["id"]]
            expected_claims = world.books[member.payer_key].claims_of(
                member.member_id, None, ClaimStatusFilter.ALL
            )
            assert [
                (c["controlNumber"], c["totalCharge"], c["status"]["state"])
                for c in group["claims"]
            ] == [
                (c.control_number, str(c.total_charge), c.status.state.name)
                for c in expected_claims
            ]
        for group in patient["payments"]:
            member = members[group["payer"]["id"]]
            expected_payments = world.books[member.payer_key].payments_for(member.member_id)
            assert [(p["traceNumber"], p["amount"]) for p in group["payments"]] == [
                (p.trace_number, str(p.amount)) for p in expected_payments
            ]


async def test_money_codes_and_adjustments_arrive_exact(gateway: Gateway, world) -> None:  # type: ignore[no-untyped-def]
    paid = [
        (key, m)
        for key in world.people
        for m in world.coverages_of(key)
        if m.payer_key in gateway.sandbox_apps
        and world.books[m.payer_key].payments_for(m.member_id)
    ]
    assert paid
    person, member = paid[0]
    body = await gateway.query(SUMMARY, {"id": gateway.patient_ids[person]})
    group = next(
        g for g in body["data"]["patient"]["payments"] if g["payer"]["id"] == member.payer_key
    )
    expected = world.books[member.payer_key].payments_for(member.member_id)[0]
    payment = group["payments"][0]
    claim, expected_claim = payment["claims"][0], expected.claims[0]
    assert claim["paid"] == str(expected_claim.paid)
    assert [
        (a["group"]["code"], a["reason"]["code"], a["amount"]) for a in claim["adjustments"]
    ] == [(a.group.code, a.reason.code, str(a.amount)) for a in expected_claim.adjustments]
    assert all(
        a["reason"]["description"]
        and "not in the gateway's table" not in a["reason"]["description"]
        for a in claim["adjustments"]
    )
    assert all(a["explanation"] for a in claim["adjustments"])


@pytest.mark.timed
async def test_payers_are_asked_at_once_not_one_after_another(gateway: Gateway, world) -> None:  # type: ignore[no-untyped-def]
    person = _multi_covered(gateway, world)[0]
    for payer_id in gateway.sandbox_apps:
        await gateway.faults(payer_id, latency_ms=400)
    started = time.perf_counter()
    body = await gateway.query(SUMMARY, {"id": gateway.patient_ids[person]})
    elapsed = time.perf_counter() - started
    assert "errors" not in body
    calls = 3 * len(body["data"]["patient"]["coverages"])  # eligibility, claims, payments per payer
    assert calls >= 6
    assert elapsed < 0.4 * 2, (
        f"{calls} calls of 0.4 s took {elapsed:.2f} s: they did not run concurrently"
    )


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"error_rate": 1.0}, "PAYER_UNAVAILABLE"),
        ({"hang": True}, "PAYER_TIMEOUT"),
        ({"malformed": True}, "PAYER_PROTOCOL_ERROR"),
    ],
)
@pytest.mark.timed
async def test_a_failing_payer_nulls_only_its_part(gateway: Gateway, world, fault, code) -> None:  # type: ignore[no-untyped-def]
    person = _multi_covered(gateway, world)[0]
    broken = next(
        m.payer_key for m in world.coverages_of(person) if m.payer_key in gateway.sandbox_apps
    )
    await gateway.faults(broken, **fault)
    started = time.perf_counter()
    body = await gateway.query(SUMMARY, {"id": gateway.patient_ids[person]})
    elapsed = time.perf_counter() - started
    timeout = gateway.services.payers.get(broken).settings.timeout_seconds  # type: ignore[union-attr]
    assert elapsed < timeout + 1.0
    patient = body["data"]["patient"]
    for field in ("eligibility", "claims", "payments"):
        items = patient[field]
        failed = [i for i, item in enumerate(items) if item is None]
        assert len(failed) == 1, field
        assert all(item["payer"]["id"] != broken for item in items if item is not None)
        errors = [e for e in body["errors"] if e["path"] == ["patient", field, failed[0]]]
        assert len(errors) == 1
        assert errors[0]["extensions"]["payer"] == broken
        assert errors[0]["extensions"]["code"] == code
        assert errors[0]["message"].startswith(f"{broken}: ")
    assert "Traceback" not in str(body)


async def test_unknown_service_type_is_refused_before_any_payer_is_asked(
    gateway: Gateway, world
) -> None:  # type: ignore[no-untyped-def]
    person = _multi_covered(gateway, world)[0]
    body = await gateway.query(SUMMARY, {"id": gateway.patient_ids[person], "types": ["30", "ZZZ"]})
    assert body["data"]["patient"]["eligibility"] is None
    assert (
        body["data"]["patient"]["claims"] is not None
    )  # only the field with the bad argument fails
    error = next(e for e in body["errors"] if e["path"][-1] == "eligibility")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "ZZZ" in error["message"]
    for payer_id in gateway.sandbox_apps:
        stats = (await gateway.sandbox(payer_id).get("/_control/stats")).json()
        assert stats["requests"].get("eligibility", 0) == 0
