"""The normalized domain model every payer adapter returns.

Adapters translate their protocol (REST JSON, FHIR R4, X12 5010) into these frozen dataclasses; the
gateway only ever sees these. Rules that hold everywhere:

- money is ``Decimal`` (never float), dates are ``datetime.date``;
- every code from a code set (service type, CARC, RARC, 277 category, place of service...) is a
  :class:`Code` carrying the code, a readable description and the code system it comes from;
- nothing here does I/O;
- an answer may carry the :class:`PayerExchange` it came from: the payer's own words, raw. It is PHI:
  shown only to callers allowed to see PHI, never logged.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

Money = Decimal


@dataclass(frozen=True, slots=True)
class Code:
    """A code from a named code set, with a human-readable description."""

    system: str
    code: str
    description: str

    def __str__(self) -> str:
        return f"{self.code} ({self.description})"


class FindingSeverity(enum.StrEnum):
    """How much a finding matters: ``warning`` the answer is whole and usable as read; ``error`` a
    part of it could not be read and is missing or incomplete."""

    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a parser noticed in a payer's answer and reported rather than fixed or refused.

    A layout quirk (indentation, a BOM), a version label that disagrees, a part that could not be
    read (one malformed service line), or numbers that do not balance (an 835 whose BPR02 is not
    the sum of its claims). ``code`` is machine-readable and stable (``X12_LAYOUT``,
    ``835_CLAIM_UNBALANCED``...); ``message`` one line in plain words, naming no patient;
    ``location`` where it is (``"segment 14 (CLP)"``, ``"loop 2110, line 2"``,
    ``"Bundle.entry[3]"``); ``segment`` the 1-based position of the segment in its transaction
    set when the protocol has segments. For balancing findings, ``expected`` and ``actual`` are
    the two numbers that disagree (their difference is ``actual - expected``).
    """

    code: str
    message: str
    severity: FindingSeverity = FindingSeverity.WARNING
    location: str | None = None
    segment: int | None = None
    expected: Money | None = None
    actual: Money | None = None
    #: The codes the finding reports, each in its own code system (a 271 AAA: ``aaa-valid-request``
    #: AAA01, ``aaa-reject-reason`` AAA03, ``aaa-follow-up`` AAA04).
    codes: tuple[Code, ...] = ()


#: The most characters of a request or response an exchange keeps (256 KiB of text).
MAX_EXCHANGE_CHARS = 256 * 1024
TRUNCATION_MARKER = "\n[truncated by payer-gateway: {kept} of {total} characters kept]"


def _capped(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit] + TRUNCATION_MARKER.format(kept=limit, total=len(text))


@dataclass(frozen=True, slots=True, repr=False)
class PayerExchange:
    """What went over the wire for one answer, exactly: the request we sent and the payer's response.

    ``protocol`` is the adapter's protocol (``"x12"``, ``"fhir"``, ``"rest"``); ``request`` and
    ``response`` are the texts as sent and received (X12 interchanges, FHIR or REST JSON bodies; a
    GET without a body is ``"GET <url>"``), never credentials or HTTP headers; ``at`` is when the
    response arrived. Texts longer than :data:`MAX_EXCHANGE_CHARS` are cut and end with a marker
    (build with :meth:`of`). PHI: its ``repr`` shows no text, so it cannot leak into logs.
    """

    protocol: str
    request: str
    response: str
    request_content_type: str
    response_content_type: str
    at: datetime

    @classmethod
    def of(
        cls,
        protocol: str,
        request: str,
        response: str,
        *,
        request_content_type: str,
        response_content_type: str,
        at: datetime,
        limit: int = MAX_EXCHANGE_CHARS,
    ) -> PayerExchange:
        """An exchange whose texts are cut to ``limit`` characters, with a marker where cut."""
        return cls(
            protocol,
            _capped(request, limit),
            _capped(response, limit),
            request_content_type,
            response_content_type,
            at,
        )

    def __repr__(self) -> str:
        return (
            f"PayerExchange(protocol={self.protocol!r}, request=<{len(self.request)} chars>, "
            f"response=<{len(self.response)} chars>, at={self.at.isoformat()!r})"
        )


# --- requests -------------------------------------------------------------------------------------


