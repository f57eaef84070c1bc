"""discoverCoverage and addDiscoveredCoverage over HTTP, against the four sandbox payers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.identity import ELIGIBILITY_READ, PATIENTS_READ, create_api_key
from gateway.storage.audit_tables import AuditEvent
from tests.gateway.conftest import Gateway

DISCOVER = """
query($patientId: ID, $who: DiscoveryDemographicsInput) {
  discoverCoverage(patientId: $patientId, demographics: $who) {
    patient { id }
    errors { code field message }
    payers {
      payer { id }
      outcome errorCode
      coverages {
        memberId confidence matchedOn onFile relation
        plan { name groupNumber }
        person { firstName lastName birthDate postalCode }
      }
    }
  }
}
"""
ADD = """
mutation($input: AddDiscoveredCoverageInput!) {
  addDiscoveredCoverage(input: $input) {
    coverage { id priority memberId payer { id } }
    errors { code field message }
  }
}
"""


def by_payer(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert "errors" not in answer, answer
    found = answer["data"]["discoverCoverage"]
    assert found["errors"] == []
    return {p["payer"]["id"]: p for p in found["payers"]}


def who(world: Any, key: str, **changes: Any) -> dict[str, Any]:
    person = world.people[key]
    given = {
        "firstName": person.first_name,
        "lastName": person.last_name,
        "birthDate": person.birth_date.isoformat(),
        "gender": person.gender,
        "postalCode": person.postal_code,
    }
    return {**given, **changes}


async def requests_to_payers(gateway: Gateway) -> int:
    total = 0
    for payer_id in gateway.sandbox_apps:
        stats = (await gateway.sandbox(payer_id).get("/_control/stats")).json()
        total += stats["requests"].get("coverage_discovery", 0)
    return total


async def test_a_patient_without_cards_is_found_at_two_payers_of_two_protocols(
    gateway: Gateway,
) -> None:
    answer = await gateway.query(DISCOVER, {"patientId": gateway.patient_ids["quincy"]})
    payers = by_payer(answer)
    assert {k: p["outcome"] for k, p in payers.items()} == {
        "lakeshore": "NOT_FOUND",
        "cascade": "NOT_FOUND",
        "northwind": "FOUND",
        "summit": "FOUND",
    }
    for payer_id, member_id in (("northwind", "NWB361905528"), ("summit", "SHA772045139")):
        [found] = payers[payer_id]["coverages"]
        assert found["memberId"] == member_id and found["confidence"] == "HIGH"
        assert {"FIRST_NAME", "LAST_NAME", "BIRTH_DATE", "POSTAL_CODE"} <= set(found["matchedOn"])
        assert found["onFile"] is False and found["plan"]["groupNumber"]
    assert answer["data"]["discoverCoverage"]["patient"]["id"] == gateway.patient_ids["quincy"]


async def test_twins_a_first_name_variant_is_medium_confidence(
    gateway: Gateway, world: Any
) -> None:
    payers = by_payer(await gateway.query(DISCOVER, {"who": who(world, "jordan")}))
    rest = payers["lakeshore"]["coverages"]
    assert [(c["person"]["firstName"], c["confidence"]) for c in rest] == [
        ("Jordan", "HIGH"),
        ("Jordyn", "MEDIUM"),
    ]
    assert "FIRST_NAME_VARIANT" in rest[1]["matchedOn"] and "FIRST_NAME" not in rest[1]["matchedOn"]
    [x12] = payers["summit"]["coverages"]  # the X12 payer answers the exact twin only
    assert (x12["memberId"], x12["confidence"]) == ("SHA640552817", "HIGH")
    # Without a ZIP code the exact name is only MEDIUM: nothing confirms it is this person.
    no_zip = by_payer(await gateway.query(DISCOVER, {"who": who(world, "jordan", postalCode=None)}))
    assert no_zip["summit"]["coverages"][0]["confidence"] == "MEDIUM"


async def test_someone_no_payer_knows_and_an_ambiguous_x12_search(
    gateway: Gateway, world: Any
) -> None:
    payers = by_payer(await gateway.query(DISCOVER, {"who": who(world, "norma")}))
    assert {p["outcome"] for p in payers.values()} == {"NOT_FOUND"}
    assert all(p["coverages"] == [] and p["errorCode"] is None for p in payers.values())
    vague = by_payer(
        await gateway.query(DISCOVER, {"who": who(world, "jordan", firstName="Jordon")})
    )
    assert vague["summit"]["outcome"] == "NOT_FOUND"
    assert vague["summit"]["errorCode"] == "PAYER_REJECTED"  # AAA 76: several members match
    assert len(vague["lakeshore"]["coverages"]) == 2


async def test_a_payer_down_is_not_answering_and_the_others_still_answer(
    gateway: Gateway,
) -> None:
    await gateway.faults("northwind", error_rate=1.0)
    await gateway.faults("summit", busy=True)
    payers = by_payer(await gateway.query(DISCOVER, {"patientId": gateway.patient_ids["quincy"]}))
    assert payers["northwind"]["outcome"] == "NOT_ANSWERING"
    assert payers["northwind"]["errorCode"] in ("PAYER_UNAVAILABLE", "PAYER_TIMEOUT")
    assert payers["summit"]["outcome"] == "NOT_ANSWERING"
    assert payers["lakeshore"]["outcome"] == "NOT_FOUND"


async def test_bad_demographics_are_refused_before_any_payer_is_asked(
    gateway: Gateway, world: Any
) -> None:
    bad = who(world, "quincy", firstName="", birthDate="2999-01-01", gender="X", postalCode="4399")
    answer = await gateway.query(DISCOVER, {"who": bad})
    found = answer["data"]["discoverCoverage"]
    assert found["payers"] == []
    assert sorted(e["code"] for e in found["errors"]) == [
        "DATE_IN_FUTURE",
        "INVALID_GENDER",
        "INVALID_POSTAL_CODE",
        "REQUIRED",
    ]
    assert ["demographics", "firstName"] in [e["field"] for e in found["errors"]]
    both = await gateway.query(
        DISCOVER, {"who": who(world, "quincy"), "patientId": gateway.patient_ids["quincy"]}
    )
    assert both["data"]["discoverCoverage"]["errors"][0]["code"] == "INVALID_INPUT"
    assert await requests_to_payers(gateway) == 0


async def test_another_practices_patient_is_not_found(gateway: Gateway) -> None:
    answer = await gateway.query(
        DISCOVER, {"patientId": gateway.patient_ids["quincy"]}, key=gateway.other_key
    )
    assert answer["data"]["discoverCoverage"]["errors"][0]["code"] == "NOT_FOUND"
    assert answer["data"]["discoverCoverage"]["payers"] == []
    assert await requests_to_payers(gateway) == 0


async def test_phi_and_eligibility_scopes_are_needed(gateway: Gateway) -> None:
    key = await create_api_key(
        gateway.services.database,
        gateway.practice_id,
        "no-phi",
        frozenset({PATIENTS_READ, ELIGIBILITY_READ}),
    )
    answer = await gateway.query(DISCOVER, {"patientId": gateway.patient_ids["quincy"]}, key=key)
    assert answer["data"]["discoverCoverage"] is None
    assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await requests_to_payers(gateway) == 0


async def test_each_discovery_is_audited_without_phi(gateway: Gateway) -> None:
    patient_id = gateway.patient_ids["quincy"]
    await gateway.query(DISCOVER, {"patientId": patient_id})
    async with gateway.services.database.session() as session:
        rows = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.practice_id == gateway.practice_id)
            )
        )
    [event] = [r for r in rows if r.kind == "coverage.discovered"]
    assert event.detail == {"patientId": patient_id, "payersAsked": "4", "found": "2"}
    reads = [r for r in rows if r.kind == "phi.read" and r.patient_id == patient_id]
    fields = {f for r in reads for f in r.fields}
    assert {"FoundCoverage.memberId", "FoundCoverage.person"} <= fields
    assert "NWB361905528" not in str([(r.detail, r.fields) for r in rows])


async def test_discovery_is_rate_limited_per_caller(gateway: Gateway, world: Any) -> None:
    for _ in range(3):  # the test gateway allows 3 a minute
        assert by_payer(await gateway.query(DISCOVER, {"who": who(world, "norma")}))
    asked = await requests_to_payers(gateway)
    answer = await gateway.query(DISCOVER, {"who": who(world, "norma")})
    [error] = answer["data"]["discoverCoverage"]["errors"]
    assert error["code"] == "RATE_LIMITED" and "retry in" in error["message"]
    assert await requests_to_payers(gateway) == asked


async def test_a_found_coverage_is_added_once(gateway: Gateway) -> None:
    patient_id = gateway.patient_ids["quincy"]
    card = {"patientId": patient_id, "payerId": "northwind", "memberId": "NWB361905528"}
    added = (await gateway.query(ADD, {"input": card}))["data"]["addDiscoveredCoverage"]
    assert added["errors"] == []
    assert added["coverage"]["priority"] == 1 and added["coverage"]["payer"]["id"] == "northwind"
    second = {**card, "payerId": "summit", "memberId": "SHA772045139"}
    added = (await gateway.query(ADD, {"input": second}))["data"]["addDiscoveredCoverage"]
    assert added["coverage"]["priority"] == 2  # the first free place
    again = (await gateway.query(ADD, {"input": card}))["data"]["addDiscoveredCoverage"]
    assert again["coverage"] is None
    assert [e["code"] for e in again["errors"]] == ["DUPLICATE_COVERAGE"]
    payers = by_payer(await gateway.query(DISCOVER, {"patientId": patient_id}))
    assert payers["northwind"]["coverages"][0]["onFile"] is True
    other = (await gateway.query(ADD, {"input": card}, key=gateway.other_key))["data"]
    assert other["addDiscoveredCoverage"]["errors"][0]["code"] == "NOT_FOUND"
