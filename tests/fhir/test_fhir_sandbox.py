"""FhirPayerAdapter end to end against the FHIR sandbox payer (Northwind Blue), via ASGITransport.

Every capability must return what the sandbox book holds. What FHIR R4 has no element for travels
the way payers bridging from X12 send it, and the adapter reads it:

- the X12 277 claim status (category + status code + entity + date): the claim status extension on
  EOB and ClaimResponse (``outcome`` alone only gives the category family);
- benefit kind, time period and "both networks" (EB01/EB06/EB12): X12 codings next to the HL7 ones;
- a remittance's total and its PLB adjustments: PaymentReconciliation (an EOB knows only its own
  claim's share). Without that resource the amount is the member's share: see
  ``test_without_payment_reconciliation_the_amount_is_the_members_share``;
- coinsurance travels as a whole percentage (``allowedUnsignedInt``): 12.5% would not fit;
- ``item.unit`` knows only individual and family (X12 EB02 has seven more levels), and
  ``item.description`` is one string (several benefit messages would come back as one);
- Patient search matches member id + birth date only, so a wrong *name* is caught by eligibility
  (AAA 73) but not by claim or payment searches.
Equality is checked on ``repr`` too: 0.20 and 0.2 are equal Decimals but not the same answer.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from payers.codesets import lookup
from payers.contract import (
    MemberNotFound,
    PayerProtocolError,
    PayerRejected,
    PayerSettings,
    PayerTimeout,
    PayerUnavailable,
)
from payers.fhir.adapter import FhirPayerAdapter
from payers.model import (
    BenefitKind,
    ClaimLine,
    ClaimPayment,
    ClaimRef,
    ClaimState,
    ClaimStatusFilter,
    ClaimSubmission,
    Demographics,
    DiscoveredCoverage,
    EligibilityResult,
    MemberQuery,
    Network,
    Payment,
    Plan,
)
from payers.sandbox.fhir_app import create_fhir_app
from payers.sandbox.launch import KINDS, payers_toml
from payers.sandbox.world import SandboxPayerBook, World, build_world

D = Decimal
TODAY = date(2025, 11, 27)
BASE = "http://northwind.test"
CREDENTIALS = {"client_id": "gateway-demo", "client_secret": "n0rthw1nd-s3cret"}
THEO, GRETA, IVAN, WANDA = "NWB700314562", "NWB118830574", "NWB902741186", "NWB455120937"


class Clock:
    """The sandbox's token clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(TODAY)


@pytest.fixture(scope="module")
def book(world: World) -> SandboxPayerBook:
    return world.books["northwind"]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(book: SandboxPayerBook, clock: Clock) -> Starlette:
    return create_fhir_app(book, credentials=CREDENTIALS, clock=clock, token_lifetime=600)


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        yield client


def northwind(book: SandboxPayerBook, **changes: Any) -> PayerSettings:
    options = {**KINDS["fhir"].options(book, BASE), **changes.pop("options", {})}
    fields: dict[str, Any] = {
        "id": "northwind",
        "name": book.name,
        "adapter": "fhir",
        "base_url": BASE,
        "timeout_seconds": 2.0,
        "credentials": CREDENTIALS,
        "options": options,
    }
    return PayerSettings(**{**fields, **changes})


@pytest.fixture
def adapter(http: httpx.AsyncClient, book: SandboxPayerBook) -> FhirPayerAdapter:
    return FhirPayerAdapter(northwind(book), http)


def member(book: SandboxPayerBook, member_id: str, **changes: Any) -> MemberQuery:
    person = book.members[member_id].person
    query = MemberQuery(member_id, person.first_name, person.last_name, person.birth_date)
    return replace(query, **changes)


def same(actual: Any, expected: Any) -> None:
    """Equal, and written the same: 0.20 is not 0.2 to a client reading the JSON we answer."""
    assert actual == expected
    assert repr(actual) == repr(expected)


