"""A third-party adapter installed through the entry point answers the headline query; gateway/ is untouched."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from gateway.config import GatewaySettings
from gateway.http.app import build_services, create_app
from gateway.identity import create_api_key
from gateway.practices import create_practice
from gateway.storage.database import Database
from gateway.storage.tables import Coverage, Patient
from payers.registry import AdapterRegistry, parse_payers_config

SITE = Path(__file__).with_name("site")
ROOT = Path(__file__).resolve().parents[2]


def acme_server() -> Starlette:
    async def coverage(request: Request) -> JSONResponse:
        if (
            request.path_params["member_id"] != "ACME-77"
            or request.query_params.get("dob") != "1979-05-17"
        ):
            return JSONResponse({"error": "not found"}, status_code=404)
        return JSONResponse(
            {
                "active": True,
                "plan": "Acme Silver",
                "copays": [
                    {"service": "98", "amount": "25.00"},
                    {"service": "UC", "amount": "60.00"},
                ],
            }
        )

    return Starlette(routes=[Route("/members/{member_id}/coverage", coverage)])


@pytest.fixture
def acme_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(SITE))
    monkeypatch.delenv("PAYER_GATEWAY_DISABLE_ADAPTER_AUTOLOAD", raising=False)


def test_entry_point_is_discovered_and_can_be_switched_off(acme_installed: None) -> None:
    assert "acme" in AdapterRegistry.discover().names()
    assert AdapterRegistry.discover().get("acme").protocol == "acme-json"
    assert (
        "acme"
        not in AdapterRegistry.discover({"PAYER_GATEWAY_DISABLE_ADAPTER_AUTOLOAD": "1"}).names()
    )


async def test_third_party_payer_answers_the_headline_query(
    acme_installed: None, database: Database
) -> None:
    config = """
[[payers]]
id = "acme"
name = "Acme Benefits"
adapter = "acme"
base_url = "http://acme.test"
"""
    apps = {"acme": acme_server()}
    services = build_services(
        GatewaySettings(database_url=database.url),
        parse_payers_config(config),
        transport_for=lambda s: httpx.ASGITransport(app=apps[s.id]),
    )
    practice_id = await create_practice(database, "Acme Test Clinic", "1234567893", "123456789")
    async with database.transaction() as session:
        patient = Patient(
            practice_id=practice_id,
            first_name="Olive",
            last_name="Example",
            birth_date=__import__("datetime").date(1979, 5, 17),
        )
        session.add(patient)
        await session.flush()
        session.add(
            Coverage(
                practice_id=practice_id, patient_id=patient.id, payer_id="acme", member_id="ACME-77"
            )
        )
        patient_id = patient.id
    key = await create_api_key(database, practice_id, "t")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(services)), base_url="http://gw"
    ) as client:
        response = await client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "query": 'query($id: ID!) { payers { id protocol capabilities } patient(id: $id) { eligibility(serviceTypes: ["98"]) { payer { id name } active plan { name } benefits { kind amount serviceTypes { code description } } } } }',
                "variables": {"id": patient_id},
            },
        )
    await services.payers.aclose()
    await services.database.dispose()
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["payers"] == [
        {"id": "acme", "protocol": "acme-json", "capabilities": ["ELIGIBILITY"]}
    ]
    (answer,) = body["data"]["patient"]["eligibility"]
    assert answer["payer"] == {"id": "acme", "name": "Acme Benefits"}
    assert answer["active"] is True and answer["plan"] == {"name": "Acme Silver"}
    assert [(b["kind"], b["amount"], b["serviceTypes"][0]["code"]) for b in answer["benefits"]] == [
        ("COPAY", "25.00", "98"),
        ("COPAY", "60.00", "UC"),
    ]
    assert answer["benefits"][0]["serviceTypes"][0]["description"]


def test_gateway_package_never_names_an_adapter() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "gateway").rglob("*.py")
        if any(
            name in path.read_text(encoding="utf-8")
            for name in ("payers.rest", "payers.fhir", "payers.x12", "acme")
        )
    ]
    assert offenders == []
