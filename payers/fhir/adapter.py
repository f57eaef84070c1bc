"""``FhirPayerAdapter``: a payer speaking FHIR R4 (CARIN Blue Button EOBs, eligibility, claims).

Configuration (``PayerSettings``): ``base_url`` is the FHIR base (``https://payer.example/fhir``).
``options``: ``token_url`` (OAuth2 client credentials; ``credentials`` then needs ``client_id`` and
``client_secret``), ``scope``, ``token_auth`` (``basic`` | ``post``), ``max_pages`` (search paging
bound, default 20), ``provider_npi`` (sent as the requesting provider), ``payer_identifier`` and
``payer_identifier_system`` (how requests name the insurer; default the payer id under
``urn:payer-gateway:payer``), ``control_number_system`` (identifier system of our claim control
numbers, default ``urn:payer-gateway:claim-control-number``), ``payment_reconciliation`` (true
when the payer serves PaymentReconciliation: remittance totals and provider-level adjustments).

The endpoints it calls (a FHIR server -- such as the sandbox payer -- serves these), relative to
``base_url``::

    POST CoverageEligibilityRequest/$submit   body CoverageEligibilityRequest (contained Patient
                                              and Coverage name the member; item.category = X12
                                              service types) -> CoverageEligibilityResponse
    GET  Patient?identifier={member id}&birthdate={YYYY-MM-DD}          -> searchset of Patient
    GET  ExplanationOfBenefit?patient={ids}&service-date=ge{date}       -> searchset of EOB
    GET  ExplanationOfBenefit?patient={ids}&_lastUpdated=ge{date}       -> EOBs (payments; the
         patient parameter is left out for all of the provider's payments)
    GET  PaymentReconciliation?identifier={trace numbers, comma-separated}
                                              -> the remittances those EOB payments belong to
                                              (only with the payment_reconciliation option)
    GET  ClaimResponse?request:identifier={system}|{control number}     -> searchset
    GET  ClaimResponse?identifier={payer claim id}                      -> searchset
    GET  ExplanationOfBenefit?identifier={payer claim id}               -> searchset (fallback)
    POST Claim/$submit                        body Claim (identifier = control number)
                                              -> ClaimResponse (outcome queued|complete|error)
    GET  Patient?family=&given=&birthdate=    then  Coverage?beneficiary=Patient/{id}

Searches page through Bundle ``next`` links. Bodies are ``application/fhir+json``. Errors: see
:mod:`payers.fhir.client`.

Eligibility results, claim statuses (asked for, or of searched claims), submission
acknowledgments and whole-provider payments carry the raw JSON they came from as ``exchange``
(see :mod:`payers.fhir.transcript`); a member's payments do not (a PaymentReconciliation may list
other patients' claims).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from payers.codesets import lookup
from payers.contract import Capability, MemberNotFound, PayerProtocolError, PayerSettings
from payers.fhir.auth import TokenSource
from payers.fhir.claims import (
    CONTROL_NUMBER_SYSTEM,
    build_claim,
    read_claim_response,
    response_status,
)
from payers.fhir.client import FhirClient, contract_error
from payers.fhir.coverage import demographics_of, read_coverage
from payers.fhir.eligibility import EligibilityRejected, build_request, read_response
from payers.fhir.eob import eob_to_claim
from payers.fhir.remittance import eobs_to_payments, reconcile
from payers.fhir.terminology import as_date, claim_state
from payers.fhir.transcript import RoundTrip, exchange_of
from payers.model import (
    Claim,
    ClaimRef,
    ClaimStatus,
    ClaimStatusFilter,
    ClaimSubmission,
    Demographics,
    DiscoveredCoverage,
    EligibilityResult,
    MemberQuery,
    Payment,
    SubmissionAck,
)

NOT_FOUND_CATEGORY = "A4"  # 277 "Acknowledgement/Not Found"


class FhirPayerAdapter:
    """One payer reached over FHIR R4 REST."""

    protocol: ClassVar[str] = "fhir"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(Capability)

    def __init__(self, settings: PayerSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.tokens = TokenSource(settings, client)
        self.fhir = FhirClient(settings, client, self.tokens)
        self._control_system = str(
            settings.options.get("control_number_system", CONTROL_NUMBER_SYSTEM)
        )

    @classmethod
    def validate_settings(cls, settings: PayerSettings) -> None:
        """Refuse a configuration that cannot work, with a plain message."""
        url = urlsplit(settings.base_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError(f"base_url {settings.base_url!r} is not an http(s) URL")
        token_url = settings.options.get("token_url")
        if token_url:
            parts = urlsplit(str(token_url))
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError(f"token_url {token_url!r} is not an http(s) URL")
            absent = [k for k in ("client_id", "client_secret") if not settings.credentials.get(k)]
            if absent:
                raise ValueError(f"token_url is set but credentials lack {', '.join(absent)}")
        if not isinstance(settings.options.get("payment_reconciliation", False), bool):
            raise ValueError("payment_reconciliation must be true or false")
        max_pages = settings.options.get("max_pages", 1)
        if not isinstance(max_pages, int) or isinstance(max_pages, bool) or max_pages < 1:
            raise ValueError(f"max_pages must be a positive integer, not {max_pages!r}")

    # --- capabilities -------------------------------------------------------------------------

    async def check_eligibility(
        self, member: MemberQuery, service_types: Sequence[str], as_of: date
    ) -> EligibilityResult:
        request = build_request(
            member,
            service_types,
            as_of,
            insurer=self._insurer(),
            provider_npi=self.settings.options.get("provider_npi"),
        )
        trips: list[RoundTrip] = []
        parsed = await self.fhir.submit(
            "CoverageEligibilityRequest/$submit",
            request,
            ("CoverageEligibilityResponse",),
            transcript=trips,
        )
        try:
            result = read_response(parsed, self.settings.id, member.member_id, as_of)
            return replace(result, exchange=exchange_of(trips))
        except EligibilityRejected as exc:
            codes = ", ".join(c.code for c in exc.codes) or "none"
            raise contract_error(
                self.settings.id,
                exc.codes,
                f"eligibility request rejected (codes {codes}): {exc.disposition or ''}".strip(),
            ) from exc

    async def search_claims(
        self, member: MemberQuery, since: date | None, status: ClaimStatusFilter
    ) -> Sequence[Claim]:
        params = {"patient": ",".join(await self._patient_ids(member))}
        if since:
            params["service-date"] = f"ge{since.isoformat()}"
        trips: list[RoundTrip] = []
        eobs = await self.fhir.search("ExplanationOfBenefit", params, transcript=trips)
        exchange = exchange_of(trips)  # one member's EOBs: each claim's status may show them
        claims = [eob_to_claim(e, self.settings.id, member.member_id) for e in eobs]
        return [
            replace(c, status=replace(c.status, exchange=exchange))
            for c in claims
            if status.admits(c.status.state)
        ]

    async def claim_status(self, ref: ClaimRef) -> ClaimStatus:
        trips: list[RoundTrip] = []
        status = await self._claim_status(ref, trips)
        return replace(status, exchange=exchange_of(trips))

    async def _claim_status(self, ref: ClaimRef, trips: list[RoundTrip]) -> ClaimStatus:
        responses: list[Any] = []
        if ref.control_number:
            responses = await self.fhir.search(
                "ClaimResponse",
                {"request:identifier": f"{self._control_system}|{ref.control_number}"},
                transcript=trips,
            )
        if not responses and ref.payer_claim_id:
            responses = await self.fhir.search(
                "ClaimResponse", {"identifier": ref.payer_claim_id}, transcript=trips
            )
        if responses:
            latest = max(responses, key=lambda r: str(r.resource.created or ""))
            return response_status(latest, ref.control_number)
        if ref.payer_claim_id:
            eobs = await self.fhir.search(
                "ExplanationOfBenefit", {"identifier": ref.payer_claim_id}, transcript=trips
            )
            if eobs:
                return eob_to_claim(eobs[0], self.settings.id, ref.member.member_id).status
        return ClaimStatus(
            state=claim_state(NOT_FOUND_CATEGORY),
            category=lookup("claim-status-category", NOT_FOUND_CATEGORY),
            payer_claim_id=ref.payer_claim_id,
            control_number=ref.control_number,
            message="the payer has no claim response for this claim",
        )

    async def payments(self, member: MemberQuery | None, since: date | None) -> Sequence[Payment]:
        params: dict[str, str] = {}
        if member is not None:
            params["patient"] = ",".join(await self._patient_ids(member))
        if since:
            params["_lastUpdated"] = f"ge{since.isoformat()}"
        trips: list[RoundTrip] = []
        eobs = await self.fhir.search("ExplanationOfBenefit", params, transcript=trips)
        if since:
            eobs = [e for e in eobs if _paid_on_or_after(e.resource, since)]
        payments = eobs_to_payments(eobs, self.settings.id, member.member_id if member else None)
        if not payments or not self.settings.options.get("payment_reconciliation"):
            return _with_exchange(payments, trips if member is None else [])
        traces = sorted({p.trace_number for p in payments})
        if any("," in t for t in traces):
            raise PayerProtocolError(self.settings.id, "payment identifier contains a comma")
        reconciliations = await self.fhir.search(
            "PaymentReconciliation", {"identifier": ",".join(traces)}, transcript=trips
        )
        reconciled = reconcile(payments, reconciliations, whole=member is None)
        return _with_exchange(reconciled, trips if member is None else [])

    async def submit_claim(self, claim: ClaimSubmission, control_number: str) -> SubmissionAck:
        resource = build_claim(
            claim,
            control_number,
            insurer=self._insurer(),
            created=date.today(),
            control_system=self._control_system,
        )
        trips: list[RoundTrip] = []
        parsed = await self.fhir.submit(
            "Claim/$submit", resource, ("ClaimResponse",), transcript=trips
        )
        ack = read_claim_response(parsed, control_number)
        return replace(ack, exchange=exchange_of(trips))

    async def discover_coverage(self, demographics: Demographics) -> Sequence[DiscoveredCoverage]:
        """Patients matching the demographics, then their active Coverage; each found coverage
        carries the person as the payer's Patient states them."""
        params = {
            "family": demographics.last_name,
            "given": demographics.first_name,
            "birthdate": demographics.birth_date.isoformat(),
        }
        if demographics.postal_code:
            params["address-postalcode"] = demographics.postal_code
        patients = await self.fhir.search("Patient", params)
        found: list[DiscoveredCoverage] = []
        for patient in patients:
            coverages = await self.fhir.search(
                "Coverage", {"beneficiary": f"Patient/{patient.resource.id}"}
            )
            records = [read_coverage(c) for c in coverages]
            person = demographics_of(patient.resource)
            found.extend(
                replace(r.discovered(self.settings.id), person=person)
                for r in records
                if r.active and r.member_id
            )
        return found

    # --- helpers ------------------------------------------------------------------------------

    async def _patient_ids(self, member: MemberQuery) -> list[str]:
        """The payer's Patient ids for a member (member id + birth date must both match)."""
        patients = await self.fhir.search(
            "Patient", {"identifier": member.member_id, "birthdate": member.birth_date.isoformat()}
        )
        ids = [str(p.resource.id) for p in patients if p.resource.id]
        if not ids:
            raise MemberNotFound(
                self.settings.id, "no patient matches the member id and birth date"
            )
        if any("," in i for i in ids):
            raise PayerProtocolError(self.settings.id, "patient id contains a comma")
        return ids

    def _insurer(self) -> dict[str, Any]:
        options = self.settings.options
        return {
            "identifier": {
                "system": str(options.get("payer_identifier_system", "urn:payer-gateway:payer")),
                "value": str(options.get("payer_identifier", self.settings.id)),
            },
            "display": self.settings.name,
        }


def _with_exchange(payments: Sequence[Payment], trips: list[RoundTrip]) -> list[Payment]:
    exchange = exchange_of(trips)
    return [replace(p, exchange=exchange) for p in payments]


def _paid_on_or_after(eob: Any, since: date) -> bool:
    payment = eob.payment
    if payment is None:
        return False
    paid_on = as_date(payment.date) or as_date(eob.created)
    return paid_on is None or paid_on >= since