def as_in_book(value: Any) -> Any:
    """``value`` without what only the FHIR payer states (the card's type, network, classes and
    copays; the EOB's precedence, focal coverage and process notes): the book's own model has
    none of them. Those are checked by name in test_fhir_card_facts.py."""
    if isinstance(value, tuple):
        return tuple(as_in_book(v) for v in value)
    if isinstance(value, Plan):
        return replace(value, coverage_type=None, network=None, dependent=None, classes=())
    if isinstance(value, EligibilityResult):
        return replace(
            value,
            plan=as_in_book(value.plan),
            benefits=tuple(b for b in value.benefits if b.code.system != "fhir-copay-type"),
        )
    if isinstance(value, DiscoveredCoverage):
        return replace(value, plan=as_in_book(value.plan))
    if isinstance(value, Payment):
        return replace(value, claims=as_in_book(value.claims))
    if isinstance(value, ClaimPayment):
        return replace(
            value, sub_type=None, precedence=None, accident=None, focal_coverage=None,
            process_notes=(),
        )  # fmt: skip
    return value


async def stats(http: httpx.AsyncClient) -> dict[str, Any]:
    return (await http.get(f"{BASE}/_control/stats")).json()


async def set_faults(http: httpx.AsyncClient, **faults: Any) -> None:
    assert (await http.put(f"{BASE}/_control/faults", json=faults)).status_code == 200


# --- registration ------------------------------------------------------------------------------


def test_the_fhir_kind_is_registered(world: World, book: SandboxPayerBook) -> None:
    kind = KINDS["fhir"]
    assert kind.credential_names == ("client_id", "client_secret")
    FhirPayerAdapter.validate_settings(northwind(book))
    assert kind.options(book, "http://127.0.0.1:8123/")["token_url"] == (
        "http://127.0.0.1:8123/oauth/token"
    )
    text = payers_toml(world, {"northwind": "http://127.0.0.1:8123"})
    assert 'adapter = "fhir"' in text and "SANDBOX_NORTHWIND_CLIENT_SECRET" in text
    assert isinstance(kind.create_app(book, CREDENTIALS), Starlette)


# --- eligibility -------------------------------------------------------------------------------


@pytest.mark.parametrize("member_id", [THEO, GRETA, IVAN, WANDA])
async def test_eligibility_equals_the_book(
    adapter: FhirPayerAdapter, book: SandboxPayerBook, member_id: str
) -> None:
    result = await adapter.check_eligibility(member(book, member_id), ["30"], TODAY)
    same(as_in_book(result), book.eligibility(book.members[member_id], ["30"], TODAY))


async def test_eligibility_values(adapter: FhirPayerAdapter, book: SandboxPayerBook) -> None:
    theo = as_in_book(await adapter.check_eligibility(member(book, THEO), ["30"], TODAY))
    assert theo.active and theo.benefits == book.benefits[THEO]
    assert theo.plan is not None and theo.plan.group_number == "0072215"
    deductible = theo.benefits[1]
    assert (deductible.kind, deductible.code.code, deductible.network) == (
        BenefitKind.DEDUCTIBLE,
        "C",
        Network.IN_NETWORK,
    )
    assert deductible.amount == D("2000.00") and deductible.time_period.code == "23"
    assert deductible.remaining == deductible.amount - deductible.used
    coinsurance = [b for b in theo.benefits if b.kind is BenefitKind.COINSURANCE]
    assert [b.percent for b in coinsurance] == [D("0.20"), D("0.40")]
    therapy = next(b for b in theo.benefits if b.kind is BenefitKind.LIMITATION)
    assert (therapy.quantity, therapy.quantity_unit, therapy.network) == (
        D(25),
        "visits",
        Network.BOTH,
    )
    office = as_in_book(await adapter.check_eligibility(member(book, THEO), ["98", "UC"], TODAY))
    same(office, book.eligibility(book.members[THEO], ["98", "UC"], TODAY))
    assert [b.amount for b in office.benefits[1:]] == [D("30.00"), D("60.00"), D("75.00")]
    ended = await adapter.check_eligibility(member(book, GRETA), ["30"], TODAY)
    assert not ended.active and [b.code.code for b in ended.benefits] == ["6"]
    assert ended.messages == ("Coverage not in force on the requested date",)


