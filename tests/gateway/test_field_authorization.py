"""Authorization is declared on fields: a denied field is null with FORBIDDEN at its path, the rest
answers; analysts see pseudonymous patient keys instead of identity."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLObjectType

from gateway.graphql.schema import build_schema
from tests.gateway.conftest import Gateway
from tests.gateway.people import People

SUMMARY = """query($id: ID!) { patient(id: $id) {
  id patientKey firstName lastName birthDate
  coverages { memberId priority }
  claims(status: ALL) { patientKey claims { controlNumber memberId totalCharge } }
  payments { patientKey payments { traceNumber amount claims { paid memberId adjustments { amount } } } }
} }"""

#: Root fields anyone may call: the way in. Every other root field must declare a permission.
PUBLIC_ROOT_FIELDS = {
    "registerPractice",
    "login",
    "completeLogin",
    "refreshSession",
    "acceptInvitation",
}
PHI_FIELD_NAMES = {
    "firstName",
    "lastName",
    "birthDate",
    "memberId",
    "phone",
    "address",
    "subscriber",
    "rawExchange",
}


def _paid_person(gateway: Gateway, world: Any) -> str:
    for key in world.people:
        for member in world.coverages_of(key):
            if member.payer_key in gateway.sandbox_apps and world.books[
                member.payer_key
            ].payments_for(member.member_id):
                return str(key)
    raise AssertionError("the sandbox world has no paid claims")


def _errors_at(body: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    return {tuple(e["path"]): e["extensions"]["code"] for e in body.get("errors", [])}


async def test_analyst_gets_claims_and_payments_with_a_pseudonym_instead_of_identity(
    gateway: Gateway, people: People, world: Any
) -> None:
    person = _paid_person(gateway, world)
    patient_id = gateway.patient_ids[person]
    body = await gateway.query(SUMMARY, {"id": patient_id}, key=people.analyst.token)
    patient = body["data"]["patient"]
    assert (patient["firstName"], patient["lastName"], patient["birthDate"]) == (None, None, None)
    errors = _errors_at(body)
    assert errors[("patient", "firstName")] == errors[("patient", "birthDate")] == "FORBIDDEN"
    assert all(c["memberId"] is None for c in patient["coverages"])
    key = patient["patientKey"]
    assert key.startswith("pk_") and len(key) == 35
    assert {group["patientKey"] for group in patient["claims"] + patient["payments"]} == {key}
    payments = [p for group in patient["payments"] for p in group["payments"]]
    assert payments and all(p["traceNumber"] and p["amount"] for p in payments)
    assert all(c["memberId"] is None for p in payments for c in p["claims"])
    assert all(
        isinstance(c["adjustments"], list) for p in payments for c in p["claims"]
    )  # payments:read
    # Stable: the same key next time; the biller (with phi:read) sees the same key plus identity.
    again = await gateway.query(SUMMARY, {"id": patient_id}, key=people.analyst.token)
    assert again["data"]["patient"]["patientKey"] == key
    full = await gateway.query(SUMMARY, {"id": patient_id}, key=people.biller.token)
    assert "errors" not in full
    assert full["data"]["patient"]["patientKey"] == key
    assert full["data"]["patient"]["lastName"] == world.people[person].last_name


async def test_front_desk_without_payments_read_gets_the_rest_of_the_query(
    gateway: Gateway, people: People, world: Any
) -> None:
    patient_id = gateway.patient_ids[_paid_person(gateway, world)]
    body = await gateway.query(SUMMARY, {"id": patient_id}, key=people.front_desk.token)
    assert _errors_at(body) == {("patient", "payments"): "FORBIDDEN"}
    patient = body["data"]["patient"]
    assert patient["payments"] is None
    assert patient["firstName"] and patient["claims"] is not None
    forbidden = next(e for e in body["errors"] if e["path"] == ["patient", "payments"])
    assert (
        forbidden["message"] == "Your credentials lack the 'payments:read' scope this field needs."
    )


async def test_a_key_with_patients_read_only_sees_no_phi_and_no_payer_data(
    gateway: Gateway, world: Any
) -> None:
    from gateway.identity import create_api_key

    key = await create_api_key(
        gateway.services.database, gateway.practice_id, "lookup", frozenset({"patients:read"})
    )
    patient_id = gateway.patient_ids[_paid_person(gateway, world)]
    body = await gateway.query(SUMMARY, {"id": patient_id}, key=key)
    assert set(_errors_at(body)) >= {
        ("patient", "firstName"),
        ("patient", "claims"),
        ("patient", "payments"),
    }
    assert body["data"]["patient"]["id"] == patient_id


async def test_a_denied_root_field_gives_nothing_and_the_others_answer(
    gateway: Gateway, people: People
) -> None:
    body = await gateway.query("{ users { email } me { role } }", key=people.analyst.token)
    assert body["data"] == {"users": None, "me": {"role": "ANALYST"}}
    assert _errors_at(body) == {("users",): "FORBIDDEN"}
    operator = await gateway.query(
        "{ patients(first: 5) { edges { node { id } } } me { role } }", key=people.operator.token
    )
    assert operator["data"] == {"patients": None, "me": {"role": "OPERATOR"}}


async def test_anonymous_callers_reach_only_the_way_in(gateway: Gateway) -> None:
    response = await gateway.client.post("/graphql", json={"query": "{ me { role } }"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def _directives(field: Any) -> set[str]:
    return {d.name.value for d in ((field.ast_node.directives if field.ast_node else None) or ())}


def test_every_root_field_declares_who_may_call_it() -> None:
    from graphql import build_schema as parse_sdl

    unguarded = set()
    sdl = parse_sdl(build_schema().as_str())
    for root in (sdl.query_type, sdl.mutation_type):
        for name, field in root.fields.items():  # type: ignore[union-attr]
            if not _directives(field) & {"requiresScope", "requiresAuthentication"}:
                unguarded.add(name)
    assert unguarded == PUBLIC_ROOT_FIELDS


def test_every_phi_field_needs_phi_read() -> None:
    from graphql import build_schema as parse_sdl

    sdl = parse_sdl(build_schema().as_str())
    found = 0
    for type_ in sdl.type_map.values():
        if (
            not isinstance(type_, GraphQLObjectType)
            or type_.name.startswith("__")
            or type_.name in {"Subscriber", "User", "Invitation"}
        ):
            continue
        for name, field in type_.fields.items():
            if name in PHI_FIELD_NAMES:
                found += 1
                arguments = [
                    {a.name.value: a.value.value for a in d.arguments}  # type: ignore[attr-defined]
                    for d in (field.ast_node.directives or ())
                    if d.name.value == "requiresScope"
                ]
                assert {"scope": "phi:read"} in arguments, (
                    f"{type_.name}.{name} is PHI without phi:read"
                )
    assert found >= 10
