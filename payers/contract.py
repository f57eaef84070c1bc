"""The payer adapter contract: what every adapter is, what it can do, and how it fails.

An adapter class is one payer protocol (or one payer); an adapter *instance* is one configured payer.
The gateway constructs it with its :class:`PayerSettings` and an ``httpx.AsyncClient`` it owns (so
tests and the demo choose the transport), reads its declared :attr:`PayerAdapter.capabilities`, and
calls only the operations it declares. An operation an adapter lacks is simply not declared: there is
no method raising ``NotImplementedError``.

Each capability is one ``async`` method with a fixed name and signature (see the ``Supports*``
protocols below and :data:`CAPABILITY_METHODS`); the registry checks them when the adapter is loaded.

Errors an adapter raises (translate protocol and HTTP failures at the adapter boundary with
``raise ... from exc``; never let ``httpx`` or parser exceptions escape)::

    PayerError                      any failure talking to one payer; carries payer_id and a stable code
    ├── PayerUnavailable            PAYER_UNAVAILABLE: refused connection, 5xx, "try later" (AAA 42/80;
    │                               ``reasons`` carry the payer's codes when it gave any)
    │   └── PayerTimeout            PAYER_TIMEOUT: no answer within the payer's timeout
    ├── PayerRejected               PAYER_REJECTED: payer refused the request; ``reasons`` say why
    │   └── MemberNotFound          MEMBER_NOT_FOUND: no member matches the id and demographics
    │                               (AAA 72/73/75/71/58/65/67, 404...); ``reasons`` say which part
    └── PayerProtocolError          PAYER_PROTOCOL_ERROR: the answer is malformed or not the protocol

``retryable`` says whether sending the same request again later may succeed.

Timeouts: bound each HTTP exchange with ``async with payer_deadline(settings.timeout_seconds):``
(see :mod:`payers.deadline`) rather than ``asyncio.timeout``, and map ``TimeoutError`` and
``httpx.TimeoutException`` to ``PayerTimeout``. Used on its own the adapter is then bounded by its
own timer; called by the gateway, whose guard already holds the payer's deadline, it starts none.
A plain ``asyncio.timeout`` still works, at the cost of a second timer per call.

The payer's own words: adapters SHOULD attach the raw exchange an answer came from as
``exchange`` (:class:`payers.model.PayerExchange`, built with ``PayerExchange.of``) on
``EligibilityResult``, ``ClaimStatus`` (claim status, and the statuses of searched claims) and
``SubmissionAck``, and MAY on ``Payment``, so a biller can read exactly what the payer said. The
texts are the request and response as they went over the wire (an X12 interchange, a JSON body),
never credentials or headers, cut at ``MAX_EXCHANGE_CHARS`` (256 KiB) with a marker. Attach only
what belongs to the member asked about: a raw answer holding other patients' data (an 835 batch
filtered to one member) is left off. It is PHI: never log it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, ClassVar, Protocol, runtime_checkable

import httpx

from payers.deadline import payer_deadline as payer_deadline
from payers.model import (
    Claim,
    ClaimRef,
    ClaimStatus,
    ClaimStatusFilter,
    ClaimSubmission,
    Code,
    Demographics,
    DiscoveredCoverage,
    EligibilityResult,
    MemberQuery,
    Payment,
    SubmissionAck,
)


class Capability(enum.StrEnum):
    ELIGIBILITY = "eligibility"
    CLAIM_SEARCH = "claim_search"
    CLAIM_STATUS = "claim_status"
    PAYMENTS = "payments"
    CLAIM_SUBMISSION = "claim_submission"
    COVERAGE_DISCOVERY = "coverage_discovery"


#: The method each capability obliges an adapter to implement (as ``async def``).
CAPABILITY_METHODS: Mapping[Capability, str] = MappingProxyType(
    {
        Capability.ELIGIBILITY: "check_eligibility",
        Capability.CLAIM_SEARCH: "search_claims",
        Capability.CLAIM_STATUS: "claim_status",
        Capability.PAYMENTS: "payments",
        Capability.CLAIM_SUBMISSION: "submit_claim",
        Capability.COVERAGE_DISCOVERY: "discover_coverage",
    }
)

#: Operations whose results may be cached, and the default time-to-live in seconds of each.
DEFAULT_CACHE_TTL: Mapping[str, int] = MappingProxyType(
    {"eligibility": 900, "claim_search": 300, "claim_status": 300, "payments": 600}
)


@dataclass(frozen=True, slots=True)
class PayerSettings:
    """One configured payer, as read from the payers config file.

    ``credentials`` holds the *values*, resolved from the environment variables the config names;
    they never appear in ``repr`` so they cannot leak into logs or errors.
    """

    id: str
    name: str
    adapter: str
    base_url: str
    timeout_seconds: float = 10.0
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    cache_ttl: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_CACHE_TTL))
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Batch eligibility's budget at this payer (gateway/jobs/budget.py): checks in flight at once
    #: and checks started per second, across every gateway process on one machine.
    batch_concurrency: int = 5
    batch_rate_per_second: float = 10.0


# --- errors -----------------------------------------------------------------------------------------


class PayerError(Exception):
    """Base of every adapter failure. ``code`` is stable and machine-readable."""

    code: ClassVar[str] = "PAYER_ERROR"
    retryable: ClassVar[bool] = False
    #: The payer's own coded reasons, when it gave any (PayerRejected, PayerUnavailable).
    reasons: tuple[PayerRejection, ...] = ()

    def __init__(self, payer_id: str, message: str) -> None:
        super().__init__(message)
        self.payer_id = payer_id
        self.message = message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(payer_id={self.payer_id!r}, message={self.message!r})"


class PayerUnavailable(PayerError):
    """The payer cannot answer now (connection refused, 5xx, circuit open, AAA 42/80)."""

    code = "PAYER_UNAVAILABLE"
    retryable = True

    def __init__(self, payer_id: str, message: str, reasons: Sequence[PayerRejection] = ()) -> None:
        super().__init__(payer_id, message)
        self.reasons = tuple(reasons)


class PayerTimeout(PayerUnavailable):
    """The payer did not answer within its timeout."""

    code = "PAYER_TIMEOUT"


@dataclass(frozen=True, slots=True)
class PayerRejection:
    """One reason a payer gave for refusing a request, with what to do about it."""

    code: Code
    follow_up: str | None = None


class PayerRejected(PayerError):
    """The payer refused the request; ``reasons`` carries the payer's own codes."""

    code = "PAYER_REJECTED"

    def __init__(self, payer_id: str, message: str, reasons: Sequence[PayerRejection] = ()) -> None:
        super().__init__(payer_id, message)
        self.reasons = tuple(reasons)


