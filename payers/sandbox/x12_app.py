"""The X12 5010 sandbox payer (Summit Health Alliance speaks it): a CAQH CORE-style endpoint.

``POST /`` (also ``/core``) takes a CORE multipart request (see :mod:`payers.sandbox.x12_core`) and
answers from the payer's book:

==================================  =========================  ==================================
PayloadType                         request                    answer (PayloadType of the answer)
==================================  =========================  ==================================
``X12_270_Request_005010X279A1``    270 eligibility inquiry    271 (``X12_271_Response_...``)
``X12_276_Request_005010X212``      276 claim status inquiry   277 (``X12_277_Response_...``)
``X12_837_Request_005010X222A1``    837P claims                999, then 277CA when accepted
``X12_835_Response_005010X221A1``   (Batch, empty payload)     835s of every payment, or nothing
==================================  =========================  ==================================

The 835 pickup holds the world's remittances and every payment cycle's since start (the claims it
received, adjudicated on its clock: see :mod:`payers.sandbox.timeline`).

When the server has ``credentials``, every request must carry ``UserName``/``Password`` form fields
(or HTTP Basic) matching ``credentials["username"]``/``["password"]``; otherwise HTTP 401 with CORE
``ErrorCode`` ``UnAuthorized``. Envelope errors are HTTP 400 with the CORE error code
(``PayloadTypeRequired``, ``VersionMismatch``, ``ReceiverIDIllegal``...). Claims are deduplicated on
their control number (CLM01) by :class:`~payers.sandbox.intake.ClaimIntake`; each receipt is counted
in ``/_control/stats``. The fault layer and ``/_control/*`` come from :mod:`payers.sandbox.faults`,
with faults limited per operation through the request's PayloadType. While the ``busy`` fault is on,
a 270 is answered by a 271 with ``AAA*Y**42*R`` (or 80) at the payer level, a 276 by a 277 with
E1:484 (E2:484 for 80), and claims or a remittance pickup, which have no X12 way to say it, by HTTP
200 with CORE ``ErrorCode`` ``ServerBusy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

import pyx12.errors
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from payers.codesets import lookup, plain_words
from payers.contract import PayerProtocolError
from payers.sandbox.clock import ClockSettings
from payers.sandbox.crossover import SandboxNetwork
from payers.sandbox.faults import FaultSettings, SandboxControl, busy_reason, install_faults
from payers.sandbox.intake import ClaimIntake
from payers.sandbox.world import SandboxPayerBook
from payers.sandbox.x12_acks import answer_277ca, answer_999
from payers.sandbox.x12_claims import read_837p
from payers.sandbox.x12_core import (
    FORM_KEY,
    CoreError,
    CoreFormMiddleware,
    CoreRequest,
    core_answer,
    core_error_answer,
    core_operation,
    core_request,
)
from payers.sandbox.x12_eligibility import answer_270
from payers.sandbox.x12_inquiry import read_270, read_276
from payers.sandbox.x12_remittance import answer_835
from payers.sandbox.x12_status import answer_276
from payers.x12.envelope import Interchange, TransactionSet, read_interchanges
from payers.x12.layout import for_maps
from payers.x12.outgoing import ControlNumberSequence, Parties, map_report
from payers.x12.segments import X12DataError

ANSWER_TYPES = {
    "X12_270_Request_005010X279A1": "X12_271_Response_005010X279A1",
    "X12_276_Request_005010X212": "X12_277_Response_005010X212",
    "X12_837_Request_005010X222A1": "X12_277CA_Response_005010X214",
    "X12_835_Response_005010X221A1": "X12_835_Response_005010X221A1",
}
ANSWER_999 = "X12_999_Response_005010X231A1"


class _X12Payer:
    """The CORE endpoint over one book, its intake and its control."""

    def __init__(
        self,
        book: SandboxPayerBook,
        intake: ClaimIntake,
        control: SandboxControl,
        credentials: Mapping[str, str] | None,
        today: date,
    ) -> None:
        self.book = book
        self.intake = intake
        self.control = control
        self.credentials = credentials
        self.today = today
        self.numbers = ControlNumberSequence(book.payer_number, last=0)

    async def endpoint(self, request: Request) -> Response:
        form = request.scope.get(FORM_KEY)
        try:
            core = core_request(
                form,
                request.headers.get("authorization", ""),
                self.credentials,
                self.book.payer_number,
            )
            payload_type, payload = self._answer(core, busy_reason(request.scope))
        except CoreError as exc:
            return core_error_answer(form, exc)
        return core_answer(form, payload_type, payload)

    def _answer(self, core: CoreRequest, busy: str | None) -> tuple[str, str]:
        answer_type = ANSWER_TYPES[core.payload_type]
        code = core.payload_type.split("_")[1]
        if busy is not None and code not in ("270", "276"):
            reason = lookup("aaa-reject-reason", busy)
            raise CoreError(200, "ServerBusy", plain_words(reason) or reason.description)
        if core.payload_type == "X12_835_Response_005010X221A1":
            return answer_type, self._remittances(core)
        if core.processing_mode != "RealTime":
            raise CoreError(400, "ProcessingModeIllegal", f"{core.payload_type} is RealTime")
        interchange, transaction = self._received(core.payload, code)
        parties = Parties(
            sender_id=interchange.receiver_id,
            receiver_id=interchange.sender_id,
            sender_qualifier=interchange.receiver_qualifier,
            receiver_qualifier=interchange.sender_qualifier,
            usage=interchange.usage,
        )
        created = datetime.now(UTC)
        try:
            if code == "270":
                inquiry = read_270(transaction)
                return answer_type, answer_270(
                    self.book,
                    inquiry,
                    self.today,
                    parties=parties,
                    numbers=self.numbers.next(),
                    created=created,
                    busy=busy,
                )
            if code == "276":
                return answer_type, answer_276(
                    self.book,
                    self.intake,
                    read_276(transaction),
                    self.today,
                    parties=parties,
                    numbers=self.numbers.next(),
                    created=created,
                    busy=busy,
                )
            return self._claims(core.payload, interchange, parties, created)
        except X12DataError as exc:
            raise CoreError(400, "PayloadIllegal", f"the {code} cannot be read: {exc}") from exc

    def _received(self, payload: str, code: str) -> tuple[Interchange, TransactionSet]:
        if not payload.strip():
            raise CoreError(400, "PayloadRequired", "the Payload field is required")
        try:
            interchanges = read_interchanges(payload, self.book.key)
        except PayerProtocolError as exc:
            raise CoreError(400, "PayloadIllegal", exc.message) from exc
        for interchange in interchanges:
            for transaction in interchange.transactions(code):
                return interchange, transaction
        raise CoreError(400, "PayloadIllegal", f"the payload holds no {code} transaction set")

    def _claims(
        self, payload: str, interchange: Interchange, parties: Parties, created: datetime
    ) -> tuple[str, str]:
        """999 for the 837P; a 277CA follows in the same payload for the sets it accepts."""
        try:
            checked = map_report(for_maps(payload, self.book.key))
        except pyx12.errors.EngineError as exc:
            raise CoreError(400, "PayloadIllegal", f"the 837 cannot be read: {exc}") from exc
        if checked is None:
            raise CoreError(400, "PayloadTypeIllegal", "only 005010X222A1 claims are accepted")
        group = next(g for g in interchange.groups if any(t.code == "837" for t in g.transactions))
        ack, verdicts = answer_999(
            checked[1],
            group_control=group.control_number,
            implementation=group.version,
            parties=parties,
            numbers=self.numbers.next(),
            created=created,
        )
        accepted = {v.control_number for v in verdicts if v.accepted}
        received = []
        for transaction in group.transactions:
            if transaction.code != "837" or transaction.control_number not in accepted:
                continue
            for claim in read_837p(transaction):
                self.control.stats.record_claim(claim.control_number)
                received.append(
                    (claim, self.intake.receive(claim.submission, claim.control_number))
                )
        if not received:
            return ANSWER_999, ack
        ca = answer_277ca(
            received,
            payer_name=self.book.name,
            payer_number=self.book.payer_number,
            received_on=self.intake.received_on,
            parties=parties,
            numbers=self.numbers.next(),
            created=created,
        )
        return ANSWER_TYPES["X12_837_Request_005010X222A1"], ack + ca

    def _remittances(self, core: CoreRequest) -> str:
        payments = self.intake.payments_for()
        if not payments:
            return ""
        parties = Parties(sender_id=core.receiver_id, receiver_id=core.sender_id, usage="T")
        return answer_835(
            self.book,
            payments,
            parties=parties,
            numbers=self.numbers.next(),
            created=datetime.now(UTC),
        )


def create_x12_app(
    book: SandboxPayerBook,
    *,
    credentials: Mapping[str, str] | None,
    faults: FaultSettings | None = None,
    today: date | None = None,
    clock: ClockSettings | None = None,
    network: SandboxNetwork | None = None,
) -> Starlette:
    """An X12 payer server for ``book``; its control is at ``app.state.sandbox_control``.

    ``clock``: when received claims are adjudicated and paid; ``network``: the other sandboxes a
    crossover payer forwards claims to."""
    intake = ClaimIntake(book, today, clock, network)
    book = intake.book
    app = Starlette()
    control = install_faults(app, faults, core_operation)
    # Outermost: the fault layer learns the operation from the form this middleware reads.
    app.add_middleware(CoreFormMiddleware)
    control.on_reset(intake.reset)
    control.on_claim_status(intake.set_status)
    control.on_clock(intake)
    payer = _X12Payer(book, intake, control, credentials, today or book.today)
    for path in ("/", "/core"):
        app.router.routes.append(Route(path, payer.endpoint, methods=["POST"]))
    app.state.intake = intake
    app.state.book = book
    return app