class SubscriberRelation(enum.StrEnum):
    """Patient's relationship to the subscriber (X12 INS02 / FHIR Coverage.relationship)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class MemberQuery:
    """Who an adapter is asked about: the card's member id plus the demographics payers match on."""

    member_id: str
    first_name: str
    last_name: str
    birth_date: date
    group_number: str | None = None
    relation: SubscriberRelation = SubscriberRelation.SELF


@dataclass(frozen=True, slots=True)
class ClaimRef:
    """Identifies one claim at one payer: the payer's claim id and/or our control number."""

    member: MemberQuery
    payer_claim_id: str | None = None
    control_number: str | None = None
    service_date: date | None = None
    total_charge: Money | None = None


# --- eligibility and benefits -----------------------------------------------------------------------


class BenefitKind(enum.StrEnum):
    """What a benefit line states (X12 EB01; FHIR benefit.type)."""

    ACTIVE_COVERAGE = "active_coverage"
    INACTIVE = "inactive"
    DEDUCTIBLE = "deductible"
    OUT_OF_POCKET = "out_of_pocket"
    COPAY = "copay"
    COINSURANCE = "coinsurance"
    LIMITATION = "limitation"
    NON_COVERED = "non_covered"
    BENEFIT_MAXIMUM = "benefit_maximum"
    CONTACT_FOR_INFORMATION = "contact_for_information"
    OTHER = "other"
    # The other X12 EB01 codes, by their implementation-guide names (the code stays on Benefit.code).
    COVERAGE_BASIS = "coverage_basis"  # CB
    BENEFIT_DESCRIPTION = "benefit_description"  # D
    UNLIMITED = "unlimited"  # H
    COST_CONTAINMENT = "cost_containment"  # J
    RESERVE = "reserve"  # K
    PRIMARY_CARE_PROVIDER = "primary_care_provider"  # L
    PRE_EXISTING_CONDITION = "pre_existing_condition"  # M
    MANAGED_CARE_COORDINATOR = "managed_care_coordinator"  # MC
    SERVICES_RESTRICTED_TO_PROVIDER = "services_restricted_to_provider"  # N
    NOT_MEDICALLY_NECESSARY = "not_medically_necessary"  # O
    BENEFIT_DISCLAIMER = "benefit_disclaimer"  # P
    SECOND_SURGICAL_OPINION_REQUIRED = "second_surgical_opinion_required"  # Q
    OTHER_PAYER = "other_payer"  # R
    PRIOR_YEAR_HISTORY = "prior_year_history"  # S
    CARD_REPORTED_LOST_STOLEN = "card_reported_lost_stolen"  # T
    CANNOT_PROCESS = "cannot_process"  # V
    OTHER_SOURCE_OF_DATA = "other_source_of_data"  # W
    HEALTH_CARE_FACILITY = "health_care_facility"  # X
    SPEND_DOWN = "spend_down"  # Y


class Network(enum.StrEnum):
    """Whether a benefit applies in network (X12 EB12 Y/N/W/U; FHIR item.network)."""

    IN_NETWORK = "in_network"
    OUT_OF_NETWORK = "out_of_network"
    BOTH = "both"
    UNKNOWN = "unknown"


class CoverageLevel(enum.StrEnum):
    """Who a benefit amount covers (X12 EB02; FHIR item.unit)."""

    INDIVIDUAL = "individual"
    FAMILY = "family"
    EMPLOYEE_ONLY = "employee_only"
    EMPLOYEE_AND_SPOUSE = "employee_and_spouse"
    EMPLOYEE_AND_CHILDREN = "employee_and_children"
    SPOUSE_AND_CHILDREN = "spouse_and_children"
    CHILDREN_ONLY = "children_only"
    DEPENDENTS_ONLY = "dependents_only"
    SPOUSE_ONLY = "spouse_only"