@pytest.mark.parametrize(
    "changes",
    [
        {"member_id": "NWB000000000"},  # AAA 75
        {"birth_date": date(1960, 1, 1)},  # AAA 71
        {"last_name": "Nobody"},  # AAA 73
    ],
)
async def test_member_mismatch_is_member_not_found(
    adapter: FhirPayerAdapter, book: SandboxPayerBook, changes: dict[str, Any]
) -> None:
    wrong = replace(member(book, THEO), **changes)
    with pytest.raises(MemberNotFound) as caught:
        await adapter.check_eligibility(wrong, ["30"], TODAY)
    assert caught.value.payer_id == "northwind"
    if "last_name" not in changes:  # Patient search matches on member id and birth date only
        with pytest.raises(MemberNotFound):
            await adapter.search_claims(wrong, None, ClaimStatusFilter.ALL)
        with pytest.raises(MemberNotFound):
            await adapter.payments(wrong, None)


# --- claims ------------------------------------------------------------------------------------


@pytest.mark.parametrize("member_id", [THEO, GRETA, IVAN, WANDA])
async def test_claims_equal_the_book(
    adapter: FhirPayerAdapter, book: SandboxPayerBook, member_id: str
) -> None:
    query = member(book, member_id)
    for since in (None, TODAY - timedelta(days=50)):
        for status in ClaimStatusFilter:
            claims = await adapter.search_claims(query, since, status)
            same(tuple(claims), book.claims_of(member_id, since, status))


async def test_claim_search_pages_and_keeps_every_detail(
    adapter: FhirPayerAdapter, book: SandboxPayerBook, http: httpx.AsyncClient
) -> None:
    claims = await adapter.search_claims(member(book, IVAN), None, ClaimStatusFilter.ALL)
    assert (await stats(http))["requests"]["claim_search"] == 2  # 3 EOBs, 2 a page
    assert [(c.control_number, c.status.state) for c in claims] == [
        ("EFM1000277", ClaimState.INFORMATION_REQUESTED),
        ("EFM1000243", ClaimState.DENIED),
        ("EFM1000207", ClaimState.FINALIZED),
    ]
    info, denied, paid = claims
    assert (info.status.category.code, info.status.status.code, info.status.entity.code) == (
        "R4",
        "123",
        "85",
    )
    assert info.paid_amount is None and info.lines[0].allowed_amount is None
    assert (denied.status.status.code, denied.paid_amount) == ("104", D("0.00"))
    assert paid.total_charge == D("267.00") and paid.paid_amount == D("106.50")
    assert paid.patient_responsibility == D("67.05")
    assert [(ln.procedure.code, ln.allowed_amount, ln.paid_amount) for ln in paid.lines] == [
        ("99214", D("136.50"), D("106.50")),
        ("83036", D("27.30"), D("0.00")),
        ("36415", D("9.75"), D("0.00")),
    ]
    assert paid.lines[0].diagnosis_pointers == (1, 2) and paid.place_of_service.code == "11"
    assert paid.billing_provider_npi == book.providers["mfm"].npi


async def test_claim_status_equals_the_book(
    adapter: FhirPayerAdapter, book: SandboxPayerBook
) -> None:
    for member_id, claims in book.claims.items():
        for claim in claims:
            ref = member(book, member_id)
            by_id = await adapter.claim_status(ClaimRef(ref, payer_claim_id=claim.payer_claim_id))
            by_cn = await adapter.claim_status(ClaimRef(ref, control_number=claim.control_number))
            same(by_id, claim.status)
            same(by_cn, claim.status)
    missing = await adapter.claim_status(ClaimRef(member(book, THEO), control_number="NOPE"))
    assert missing.category.code == "A4"


# --- payments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("member_id", [THEO, GRETA, IVAN, WANDA])
async def test_member_payments_equal_the_book(
    adapter: FhirPayerAdapter, book: SandboxPayerBook, member_id: str
) -> None:
    for since in (None, TODAY - timedelta(days=40)):
        payments = await adapter.payments(member(book, member_id), since)
        same(as_in_book(tuple(payments)), book.payments_for(member_id, since))


