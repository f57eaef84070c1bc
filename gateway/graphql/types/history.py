"""Claim and remittance history in the schema: one node per claim, one per claim payment.

Rows come from gateway/history (the same service the export and the notebook client read). Ledger
money on a claim needs payments:read; member ids are PHI (phi:read, each read audited).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import strawberry
from strawberry.types import Info

from gateway.graphql.permissions import needs, phi
from gateway.graphql.scalars import Money
from gateway.graphql.types.claims_submitted import ClaimStatusEntryInfo
from gateway.graphql.types.common import ClaimStateEnum, CodeType
from gateway.graphql.types.ledger_state import FinancialStateEnum
from gateway.graphql.types.payer import Payer
from gateway.graphql.types.payments import ServiceLinePayment
from gateway.graphql.types.remittances import MatchState, RemittanceSource
from gateway.history.claims import ClaimHistoryRow, ClaimLedgerSums
from gateway.history.loaders import HistoryLoaders
from gateway.history.payments import ClaimPaymentRecord
from gateway.identity import CLAIMS_READ, PAYMENTS_READ
from gateway.storage.history_tables import PayerReportedClaim
from payers import model
from payers.codesets import lookup
from payers.model import ClaimState


@strawberry.enum(description="Where a claim history row came from.")
class HistorySource(StrEnum):
    SUBMITTED_BY_GATEWAY = "SUBMITTED_BY_GATEWAY"
    REPORTED_BY_PAYER = "REPORTED_BY_PAYER"
    REMITTANCE = "REMITTANCE"


def code_of(code: model.Code) -> CodeType:
    return CodeType(system=code.system, code=code.code, description=code.description)


def _code(system: str, value: str | None) -> CodeType | None:
    return code_of(lookup(system, value)) if value else None


def _payer(info: Info, payer_id: str) -> Payer | None:
    configured = info.context.services.payers.get(payer_id)
    return Payer.of(configured) if configured else None


@strawberry.type(description="A CARC with its adjustment group, as posted on a claim's payments.")
class AdjustmentReason:
    group: CodeType
    reason: CodeType


@strawberry.type(description="An adjustment of a claim payment, flat: claim-level or on a line.")
class HistoryAdjustment:
    line_number: int | None = strawberry.field(
        description="The service line (from 1) it is on; null for a claim-level adjustment."
    )
    procedure: CodeType | None
    group: CodeType
    reason: CodeType
    amount: Money
    quantity: Decimal | None
    remarks: list[CodeType]
    explanation: str


def flat_adjustments(payment: model.ClaimPayment) -> list[HistoryAdjustment]:
    def one(a: model.Adjustment, number: int | None, procedure: model.Code | None):  # type: ignore[no-untyped-def]
        return HistoryAdjustment(
            line_number=number,
            procedure=code_of(procedure) if procedure else None,
            group=code_of(a.group),
            reason=code_of(a.reason),
            amount=a.amount,  # type: ignore[arg-type]
            quantity=a.quantity,
            remarks=[code_of(r) for r in a.remarks],
            explanation=a.explanation,
        )

    found = [one(a, None, None) for a in payment.adjustments]
    for number, line in enumerate(payment.lines, start=1):
        found.extend(one(a, number, line.procedure) for a in line.adjustments)
    return found


@strawberry.type(
    name="ClaimPaymentHistoryEntry",
    description="One claim payment of the ledger: the part of a remittance that pays one claim. "
    "Sum paid over these, never a remittance's amount per claim.",
)
class ClaimPaymentHistoryEntry:
    record: strawberry.Private[ClaimPaymentRecord]
    audit_patient_id: strawberry.Private[str | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.record.claim_payment_id)

    @strawberry.field(description="The claimHistory row this payment belongs to.")
    def claim_history_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.owner_id)

    @strawberry.field(description="That row's source.")
    def claim_history_source(self) -> HistorySource:
        return HistorySource(self.record.owner_source)

    @strawberry.field(description="Our submitted claim it was posted to; null if unmatched.")
    def claim_id(self) -> strawberry.ID | None:
        return strawberry.ID(self.record.claim_id) if self.record.claim_id else None

    @strawberry.field
    def match_state(self) -> MatchState:
        return MatchState(self.record.match_state)

    @strawberry.field(description="The patient's stable pseudonym; null when not matched.")
    def patient_key(self, info: Info) -> str | None:
        patient = self.record.patient_id
        return info.context.patient_key(patient) if patient else None  # type: ignore[no-any-return]

    @strawberry.field
    def payer_id(self) -> str:
        return self.record.payer_id

    @strawberry.field
    def payer(self, info: Info) -> Payer | None:
        return _payer(info, self.record.payer_id)

    @strawberry.field
    def remittance_id(self) -> strawberry.ID:
        return strawberry.ID(self.record.remittance_id)

    @strawberry.field(description="Check or EFT number (TRN02) of the remittance.")
    def trace_number(self) -> str:
        return self.record.trace_number

    @strawberry.field
    def payment_date(self) -> date | None:
        return self.record.payment_date

    @strawberry.field(description="Payment method (BPR04): ACH, CHK, NON...")
    def method(self) -> CodeType:
        return code_of(lookup("payment-method", self.record.method_code))

    @strawberry.field(description="How the remittance reached the ledger.")
    def received_via(self) -> RemittanceSource:
        return RemittanceSource(self.record.received_via)

    @strawberry.field(description="When the ledger recorded the remittance.")
    def recorded_at(self) -> datetime:
        return self.record.received_at

    @strawberry.field(description="CLP01 as the payer echoed it.")
    def control_number(self) -> str | None:
        return self.record.payment.control_number

    @strawberry.field
    def payer_claim_id(self) -> str | None:
        return self.record.payment.payer_claim_id

    @strawberry.field(description="835 CLP02 claim status (1 processed as primary, 4 denied, ...).")
    def status(self) -> CodeType:
        return code_of(self.record.payment.status)

    @strawberry.field
    def charge(self) -> Money:
        return self.record.payment.charge  # type: ignore[return-value]

    @strawberry.field(description="What this payment paid on the claim (negative: a reversal).")
    def paid(self) -> Money:
        return self.record.payment.paid  # type: ignore[return-value]

    @strawberry.field
    def patient_responsibility(self) -> Money | None:
        return self.record.payment.patient_responsibility  # type: ignore[return-value]

    @strawberry.field
    def service_date_from(self) -> date | None:
        return self.record.payment.service_date_from

    @strawberry.field
    def service_date_to(self) -> date | None:
        return self.record.payment.service_date_to

    @strawberry.field(extensions=phi())
    def member_id(self) -> str | None:
        return self.record.payment.member_id

    @strawberry.field(description="Every adjustment, claim-level and per line, with its CARC.")
    def adjustments(self) -> list[HistoryAdjustment]:
        return flat_adjustments(self.record.payment)

    @strawberry.field(description="Claim-level remittance advice remarks (RARC).")
    def remarks(self) -> list[CodeType]:
        return [code_of(r) for r in self.record.payment.remarks]

    @strawberry.field
    def lines(self) -> list[ServiceLinePayment]:
        return list(self.record.payment.lines)  # type: ignore[arg-type]

    @classmethod
    def of(cls, record: ClaimPaymentRecord) -> ClaimPaymentHistoryEntry:
        return cls(record=record, audit_patient_id=record.patient_id)


@strawberry.type(description="One service line of a claim as the payer reported it.")
class ReportedLine:
    line_number: int
    procedure: CodeType
    modifiers: list[str]
    units: Decimal | None
    charge: Money
    allowed_amount: Money | None
    paid_amount: Money | None
    service_date: date | None


def _decimal(value: object) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


@strawberry.type(description="A claim as the payer reported it at its last refresh.")
class PayerReport:
    row: strawberry.Private[PayerReportedClaim]

    @strawberry.field
    def state(self) -> ClaimStateEnum:
        return ClaimState(self.row.state)  # type: ignore[return-value]

    @strawberry.field(description="277 claim status category the payer states.")
    def category(self) -> CodeType | None:
        return _code("claim-status-category", self.row.category_code)

    @strawberry.field
    def status(self) -> CodeType | None:
        return _code("claim-status", self.row.status_code)

    @strawberry.field
    def effective_date(self) -> date | None:
        return self.row.effective_date

    @strawberry.field(description="What the payer says it paid (may predate the ledger).")
    def paid_amount(self) -> Money | None:
        return self.row.paid_amount  # type: ignore[return-value]

    @strawberry.field
    def patient_responsibility(self) -> Money | None:
        return self.row.patient_responsibility  # type: ignore[return-value]

    @strawberry.field
    def place_of_service(self) -> CodeType | None:
        return _code("place-of-service", self.row.place_of_service)

    @strawberry.field
    def diagnoses(self) -> list[CodeType]:
        return [code_of(lookup("icd10cm", d)) for d in self.row.diagnoses or ()]

    @strawberry.field
    def lines(self) -> list[ReportedLine]:
        return [
            ReportedLine(
                line_number=int(line["lineNumber"]),
                procedure=code_of(lookup("procedure", str(line["procedure"]))),
                modifiers=list(line.get("modifiers") or ()),
                units=_decimal(line.get("units")),
                charge=Decimal(str(line["charge"])),  # type: ignore[arg-type]
                allowed_amount=_decimal(line.get("allowed")),  # type: ignore[arg-type]
                paid_amount=_decimal(line.get("paid")),  # type: ignore[arg-type]
                service_date=date.fromisoformat(line["serviceDate"])
                if line.get("serviceDate")
                else None,
            )
            for line in self.row.lines or ()
        ]

    @strawberry.field(description="When a refresh first found the claim at the payer.")
    def first_reported_at(self) -> datetime:
        return self.row.first_reported_at

    @strawberry.field(description="The last refresh that found the claim at the payer.")
    def refreshed_at(self) -> datetime:
        return self.row.refreshed_at


@strawberry.type(
    name="ClaimHistoryEntry",
    description="One claim of the practice's history: submitted through the gateway, reported by a "
    "payer's claim search, or known only from a remittance. Each claim is one row.",
)
class ClaimHistoryEntry:
    row: strawberry.Private[ClaimHistoryRow]
    sums: strawberry.Private[ClaimLedgerSums]
    loaders: strawberry.Private[HistoryLoaders]
    audit_patient_id: strawberry.Private[str | None]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.row.id)

    @strawberry.field
    def source(self) -> HistorySource:
        return HistorySource(self.row.source)

    @strawberry.field(
        description="When the gateway recorded it: the submission, the first payer report or "
        "the first remittance."
    )
    def recorded_at(self) -> datetime:
        return self.row.recorded_at

    @strawberry.field(
        description="When it last changed: a status recorded, a payer refresh, a remittance."
    )
    def updated_at(self) -> datetime:
        return self.row.updated_at

    @strawberry.field(description="Our submitted claim (claim(id)); null unless submitted here.")
    def claim_id(self) -> strawberry.ID | None:
        return (
            strawberry.ID(self.row.id)
            if self.row.source == HistorySource.SUBMITTED_BY_GATEWAY
            else None
        )

    @strawberry.field
    def payer_id(self) -> str:
        return self.row.payer_id

    @strawberry.field
    def payer(self, info: Info) -> Payer | None:
        return _payer(info, self.row.payer_id)

    @strawberry.field(description="The patient's stable pseudonym (as Patient.patientKey).")
    def patient_key(self, info: Info) -> str | None:
        patient = self.row.patient_id
        return info.context.patient_key(patient) if patient else None  # type: ignore[no-any-return]

    @strawberry.field(extensions=phi(CLAIMS_READ))
    def member_id(self) -> str | None:
        return self.row.member_id

    @strawberry.field(
        description="Our claim control number (CLM01), as sent or as the payer states it."
    )
    def control_number(self) -> str | None:
        return self.row.control_number

    @strawberry.field
    def payer_claim_id(self) -> str | None:
        return self.row.payer_claim_id

    @strawberry.field
    def state(self) -> ClaimStateEnum:
        return ClaimState(self.row.state)  # type: ignore[return-value]

    @strawberry.field(description="Current 277 claim status category.")
    def category(self) -> CodeType | None:
        return _code("claim-status-category", self.row.category_code)

    @strawberry.field(description="Current 277 claim status code.")
    def status(self) -> CodeType | None:
        return _code("claim-status", self.row.status_code)

    @strawberry.field(description="What posted payments made of a submitted claim.")
    def financial_state(self) -> FinancialStateEnum | None:
        state = self.row.financial_state
        return FinancialStateEnum(state) if state else None

    @strawberry.field
    def service_date_from(self) -> date | None:
        return self.row.service_date_from

    @strawberry.field
    def service_date_to(self) -> date | None:
        return self.row.service_date_to

    @strawberry.field
    def total_charge(self) -> Money:
        return self.row.total_charge  # type: ignore[return-value]

    @strawberry.field(
        description="Net paid by the claim payments the ledger holds for it (reversals netted).",
        extensions=needs(PAYMENTS_READ),
    )
    def paid(self) -> Money | None:
        return self.sums.paid  # type: ignore[return-value]

    @strawberry.field(
        description="The patient's part stated on those claim payments.",
        extensions=needs(PAYMENTS_READ),
    )
    def patient_responsibility(self) -> Money | None:
        return self.sums.patient_responsibility  # type: ignore[return-value]

    @strawberry.field(
        description="The latest payment date among them.", extensions=needs(PAYMENTS_READ)
    )
    def last_paid_on(self) -> date | None:
        return self.sums.last_paid_on

    @strawberry.field(
        description="Every adjustment group and CARC on its claim payments (what denialReasons "
        "filters on), each once.",
        extensions=needs(PAYMENTS_READ),
    )
    def adjustment_reasons(self) -> list[AdjustmentReason] | None:
        return [
            AdjustmentReason(
                group=code_of(lookup("adjustment-group", group)),
                reason=code_of(lookup("carc", reason)),
            )
            for group, reason in self.sums.reasons
        ]

    @strawberry.field(
        description="Its claim payments in the ledger, newest first.",
        extensions=needs(PAYMENTS_READ),
    )
    async def payments(self) -> list[ClaimPaymentHistoryEntry] | None:
        records = await self.loaders.payments.load(self.row.id)
        return [ClaimPaymentHistoryEntry.of(r) for r in records]

    @strawberry.field(description="Statuses recorded for a submitted claim, oldest first.")
    async def status_history(self, info: Info) -> list[ClaimStatusEntryInfo]:
        if self.row.source != HistorySource.SUBMITTED_BY_GATEWAY:
            return []
        info.context.audit.remember_patient(info.path, self.row.patient_id)
        return [ClaimStatusEntryInfo.of(r) for r in await self.loaders.statuses.load(self.row.id)]

    @strawberry.field(
        description="The claim as the payer's claim search reported it at the last refresh "
        "(a submitted claim's linked report); null for payers without claim search (X12)."
    )
    async def payer_report(self) -> PayerReport | None:
        row = await self.loaders.reports.load(self.row.id)
        return PayerReport(row=row) if row is not None else None

    @classmethod
    def of(
        cls, row: ClaimHistoryRow, sums: ClaimLedgerSums, loaders: HistoryLoaders
    ) -> ClaimHistoryEntry:
        return cls(row=row, sums=sums, loaders=loaders, audit_patient_id=row.patient_id)