@dataclass(frozen=True, slots=True)
class Benefit:
    """One benefit statement, e.g. "in-network individual deductible, calendar year, $1,500, $820 left".

    ``amount`` is the stated amount for the period (a copay, a deductible, a maximum); ``remaining``
    and ``used`` are what the payer says is left or already met. ``percent`` is a fraction (0.2 = 20%).
    """

    kind: BenefitKind
    code: Code
    service_types: tuple[Code, ...] = ()
    network: Network = Network.UNKNOWN
    coverage_level: CoverageLevel | None = None
    time_period: Code | None = None
    amount: Money | None = None
    percent: Decimal | None = None
    remaining: Money | None = None
    used: Money | None = None
    quantity: Decimal | None = None
    quantity_unit: str | None = None
    authorization_required: bool | None = None
    plan_description: str | None = None
    messages: tuple[str, ...] = ()
    #: When this cost does not apply (FHIR Coverage.costToBeneficiary.exception: retired, ...).
    exceptions: tuple[BenefitException, ...] = ()
    # X12 EB detail: EB04 insurance type, EB13 procedure, EB09 as a code, EB12 as a flag (None: W/U
    # or absent), the loop's DTP dates and REF references, its 2120 related entities, and the
    # payer's AAA about this benefit (2110C/2110D) as findings.
    insurance_type: Code | None = None
    procedure: Code | None = None
    quantity_qualifier: Code | None = None
    in_plan_network: bool | None = None
    dates: tuple[BenefitDate, ...] = ()
    references: tuple[Reference, ...] = ()
    related_entities: tuple[RelatedEntity, ...] = ()
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class BenefitException:
    """A case in which a benefit's cost to the member does not apply, and for which period."""

    type: Code
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class CoverageClass:
    """One classification of a coverage as the payer states it (FHIR Coverage.class: group, plan,
    subgroup, rxbin, rxpcn, rxgroup...): its type, the value printed on the card and its name."""

    type: Code
    value: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class BenefitDate:
    """A date or range a benefit states (X12 DTP in the EB loop): ``qualifier`` says what it is
    (348 benefit begin, 292 benefit period, 435 admission...); a single date has start == end."""

    qualifier: Code
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Reference:
    """An identifier a payer states (X12 REF: qualifier, value, optional description)."""

    qualifier: Code
    value: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ContactNumber:
    """One way to reach a contact (X12 PER03/04 pair: TE telephone, EM e-mail, UR web, FX fax)."""

    qualifier: Code
    value: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact a payer names (X12 PER): a name and up to three numbers."""

    name: str | None = None
    numbers: tuple[ContactNumber, ...] = ()


@dataclass(frozen=True, slots=True)
class RelatedEntity:
    """A party a benefit names (X12 2120C/2120D: other payer, primary care provider, employer...).

    ``entity`` is NM101 (``entity-identifier``); ``name`` the organisation or last name and
    ``first_name`` a person's first name; ``identifier`` NM109 with ``identifier_qualifier`` NM108.
    """

    entity: Code | None = None  # None: a 2120 loop with contacts but no NM1
    name: str | None = None
    first_name: str | None = None
    identifier: str | None = None
    identifier_qualifier: Code | None = None
    contacts: tuple[Contact, ...] = ()


@dataclass(frozen=True, slots=True)
class DependentPerson:
    """The patient when it is a dependent, not the subscriber (X12 2100D NM1/DMG/INS).

    PHI. ``relationship`` is INS02 (``individual-relationship``: 01 spouse, 19 child...);
    ``member_id`` the dependent's own id when the payer gives one.
    """

    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    relationship: Code | None = None
    member_id: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    name: str | None = None
    group_number: str | None = None
    group_name: str | None = None
    plan_number: str | None = None
    start: date | None = None
    end: date | None = None
    #: FHIR Coverage facts: its type (HIP, EHCPOL, self-pay...), network, the member's dependent
    #: number, and every class entry as stated (group/plan above are the first of their kind).
    coverage_type: Code | None = None
    network: str | None = None
    dependent: str | None = None
    classes: tuple[CoverageClass, ...] = ()


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """A payer's answer to "is this member covered, and for what" on a given date."""

    payer_id: str
    member_id: str
    active: bool
    as_of: date
    plan: Plan | None = None
    benefits: tuple[Benefit, ...] = ()
    messages: tuple[str, ...] = ()
    exchange: PayerExchange | None = field(default=None, compare=False, repr=False)
    #: Other insurance the payer knows the member has (X12 EB*R with its 2120 loop): a COB hint.
    other_coverage: tuple[OtherCoverage, ...] = ()
    #: What the parser noticed and reported instead of refusing (layout, AAA beside benefits...).
    findings: tuple[Finding, ...] = ()
    #: The patient when it is a dependent of the subscriber (X12 2100D), None when it is the member.
    dependent: DependentPerson | None = None


