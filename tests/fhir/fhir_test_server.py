"""A minimal but real FHIR R4 server (Starlette) serving the corpus fixtures, for adapter tests.

It speaks what :mod:`payers.fhir.adapter` documents: an OAuth2 client-credentials token endpoint,
Patient/Coverage/ExplanationOfBenefit/ClaimResponse searches returned as searchset Bundles paged
through ``next`` links, ``CoverageEligibilityRequest/$submit`` and ``Claim/$submit``. Its data are
the corpus files byte for byte plus two fictitious Patient resources naming the corpus patients.
``faults`` switches on misbehaviour for the negative tests.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from payers.fhir.claims import control_number_of
from payers.fhir.intake import read_claim, read_request
from payers.fhir.resources import parse_resource

FIXTURES = Path(__file__).parent.parent / "fixtures" / "fhir"
FHIR_JSON = "application/fhir+json"
CLIENT_ID, CLIENT_SECRET = "clinic-app", "s3cret-value"

# Fictitious Patients for the two corpus beneficiaries (member id, birth date chosen here).
BB2_PATIENT = {
    "resourceType": "Patient",
    "id": "-20140000008325",
    "identifier": [{"system": "http://hl7.org/fhir/sid/us-mbi", "value": "2SW4N00AA00"}],
    "name": [{"family": "Doe", "given": ["Jane"]}],
    "birthDate": "1950-03-24",
}
CARIN_PATIENT = {
    "resourceType": "Patient",
    "id": "ExamplePatient1",
    "identifier": [{"type": {"coding": [{"code": "MB"}]}, "value": "88800933501"}],
    "name": [{"family": "Smith", "given": ["John"]}],
    "birthDate": "1943-01-01",
}


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_bytes())


def _entries(name: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in fixture(name)["entry"]]


@dataclass
class FhirTestServer:
    """State of the test server: issued tokens, claims received, and switched-on faults."""

    page_size: int = 2
    token_lifetime: int = 3600
    faults: set[str] = field(default_factory=set)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        eobs = [
            fixture(n)
            for n in (
                "bb2_eob_carrier_professional_v2.json",
                "bb2_eob_inpatient_v2.json",
                "bb2_eob_outpatient_v2.json",
            )
        ]
        eobs += _entries("bb2_eob_pharmacy_searchset_v2.json")
        carin = [
            fixture(f"carinbb_eob_{k}_example1.json")
            for k in ("professional", "inpatient", "outpatient")
        ]
        self.eobs = {"-20140000008325": eobs, "ExamplePatient1": carin}
        self.patients = [BB2_PATIENT, CARIN_PATIENT]
        self.coverages = {
            "-20140000008325": _entries("bb2_coverage_searchset_v2.json"),
            "ExamplePatient1": [fixture("carinbb_coverage_example1.json")],
        }
        self.claim_responses = [fixture("r4_claimresponse_example.json")]

    # --- the app ------------------------------------------------------------------------------

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/token", self.token, methods=["POST"]),
                Route(
                    "/fhir/CoverageEligibilityRequest/$submit", self.eligibility, methods=["POST"]
                ),
                Route("/fhir/Claim/$submit", self.submit_claim, methods=["POST"]),
                Route("/fhir/{kind}", self.search, methods=["GET"]),
            ]
        )

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if (
            request.headers.get("authorization") != f"Basic {expected}"
            or form.get("grant_type") != "client_credentials"
        ):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        value = f"token-{self.token_requests}"
        self.tokens.add(value)
        return JSONResponse(
            {"access_token": value, "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        return header.startswith("Bearer ") and header[7:] in self.tokens

    async def search(self, request: Request) -> Response:
        self.requests.append(str(request.url))
        if not self._authorized(request):
            return _outcome(401, "login", "invalid or expired token")
        if "html" in self.faults:
            return Response("<html>maintenance</html>", media_type="text/html")
        if "broken-json" in self.faults:
            return Response('{"resourceType": "Bundle", ', media_type=FHIR_JSON)
        if "server-error" in self.faults:
            return _outcome(503, "transient", "database unavailable")
        if "bad-request" in self.faults:
            return _outcome(400, "invalid", "unknown search parameter 'service-date'")
        if "wrong-type" in self.faults:
            return _fhir(fixture("r4_coverage_example.json"))
        kind, params = request.path_params["kind"], request.query_params
        found = self._find(kind, params)
        page = int(params.get("_page", "0"))
        chunk = found[page * self.page_size : (page + 1) * self.page_size]
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"resource": r} for r in chunk],
            "link": [{"relation": "self", "url": str(request.url)}],
        }
        more = (page + 1) * self.page_size < len(found)
        if more or "endless" in self.faults:
            nxt = page if "endless" in self.faults else page + 1
            query = {k: v for k, v in params.items() if k != "_page"} | {"_page": str(nxt)}
            url = request.url.replace_query_params(**query)
            if "foreign-next" in self.faults:
                url = url.replace(hostname="elsewhere.example")
            bundle["link"].append({"relation": "next", "url": str(url)})
        return _fhir(bundle)

    def _find(self, kind: str, params: Any) -> list[dict[str, Any]]:
        if kind == "Patient":
            return [p for p in self.patients if _patient_matches(p, params)]
        if kind == "Coverage":
            return self.coverages.get(params.get("beneficiary", "").removeprefix("Patient/"), [])
        if kind == "ExplanationOfBenefit":
            patients = (
                params.get("patient", "").split(",") if "patient" in params else list(self.eobs)
            )
            found = [e for p in patients for e in self.eobs.get(p, [])]
            if "identifier" in params:
                found = [
                    e
                    for eobs in self.eobs.values()
                    for e in eobs
                    if any(i.get("value") == params["identifier"] for i in e["identifier"])
                ]
            since = params.get("service-date", "ge0000")[2:]
            return [e for e in found if _service_start(e) >= since]
        if kind == "ClaimResponse":
            wanted = params.get("request:identifier", "").split("|")[-1] or None
            found = list(self.claims.values()) + self.claim_responses
            if wanted:
                return [
                    r
                    for r in found
                    if r.get("request", {}).get("identifier", {}).get("value") == wanted
                ]
            return [
                r
                for r in found
                if any(i["value"] == params.get("identifier") for i in r.get("identifier", []))
            ]
        return []

    async def eligibility(self, request: Request) -> Response:
        if not self._authorized(request):
            return _outcome(401, "login", "invalid or expired token")
        inquiry = read_request(
            parse_resource(await request.body(), ("CoverageEligibilityRequest",))
        )
        member = inquiry.member
        if member is None or member.member_id != "88800933501":
            answer = fixture("r4_coverageeligibilityresponse_error.json")
            answer["error"] = [
                {
                    "code": {
                        "coding": [
                            {
                                "system": "https://codesystem.x12.org/005010/901",
                                "code": "75",
                                "display": "Subscriber/Insured Not Found",
                            }
                        ]
                    }
                }
            ]
            return _fhir(answer)
        return _fhir(fixture("r4_coverageeligibilityresponse_benefits2.json"))

    async def submit_claim(self, request: Request) -> Response:
        if not self._authorized(request):
            return _outcome(401, "login", "invalid or expired token")
        if request.headers.get("content-type") != FHIR_JSON:
            return _outcome(415, "not-supported", "send application/fhir+json")
        parsed = parse_resource(await request.body(), ("Claim",))
        claim = read_claim(parsed, "test-payer")
        control = control_number_of(parsed.resource) or ""
        if control in self.claims:
            return _fhir(self.claims[control])
        response: dict[str, Any] = {
            "resourceType": "ClaimResponse",
            "id": f"cr-{len(self.claims) + 1}",
            "identifier": [
                {"system": "urn:test-payer:claim", "value": f"TP{len(self.claims) + 1:05d}"}
            ],
            "status": "active",
            "type": {"coding": [{"code": "professional"}]},
            "use": "claim",
            "patient": {"display": claim.member_id},
            "created": "2024-03-02",
            "insurer": {"display": "Test payer"},
            "request": {"identifier": parsed.resource.identifier[0].model_dump(exclude_none=True)},
            "outcome": "queued",
            "disposition": f"received {len(claim.lines)} lines",
            "total": [
                {
                    "category": {"coding": [{"code": "submitted"}]},
                    "amount": {"value": float(claim.total_charge), "currency": "USD"},
                }
            ],
        }
        if not claim.diagnoses:
            response.update(
                outcome="error",
                error=[
                    {
                        "code": {
                            "coding": [
                                {
                                    "system": "https://x12.org/codes/claim-adjustment-reason-codes",
                                    "code": "16",
                                    "display": "Claim/service lacks information",
                                }
                            ]
                        }
                    }
                ],
            )
        self.claims[control] = response
        return _fhir(response)


def _patient_matches(patient: dict[str, Any], params: Any) -> bool:
    if "birthdate" in params and patient["birthDate"] != params["birthdate"]:
        return False
    if "identifier" in params and params["identifier"] not in [
        i["value"] for i in patient["identifier"]
    ]:
        return False
    return "family" not in params or patient["name"][0]["family"] == params["family"]


def _service_start(eob: dict[str, Any]) -> str:
    period = eob.get("billablePeriod") or {}
    items = eob.get("item") or [{}]
    return str(period.get("start") or items[0].get("servicedDate") or "")


def _fhir(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status_code=status, media_type=FHIR_JSON)


def _outcome(status: int, code: str, text: str) -> Response:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": text}],
    }
    return _fhir(body, status)