class MemberNotFound(PayerRejected):
    """The payer has no member matching the request; fix the member id or demographics."""

    code = "MEMBER_NOT_FOUND"


class PayerProtocolError(PayerError):
    """The payer answered something that is not valid in its protocol."""

    code = "PAYER_PROTOCOL_ERROR"


# --- the protocols ----------------------------------------------------------------------------------


@runtime_checkable
class PayerAdapter(Protocol):
    """What every adapter class provides, whatever its capabilities.

    Class attributes: ``protocol`` (e.g. ``"rest"``, ``"fhir"``, ``"x12"``), ``capabilities`` (a
    frozenset of :class:`Capability`) and optionally ``required_credentials`` (names that must be
    present in ``settings.credentials``). ``__init__(settings, client)`` must not do I/O.

    An adapter class may also define ``validate_settings(cls, settings) -> None`` raising
    ``ValueError`` with a plain message when a configured payer cannot work (missing option, bad URL);
    the registry calls it at start-up and refuses the payer with that message.

    An adapter with :attr:`Capability.CLAIM_SUBMISSION` may also define the payer's own front-end
    edits, run by the gateway before a claim is accepted (see :class:`SupportsClaimEdits`).
    ``settings.options["timely_filing_days"]`` (default 365) is the payer's timely-filing window.
    """

    protocol: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    settings: PayerSettings

    def __init__(self, settings: PayerSettings, client: httpx.AsyncClient) -> None: ...


class SupportsEligibility(Protocol):
    async def check_eligibility(
        self, member: MemberQuery, service_types: Sequence[str], as_of: date
    ) -> EligibilityResult:
        """Eligibility and benefits of ``member`` on ``as_of`` for X12 service type codes."""
        ...


class SupportsClaimSearch(Protocol):
    async def search_claims(
        self, member: MemberQuery, since: date | None, status: ClaimStatusFilter
    ) -> Sequence[Claim]:
        """Claims of ``member`` with service dates on or after ``since`` in the given state."""
        ...


class SupportsClaimStatus(Protocol):
    async def claim_status(self, ref: ClaimRef) -> ClaimStatus:
        """Current status of one claim."""
        ...


class SupportsPayments(Protocol):
    async def payments(self, member: MemberQuery | None, since: date | None) -> Sequence[Payment]:
        """Remittances paid on or after ``since``: for ``member`` only, or all of the provider's."""
        ...


class SupportsClaimSubmission(Protocol):
    async def submit_claim(self, claim: ClaimSubmission, control_number: str) -> SubmissionAck:
        """Send a claim. The same ``control_number`` must be reused on every retry of one claim."""
        ...


@dataclass(frozen=True, slots=True)
class ClaimEdit:
    """A payer-specific reason the payer would refuse a claim, found before it is sent.

    ``code`` is stable and upper-case (prefix it with the payer's or adapter's name, e.g.
    ``SUMMIT_RENDERING_NPI_REQUIRED``); ``field`` is the path in the gateway's claim input, in its
    camelCase names (``("lines", "0", "modifiers")``, ``("renderingProviderNpi",)``); ``message``
    says in plain words what to fix.
    """

    code: str
    field: tuple[str, ...]
    message: str


class SupportsClaimEdits(Protocol):
    """Optional: an adapter's payer-specific claim rules (pure: no I/O, no state)."""

    def claim_edits(self, claim: ClaimSubmission) -> Sequence[ClaimEdit]:
        """Every payer rule ``claim`` breaks (empty when it would pass the payer's front door)."""
        ...


class SupportsCoverageDiscovery(Protocol):
    async def discover_coverage(self, demographics: Demographics) -> Sequence[DiscoveredCoverage]:
        """Find coverage for a person without a member id."""
        ...
