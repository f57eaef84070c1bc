"""The tables a history export holds and the SQL that reads each one, in service-date order.

Every table carries the keys to join it (``claim_id``, ``payment_id``, ``payment_line_id``) and a
``service_month`` (``YYYY-MM``) by which it can be partitioned. A payment's service date is its
claim's (when it was matched to one of ours), else the one the payer stated, else the payment date:
so a claim, its lines, its payments and their adjustments land in the same month. Columns marked
``phi`` are read only when the caller has ``phi:read`` and asked for an identified export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, func, literal, select, text, union_all
from sqlalchemy.sql.elements import ColumnElement

from gateway.exports.columns import Column, select_expression
from gateway.storage.claim_lines_tables import SubmittedClaimLine
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import (
    Remittance,
    RemittanceAdjustment,
    RemittanceClaim,
    RemittanceLine,
)
from gateway.storage.tables import Coverage, Patient

claims = SubmittedClaim.__table__
lines = SubmittedClaimLine.__table__
patients = Patient.__table__
coverages = Coverage.__table__
remittances = Remittance.__table__
payments = RemittanceClaim.__table__
payment_lines = RemittanceLine.__table__
adjustments = RemittanceAdjustment.__table__

#: A claim payment's service date (see the module docstring); NULL dates fall outside every slice.
PAYMENT_SERVICE_DATE = func.coalesce(
    claims.c.service_date_from, payments.c.service_date_from, remittances.c.payment_date
)


@dataclass(frozen=True, slots=True)
class Slice:
    """What a caller asked for, already checked (gateway/exports/request.py)."""

    practice_id: str
    date_from: date
    date_to: date
    payer_ids: tuple[str, ...]  # empty: every payer
    identified: bool  # PHI columns too (phi:read only)


@dataclass(frozen=True, slots=True)
class ExportTable:
    """One table of the export: its columns and how to read its rows for a slice."""

    name: str
    about: str
    columns: tuple[Column, ...]
    service_date: Any  # the SQL expression partitions and slices are taken on
    order: tuple[Any, ...]

    def visible(self, identified: bool) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if identified or not c.phi)

    def query(self, piece: Slice, dialect: str) -> Select[Any] | CompoundSelect[Any]:
        chosen = self.visible(piece.identified)
        month = select_expression(
            Column("service_month", "date", self.service_date, ""), dialect
        ).label("service_date_key")
        statement = self._from(
            select(*(select_expression(c, dialect) for c in chosen), month), piece
        )
        if dialect != "sqlite":
            return statement.order_by(*self.order)
        # SQLite's ADBC driver types each column by the values of the first batch: a typed first
        # row (sorted first: its service date is '') keeps an all-NULL start from becoming int64.
        # The reader drops it (gateway/exports/reader.py).
        typed = select(*(literal(0 if c.kind == "int" else "").label(c.name) for c in chosen),
                       literal("").label("service_date_key"))  # fmt: skip
        positions = [self._position(chosen, term) for term in self.order]
        compound: CompoundSelect[Any] = union_all(typed, statement)
        return compound.order_by(*(text(str(p)) for p in positions))

    def _position(self, chosen: tuple[Column, ...], term: Any) -> int:
        """The 1-based result column an ORDER BY term is (the service date: the last)."""
        if term is self.service_date:
            return len(chosen) + 1
        return next(n for n, c in enumerate(chosen, start=1) if c.source is term)

    def _from(self, statement: Select[Any], piece: Slice) -> Select[Any]:
        return _SOURCES[self.name](statement, piece, self.service_date)


def _in_slice(piece: Slice, service_date: Any, payer: Any) -> ColumnElement[bool]:
    conditions = [service_date >= piece.date_from, service_date <= piece.date_to]
    if piece.payer_ids:
        conditions.append(payer.in_(piece.payer_ids))
    return and_(*conditions)


def _claims_from(statement: Select[Any], piece: Slice, served: Any) -> Select[Any]:
    if piece.identified:
        statement = statement.join_from(
            claims, patients, patients.c.id == claims.c.patient_id
        ).join(coverages, coverages.c.id == claims.c.coverage_id)
    return statement.where(
        claims.c.practice_id == piece.practice_id, _in_slice(piece, served, claims.c.payer_id)
    )


def _lines_from(statement: Select[Any], piece: Slice, served: Any) -> Select[Any]:
    return statement.join_from(lines, claims, claims.c.id == lines.c.claim_id).where(
        lines.c.practice_id == piece.practice_id,
        claims.c.practice_id == piece.practice_id,
        _in_slice(piece, served, claims.c.payer_id),
    )


def _payments_from(
    statement: Select[Any], piece: Slice, served: Any, child: Any = None
) -> Select[Any]:
    if child is not None:
        statement = statement.join_from(
            child, payments, payments.c.id == child.c.remittance_claim_id
        )
    else:
        statement = statement.select_from(payments)
    return (
        statement.join(remittances, remittances.c.id == payments.c.remittance_id)
        .outerjoin(claims, claims.c.id == payments.c.claim_id)
        .where(
            payments.c.practice_id == piece.practice_id,
            remittances.c.practice_id == piece.practice_id,
            _in_slice(piece, served, remittances.c.payer_id),
        )
    )


_SOURCES = {
    "claims": _claims_from,
    "claim_lines": _lines_from,
    "payments": _payments_from,
    "payment_lines": lambda s, p, d: _payments_from(s, p, d, payment_lines),
    "adjustments": lambda s, p, d: _payments_from(s, p, d, adjustments),
}


def _col(name: str, kind: str, source: Any, about: str, **more: Any) -> Column:
    return Column(name, kind, source, about, **more)


CLAIMS = ExportTable(
    "claims",
    "Claims the gateway submitted for the practice, one row per claim.",
    (
        _col("claim_id", "text", claims.c.id, "The claim's id in the gateway (key)."),
        _col(
            "control_number", "text", claims.c.control_number, "Our claim control number (CLM01)."
        ),
        _col("payer_id", "text", claims.c.payer_id, "The payer the claim was sent to."),
        _col("payer_claim_id", "text", claims.c.payer_claim_id, "The payer's claim number."),
        _col("patient_key", "pseudonym", claims.c.patient_id, "The patient's stable pseudonym."),
        _col("patient_id", "text", claims.c.patient_id, "The patient's id (PHI).", phi=True),
        _col("patient_first_name", "text", patients.c.first_name, "PHI.", phi=True),
        _col("patient_last_name", "text", patients.c.last_name, "PHI.", phi=True),
        _col("patient_birth_date", "date", patients.c.birth_date, "PHI.", phi=True),
        _col("patient_gender", "text", patients.c.gender, "PHI.", phi=True),
        _col("patient_address_line1", "text", patients.c.address_line1, "PHI.", phi=True),
        _col("patient_city", "text", patients.c.city, "PHI.", phi=True),
        _col("patient_state", "text", patients.c.state, "PHI.", phi=True),
        _col("patient_postal_code", "text", patients.c.postal_code, "PHI.", phi=True),
        _col("member_id", "text", coverages.c.member_id, "The member id billed (PHI).", phi=True),
        _col(
            "patient_account_number",
            "text",
            claims.c.patient_account_number,
            "The practice's account number for the patient (PHI).",
            phi=True,
        ),
        _col("service_date_from", "date", claims.c.service_date_from, "First date of service."),
        _col("service_date_to", "date", claims.c.service_date_to, "Last date of service."),
        _col(
            "frequency_code",
            "text",
            claims.c.frequency_code,
            "Claim frequency (1 original, 7 replacement, 8 void).",
            system="claim-frequency",
        ),
        _col("total_charge", "money", claims.c.total_charge, "Total charge submitted."),
        _col("state", "text", claims.c.state, "Where the claim stands in the gateway."),
        _col(
            "status_category_code",
            "text",
            claims.c.category_code,
            "The payer's latest 277 status category.",
            system="claim-status-category",
        ),
        _col(
            "status_code",
            "text",
            claims.c.status_code,
            "The payer's latest 277 status code.",
            system="claim-status",
        ),
        _col(
            "financial_state",
            "text",
            claims.c.financial_state,
            "paid, partially_paid, denied, reversed.",
        ),
        _col("paid_amount", "money", claims.c.paid_amount, "Paid so far (sum of posted payments)."),
        _col(
            "related_claim_id", "text", claims.c.related_claim_id, "The claim this one relates to."
        ),
        _col("relation", "text", claims.c.relation, "replaces, voids or secondary_of."),
        _col("submitted_at", "stamp", claims.c.created_at, "When the gateway accepted the claim."),
        _col("updated_at", "stamp", claims.c.updated_at, "When the claim last changed."),
    ),
    claims.c.service_date_from,
    (claims.c.service_date_from, claims.c.id),
)

CLAIM_LINES = ExportTable(
    "claim_lines",
    "Service lines of the submitted claims (join on claim_id).",
    (
        _col("claim_line_id", "text", lines.c.id, "The line's id (key)."),
        _col("claim_id", "text", lines.c.claim_id, "The claim (claims.claim_id)."),
        _col("line_number", "int", lines.c.line_number, "Line number within the claim."),
        _col(
            "procedure_code",
            "text",
            lines.c.procedure_code,
            "CPT/HCPCS code.",
            system="procedure",
        ),
        _col("modifiers", "text", lines.c.modifiers, "Procedure modifiers, comma-separated."),
        _col(
            "diagnosis_pointers",
            "text",
            lines.c.diagnosis_pointers,
            "Pointers to the claim's diagnoses.",
        ),
        _col("units", "quantity", lines.c.units, "Units of service."),
        _col("charge", "money", lines.c.charge, "Line charge."),
        _col("service_date", "date", lines.c.service_date, "Date of service of the line."),
    ),
    claims.c.service_date_from,
    (claims.c.service_date_from, lines.c.claim_id, lines.c.line_number),
)

PAYMENTS = ExportTable(
    "payments",
    "Claim payments from remittances (835 CLP / EOB), with the remittance's trace and date.",
    (
        _col("payment_id", "text", payments.c.id, "The claim payment's id (key)."),
        _col("remittance_id", "text", payments.c.remittance_id, "The remittance it came in."),
        _col(
            "claim_id", "text", payments.c.claim_id, "The claim it was posted to (null: unmatched)."
        ),
        _col("patient_key", "pseudonym", claims.c.patient_id, "The claim's patient pseudonym."),
        _col(
            "member_id",
            "text",
            payments.c.member_id,
            "The member id the payer stated (PHI).",
            phi=True,
        ),
        _col("payer_id", "text", remittances.c.payer_id, "The paying payer."),
        _col(
            "trace_number", "text", remittances.c.trace_number, "Check or EFT trace number (TRN02)."
        ),
        _col("payment_date", "date", remittances.c.payment_date, "Payment date (BPR16)."),
        _col(
            "payment_method_code",
            "text",
            remittances.c.method_code,
            "Payment method (BPR04).",
            system="payment-method",
        ),
        _col("remittance_source", "text", remittances.c.source, "fetched, uploaded or entered."),
        _col("received_at", "stamp", remittances.c.received_at, "When the gateway received it."),
        _col("ordinal", "int", payments.c.ordinal, "Position in the remittance."),
        _col("control_number", "text", payments.c.control_number, "Our control number (CLP01)."),
        _col(
            "payer_claim_id", "text", payments.c.payer_claim_id, "The payer's claim number (CLP07)."
        ),
        _col(
            "status_code",
            "text",
            payments.c.status_code,
            "Claim payment status (CLP02).",
            system="claim-payment-status",
        ),
        _col("charge", "money", payments.c.charge, "Charge the payer adjudicated (CLP03)."),
        _col("paid", "money", payments.c.paid, "Paid (CLP04); negative in a reversal."),
        _col(
            "patient_responsibility",
            "money",
            payments.c.patient_responsibility,
            "Patient responsibility (CLP05).",
        ),
        _col(
            "service_date_from",
            "date",
            payments.c.service_date_from,
            "Service dates the payer stated.",
        ),
        _col(
            "service_date_to", "date", payments.c.service_date_to, "Service dates the payer stated."
        ),
        _col(
            "remark_codes",
            "codes",
            payments.c.remarks,
            "Claim-level RARCs, ;-separated.",
            system="rarc",
        ),
        _col("match_state", "text", payments.c.match_state, "matched, manual or unmatched."),
    ),
    PAYMENT_SERVICE_DATE,
    (PAYMENT_SERVICE_DATE, payments.c.id),
)

PAYMENT_LINES = ExportTable(
    "payment_lines",
    "Service lines of the claim payments (835 SVC; join on payment_id).",
    (
        _col("payment_line_id", "text", payment_lines.c.id, "The paid line's id (key)."),
        _col("payment_id", "text", payment_lines.c.remittance_claim_id, "payments.payment_id."),
        _col("claim_id", "text", payments.c.claim_id, "The claim (null: unmatched)."),
        _col("ordinal", "int", payment_lines.c.ordinal, "Position in the claim payment."),
        _col(
            "procedure_code",
            "text",
            payment_lines.c.procedure_code,
            "Procedure the payer adjudicated.",
            system="procedure",
        ),
        _col("modifiers", "codes", payment_lines.c.modifiers, "Modifiers, ;-separated."),
        _col("units", "quantity", payment_lines.c.units, "Units paid."),
        _col("service_date", "date", payment_lines.c.service_date, "Date of service."),
        _col("charge", "money", payment_lines.c.charge, "Line charge."),
        _col("allowed", "money", payment_lines.c.allowed, "Allowed amount (AMT*B6)."),
        _col("paid", "money", payment_lines.c.paid, "Line paid."),
        _col(
            "remark_codes",
            "codes",
            payment_lines.c.remarks,
            "Line RARCs, ;-separated.",
            system="rarc",
        ),
    ),
    PAYMENT_SERVICE_DATE,
    (PAYMENT_SERVICE_DATE, payment_lines.c.remittance_claim_id, payment_lines.c.ordinal),
)

ADJUSTMENTS = ExportTable(
    "adjustments",
    "CAS adjustments of the claim payments, claim-level or on a paid line.",
    (
        _col("adjustment_id", "text", adjustments.c.id, "The adjustment's id (key)."),
        _col("payment_id", "text", adjustments.c.remittance_claim_id, "payments.payment_id."),
        _col(
            "payment_line_id",
            "text",
            adjustments.c.line_id,
            "payment_lines.payment_line_id (null: claim-level).",
        ),
        _col("claim_id", "text", payments.c.claim_id, "The claim (null: unmatched)."),
        _col(
            "group_code",
            "text",
            adjustments.c.group_code,
            "CAS group (CO, PR, OA, PI).",
            system="adjustment-group",
        ),
        _col("reason_code", "text", adjustments.c.reason_code, "CARC.", system="carc"),
        _col(
            "remark_codes", "codes", adjustments.c.remarks, "RARCs stated with it.", system="rarc"
        ),
        _col("amount", "money", adjustments.c.amount, "Adjustment amount."),
        _col("quantity", "quantity", adjustments.c.quantity, "Adjusted units."),
    ),
    PAYMENT_SERVICE_DATE,
    (PAYMENT_SERVICE_DATE, adjustments.c.remittance_claim_id, adjustments.c.id),
)

TABLES: tuple[ExportTable, ...] = (CLAIMS, CLAIM_LINES, PAYMENTS, PAYMENT_LINES, ADJUSTMENTS)


def column_names(table: ExportTable, identified: bool) -> Sequence[str]:
    names = []
    for column in table.visible(identified):
        names.append(column.name)
        if column.system is not None:
            names.append(f"{column.name}_description")
    return names