async def test_all_payments_equal_the_book(
    adapter: FhirPayerAdapter, book: SandboxPayerBook
) -> None:
    payments = await adapter.payments(None, None)
    same(as_in_book(tuple(payments)), book.payments)
    assert [(p.trace_number, p.method.code, p.amount) for p in payments] == [
        (p.trace_number, p.method.code, p.amount) for p in book.payments
    ]
    interest = next(p for p in payments if p.trace_number == "NWB8830024417")
    [plb] = interest.provider_adjustments
    assert (plb.reason.code, plb.amount, plb.reference) == ("L6", D("-2.14"), "EFM1000090")
    assert interest.amount == sum((c.paid for c in interest.claims), D(0)) + D("2.14")
    denied = next(c for c in interest.claims if c.control_number == "EFM1000209")
    assert denied.status.code == "4" and [r.code for r in denied.remarks] == ["N30"]
    assert [(a.group.code, a.reason.code) for a in denied.lines[0].adjustments] == [("PR", "27")]
    recent = await adapter.payments(None, TODAY - timedelta(days=20))
    same(as_in_book(tuple(recent)), book.payments_for(None, TODAY - timedelta(days=20)))
    assert [p.trace_number for p in recent] == ["5500187"]
    crossover = next(c for c in recent[0].claims if c.control_number == "EFM1000220")
    assert crossover.status.code == "2"
    assert [a.reason.code for a in crossover.lines[0].adjustments] == ["23", "2"]


async def test_without_payment_reconciliation_the_amount_is_the_members_share(
    http: httpx.AsyncClient, book: SandboxPayerBook
) -> None:
    plain = FhirPayerAdapter(northwind(book, options={"payment_reconciliation": False}), http)
    payments = await plain.payments(member(book, IVAN), TODAY - timedelta(days=40))
    expected = book.payments_for(IVAN, TODAY - timedelta(days=40))
    # the whole remittances, as an 835 states them (other patients' claims included) ...
    assert [p.amount for p in expected] == [D("108.64"), D("15.31")]
    # ... while Ivan's EOBs know only his own claims' payments
    assert [p.amount for p in payments] == [D("106.50"), D("0.00")]
    assert [p.claims for p in as_in_book(tuple(payments))] == [p.claims for p in expected]


# --- coverage discovery ------------------------------------------------------------------------


async def test_discover_coverage_equals_the_book(
    adapter: FhirPayerAdapter, book: SandboxPayerBook
) -> None:
    for member_id in (THEO, GRETA, WANDA):
        person = book.members[member_id].person
        who = Demographics(person.first_name, person.last_name, person.birth_date)
        same(as_in_book(tuple(await adapter.discover_coverage(who))), book.discover(who))
    theo = book.members[THEO].person
    [found] = await adapter.discover_coverage(
        Demographics(theo.first_name, theo.last_name, theo.birth_date, postal_code=theo.postal_code)
    )
    assert found.member_id == THEO and as_in_book(found).plan == book.members[THEO].plan
    greta = book.members[GRETA].person
    assert (
        await adapter.discover_coverage(
            Demographics(greta.first_name, greta.last_name, greta.birth_date)
        )
        == []
    )  # coverage ended


# --- submission --------------------------------------------------------------------------------


def submission(book: SandboxPayerBook, **changes: Any) -> ClaimSubmission:
    day = TODAY - timedelta(days=1)
    claim = ClaimSubmission(
        member=member(book, THEO),
        billing_provider_npi=book.providers["mfm"].npi,
        billing_provider_tax_id="84-7301296",
        billing_provider_name=book.providers["mfm"].name,
        rendering_provider_npi=book.providers["dr_exampleton"].npi,
        place_of_service="11",
        frequency_code="1",
        diagnoses=("J06.9", "R05.9"),
        lines=(
            ClaimLine(
                1,
                lookup("procedure", "99213"),
                D("150.00"),
                diagnosis_pointers=(1, 2),
                service_date=day,
            ),
            ClaimLine(
                2,
                lookup("procedure", "87880"),
                D("35.00"),
                modifiers=("QW",),
                diagnosis_pointers=(1,),
                service_date=day,
            ),
        ),
        total_charge=D("185.00"),
    )
    return replace(claim, **changes)


