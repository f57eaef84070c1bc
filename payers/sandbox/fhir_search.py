"""Route handlers of the FHIR sandbox payer: searches (paged searchset Bundles) and the two operations.

The handlers read requests with :mod:`payers.fhir.intake` and :mod:`payers.fhir.resources` (the same
strict-then-lenient R4B reading the adapter uses), ask the book and the claim intake, and answer
resources from :mod:`payers.sandbox.fhir_members` and :mod:`payers.sandbox.fhir_claims`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from payers.fhir.intake import read_request, read_submission
from payers.fhir.resources import FhirContentError, parse_resource
from payers.model import Claim, Demographics
from payers.sandbox import fhir_claims, fhir_members, fhir_responses
from payers.sandbox.fhir_wire import fhir_response, validated
from payers.sandbox.intake import ClaimIntake
from payers.sandbox.prior_payers_wire import with_fhir_prior_payers
from payers.sandbox.world import MemberMismatch, SandboxMember, SandboxPayerBook, matches_person

_FHIR_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")


class SearchError(Exception):
    """A request the server refuses: answered as an OperationOutcome with ``status``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _same(a: str, b: str) -> bool:
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def _day(value: str | None, name: str) -> date | None:
    """A date search value (``geYYYY-MM-DD``, or a bare date read as ``ge``)."""
    if not value:
        return None
    prefix = value[:2]
    if prefix.isalpha():
        if prefix != "ge":
            raise SearchError(400, "not-supported", f"{name}: only the ge prefix is supported")
        value = value[2:]
    try:
        return date.fromisoformat(value[:10])
    except ValueError as exc:
        raise SearchError(400, "invalid", f"{name}: {value!r} is not a date") from exc


def _token(value: str) -> str:
    """The code of a token search value (``system|code`` or ``code``)."""
    return value.rsplit("|", 1)[-1].strip()


