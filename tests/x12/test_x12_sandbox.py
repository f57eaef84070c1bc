"""X12PayerAdapter end to end against the X12 sandbox payer (CORE multipart over ASGI and loopback).

What the adapter returns is compared with what the book says. Where X12 cannot carry the model as
the book holds it, the expected value is the book's, changed only as :func:`as_271_states` and
:func:`as_835_states` say (and the STC05 note in the claim status test).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from payers.codesets import lookup
from payers.codesets.tables import AAA_PLAIN_WORDS
from payers.contract import (
    MemberNotFound,
    PayerProtocolError,
    PayerRejected,
    PayerSettings,
    PayerTimeout,
    PayerUnavailable,
)
from payers.model import (
    Benefit,
    ClaimLine,
    ClaimRef,
    ClaimState,
    ClaimSubmission,
    EligibilityResult,
    MemberQuery,
    Network,
    Payment,
    StatusLevel,
)
from payers.sandbox.fleet import serving
from payers.sandbox.launch import KINDS
from payers.sandbox.world import SandboxPayerBook, World, build_world
from payers.sandbox.x12_app import create_x12_app
from payers.x12.acknowledgment import parse_277ca, parse_999
from payers.x12.adapter import PAYLOAD_837, X12PayerAdapter
from payers.x12.outgoing import ControlNumbers, map_errors
from payers.x12.submission import build_837p

TODAY = date(2025, 11, 27)
CREDENTIALS = {"username": "riverbend-edi", "password": "s3cret-sandbox"}
PRIYA = "SHA300917265"  # family coverage, paid, denied, pending and information-requested claims
NORA = "SHA509381274"  # coverage started about three months ago


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(TODAY)


@pytest.fixture(scope="module")
def book(world: World) -> SandboxPayerBook:
    return world.books["summit"]


def settings(book: SandboxPayerBook, timeout: float = 5.0, **credentials: str) -> PayerSettings:
    return PayerSettings(
        id="summit",
        name=book.name,
        adapter="x12",
        base_url="http://summit.test/",
        timeout_seconds=timeout,
        credentials=credentials or CREDENTIALS,
        options=KINDS["x12"].options(book, "http://summit.test/"),
    )


@pytest.fixture
def app(book: SandboxPayerBook):  # type: ignore[no-untyped-def]
    return create_x12_app(book, credentials=CREDENTIALS, today=TODAY)


@pytest.fixture
async def http(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        yield client


@pytest.fixture
def adapter(book: SandboxPayerBook, http: httpx.AsyncClient) -> X12PayerAdapter:
    return X12PayerAdapter(settings(book), http)


def query(book: SandboxPayerBook, member_id: str = PRIYA) -> MemberQuery:
    person = book.members[member_id].person
    return MemberQuery(member_id, person.first_name, person.last_name, person.birth_date)


async def put_faults(http: httpx.AsyncClient, **faults: object) -> None:
    response = await http.put("http://summit.test/_control/faults", json=faults)
    assert response.status_code == 200


def last_answer(adapter: X12PayerAdapter) -> str:
    answer = adapter.exchanges[-1].response
    assert answer is not None
    return answer


# --- eligibility ------------------------------------------------------------------------------------


def as_271_states(benefit: Benefit) -> Benefit:
    """A book benefit as a 271 carries it. The server states what remains on a second EB line
    (EB06=29) that the adapter folds back into the benefit; the used amount is not sent (it is
    the amount less what remains); the quantity unit travels as its EB09 code ("visits" -> "VS")."""
    unit = {"visits": "VS"}.get(benefit.quantity_unit or "", benefit.quantity_unit)
    # EB09 and EB12 also read back as the codes and the flag they are.
    qualifier = lookup("quantity-qualifier", unit) if unit and benefit.quantity else None
    in_plan = {Network.IN_NETWORK: True, Network.OUT_OF_NETWORK: False}.get(benefit.network)
    return replace(
        benefit,
        used=None,
        quantity_unit=unit,
        quantity_qualifier=qualifier,
        in_plan_network=in_plan,
    )


def expected_271(result: EligibilityResult) -> EligibilityResult:
    """Also: result-level messages have no home in a 271 (MSG belongs to an EB line)."""
    benefits = tuple(as_271_states(b) for b in result.benefits)
    return replace(result, benefits=benefits, messages=())


@pytest.mark.parametrize("member_id", ["SHA300917265", "SHA418822390", "SHA227710448", NORA])
async def test_eligibility_is_the_books(
    adapter: X12PayerAdapter, book: SandboxPayerBook, member_id: str
) -> None:
    result = await adapter.check_eligibility(query(book, member_id), ["30"], TODAY)
    expected = book.eligibility(book.members[member_id], ["30"], TODAY)
    assert result == expected_271(expected)
    assert result.active and result.plan is not None and result.plan.group_number == "SHA7710"
    assert "***29*" in last_answer(adapter)  # what remains travels on EB lines of its own
    deductible = result.benefits[1]
    assert (deductible.code.code, deductible.time_period.code) == ("C", "23")  # type: ignore[union-attr]
    assert deductible.remaining == expected.benefits[1].remaining is not None


async def test_eligibility_for_some_service_types_and_before_coverage(
    adapter: X12PayerAdapter, book: SandboxPayerBook
) -> None:
    office = await adapter.check_eligibility(query(book), ["98"], TODAY)
    assert [(b.code.code, b.amount) for b in office.benefits] == [
        ("1", None),
        ("B", Decimal("35.00")),
        ("B", Decimal("70.00")),
    ]
    nora = book.members[NORA]
    before = nora.plan.start - timedelta(days=30)  # type: ignore[operator]
    inactive = await adapter.check_eligibility(query(book, NORA), ["30"], before)
    assert inactive == expected_271(book.eligibility(nora, ["30"], before))
    assert not inactive.active and inactive.benefits[0].code.code == "6"
    assert inactive.plan is not None and inactive.plan.name == book.design.name


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"birth_date": date(1980, 1, 1)}, "71"),
        ({"last_name": "Nobody"}, "73"),
        ({"member_id": "SHA000000000"}, "75"),
    ],
)
async def test_member_mismatch_is_member_not_found(
    adapter: X12PayerAdapter, book: SandboxPayerBook, change: dict[str, object], reason: str
) -> None:
    with pytest.raises(MemberNotFound, match=f"AAA at subscriber\\): {reason} "):
        await adapter.check_eligibility(replace(query(book), **change), ["30"], TODAY)  # type: ignore[arg-type]
    assert "AAA*Y**" + reason + "*C~" in last_answer(adapter)
    assert "AAA*Y**42" not in last_answer(adapter)


# --- claim status ------------------------------------------------------------------------------------


async def test_claim_status_is_the_books_for_every_claim(
    adapter: X12PayerAdapter, book: SandboxPayerBook
) -> None:
    claims = [c for member_claims in book.claims.values() for c in member_claims]
    assert len(claims) == 8
    for claim in claims:
        member = query(book, claim.member_id)
        by_id = await adapter.claim_status(ClaimRef(member, payer_claim_id=claim.payer_claim_id))
        by_control = await adapter.claim_status(
            ClaimRef(member, control_number=claim.control_number)
        )
        # X212 requires STC05 (payment amount): a claim not paid yet states 0.00, not "unknown".
        paid = claim.status.paid_amount if claim.status.paid_amount is not None else Decimal("0")
        assert by_id == by_control
        # The 277 also carries what the book keeps on the claim rather than on its status.
        assert (by_id.level, by_id.service_date_from, by_id.service_date_to) == (
            StatusLevel.CLAIM,
            claim.service_date_from,
            claim.service_date_to or claim.service_date_from,
        )
        assert [(r.qualifier.code, r.value) for r in by_id.references] == [
            ("1K", claim.payer_claim_id),
            ("EJ", claim.control_number),
        ]
        assert [(s.loop, s.category, s.status, s.entity) for s in by_id.statuses] == [
            ("2200D", claim.status.category, claim.status.status, claim.status.entity)
        ]
        primary = replace(
            by_id, level=None, statuses=(), service_date_from=None, service_date_to=None
        )
        assert replace(primary, references=()) == replace(claim.status, paid_amount=paid)
    states = {
        (
            await adapter.claim_status(
                ClaimRef(query(book, c.member_id), payer_claim_id=c.payer_claim_id)
            )
        ).state
        for c in claims
    }
    assert states == {
        ClaimState.FINALIZED,
        ClaimState.DENIED,
        ClaimState.PENDING,
        ClaimState.INFORMATION_REQUESTED,
        ClaimState.ACKNOWLEDGED,
    }


async def test_claim_status_of_unknown_claim_or_member(
    adapter: X12PayerAdapter, book: SandboxPayerBook
) -> None:
    with pytest.raises(PayerRejected) as rejected:
        await adapter.claim_status(ClaimRef(query(book), control_number="EFM9999999"))
    assert [r.code.code for r in rejected.value.reasons] == ["A4", "35"]
    other = book.claims[NORA][0]  # Nora's claim asked about as Priya's: not found either
    with pytest.raises(PayerRejected):
        await adapter.claim_status(ClaimRef(query(book), payer_claim_id=other.payer_claim_id))
    stranger = replace(query(book), birth_date=date(1990, 2, 2))
    with pytest.raises(MemberNotFound, match="158"):
        await adapter.claim_status(ClaimRef(stranger, control_number="EFM1000233"))


# --- payments ------------------------------------------------------------------------------------------


def as_835_states(payment: Payment) -> Payment:
    """A book payment as an 835 carries it: a RARC travels as LQ on the service line, not on one
    CAS, so it reads back as the line's remark and as a remark of each of the line's adjustments."""
    claims = []
    for claim in payment.claims:
        lines = []
        for line in claim.lines:
            remarks = tuple(dict.fromkeys(r for a in line.adjustments for r in a.remarks))
            adjustments = tuple(replace(a, remarks=remarks) for a in line.adjustments)
            lines.append(replace(line, remarks=line.remarks + remarks, adjustments=adjustments))
        claims.append(replace(claim, lines=tuple(lines)))
    return replace(payment, claims=tuple(claims))


def book_facts(payment: Payment) -> Payment:
    """A read 835 without what only the 835 states (who paid whom, CLP06, SVC01-1), checked apart."""
    claims = tuple(
        replace(
            c,
            filing_indicator=None,
            lines=tuple(replace(ln, procedure_qualifier=None) for ln in c.lines),
        )
        for c in payment.claims
    )
    return replace(
        payment, claims=claims, payer_name=None, payee_name=None, payee_tax_id=None, payee_ids=()
    )


def assert_balances(payment: Payment, whole: Payment) -> None:
    for claim in payment.claims:
        line_adjustments = sum(a.amount for ln in claim.lines for a in ln.adjustments)
        claim_adjustments = sum(a.amount for a in claim.adjustments)
        assert claim.charge - claim.paid == line_adjustments + claim_adjustments
        for line in claim.lines:
            assert line.charge - line.paid == sum(a.amount for a in line.adjustments)
    assert whole.amount == sum(c.paid for c in whole.claims) - sum(
        a.amount for a in whole.provider_adjustments
    )


async def test_payments_are_the_books(adapter: X12PayerAdapter, book: SandboxPayerBook) -> None:
    everything = await adapter.payments(None, None)
    assert [book_facts(p) for p in everything] == [as_835_states(p) for p in book.payments_for()]
    assert {(p.payer_name, p.findings) for p in everything} == {("Summit Health Alliance", ())}
    assert {(p.payee_name, p.payee_tax_id) for p in everything} == {
        ("Elmridge Family Medicine", "847301296"),
        ("Riverbend Urgent Care", "845512038"),
    }
    assert {c.filing_indicator.code for p in everything for c in p.claims} == {"12"}  # type: ignore[union-attr]
    assert {ln.procedure_qualifier for p in everything for c in p.claims for ln in c.lines} == {
        lookup("service-id-qualifier", "HC")
    }
    assert map_errors(last_answer(adapter)) == ()  # pyx12's X221A1 map accepts every 835
    assert [p.amount for p in everything] == [Decimal("79.10"), Decimal("102.55"), Decimal("55.00")]
    for member_id in book.members:
        mine = await adapter.payments(query(book, member_id), None)
        assert [book_facts(p) for p in mine] == [
            as_835_states(p) for p in book.payments_for(member_id)
        ]
        for payment in mine:
            assert {c.member_id for c in payment.claims} == {member_id}
            assert_balances(
                payment, next(p for p in everything if p.trace_number == payment.trace_number)
            )
    recent = await adapter.payments(query(book), TODAY - timedelta(days=10))
    assert [p.trace_number for p in recent] == ["SHA0000918051"]
    denied = recent[0].claims[0].lines[0]
    assert [
        (a.group.code, a.reason.code, a.amount, [r.code for r in a.remarks])
        for a in denied.adjustments
    ] == [("CO", "22", Decimal("210.00"), ["N479"])]


# --- claim submission ---------------------------------------------------------------------------------


def submission(book: SandboxPayerBook, world: World, total: str = "185.00") -> ClaimSubmission:
    practice = book.providers["mfm"]
    day = TODAY - timedelta(days=1)
    return ClaimSubmission(
        member=query(book),
        billing_provider_npi=practice.npi,
        billing_provider_tax_id=practice.tax_id or "",
        billing_provider_name=practice.name,
        rendering_provider_npi=world.providers["dr_stand_in"].npi,
        place_of_service="11",
        frequency_code="1",
        diagnoses=("J45.20", "R06.02"),
        lines=(
            ClaimLine(
                1,
                lookup("procedure", "99213"),
                Decimal("150.00"),
                diagnosis_pointers=(1, 2),
                service_date=day,
            ),
            ClaimLine(
                2,
                lookup("procedure", "94640"),
                Decimal("35.00"),
                diagnosis_pointers=(1,),
                service_date=day,
            ),
        ),
        total_charge=Decimal(total),
    )


def split_interchanges(payload: str) -> list[str]:
    return ["ISA" + part for part in payload.split("ISA")[1:]]


async def test_submission_is_acknowledged_and_deduplicated(
    adapter: X12PayerAdapter, book: SandboxPayerBook, world: World, http: httpx.AsyncClient, app
) -> None:  # type: ignore[no-untyped-def]
    first = await adapter.submit_claim(submission(book, world), "PGW-0001")
    assert first.accepted and not first.duplicate and first.payer_claim_id == "SH2533150001"
    assert first.status is not None and first.status.category.code == "A1"
    ack_999, ack_277ca = split_interchanges(last_answer(adapter))
    assert map_errors(ack_999) == () and map_errors(ack_277ca) == ()  # X231A1 and X214 maps
    again = await adapter.submit_claim(submission(book, world), "PGW-0001")
    assert again.accepted and again.duplicate and again.payer_claim_id == first.payer_claim_id
    stats = (await http.get("http://summit.test/_control/stats")).json()
    assert stats["claims_received"] == {"PGW-0001": 2}  # two receipts...
    assert [c.control_number for c in app.state.intake.received()] == ["PGW-0001"]  # ...one claim
    assert stats["requests"]["claim_submission"] == 2
    status = await adapter.claim_status(ClaimRef(query(book), control_number="PGW-0001"))
    assert (status.state, status.payer_claim_id) == (ClaimState.ACKNOWLEDGED, "SH2533150001")
    await http.post("http://summit.test/_control/reset")
    assert not (await adapter.submit_claim(submission(book, world), "PGW-0001")).duplicate


async def test_claim_that_does_not_add_up_is_rejected_in_the_277ca(
    adapter: X12PayerAdapter, book: SandboxPayerBook, world: World
) -> None:
    ack = await adapter.submit_claim(submission(book, world, total="999.00"), "PGW-0003")
    assert not ack.accepted and ack.payer_claim_id is None
    # The 277CA states the category in STC01-1; the adapter's reasons are its status codes.
    assert [(c.system, c.code) for c in ack.reasons] == [("claim-status", "178")]
    assert ack.status is not None and ack.status.category.code == "A7"
    assert map_errors(split_interchanges(last_answer(adapter))[1]) == ()


async def test_837_with_syntax_errors_gets_a_rejecting_999(
    adapter: X12PayerAdapter, book: SandboxPayerBook, world: World, http: httpx.AsyncClient
) -> None:
    text = build_837p(
        submission(book, world),
        "PGW-0004",
        payer=adapter.payer,
        submitter=adapter.submitter,
        parties=adapter.parties,
        numbers=ControlNumbers.for_claim("PGW-0004"),
        created=datetime.now(UTC),
    )
    broken = text.replace("DTP*472*D8*", "DTP*472*D8*2025")  # a 12-digit date
    answer = await adapter._transport.exchange(PAYLOAD_837, broken)
    ack = parse_999(answer, "summit", "PGW-0004")
    assert not ack.accepted
    assert {r.code for r in ack.reasons} >= {"8", "5"}  # invalid date; segments in error
    assert map_errors(answer) == ()
    assert (await http.get("http://summit.test/_control/stats")).json()["claims_received"] == {}


async def test_sandbox_reads_an_837_in_any_layout(
    adapter: X12PayerAdapter, book: SandboxPayerBook, world: World
) -> None:
    """BOM, a line break as terminator, tab indentation, CRLF and X222 without its addenda: the
    sandbox still validates it with the X222A1 map and accepts the claim."""
    text = build_837p(
        submission(book, world),
        "PGW-0005",
        payer=adapter.payer,
        submitter=adapter.submitter,
        parties=adapter.parties,
        numbers=ControlNumbers.for_claim("PGW-0005"),
        created=datetime.now(UTC),
    )
    segments = [s.strip() for s in text[106:].split(text[105]) if s.strip()]
    quirky = "\ufeff" + text[:105] + "\r\n" + "".join(f"\t{s}\r\n" for s in segments)
    quirky = quirky.replace("005010X222A1", "005010X222")
    answer = await adapter._transport.exchange(PAYLOAD_837, quirky)
    ack = parse_999(answer, "summit", "PGW-0005")
    assert (ack.accepted, ack.reasons) == (True, ())
    [claim] = parse_277ca(answer, "summit")
    assert (claim.accepted, claim.control_number) == (True, "PGW-0005")
    assert claim.payer_claim_id is not None and claim.payer_claim_id.startswith("SH")


def test_a_ta1_rejecting_the_interchange_is_the_submissions_answer(
    adapter: X12PayerAdapter,
) -> None:
    """A clearinghouse that refuses the whole interchange answers with a TA1 R and nothing else."""
    ta1 = (
        "ISA*00*          *00*          *ZZ*SUMMIT         *ZZ*CLINIC         *251127*1000*^*00501*"
        "000000777*0*T*:~\nTA1*000000042*251127*1000*R*025~\nIEA*0*000000777~\n"
    )
    ack = adapter._acknowledgment(ta1, "PGW-0042")
    assert (ack.accepted, ack.control_number) == (False, "PGW-0042")
    assert [(r.system, r.code) for r in ack.reasons] == [("x12-ta1-note", "025")]
    assert ack.reasons[0].description == (
        "Duplicate interchange control number (interchange 000000042)"
    )


# --- faults, credentials, envelope ---------------------------------------------------------------------


async def test_error_fault_is_unavailable_and_limited_to_its_operation(
    adapter: X12PayerAdapter, book: SandboxPayerBook, http: httpx.AsyncClient
) -> None:
    await put_faults(http, error_rate=1.0, operations=["payments"])
    with pytest.raises(PayerUnavailable, match="HTTP 503"):
        await adapter.payments(None, None)
    assert (await adapter.check_eligibility(query(book), ["30"], TODAY)).active
    stats = (await http.get("http://summit.test/_control/stats")).json()
    assert stats["requests"] == {"payments": 1, "eligibility": 1}
    assert stats["faults_injected"] == {"error": 1}


@pytest.mark.parametrize(("reason", "category"), [("42", "E1"), ("80", "E2")])
async def test_busy_payer_says_so_in_x12_and_is_unavailable(
    adapter: X12PayerAdapter,
    book: SandboxPayerBook,
    http: httpx.AsyncClient,
    reason: str,
    category: str,
) -> None:
    await put_faults(http, busy=True, busy_reason=reason)
    with pytest.raises(PayerUnavailable) as caught:
        await adapter.check_eligibility(query(book), ["30"], TODAY)
    assert caught.value.retryable and caught.value.payer_id == "summit"
    words = AAA_PLAIN_WORDS[reason]
    assert caught.value.message.startswith("payer cannot answer now (271 AAA at payer): ")
    assert caught.value.message.endswith(f"(Resubmission Allowed). {words}")
    answer = last_answer(adapter)
    assert adapter.exchanges[-1].http_status == 200
    payer_loop = f"NM1*PR*2*{book.name}*****PI*{book.payer_number}~\nAAA*Y**{reason}*R~\nHL*2*1*21"
    assert payer_loop in answer
    assert "EB*" not in answer and answer.count("AAA*") == 1
    with pytest.raises(PayerUnavailable, match=f"request: {category} .*; 484 Business Application"):
        await adapter.claim_status(ClaimRef(query(book), control_number="EFM1000233"))
    assert f"STC*{category}:484*" in last_answer(adapter)
    assert "REF*EJ*EFM1000233~" in last_answer(adapter)
    with pytest.raises(PayerUnavailable, match=f"CORE ServerBusy\\): {words}"):
        await adapter.payments(None, None)
    stats = (await http.get("http://summit.test/_control/stats")).json()
    assert stats["faults_injected"] == {"busy": 3}


@pytest.mark.timed
async def test_hang_is_a_timeout(book: SandboxPayerBook, http: httpx.AsyncClient) -> None:
    await put_faults(http, hang=True)
    quick = X12PayerAdapter(settings(book, timeout=0.2), http)
    started = time.monotonic()
    with pytest.raises(PayerTimeout):
        await quick.claim_status(ClaimRef(query(book), control_number="EFM1000233"))
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("operation", ["eligibility", "payments", "claim_status"])
async def test_malformed_answer_is_a_protocol_error(
    adapter: X12PayerAdapter, book: SandboxPayerBook, http: httpx.AsyncClient, operation: str
) -> None:
    await put_faults(http, malformed=True)
    with pytest.raises(PayerProtocolError):
        if operation == "eligibility":
            await adapter.check_eligibility(query(book), ["30"], TODAY)
        elif operation == "payments":
            await adapter.payments(None, None)
        else:
            await adapter.claim_status(ClaimRef(query(book), control_number="EFM1000233"))


async def test_latency_delays_but_answers(
    adapter: X12PayerAdapter, book: SandboxPayerBook, http: httpx.AsyncClient
) -> None:
    await put_faults(http, latency_ms=150)
    started = time.monotonic()
    result = await adapter.check_eligibility(query(book), ["30"], TODAY)
    assert time.monotonic() - started >= 0.15 and result.active
    assert adapter.exchanges[-1].seconds >= 0.15


@pytest.mark.parametrize("credentials", [{"username": "riverbend-edi", "password": "guess"}, {}])
async def test_bad_credentials_are_rejected(
    book: SandboxPayerBook, http: httpx.AsyncClient, credentials: dict[str, str]
) -> None:
    wrong = X12PayerAdapter(replace(settings(book), credentials=credentials), http)
    with pytest.raises(PayerRejected) as rejected:
        await wrong.check_eligibility(query(book), ["30"], TODAY)
    assert [r.code.code for r in rejected.value.reasons] == ["UnAuthorized"]
    assert wrong.exchanges[-1].http_status == 401


async def test_basic_auth_and_envelope_errors(
    book: SandboxPayerBook, http: httpx.AsyncClient
) -> None:
    form = {
        "ProcessingMode": "Batch",
        "PayloadType": "X12_835_Response_005010X221A1",
        "PayloadID": "p-1",
        "TimeStamp": "2025-11-27T10:00:00Z",
        "SenderID": "1588667638",
        "ReceiverID": "SHA12",
        "CORERuleVersion": "2.2.0",
        "Payload": "",
    }
    files = {k: (None, v) for k, v in form.items()}
    basic = await http.post(
        "http://summit.test/", files=files, auth=(CREDENTIALS["username"], CREDENTIALS["password"])
    )
    assert basic.status_code == 200 and b"ST*835*0001~" in basic.content
    other = X12PayerAdapter(
        replace(settings(book), options={**settings(book).options, "receiver_id": "NOTSUMMIT"}),
        http,
    )
    with pytest.raises(PayerRejected, match="ReceiverIDIllegal"):
        await other.payments(None, None)


def test_sandbox_kind_gives_valid_adapter_settings(book: SandboxPayerBook) -> None:
    X12PayerAdapter.validate_settings(settings(book))
    options = KINDS["x12"].options(book, "http://summit.test/")
    assert (options["provider_npi"], options["payer_id"]) == (book.providers["mfm"].npi, "SHA12")
    assert KINDS["x12"].credential_names == ("username", "password")
    with pytest.raises(ValueError, match="go together"):
        X12PayerAdapter.validate_settings(replace(settings(book), credentials={"username": "x"}))


async def test_over_loopback_sockets_with_a_client_timeout(book: SandboxPayerBook) -> None:
    app = create_x12_app(book, credentials=CREDENTIALS, today=TODAY)
    async with serving({"summit": app}) as running, httpx.AsyncClient() as client:
        base = running["summit"].base_url
        adapter = X12PayerAdapter(
            replace(settings(book), base_url=base + "/", timeout_seconds=0.3), client
        )
        result = await adapter.check_eligibility(query(book), ["30"], TODAY)
        assert result == expected_271(book.eligibility(book.members[PRIYA], ["30"], TODAY))
        await client.put(base + "/_control/faults", json={"hang": True})
        with pytest.raises(PayerTimeout):
            await adapter.payments(None, None)
        await asyncio.sleep(0)