async def test_submission_twice_is_one_claim(
    adapter: FhirPayerAdapter, app: Starlette, book: SandboxPayerBook, http: httpx.AsyncClient
) -> None:
    first = await adapter.submit_claim(submission(book), "EFM2000001")
    again = await adapter.submit_claim(submission(book), "EFM2000001")
    [received] = app.state.intake.received()
    assert first.accepted and not first.duplicate and first.reasons == ()
    assert first.payer_claim_id == received.payer_claim_id == "NW2533150001"
    same(first.status, received.status)
    assert again.accepted and again.duplicate and again.reasons == ()
    assert again.payer_claim_id == first.payer_claim_id
    assert (await stats(http))["claims_received"] == {"EFM2000001": 2}
    status = await adapter.claim_status(ClaimRef(member(book, THEO), control_number="EFM2000001"))
    same(status, received.status)
    assert (status.category.code, status.status.code, status.entity.code) == ("A1", "19", "PR")
    claims = await adapter.search_claims(member(book, THEO), None, ClaimStatusFilter.OPEN)
    same(tuple(claims), app.state.intake.claims_of(THEO, None, ClaimStatusFilter.OPEN))
    assert claims[0] == received and len(claims) == 3


async def test_rejected_submission_carries_the_payers_codes(
    adapter: FhirPayerAdapter, app: Starlette, book: SandboxPayerBook
) -> None:
    bad = submission(book, billing_provider_npi="1234567890", total_charge=D("200.00"))
    ack = await adapter.submit_claim(bad, "EFM2000002")
    assert not ack.accepted and ack.payer_claim_id is None
    assert [(r.system, r.code) for r in ack.reasons] == [
        ("claim-status-category", "A7"),
        ("claim-status", "562"),
        ("claim-status", "178"),
    ]
    assert ack.status.state is ClaimState.REJECTED and ack.status.entity.code == "85"
    assert app.state.intake.received() == ()


# --- tokens ------------------------------------------------------------------------------------


async def test_one_token_serves_every_call(
    adapter: FhirPayerAdapter, app: Starlette, book: SandboxPayerBook
) -> None:
    await adapter.check_eligibility(member(book, THEO), ["30"], TODAY)
    await adapter.search_claims(member(book, THEO), None, ClaimStatusFilter.ALL)
    await adapter.payments(None, None)
    assert app.state.tokens.issued == 1


async def test_expired_token_is_refused_then_refreshed(
    adapter: FhirPayerAdapter, app: Starlette, book: SandboxPayerBook, clock: Clock
) -> None:
    await adapter.check_eligibility(member(book, THEO), ["30"], TODAY)
    clock.now += 601  # the server's token expired; the adapter's clock has not moved
    result = await adapter.check_eligibility(member(book, THEO), ["30"], TODAY)
    assert as_in_book(result).benefits == book.benefits[THEO]
    assert app.state.tokens.issued == 2


async def test_adapter_refreshes_before_expiry(
    http: httpx.AsyncClient, app: Starlette, book: SandboxPayerBook
) -> None:
    now = [5000.0]
    adapter = FhirPayerAdapter(northwind(book), http)
    adapter.tokens._clock = lambda: now[0]
    await adapter.payments(member(book, IVAN), None)
    now[0] += 600 - 30 + 1  # inside the 30 s margin of the 600 s lifetime
    await adapter.payments(member(book, IVAN), None)
    assert app.state.tokens.issued == 2


async def test_token_is_required_and_checked(
    http: httpx.AsyncClient, book: SandboxPayerBook
) -> None:
    bare = await http.get(f"{BASE}/Patient", params={"identifier": THEO})
    assert bare.status_code == 401 and bare.headers["content-type"] == "application/fhir+json"
    assert bare.json()["resourceType"] == "OperationOutcome"
    forged = await http.get(
        f"{BASE}/Patient", params={"identifier": THEO}, headers={"Authorization": "Bearer x"}
    )
    assert forged.status_code == 401
    wrong = northwind(book, credentials={**CREDENTIALS, "client_secret": "guess"})
    with pytest.raises(PayerRejected, match="invalid_client") as caught:
        await FhirPayerAdapter(wrong, http).payments(None, None)
    assert "guess" not in str(caught.value)


# --- faults ------------------------------------------------------------------------------------


