"""Structured JSON logs: every line written during a request carries its id; none carries PHI."""

from __future__ import annotations

import io
import json
import logging

from gateway.logs import JsonFormatter
from gateway.observability.context import RequestIdFilter
from tests.cache.fixtures import active_payers, covered_people, open_gateway

SUMMARY = """
query Summary($id: ID!) {
  patient(id: $id) { firstName lastName birthDate eligibility(fresh: true) { memberId active } }
}"""


async def test_logs_carry_the_request_id_and_no_patient_data(database, world) -> None:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        async with open_gateway(database, world, retry_attempts=1) as gateway:
            person = covered_people(gateway, world)[0]
            payer = active_payers(gateway, world, person)[0]
            await gateway.faults(payer, error_rate=1.0)
            response = await gateway.client.post(
                "/graphql",
                json={"query": SUMMARY, "variables": {"id": gateway.patient_ids[person]}},
                headers={"Authorization": f"Bearer {gateway.key}", "X-Request-ID": "req-test-0001"},
            )
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert response.headers["x-request-id"] == "req-test-0001"
    assert response.json()["errors"][0]["extensions"]["payer"] == payer
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "req-test-0001"]
    access = [line for line in mine if line["message"] == "graphql request"]
    assert [(a["operation"], a["status"], a["practice_id"]) for a in access] == [
        ("Summary", 200, gateway.practice_id)
    ]
    assert any(line["message"] == "retrying payer read" and line["payer"] == payer for line in mine)
    text = stream.getvalue()
    people = world.people[person]
    members = [m.member_id for m in world.coverages_of(person)]
    for secret in (people.first_name, people.last_name, people.birth_date.isoformat(), *members):
        assert secret not in text, f"PHI in logs: {secret}"
