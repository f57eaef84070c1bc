"""The X12 5010 payer adapter: 270/271, 276/277, 835 pickup and 837P over CAQH CORE-style HTTP.

Options (``[[payers]] options``)::

    sender_id, receiver_id         ISA06/ISA08 and GS02/GS03 (required)
    payer_id, payer_name           NM1*PR (payer_id required; name defaults)
    provider_npi, provider_name    the practice asking (NM1*1P, NM1*85) (required)
    billing_address                {street, city, state, postal_code} for the 837P 2010AA (required)
    submitter_name, contact_name, contact_phone, receiver_name   837P loops 1000A/1000B
    sender_qualifier, receiver_qualifier ("ZZ"), usage ("P" production, "T" test)
    control_number_start           last ISA13 sent, as persisted by the operator
    strict_envelopes (true)        refuse answers whose SE/GE/IEA counts or control numbers disagree
    exchange_record_size (50)      how many raw exchanges :attr:`X12PayerAdapter.exchanges` keeps

Every answer carries its raw exchange (``exchange``: the X12 sent and the X12 answered, no CORE
envelope fields, no credentials): 270/271, 276/277, 837P/999+277CA, and the 835 batch of a
whole-provider pickup (left off when the batch is filtered to one member: it holds other patients).
The bounded :attr:`X12PayerAdapter.exchanges` record also keeps failed exchanges, for diagnosis.

Credentials (optional, both or neither): ``username`` and ``password`` for CORE username/password
authentication, sent as the ``UserName``/``Password`` fields of every request.

A 277 answering a 276 with "claim not found" (A4, D0) or "cannot answer" (E0-E4) is not the claim's
status: it raises the contract error it means (member not found, payer unavailable, rejected).

Claim search is not an X12 real-time transaction, so this adapter does not declare it. Coverage
discovery is a 270 by demographics only (see :mod:`payers.x12.discovery`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, ClassVar
from urllib.parse import urlparse

import httpx

from payers.contract import (
    Capability,
    MemberNotFound,
    PayerProtocolError,
    PayerRejected,
    PayerRejection,
    PayerSettings,
    PayerUnavailable,
)
from payers.model import (
    ClaimRef,
    ClaimState,
    ClaimStatus,
    ClaimSubmission,
    Demographics,
    DiscoveredCoverage,
    EligibilityResult,
    MemberQuery,
    PayerExchange,
    Payment,
    SubmissionAck,
    SubscriberRelation,
)
from payers.x12.acknowledgment import parse_277ca, parse_999, parse_ta1
from payers.x12.claim_status import build_276, parse_277
from payers.x12.discovery import build_discovery_270, found_person
from payers.x12.eligibility import build_270, parse_271
from payers.x12.envelope import read_interchanges
from payers.x12.outgoing import (
    ControlNumbers,
    ControlNumberSequence,
    Parties,
    PayerParty,
    ProviderParty,
)
from payers.x12.remittance import parse_835
from payers.x12.submission import Address, ClaimBuildError, SubmitterSettings, build_837p
from payers.x12.transport import BATCH, CoreTransport, Exchange

PAYLOAD_270 = "X12_270_Request_005010X279A1"
PAYLOAD_276 = "X12_276_Request_005010X212"
PAYLOAD_835_PICKUP = "X12_835_Response_005010X221A1"
PAYLOAD_837 = "X12_837_Request_005010X222A1"
X12_MEDIA = "application/edi-x12"
CREDENTIALS = ("username", "password")
# 277 status codes saying the subscriber or patient named in the 276 is unknown or mismatched.
_MEMBER_STATUSES = frozenset({"29", "30", "31", "32", "33", "34", "97", "158", "164"})
# E1 system status, E2 information holder not responding: try again later.
_UNAVAILABLE_CATEGORIES = frozenset({"E1", "E2"})
REQUIRED_OPTIONS = ("sender_id", "receiver_id", "payer_id", "provider_npi", "provider_name")
ADDRESS_FIELDS = ("street", "city", "state", "postal_code")


class X12PayerAdapter:
    """One payer reached with X12 5010 transactions over CAQH CORE-style HTTP."""

    protocol: ClassVar[str] = "x12"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.ELIGIBILITY,
            Capability.CLAIM_STATUS,
            Capability.PAYMENTS,
            Capability.CLAIM_SUBMISSION,
            Capability.COVERAGE_DISCOVERY,
        }
    )

    @classmethod
    def validate_settings(cls, settings: PayerSettings) -> None:
        """Refuse a configuration that cannot produce valid X12 (ValueError)."""
        url = urlparse(settings.base_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {settings.base_url!r}")
        missing = [
            name for name in REQUIRED_OPTIONS if not str(settings.options.get(name, "")).strip()
        ]
        address = settings.options.get("billing_address")
        if not isinstance(address, Mapping) or any(not address.get(f) for f in ADDRESS_FIELDS):
            missing.append("billing_address {" + ", ".join(ADDRESS_FIELDS) + "}")
        if missing:
            raise ValueError("x12 payer needs options: " + ", ".join(missing))
        given = [name for name in CREDENTIALS if settings.credentials.get(name)]
        if given and len(given) != len(CREDENTIALS):
            raise ValueError("x12 payer credentials username and password go together")
        if (
            len(str(settings.options["sender_id"])) > 15
            or len(str(settings.options["receiver_id"])) > 15
        ):
            raise ValueError("sender_id and receiver_id are at most 15 characters (ISA06/ISA08)")

    def __init__(self, settings: PayerSettings, client: httpx.AsyncClient) -> None:
        options: Mapping[str, Any] = settings.options
        self.settings = settings
        self.parties = Parties(
            sender_id=str(options["sender_id"]),
            receiver_id=str(options["receiver_id"]),
            sender_qualifier=str(options.get("sender_qualifier", "ZZ")),
            receiver_qualifier=str(options.get("receiver_qualifier", "ZZ")),
            usage=str(options.get("usage", "P")),
        )
        self.payer = PayerParty(
            str(options["payer_id"]), str(options.get("payer_name", settings.name))
        )
        self.provider = ProviderParty(str(options["provider_npi"]), str(options["provider_name"]))
        address: Mapping[str, Any] = options.get("billing_address") or {}
        self.submitter = SubmitterSettings(
            submitter_name=str(options.get("submitter_name", self.provider.name)),
            submitter_id=self.parties.sender_id,
            contact_name=str(options.get("contact_name", "BILLING OFFICE")),
            contact_phone=str(options.get("contact_phone", "0000000000")),
            receiver_name=str(options.get("receiver_name", settings.name)),
            receiver_id=self.parties.receiver_id,
            billing_address=Address(*(str(address.get(f, "")) for f in ADDRESS_FIELDS)),
        )
        start = options.get("control_number_start")
        self.control_numbers = ControlNumberSequence(
            self.parties.sender_id, int(start) if start else None
        )
        self.strict = bool(options.get("strict_envelopes", True))
        #: The last raw request/response exchanges (PHI: in memory only, never logged).
        self.exchanges: deque[Exchange] = deque(maxlen=int(options.get("exchange_record_size", 50)))
        self._transport = CoreTransport(
            client,
            url=settings.base_url,
            payer_id=settings.id,
            sender_id=self.parties.sender_id,
            receiver_id=self.parties.receiver_id,
            timeout=settings.timeout_seconds,
            record=self.exchanges,
            credentials=(
                (settings.credentials["username"], settings.credentials["password"])
                if all(settings.credentials.get(name) for name in CREDENTIALS)
                else None
            ),
        )

    async def check_eligibility(
        self, member: MemberQuery, service_types: Sequence[str], as_of: date
    ) -> EligibilityResult:
        """Eligibility and benefits of ``member`` on ``as_of`` (270 -> 271)."""
        numbers = self.control_numbers.next()
        request = build_270(
            member,
            service_types,
            as_of,
            payer=self.payer,
            provider=self.provider,
            parties=self.parties,
            numbers=numbers,
            trace=numbers.interchange,
            created=_now(),
        )
        answer = await self._transport.exchange(PAYLOAD_270, request)
        result = parse_271(answer, self.settings.id, as_of=as_of, strict=self.strict)
        return replace(result, exchange=_exchange(request, answer))

    async def discover_coverage(self, demographics: Demographics) -> Sequence[DiscoveredCoverage]:
        """A 270 by demographics only (no member id); the 271 names the member found, AAA 75 none.

        AAA 76 (several members match) is the payer's rejection: the caller must add details."""
        numbers = self.control_numbers.next()
        today = _now().date()
        request = build_discovery_270(
            demographics,
            today,
            payer=self.payer,
            provider=self.provider,
            parties=self.parties,
            numbers=numbers,
            trace=numbers.interchange,
            created=_now(),
        )
        answer = await self._transport.exchange(PAYLOAD_270, request)
        try:
            result = parse_271(answer, self.settings.id, as_of=today, strict=self.strict)
        except MemberNotFound:
            return ()
        if not result.active:
            return ()
        person = found_person(answer, self.settings.id, strict=self.strict)
        return (
            DiscoveredCoverage(
                payer_id=self.settings.id,
                member_id=result.member_id,
                plan=result.plan,
                relation=SubscriberRelation.SELF,
                person=person,
            ),
        )

    async def claim_status(self, ref: ClaimRef) -> ClaimStatus:
        """Current status of one claim (276 -> 277); matched by payer id or control number."""
        numbers = self.control_numbers.next()
        request = build_276(
            ref,
            payer=self.payer,
            provider=self.provider,
            parties=self.parties,
            numbers=numbers,
            trace=ref.control_number or numbers.interchange,
            created=_now(),
        )
        answer = await self._transport.exchange(PAYLOAD_276, request)
        statuses = parse_277(answer, self.settings.id, strict=self.strict)
        status = _select_status(statuses, ref, self.settings.id)
        return replace(status, exchange=_exchange(request, answer))

    async def payments(self, member: MemberQuery | None, since: date | None) -> Sequence[Payment]:
        """Remittances picked up in a CORE batch (835), filtered by payment date and member.

        For a member, each remittance keeps only that member's claims (other patients' claims are
        their PHI) and no provider-level adjustments; its amount stays the whole payment's."""
        answer = await self._transport.exchange(
            PAYLOAD_835_PICKUP, "", mode=BATCH, allow_empty=True
        )
        if not answer.strip():
            return []
        # The whole batch is the provider's; narrowed to one member it would show other patients.
        batch = _exchange("", answer) if member is None else None
        found = []
        for payment in parse_835(answer, self.settings.id, strict=self.strict):
            payment = replace(payment, exchange=batch)
            if since and payment.payment_date and payment.payment_date < since:
                continue
            if member is not None:
                mine = tuple(c for c in payment.claims if c.member_id == member.member_id)
                if not mine:
                    continue
                payment = replace(payment, claims=mine, provider_adjustments=())
            found.append(payment)
        return found

    async def submit_claim(self, claim: ClaimSubmission, control_number: str) -> SubmissionAck:
        """Send an 837P; the answer's 999 and/or 277CA say whether it was accepted."""
        try:
            request = build_837p(
                claim,
                control_number,
                payer=self.payer,
                submitter=self.submitter,
                parties=self.parties,
                numbers=ControlNumbers.for_claim(control_number),
                created=_now(),
            )
        except ClaimBuildError as exc:
            raise PayerProtocolError(self.settings.id, str(exc)) from exc
        answer = await self._transport.exchange(PAYLOAD_837, request)
        ack = self._acknowledgment(answer, control_number)
        return replace(ack, exchange=_exchange(request, answer))

    def _acknowledgment(self, answer: str, control_number: str) -> SubmissionAck:
        """The 999 and/or 277CA's verdict on the claim sent under ``control_number``."""
        codes = {
            t.code
            for i in read_interchanges(answer, self.settings.id, strict=self.strict)
            for g in i.groups
            for t in g.transactions
        }
        interchange_ack = parse_ta1(answer, self.settings.id, control_number, strict=self.strict)
        if interchange_ack is not None and not interchange_ack.accepted:
            return interchange_ack  # TA1 R: the whole interchange was refused, nothing follows
        if "999" in codes:
            ack = parse_999(answer, self.settings.id, control_number, strict=self.strict)
            if not ack.accepted or "277" not in codes:
                return ack
        if "277" not in codes:
            raise PayerProtocolError(
                self.settings.id, "837P answer holds neither a 999 nor a 277CA"
            )
        acks = parse_277ca(answer, self.settings.id, strict=self.strict)
        return next((a for a in acks if a.control_number == control_number), acks[0])