class FhirPayer:
    """One FHIR sandbox payer: the book, its intake, its paging."""

    def __init__(
        self,
        book: SandboxPayerBook,
        intake: ClaimIntake,
        today: date,
        page_size: int,
        record_claim: Callable[[str], None],
    ) -> None:
        self.book = book
        self.intake = intake
        self.today = today
        self.page_size = page_size
        self.record_claim = record_claim
        self.by_patient = {fhir_members.patient_id(m): m for m in book.members.values()}

    # --- operations ------------------------------------------------------------------------------

    async def _read(self, request: Request, expected: str) -> Any:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in _FHIR_TYPES:
            raise SearchError(415, "not-supported", "send application/fhir+json")
        try:
            return parse_resource(await request.body(), (expected,))
        except FhirContentError as exc:
            raise SearchError(400, "structure", str(exc)) from exc

    async def eligibility(self, request: Request) -> Response:
        inquiry = read_request(await self._read(request, "CoverageEligibilityRequest"))
        as_of = inquiry.as_of or self.today
        query = inquiry.member
        if query is None:
            raise SearchError(400, "required", "name the member with a contained Patient")
        try:
            member = self.book.verify_member(
                query.member_id, query.first_name, query.last_name, query.birth_date
            )
        except MemberMismatch as exc:
            return fhir_response(
                fhir_members.eligibility_error(
                    self.book, self.today, as_of, exc.reasons, exc.message
                )
            )
        result = self.book.eligibility(member, inquiry.service_types or ("30",), as_of)
        return fhir_response(
            fhir_members.eligibility_response(self.book, member, result, self.today)
        )

    async def submit_claim(self, request: Request) -> Response:
        parsed = await self._read(request, "Claim")
        try:
            control_number, submission = read_submission(parsed)
            submission = with_fhir_prior_payers(parsed.resource, submission)
        except ValueError as exc:
            raise SearchError(400, "required", str(exc)) from exc
        identifiers = [i for i in parsed.resource.identifier or () if i.value]
        control_number = control_number or (str(identifiers[0].value) if identifiers else None)
        if not control_number:
            raise SearchError(400, "required", "the Claim has no identifier (control number)")
        control = next(i for i in identifiers if str(i.value) == control_number).model_dump(
            mode="json", exclude_none=True
        )
        self.record_claim(control_number)
        ack = self.intake.receive(submission, control_number)
        member_id = submission.member.member_id.strip().upper()
        return fhir_response(
            fhir_responses.submission_response(self.book, ack, member_id, control),
            201 if ack.accepted and not ack.duplicate else 200,
        )

    # --- searches -------------------------------------------------------------------------------

    async def search(self, request: Request) -> Response:
        resource_type = request.path_params["resource_type"]
        finder = {
            "Patient": self._patients,
            "Coverage": self._coverages,
            "ExplanationOfBenefit": self._eobs,
            "ClaimResponse": self._claim_responses,
            "PaymentReconciliation": self._reconciliations,
        }.get(resource_type)
        if finder is None:
            raise SearchError(404, "not-supported", f"{resource_type} is not served here")
        params = request.query_params
        found = finder(params)
        return fhir_response(self._page(request, resource_type, found))

    def _patients(self, params: Any) -> list[dict[str, Any]]:
        birth = _day(params.get("birthdate"), "birthdate")
        if "identifier" in params:
            member = self.book.members.get(_token(params["identifier"]).upper())
            if member is None or (birth is not None and member.person.birth_date != birth):
                return []
            return [fhir_members.patient(self.book, member)]
        if not params.get("family") or birth is None:
            raise SearchError(400, "required", "search by identifier, or family + birthdate")
        who = Demographics(
            first_name=params.get("given", ""),
            last_name=params["family"],
            birth_date=birth,
            postal_code=params.get("address-postalcode"),
        )
        return [
            fhir_members.patient(self.book, m)
            for m in self.book.members.values()
            if self._is(m, who)
        ]

    @staticmethod
    def _is(member: SandboxMember, who: Demographics) -> bool:
        return matches_person(member.person, who)

    def _member_of(self, reference: str) -> SandboxMember | None:
        return self.by_patient.get(reference.removeprefix("Patient/"))

    def _coverages(self, params: Any) -> list[dict[str, Any]]:
        reference = params.get("beneficiary") or params.get("patient")
        if not reference:
            raise SearchError(400, "required", "search Coverage by beneficiary")
        member = self._member_of(reference)
        return [fhir_members.coverage(self.book, member, self.today)] if member else []

    def _eobs(self, params: Any) -> list[dict[str, Any]]:
        if "identifier" in params:
            claim = self.intake.find_claim(payer_claim_id=_token(params["identifier"]))
            return [self._eob(claim)] if claim is not None else []
        since = _day(params.get("service-date"), "service-date")
        updated = _day(params.get("_lastUpdated"), "_lastUpdated")
        if "patient" in params:
            members = [self._member_of(p) for p in params["patient"].split(",")]
            member_ids = [m.member_id for m in members if m is not None]
        else:
            member_ids = list(self.book.members)
        if "patient" not in params or updated is not None:
            return self._paid_eobs(set(member_ids), since, updated)
        claims = [c for m in member_ids for c in self.intake.claims_of(m, since)]
        return [self._eob(c) for c in claims]

    def _paid_eobs(
        self, member_ids: set[str], since: date | None, updated: date | None
    ) -> list[dict[str, Any]]:
        """The provider's (or members') view: one EOB per claim payment of each remittance paid on
        or after ``updated``, in remittance order; a reversal (CLP02 22) is an EOB of its own."""
        found = []
        for payment in self.intake.payments_for(None, updated):
            for paid in payment.claims:
                if paid.member_id not in member_ids:
                    continue
                if since is not None and (paid.service_date_from or since) < since:
                    continue
                claim = self.intake.find_claim(payer_claim_id=paid.payer_claim_id)
                if claim is None:
                    continue
                resource_id = None
                if paid.status.code == "22":
                    claim = fhir_claims.reversed_claim(claim)
                    pcid = (paid.payer_claim_id or "").lower()
                    resource_id = f"eob-{pcid}-r{payment.trace_number.lower()}"
                found.append(fhir_claims.eob(self.book, claim, (payment, paid), resource_id))
        return found

    def _eob(self, claim: Claim) -> dict[str, Any]:
        settled = fhir_claims.settlements(self.intake.payments_for()).get(
            claim.control_number or ""
        )
        return fhir_claims.eob(self.book, claim, settled)

    def _claim_responses(self, params: Any) -> list[dict[str, Any]]:
        if "request:identifier" in params:
            claim = self.intake.find_claim(control_number=_token(params["request:identifier"]))
        elif "identifier" in params:
            claim = self.intake.find_claim(payer_claim_id=_token(params["identifier"]))
        else:
            raise SearchError(400, "required", "search ClaimResponse by request:identifier")
        if claim is None:
            return []
        return [fhir_responses.claim_response(self.book, claim.status, member_id=claim.member_id)]

    def _reconciliations(self, params: Any) -> list[dict[str, Any]]:
        wanted = {_token(t) for t in params.get("identifier", "").split(",") if t}
        if not wanted:
            raise SearchError(400, "required", "search PaymentReconciliation by identifier")
        return [
            fhir_responses.reconciliation(self.book, p)
            for p in self.intake.payments_for()
            if p.trace_number in wanted
        ]

    def _page(
        self, request: Request, resource_type: str, found: list[dict[str, Any]]
    ) -> dict[str, Any]:
        params = request.query_params
        try:
            offset = max(0, int(params.get("_offset", "0")))
            count = min(max(1, int(params.get("_count", str(self.page_size)))), 100)
        except ValueError as exc:
            raise SearchError(400, "invalid", "_offset and _count are integers") from exc
        base = str(request.base_url).rstrip("/")
        chunk = found[offset : offset + count]
        links = [{"relation": "self", "url": str(request.url)}]
        if offset + count < len(found):
            query = dict(params) | {"_offset": str(offset + count), "_count": str(count)}
            links.append(
                {"relation": "next", "url": str(request.url.replace_query_params(**query))}
            )
        bundle: dict[str, Any] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "link": links,
        }
        entries = []
        for resource in chunk:
            entry: dict[str, Any] = {"resource": resource, "search": {"mode": "match"}}
            if resource.get("id"):
                entry["fullUrl"] = f"{base}/{resource_type}/{resource['id']}"
            entries.append(entry)
        if entries:
            bundle["entry"] = entries
        return validated(bundle)