@dataclass(frozen=True, slots=True)
class OtherCoverage:
    """Another payer that, by this payer's records, also covers the member (coordination of benefits).

    ``payer_id`` is that payer's electronic id as the reporting payer states it (X12 2120 NM109),
    not a gateway payer id; ``member_id`` the member's id there, when given.
    """

    payer_name: str
    payer_id: str | None = None
    member_id: str | None = None
    start: date | None = None
    end: date | None = None


# --- claims -----------------------------------------------------------------------------------------


class ClaimState(enum.StrEnum):
    """Where a claim is in its life, derived from the 277 category code family.

    A* acknowledged (A3-A8 rejected at the front door), P* pending, R* more information requested,
    F0/F1/F3/F4 finalized, F2 denied, E* error/unknown at the payer.
    """

    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"
    PENDING = "pending"
    INFORMATION_REQUESTED = "information_requested"
    FINALIZED = "finalized"
    DENIED = "denied"
    ERROR = "error"

    @property
    def is_open(self) -> bool:
        return self not in _CLOSED_STATES


_CLOSED_STATES = frozenset({ClaimState.REJECTED, ClaimState.FINALIZED, ClaimState.DENIED})


class ClaimStatusFilter(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"

    def admits(self, state: ClaimState) -> bool:
        if self is ClaimStatusFilter.ALL:
            return True
        return state.is_open == (self is ClaimStatusFilter.OPEN)


@dataclass(frozen=True, slots=True)
class ClaimStatus:
    """A claim's status as a payer states it (277 STC: category + status code + entity)."""

    state: ClaimState
    category: Code
    status: Code | None = None
    entity: Code | None = None
    effective_date: date | None = None
    payer_claim_id: str | None = None
    control_number: str | None = None
    total_charge: Money | None = None
    paid_amount: Money | None = None
    message: str | None = None
    exchange: PayerExchange | None = field(default=None, compare=False, repr=False)
    findings: tuple[Finding, ...] = ()
    # 277 detail: ``category``/``status``/``entity`` above are the primary status (the first STC
    # of the claim's own loop); ``statuses`` is every status that applies, each with its level.
    level: StatusLevel | None = None
    statuses: tuple[StatusDetail, ...] = ()
    service_date_from: date | None = None
    service_date_to: date | None = None
    references: tuple[ClaimReference, ...] = ()
    lines: tuple[ServiceLineStatus, ...] = ()


class StatusLevel(enum.StrEnum):
    """The loop of a 277 a status was stated in (X212/X214 2200A-E, 2220D/E)."""

    INFORMATION_SOURCE = "information_source"
    INFORMATION_RECEIVER = "information_receiver"
    PROVIDER = "provider"
    CLAIM = "claim"
    SERVICE_LINE = "service_line"


@dataclass(frozen=True, slots=True)
class StatusDetail:
    """One status a payer stated: one STC composite (STC01, STC10 or STC11) and where it stood.

    ``entity`` is who the status is about (STC01-3: billing provider, subscriber...); ``status`` is
    from the X12 claim status codes unless ``code_list`` names another list (STC01-4 ``RX``: an
    NCPDP reject/payment code). ``loop`` is the IG loop (``2200D``); ``line`` the 1-based service
    line within its claim for service-line statuses. Amounts and date come from the STC holding it.
    """

    category: Code
    level: StatusLevel
    loop: str
    status: Code | None = None
    entity: Code | None = None
    code_list: Code | None = None
    line: int | None = None
    effective_date: date | None = None
    total_charge: Money | None = None
    paid_amount: Money | None = None


@dataclass(frozen=True, slots=True)
class ClaimReference:
    """A reference a payer states for a claim or line (277 REF: 1K payer claim number, EJ patient
    account, BLT bill type, XZ prescription number, D9 clearinghouse trace, FJ line item...)."""

    qualifier: Code
    value: str


@dataclass(frozen=True, slots=True)
class ServiceLineStatus:
    """One service line a 277 reports on (2220D/E SVC with its STC, REF and DTP*472)."""

    line: int
    procedure: Code | None = None
    modifiers: tuple[str, ...] = ()
    charge: Money | None = None
    paid: Money | None = None
    units: Decimal | None = None
    service_date_from: date | None = None
    service_date_to: date | None = None
    references: tuple[ClaimReference, ...] = ()
    statuses: tuple[StatusDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimLine:
    line_number: int
    procedure: Code
    charge: Money
    units: Decimal = Decimal(1)
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = ()
    service_date: date | None = None
    allowed_amount: Money | None = None
    paid_amount: Money | None = None
    # 837P 2410 drug given (J-codes need the NDC), 2420E ordering and 2420F referring provider
    drug: DrugIdentification | None = None
    ordering_provider: ClaimProvider | None = None
    referring_provider: ClaimProvider | None = None


@dataclass(frozen=True, slots=True)
class DrugIdentification:
    """The drug given on a service line (837P loop 2410: LIN*N4 NDC, CTP04 quantity, CTP05 unit).

    ``ndc`` is the 11-digit NDC in 5-4-2 form without hyphens; ``unit`` one of F2 (international
    unit), GR (gram), ME (milligram), ML (millilitre), UN (unit).
    """

    ndc: str
    quantity: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class PostalAddress:
    street: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True, slots=True)
class ClaimProvider:
    """A person named on a claim by NPI and name: a referring (NM1*DN) or ordering (NM1*DK) provider."""

    npi: str
    last_name: str
    first_name: str | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim as the payer holds it, with its current status."""

    payer_id: str
    payer_claim_id: str | None
    control_number: str | None
    member_id: str
    status: ClaimStatus
    service_date_from: date | None
    service_date_to: date | None
    total_charge: Money
    claim_type: str = "professional"
    billing_provider_npi: str | None = None
    rendering_provider_npi: str | None = None
    place_of_service: Code | None = None
    diagnoses: tuple[Code, ...] = ()
    lines: tuple[ClaimLine, ...] = ()
    paid_amount: Money | None = None
    patient_responsibility: Money | None = None


# --- payments (835 / EOB) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One CAS adjustment: group (CO/PR/OA/PI/CR) + CARC + amount, with remark codes (RARC)."""

    group: Code
    reason: Code
    amount: Money
    quantity: Decimal | None = None
    remarks: tuple[Code, ...] = ()

    @property
    def explanation(self) -> str:
        """Plain-language sentence a front desk can read to a patient."""
        who = {
            "CO": "The provider absorbs this amount (contractual obligation)",
            "PR": "The patient owes this amount",
            "OA": "Other adjustment",
            "PI": "The payer adjusted this amount (payer initiated)",
            "CR": "Correction or reversal of an earlier payment",
        }.get(self.group.code, self.group.description)
        return f"{who}: {self.reason.description}"


@dataclass(frozen=True, slots=True)
class ServiceLinePayment:
    procedure: Code
    charge: Money
    paid: Money
    modifiers: tuple[str, ...] = ()
    units: Decimal | None = None
    service_date: date | None = None
    allowed_amount: Money | None = None
    adjustments: tuple[Adjustment, ...] = ()
    remarks: tuple[Code, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: The code list SVC01-1 names (HC HCPCS, NU revenue code, AD dental, N4 NDC...).
    procedure_qualifier: Code | None = None


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    """How one claim was paid within a remittance (835 loop 2100 CLP / EOB)."""

    control_number: str | None
    payer_claim_id: str | None
    status: Code
    charge: Money
    paid: Money
    patient_responsibility: Money | None = None
    member_id: str | None = None
    service_date_from: date | None = None
    service_date_to: date | None = None
    adjustments: tuple[Adjustment, ...] = ()
    lines: tuple[ServiceLinePayment, ...] = ()
    remarks: tuple[Code, ...] = ()
    findings: tuple[Finding, ...] = ()
    #: CLP06: the kind of plan the claim was paid under (MB Medicare Part B, 12 PPO, MC Medicaid...).
    filing_indicator: Code | None = None
    #: CLP08: place of service (professional) or facility type of the bill (institutional).
    facility_code: Code | None = None
    #: FHIR EOB facts: claim subtype, precedence (1 primary...), accident, the focal coverage and
    #: the payer's process notes.
    sub_type: Code | None = None
    precedence: int | None = None
    accident: Accident | None = None
    focal_coverage: FocalCoverage | None = None
    process_notes: tuple[ProcessNote, ...] = ()


@dataclass(frozen=True, slots=True)
class Accident:
    """An accident a claim is for (FHIR EOB.accident): when, what kind, where (an address or a
    place named by reference)."""

    occurred_on: date | None = None
    type: Code | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class FocalCoverage:
    """The coverage a claim was adjudicated under (FHIR EOB.insurance with focal = true):
    ``coverage`` is its reference, identifier or display; ``pre_auth_refs`` the prior
    authorizations quoted for it."""

    coverage: str
    pre_auth_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProcessNote:
    """A note from the payer on how a claim was processed (FHIR EOB.processNote): number, type
    (display, print, printoper), free text and its language."""

    text: str
    number: int | None = None
    type: str | None = None
    language: Code | None = None


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A provider-level adjustment not tied to one claim (835 PLB)."""

    reason: Code
    amount: Money
    reference: str | None = None
    #: PLB01: the provider the adjustment is for (usually the payee's NPI or tax id).
    provider_id: str | None = None
    #: PLB02: the last day of the provider's fiscal period the adjustment belongs to.
    fiscal_period_end: date | None = None


@dataclass(frozen=True, slots=True)
class PartyId:
    """One identifier of a payer or payee as a remittance states it (N103/N104 or a REF)."""

    qualifier: Code  # XV plan id, XX NPI, FI tax id, 2U payer id, EO submitter id, TJ tax id...
    value: str


@dataclass(frozen=True, slots=True)
class Payment:
    """One remittance: a payment (or non-payment) with the claims it settles."""

    payer_id: str
    trace_number: str
    method: Code
    payment_date: date | None
    amount: Money
    claims: tuple[ClaimPayment, ...] = ()
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    payee_npi: str | None = None
    exchange: PayerExchange | None = field(default=None, compare=False, repr=False)
    #: File-level findings (layout, envelope counts, BPR02 against the claims and PLB).
    findings: tuple[Finding, ...] = ()
    #: Who paid and who was paid (835 loops 1000A N1*PR and 1000B N1*PE): names and identifiers.
    payer_name: str | None = None
    payer_ids: tuple[PartyId, ...] = ()
    payee_name: str | None = None
    payee_tax_id: str | None = None
    payee_ids: tuple[PartyId, ...] = ()


# --- submission and coverage discovery ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorLineAdjudication:
    """How an earlier payer settled one line of this claim (837P loop 2430 SVD/CAS/DTP 573)."""

    line_number: int  # the submission's line (1-based) this adjudicates
    procedure: Code
    paid: Money
    paid_units: Decimal | None = None
    modifiers: tuple[str, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    adjudication_date: date | None = None


@dataclass(frozen=True, slots=True)
class PriorPayerAdjudication:
    """An earlier payer's adjudication sent with a secondary (or tertiary) claim.

    X12 837P: loops 2320 (SBR, CAS, AMT D paid), 2330A/B (other subscriber and payer), 2430 per line.
    FHIR: the earlier ``Claim.insurance`` entry with its adjudication. REST: its ``priorPayers`` entry.
    """

    payer_id: str  # the earlier payer's identifier (2330B NM109)
    payer_name: str
    member_id: str  # the patient's member id at that payer (2330A NM109)
    responsibility: str  # SBR01 of the earlier payer: P primary, S secondary, T tertiary
    paid: Money  # what that payer paid on the claim (AMT*D)
    adjudication_date: date  # when it adjudicated (DTP*573)
    payer_claim_id: str | None = None  # its claim number (REF*F8 in 2330B)
    patient_responsibility: Money | None = None  # what it left to the patient (AMT*EAF)
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    lines: tuple[PriorLineAdjudication, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimSubmission:
    """A professional claim ready to leave, after the gateway's front-end edits passed.

    ``frequency_code`` 1 is an original, 7 a replacement and 8 a void; the latter two carry the
    payer's claim number of the claim they change in ``original_payer_claim_id``. A claim to a
    secondary payer has ``responsibility`` S and the primary's adjudication in ``prior_payers``.
    """

    member: MemberQuery
    billing_provider_npi: str
    billing_provider_tax_id: str
    billing_provider_name: str
    rendering_provider_npi: str | None
    place_of_service: str
    frequency_code: str
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    total_charge: Money
    original_payer_claim_id: str | None = None
    responsibility: str = "P"  # SBR01 of the payer this goes to: P, S or T
    prior_payers: tuple[PriorPayerAdjudication, ...] = ()
    # A dependent billed on the card holder's member id (837P 2000C): ``member`` is the patient
    # (name, birth date, its relation), ``subscriber`` the card holder; None when self.
    subscriber: Demographics | None = None
    patient_gender: str | None = None  # F, M or U (DMG03)
    referring_provider: ClaimProvider | None = None  # 2310A NM1*DN
    prior_authorization: str | None = None  # REF*G1
    referral_number: str | None = None  # REF*9F
    medical_record_number: str | None = None  # REF*EA
    patient_address: PostalAddress | None = None  # 2010CA N3/N4 (required for a dependent)
    #: The code list of ``diagnoses``: icd10cm (HI ABK/ABF) or icd9cm (BK/BF, before 2015-10-01).
    diagnosis_code_list: str = "icd10cm"


@dataclass(frozen=True, slots=True)
class SubmissionAck:
    """The payer's first answer to a submission: accepted with its claim id, or rejected with reasons."""

    accepted: bool
    control_number: str
    payer_claim_id: str | None = None
    status: ClaimStatus | None = None
    reasons: tuple[Code, ...] = ()
    duplicate: bool = False
    exchange: PayerExchange | None = field(default=None, compare=False, repr=False)
    #: Layout and version findings of the 999 / 277CA read (X12_LAYOUT_*, X12_VERSION_*).
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True, slots=True)
class Demographics:
    first_name: str
    last_name: str
    birth_date: date
    gender: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class DiscoveredCoverage:
    """A coverage a payer found by demographics; ``person`` is who the payer matched, as its records
    state them (name, birth date, gender, postal code), so the gateway can say how well it matches."""

    payer_id: str
    member_id: str
    plan: Plan | None = None
    relation: SubscriberRelation = SubscriberRelation.SELF
    person: Demographics | None = None


# --- construction cost ------------------------------------------------------------------------------


def _store_through_slots(cls: type) -> None:
    """Give a frozen slots dataclass an ``__init__`` that stores each field through its slot.

    The one ``dataclass(frozen=True)`` generates goes through ``object.__setattr__`` for every field
    (about 120 ns each, 2.6 us for a 23-field ``Benefit``), and adapters build thousands of these
    records per second. Writing to the slot descriptors directly does the same in about a third of
    the time. Same signature, defaults and annotations; the class stays frozen (``__setattr__`` is
    untouched), hashes, compares and pickles as before. Classes with fields this does not cover
    (``init=False``, default factories, keyword-only) keep their generated ``__init__``.
    """
    fields = dataclasses.fields(cls)
    generated = cls.__init__  # type: ignore[misc]
    if any(not f.init or f.default_factory is not dataclasses.MISSING or f.kw_only for f in fields):
        return
    names = [f.name for f in fields]
    setters = {f"_set_{name}": cls.__dict__[name].__set__ for name in names}
    source = f"def __init__(self, {', '.join(names)}):\n" + "".join(
        f"    _set_{name}(self, {name})\n" for name in names
    )
    scope: dict[str, Any] = {}
    exec(source, setters, scope)  # noqa: S102 - the source is built from the class's own field names
    init = scope["__init__"]
    init.__defaults__ = generated.__defaults__
    init.__annotations__ = generated.__annotations__
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]


for _record in list(vars().values()):
    if (
        isinstance(_record, type)
        and _record.__module__ == __name__
        and dataclasses.is_dataclass(_record)
        and _record.__dataclass_params__.frozen  # type: ignore[attr-defined]
        and "__slots__" in _record.__dict__
    ):
        _store_through_slots(_record)
del _record
