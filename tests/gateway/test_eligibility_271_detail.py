"""What a 271 says beyond amounts reaches the API: the payer's AAA beside benefits as findings with
their codes, the dependent (PHI: phi:read), and the new benefit fields; and a payer that cannot
answer (AAA 42) shows its codes in the error's extensions.

The X12 payer here is the Summit sandbox, whose 271 payload is swapped, on the wire, for a public
271 sample (tests/fixtures/x12): real payers' shapes the sandbox does not write. Everything else
(the CORE envelope, the gateway, the adapter, the schema) is the real path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.identity import ELIGIBILITY_READ, PATIENTS_READ, create_api_key
from gateway.storage.database import Database
from payers.sandbox.x12_core import read_form
from tests.gateway.conftest import Gateway, start_gateway

X12 = "summit"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "x12"

QUERY = """query($id: ID!) { patient(id: $id) { eligibility(serviceTypes: ["30"], fresh: true) {
  payer { id } active
  findings { code severity location segment codes { system code description } }
  dependent { firstName lastName birthDate gender memberId relationship { code description } }
  benefits {
    kind code { code } insuranceType { code description } quantity quantityQualifier { code description }
    inPlanNetwork procedure { system code }
    dates { qualifier { code } start end }
    references { qualifier { code } value description }
    relatedEntities { entity { code description } name firstName identifier
      identifierQualifier { code } contacts { name numbers { qualifier { code } value } } }
    findings { code codes { code } }
  }
} } }"""


class RecordedAnswer(httpx.AsyncBaseTransport):
    """The sandbox payer's answer, with its 271 payload replaced by ``sample`` when one is set."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sample: str | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        form = read_form(response.headers.get("content-type", ""), content) or {}
        if self.sample is None or "ST*271*" not in form.get("Payload", ""):
            return httpx.Response(response.status_code, headers=response.headers, content=content)
        head, _, rest = content.partition(b'name="Payload"\r\n\r\n')
        _, _, tail = rest.partition(b"\r\n--")
        swapped = head + b'name="Payload"\r\n\r\n' + self.sample.encode() + b"\r\n--" + tail
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(response.status_code, headers=headers, content=swapped)