def _select_status(statuses: Sequence[ClaimStatus], ref: ClaimRef, payer_id: str) -> ClaimStatus:
    """The asked-for claim's status; an entity-level error (E0...) is a rejection."""
    claims = [s for s in statuses if s.payer_claim_id or s.control_number]
    for status in claims:
        if (ref.payer_claim_id and status.payer_claim_id == ref.payer_claim_id) or (
            ref.control_number and status.control_number == ref.control_number
        ):
            return _claim_answer(status, payer_id)
    if len(claims) == 1:
        return _claim_answer(claims[0], payer_id)
    errors = [s for s in statuses if s not in claims and s.state is ClaimState.ERROR]
    if errors:
        reasons = [PayerRejection(s.status or s.category) for s in errors]
        words = "; ".join(f"{r.code.code} {r.code.description}" for r in reasons)
        if any(s.category.code in _UNAVAILABLE_CATEGORIES for s in errors):
            raise PayerUnavailable(
                payer_id, f"payer cannot answer the claim status request: {words}"
            )
        raise PayerRejected(
            payer_id, f"payer could not answer the claim status request: {words}", reasons
        )
    raise PayerProtocolError(
        payer_id, f"277 holds {len(claims)} claims and none matches the request"
    )


def _claim_answer(status: ClaimStatus, payer_id: str) -> ClaimStatus:
    """The status itself, or the error a "not found" / "cannot answer" status stands for."""
    category = status.category.code
    if not (category.startswith("E") or category in ("A4", "D0")):
        return status
    codes = [c for c in (status.category, status.status) if c is not None]
    words = "; ".join(f"{c.code} {c.description}" for c in codes)
    if category in _UNAVAILABLE_CATEGORIES:
        raise PayerUnavailable(payer_id, f"payer cannot answer the claim status request: {words}")
    if status.status is not None and status.status.code in _MEMBER_STATUSES:
        raise MemberNotFound(payer_id, f"payer found no member matching the request: {words}")
    raise PayerRejected(
        payer_id,
        f"payer could not answer the claim status request: {words}",
        [PayerRejection(c) for c in codes],
    )


def _now() -> datetime:
    return datetime.now(UTC)


def _exchange(request: str, answer: str) -> PayerExchange:
    """The X12 sent and the X12 answered (a batch pickup sends none)."""
    return PayerExchange.of(
        "x12",
        request,
        answer,
        request_content_type=X12_MEDIA,
        response_content_type=X12_MEDIA,
        at=_now(),
    )