CALLS = {
    "eligibility": lambda a, b: a.check_eligibility(member(b, THEO), ["30"], TODAY),
    "claim_search": lambda a, b: a.search_claims(member(b, THEO), None, ClaimStatusFilter.ALL),
    "claim_status": lambda a, b: a.claim_status(
        ClaimRef(member(b, THEO), control_number="EFM1000282")
    ),
    "payments": lambda a, b: a.payments(None, TODAY - timedelta(days=60)),
    "claim_submission": lambda a, b: a.submit_claim(submission(b), "EFM2000009"),
    "coverage_discovery": lambda a, b: a.discover_coverage(
        Demographics("Theo", "Sample", date(1980, 1, 1))
    ),
}


@pytest.mark.parametrize("operation", list(CALLS))
@pytest.mark.parametrize(
    ("faults", "error", "message"),
    [
        ({"error_rate": 1.0}, PayerUnavailable, "HTTP 503"),
        ({"malformed": True}, PayerProtocolError, "body is not JSON"),
        ({"busy": True}, PayerUnavailable, "cannot respond right now; retry later"),
    ],
)
async def test_faults_become_contract_errors(
    adapter: FhirPayerAdapter,
    app: Starlette,
    book: SandboxPayerBook,
    http: httpx.AsyncClient,
    operation: str,
    faults: dict[str, Any],
    error: type,
    message: str,
) -> None:
    await set_faults(http, **faults, operations=[operation])
    with pytest.raises(error, match=message) as caught:
        await CALLS[operation](adapter, book)
    assert caught.value.payer_id == "northwind"
    assert app.state.tokens.issued == 1  # the token endpoint is never faulted
    kind = {"error_rate": "error", "malformed": "malformed", "busy": "busy"}[next(iter(faults))]
    assert (await stats(http))["faults_injected"][kind] >= 1


async def test_busy_payer_answers_200_with_errors_in_fhir_terms(
    adapter: FhirPayerAdapter, book: SandboxPayerBook, http: httpx.AsyncClient
) -> None:
    await set_faults(http, busy=True, busy_reason="80")
    token = await http.post(
        f"{BASE}/oauth/token", data={"grant_type": "client_credentials", **CREDENTIALS}
    )
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    search = await http.get(f"{BASE}/ClaimResponse?identifier=X", headers=bearer)
    assert search.status_code == 200
    assert search.json()["resourceType"] == "OperationOutcome"
    [issue] = search.json()["issue"]
    assert (issue["severity"], issue["code"]) == ("error", "timeout")
    assert issue["diagnostics"] == "No response came back from the payer; retry later."
    with pytest.raises(PayerUnavailable) as caught:
        await adapter.check_eligibility(member(book, THEO), ["30"], TODAY)
    assert caught.value.message == (
        "the payer cannot answer now: No response came back from the payer; retry later. "
        "(80 No Response received - Transaction Terminated)"
    )
    with pytest.raises(PayerUnavailable, match="ClaimResponse search: HTTP 200: No response"):
        await adapter.claim_status(ClaimRef(member(book, THEO), control_number="EFM1000282"))
    assert (await stats(http))["faults_injected"] == {"busy": 3}


@pytest.mark.parametrize("operation", ["eligibility", "payments", "claim_submission"])
@pytest.mark.timed
async def test_hang_becomes_a_timeout(
    http: httpx.AsyncClient, book: SandboxPayerBook, operation: str
) -> None:
    await set_faults(http, hang=True, operations=[operation])
    quick = FhirPayerAdapter(northwind(book, timeout_seconds=0.2), http)
    started = time.perf_counter()
    with pytest.raises(PayerTimeout, match=r"no answer within 0\.2 s"):
        await CALLS[operation](quick, book)
    assert 0.2 <= time.perf_counter() - started < 1.5


async def test_faults_on_one_operation_spare_the_others(
    adapter: FhirPayerAdapter, book: SandboxPayerBook, http: httpx.AsyncClient
) -> None:
    await set_faults(http, error_rate=1.0, operations=["payments"])
    result = await adapter.check_eligibility(member(book, THEO), ["30"], TODAY)
    assert as_in_book(result).benefits == book.benefits[THEO]
    with pytest.raises(PayerUnavailable):
        await adapter.payments(member(book, THEO), TODAY - timedelta(days=60))
    assert (await http.post(f"{BASE}/_control/reset")).status_code == 200
    assert as_in_book(tuple(await adapter.payments(None, None))) == book.payments