@pytest.fixture
async def recorded(database: Database, world: Any) -> AsyncIterator[tuple[Gateway, RecordedAnswer]]:
    wrappers: dict[str, RecordedAnswer] = {}

    def wrap(payer_id: str, transport: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        if payer_id != X12:
            return transport
        # one wire for every client the gateway builds for this payer (queries, batches)
        return wrappers.setdefault(payer_id, RecordedAnswer(transport))

    # The public samples are indented and their SE counts are the upstream's: a lenient payer.
    lenient = {X12: {"strict_envelopes": False}}
    async for gateway in start_gateway(database, world, wrap_transport=wrap, payer_options=lenient):
        yield gateway, wrappers[X12]


def _summit_patient(gateway: Gateway, world: Any) -> str:
    person = next(m.person.key for m in world.books[X12].members.values() if m.on_file)
    return gateway.patient_ids[person]


async def _summit_answer(gateway: Gateway, patient_id: str, key: str | None = None) -> Any:
    body = await gateway.query(QUERY, {"id": patient_id}, key=key)
    assert body["data"] and None not in body["data"]["patient"]["eligibility"], body["errors"]
    answers = [a for a in (body["data"]["patient"]["eligibility"] or []) if a["payer"]["id"] == X12]
    assert len(answers) == 1, body
    return answers[0], body.get("errors", [])


async def test_aaa_beside_benefits_are_findings_in_the_api(
    recorded: tuple[Gateway, RecordedAnswer], world: Any
) -> None:
    gateway, wire = recorded
    wire.sample = (FIXTURES / "271_4010_aaa_beside_benefits_dhhs_oopfactory.txt").read_text(
        encoding="utf-8"
    )
    answer, errors = await _summit_answer(gateway, _summit_patient(gateway, world))
    assert errors == []
    assert answer["active"] is True and answer["dependent"] is None
    # The sample starts with a byte order mark and is indented: layout findings come first.
    layout = [f["code"] for f in answer["findings"] if f["code"].startswith("X12_LAYOUT")]
    assert "X12_LAYOUT_BOM" in layout
    answer["findings"] = answer["findings"][len(layout) :]
    assert [(f["code"], f["severity"], f["segment"]) for f in answer["findings"]] == [
        ("271_PAYER_AAA", "WARNING", 6),
        ("271_PAYER_AAA", "WARNING", 10),
        ("271_PAYER_AAA", "WARNING", 21),
    ]
    assert answer["findings"][2]["location"] == "loop 2100C, AAA (segment 21)"
    assert [(c["system"], c["code"]) for c in answer["findings"][0]["codes"]] == [
        ("aaa-valid-request", "N"),
        ("aaa-reject-reason", "RC"),
        ("aaa-follow-up", "C"),
    ]
    benefits = answer["benefits"]
    assert len(benefits) == 12
    assert benefits[2]["insuranceType"] == {
        "code": "QM",
        "description": "Qualified Medicare Beneficiary",
    }
    assert (benefits[4]["kind"], benefits[4]["quantity"]) == ("BENEFIT_DESCRIPTION", "999")
    assert benefits[4]["quantityQualifier"] == {"code": "VS", "description": "Visits"}
    (pcp,) = benefits[8]["relatedEntities"]
    assert pcp["entity"] == {"code": "1P", "description": "Provider"}
    assert (pcp["name"], pcp["identifier"], pcp["identifierQualifier"]["code"]) == (
        "Public",
        "ProviderID",
        "SV",
    )
    assert pcp["contacts"] == [
        {"name": None, "numbers": [{"qualifier": {"code": "TE"}, "value": "PhoneNbr"}]}
    ]
    policy = benefits[11]
    assert policy["references"] == [
        {"qualifier": {"code": "IG"}, "value": "PolicyNo", "description": "Carrier Name"}
    ]
    assert [f["code"] for f in policy["findings"]] == ["271_BENEFIT_DATE_UNREADABLE"] * 2


async def test_dependent_and_benefit_fields_and_their_phi_guard(
    recorded: tuple[Gateway, RecordedAnswer], world: Any
) -> None:
    gateway, wire = recorded
    wire.sample = (FIXTURES / "271_5010_dependent_plan_copay_lfh.x12").read_text(encoding="ascii")
    patient_id = _summit_patient(gateway, world)
    answer, errors = await _summit_answer(gateway, patient_id)
    assert errors == []
    assert answer["dependent"] == {
        "firstName": "MARY",
        "lastName": "SMITH",
        "birthDate": "1998-10-14",
        "gender": "F",
        "memberId": None,
        "relationship": {"code": "19", "description": "Child"},
    }
    copay_in, copay_out = answer["benefits"][3], answer["benefits"][4]
    assert (copay_in["kind"], copay_in["inPlanNetwork"], copay_out["inPlanNetwork"]) == (
        "COPAY",
        True,
        False,
    )
    assert copay_in["insuranceType"]["code"] == "HM"
    assert answer["benefits"][1]["kind"] == "PRIMARY_CARE_PROVIDER"
    assert answer["benefits"][1]["relatedEntities"][0]["entity"]["code"] == "P3"

    # Without phi:read: the dependent's relationship shows, the person does not.
    no_phi = await create_api_key(
        gateway.services.database, gateway.practice_id, "bi", {PATIENTS_READ, ELIGIBILITY_READ}
    )
    answer, errors = await _summit_answer(gateway, patient_id, key=no_phi)
    assert answer["dependent"] == {
        "firstName": None,
        "lastName": None,
        "birthDate": None,
        "gender": None,
        "memberId": None,
        "relationship": {"code": "19", "description": "Child"},
    }
    forbidden = {tuple(e["path"][-2:]) for e in errors if e["extensions"]["code"] == "FORBIDDEN"}
    assert ("dependent", "firstName") in forbidden and ("dependent", "birthDate") in forbidden
    assert answer["benefits"][1]["relatedEntities"][0]["name"] is None
    assert "SMITH" not in str(answer) and "1998" not in str(answer)


async def test_a_busy_x12_payer_shows_its_aaa_codes_in_the_error(
    recorded: tuple[Gateway, RecordedAnswer], world: Any
) -> None:
    gateway, _ = recorded
    await gateway.faults(X12, busy=True)
    body = await gateway.query(QUERY, {"id": _summit_patient(gateway, world)})
    (error,) = [e for e in body["errors"] if e["extensions"].get("payer") == X12]
    assert error["extensions"]["code"] == "PAYER_UNAVAILABLE"
    assert error["extensions"]["retryable"] is True
    assert [(c["system"], c["code"]) for c in error["extensions"]["payerCodes"]] == [
        ("aaa-reject-reason", "42")
    ]
    assert (
        error["extensions"]["payerCodes"][0]["description"] == "Unable to Respond at Current Time"
    )
