"""A payer's failure never shows a caller without phi:read the member it was about.

Adapters build their errors from what the payer said, and payers quote the request back (member ids,
names, birth dates). The gateway words what every caller sees from the error's code and our code
tables; the payer's own words reach only callers holding phi:read (gateway/graphql/payer_errors.py).
Proved for every contract error class (and an adapter's own subclass), and end to end for every
sandbox protocol and every failure a sandbox can be made to produce.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.errors import PayerCallFailed
from gateway.identity import (
    CLAIMS_READ,
    ELIGIBILITY_READ,
    PATIENTS_READ,
    PAYMENTS_READ,
    create_api_key,
)
from payers import contract
from payers.model import Code
from tests.gateway.conftest import Gateway

FIRST, LAST, BORN = "Quintessa", "Redactova", "1979-03-14"
#: One made-up member id per sandbox protocol (REST, FHIR, X12), none in the payers' books.
MEMBER_IDS = {
    "lakeshore": "LHPX84552669",
    "northwind": "NWBX5512093",
    "summit": "SHAX33109921",
}
NO_PHI_SCOPES = frozenset({PATIENTS_READ, ELIGIBILITY_READ, CLAIMS_READ, PAYMENTS_READ})

SUMMARY = """
query($id: ID!) {
  patient(id: $id) {
    eligibility(serviceTypes: ["30"], fresh: true) { payer { id } active }
    claims(fresh: true) { payer { id } claims { controlNumber } }
    payments(fresh: true) { payer { id } payments { traceNumber } }
  }
}"""


def _phi_marks() -> list[str]:
    marks = [FIRST, LAST, BORN, BORN.replace("-", ""), *MEMBER_IDS.values()]
    return marks + [m.lower() for m in marks] + [m.upper() for m in marks]


def _leaks(text: str) -> list[str]:
    return sorted({mark for mark in _phi_marks() if mark in text})


def _all_error_classes() -> list[type[contract.PayerError]]:
    found, todo = [], [contract.PayerError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


class PlanTerminated(contract.PayerRejected):
    """An adapter's own error code, unknown to the gateway: worded as its contract parent (found by
    the subclass walk below, like every contract class)."""

    code = "PLAN_TERMINATED"


@pytest.mark.parametrize("error_class", _all_error_classes(), ids=lambda c: c.__name__)
def test_no_payer_words_in_what_every_caller_sees(error_class: type[contract.PayerError]) -> None:
    message = (
        f"no member {MEMBER_IDS['lakeshore']!r} named {LAST.upper()}, {FIRST} born "
        f"{BORN.replace('-', '')} at this payer"
    )
    with_reasons = (contract.PayerRejected, contract.PayerUnavailable)
    if issubclass(error_class, with_reasons):
        reasons = [
            contract.PayerRejection(
                Code("aaa-reject-reason", "72", "x"), follow_up=f"call {FIRST}"
            ),
            contract.PayerRejection(Code("payer-private", "E17", f"member {LAST} {BORN} unknown")),
        ]
        error = error_class("lakeshore", message, reasons)
    else:
        error = error_class("lakeshore", message)
    failure = PayerCallFailed(error, "eligibility")
    shown = json.dumps({"message": failure.message, "extensions": failure.extensions})
    assert _leaks(shown) == []
    assert failure.payer_message == message  # kept for phi:read callers
    assert failure.extensions["code"] == error.code
    if issubclass(error_class, with_reasons):
        # Codes stay machine-readable; our own table describes the AAA code, the payer's list is bare.
        assert failure.extensions["payerCodes"] == [
            {
                "code": "72",
                "system": "aaa-reject-reason",
                "description": "Invalid/Missing Subscriber/Insured ID",
            },
            {"code": "E17", "system": "payer-private", "description": None},
        ]


async def _patient_unknown_everywhere(gateway: Gateway) -> str:
    body = await gateway.query(
        """mutation($input: RegisterPatientInput!) {
             registerPatient(input: $input) { patient { id } errors { code message } } }""",
        {
            "input": {
                "firstName": FIRST,
                "lastName": LAST,
                "birthDate": BORN,
                "coverages": [
                    {"payerId": payer, "memberId": member, "priority": order}
                    for order, (payer, member) in enumerate(MEMBER_IDS.items(), start=1)
                ],
            }
        },
    )
    payload = body["data"]["registerPatient"]
    assert payload["errors"] == [], payload
    return str(payload["patient"]["id"])


async def _summary(gateway: Gateway, patient_id: str, key: str) -> tuple[str, list[dict[str, Any]]]:
    response = await gateway.post(SUMMARY, {"id": patient_id}, key=key)
    assert response.status_code == 200, response.text
    return response.text, response.json().get("errors", [])


FAULTS: dict[str, dict[str, Any]] = {
    "member not found": {},
    "payer down": {"error_rate": 1.0},
    "payer busy": {"busy": True},
    "malformed answer": {"malformed": True},
    "timeout": {"latency_ms": 3000},
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_every_sandbox_failure_is_phi_free_without_phi_read(
    gateway: Gateway, fault: str
) -> None:
    patient_id = await _patient_unknown_everywhere(gateway)
    for payer in MEMBER_IDS:
        if FAULTS[fault]:
            await gateway.faults(payer, **FAULTS[fault])
    no_phi = await create_api_key(
        gateway.services.database, gateway.practice_id, "bi", NO_PHI_SCOPES
    )

    text, errors = await _summary(gateway, patient_id, no_phi)
    failed = {(e["extensions"]["payer"], e["extensions"]["code"]) for e in errors}
    assert {payer for payer, _ in failed} == set(MEMBER_IDS), errors  # every payer failed...
    assert _leaks(text) == []  # ...and nothing in the answer names the member
    assert all("payerMessage" not in e["extensions"] for e in errors)

    _, errors_with_phi = await _summary(gateway, patient_id, gateway.key)
    assert {e["extensions"]["payer"] for e in errors_with_phi} == set(MEMBER_IDS)
    assert all(isinstance(e["extensions"].get("payerMessage"), str) for e in errors_with_phi)

    # The message is the same for everyone (the payer's words are only ever an extension); the
    # second ask may meet an opened breaker, so compare what both asks answered alike.
    # (One payer's operations may word the same code differently: its eligibility answer names
    # the AAA reason, its claim search does not.)
    def key_of(e: dict[str, Any]) -> tuple[str, str, str]:
        ext = e["extensions"]
        return (ext["payer"], ext.get("operation", ""), ext["code"])

    worded = {key_of(e): e["message"] for e in errors}
    for error in errors_with_phi:
        key = key_of(error)
        assert worded.get(key, error["message"]) == error["message"]


async def test_member_not_found_names_the_member_only_for_phi_read(gateway: Gateway) -> None:
    """The case from the review: the REST payer's message quotes the member id back."""
    patient_id = await _patient_unknown_everywhere(gateway)
    no_phi = await create_api_key(
        gateway.services.database, gateway.practice_id, "bi", NO_PHI_SCOPES
    )
    _, errors = await _summary(gateway, patient_id, no_phi)
    lakeshore = [e for e in errors if e["extensions"]["payer"] == "lakeshore"]
    assert lakeshore and all(e["extensions"]["code"] == "MEMBER_NOT_FOUND" for e in lakeshore)
    assert "check the member id" in lakeshore[0]["message"]

    _, errors = await _summary(gateway, patient_id, gateway.key)
    words = [
        e["extensions"]["payerMessage"] for e in errors if e["extensions"]["payer"] == "lakeshore"
    ]
    assert any(MEMBER_IDS["lakeshore"] in w for w in words), words
