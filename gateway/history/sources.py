"""The history's rows in SQL: who owns each claim payment, and one row per claim whatever its source.

Every claim payment in the ledger belongs to exactly one claim history row, so sums never count a
payment twice: to the claim it was posted to (SUBMITTED_BY_GATEWAY); else to the claim a payer
reported under the same payer claim number, when that claim is not one of ours
(REPORTED_BY_PAYER); else to a row of its own per payer claim number (REMITTANCE: a claim the
gateway knows only from a payment, e.g. one sent before the practice used the gateway).
A payer-reported claim linked to one we submitted is not a row: the submitted claim is.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CTE,
    Date,
    String,
    Subquery,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)

from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.history_tables import PayerReportedClaim
from gateway.storage.ledger_tables import Remittance, RemittanceClaim
from gateway.storage.tables import Coverage

GATEWAY = "SUBMITTED_BY_GATEWAY"
PAYER = "REPORTED_BY_PAYER"
REMITTANCE = "REMITTANCE"
#: Sorts rows without a date last (dates desc) in both databases, with no NULL ordering rules.
DATE_FLOOR = date(1900, 1, 1)


def date_floor() -> object:
    return literal(DATE_FLOOR, Date)


def owned_claim_payments(practice_id: str) -> CTE:
    """The practice's claim payments with their remittance and the history row owning each."""
    reported = (
        select(PayerReportedClaim.id)
        .where(
            PayerReportedClaim.practice_id == RemittanceClaim.practice_id,
            PayerReportedClaim.payer_id == Remittance.payer_id,
            PayerReportedClaim.payer_claim_id == RemittanceClaim.payer_claim_id,
            PayerReportedClaim.submitted_claim_id.is_(None),
        )
        .limit(1)
        .correlate(RemittanceClaim, Remittance)
        .scalar_subquery()
    )
    remitted = (
        literal("remittance:")
        + Remittance.payer_id
        + literal(":")
        + func.coalesce(
            RemittanceClaim.payer_claim_id,
            literal("cn:") + RemittanceClaim.control_number,
            literal("id:") + RemittanceClaim.id,
        )
    )
    matched = RemittanceClaim.claim_id.is_not(None)
    return (
        select(
            RemittanceClaim.id.label("claim_payment_id"),
            case(
                (matched, RemittanceClaim.claim_id), else_=func.coalesce(reported, remitted)
            ).label("owner_id"),
            case(
                (matched, literal(GATEWAY)),
                (reported.is_not(None), literal(PAYER)),
                else_=literal(REMITTANCE),
            ).label("owner_source"),
            Remittance.id.label("remittance_id"),
            Remittance.payer_id,
            Remittance.payment_date,
            Remittance.received_at,
            RemittanceClaim.ordinal,
            RemittanceClaim.claim_id,
            RemittanceClaim.control_number,
            RemittanceClaim.payer_claim_id,
            RemittanceClaim.status_code,
            RemittanceClaim.charge,
            RemittanceClaim.paid,
            RemittanceClaim.patient_responsibility,
            RemittanceClaim.member_id,
            RemittanceClaim.service_date_from,
            RemittanceClaim.service_date_to,
            RemittanceClaim.match_state,
        )
        .join(Remittance, Remittance.id == RemittanceClaim.remittance_id)
        .where(RemittanceClaim.practice_id == practice_id, Remittance.practice_id == practice_id)
        .cte("owned_claim_payments")
    )


def claim_history_rows(practice_id: str, owned: CTE) -> Subquery:
    """One row per claim of the practice's history (columns alike across the three sources)."""
    submitted = (
        select(
            SubmittedClaim.id.label("id"),
            literal(GATEWAY).label("source"),
            SubmittedClaim.payer_id.label("payer_id"),
            SubmittedClaim.patient_id.label("patient_id"),
            Coverage.member_id.label("member_id"),
            SubmittedClaim.control_number.label("control_number"),
            SubmittedClaim.payer_claim_id.label("payer_claim_id"),
            SubmittedClaim.state.label("state"),
            SubmittedClaim.category_code.label("category_code"),
            SubmittedClaim.status_code.label("status_code"),
            SubmittedClaim.financial_state.label("financial_state"),
            SubmittedClaim.service_date_from.label("service_date_from"),
            SubmittedClaim.service_date_to.label("service_date_to"),
            SubmittedClaim.total_charge.label("total_charge"),
            SubmittedClaim.created_at.label("recorded_at"),
            SubmittedClaim.updated_at.label("updated_at"),
        )
        .join(Coverage, Coverage.id == SubmittedClaim.coverage_id)
        .where(SubmittedClaim.practice_id == practice_id)
    )
    reported = select(
        PayerReportedClaim.id,
        literal(PAYER),
        PayerReportedClaim.payer_id,
        PayerReportedClaim.patient_id,
        PayerReportedClaim.member_id,
        PayerReportedClaim.control_number,
        PayerReportedClaim.payer_claim_id,
        PayerReportedClaim.state,
        PayerReportedClaim.category_code,
        PayerReportedClaim.status_code,
        cast(null(), String),
        PayerReportedClaim.service_date_from,
        PayerReportedClaim.service_date_to,
        PayerReportedClaim.total_charge,
        PayerReportedClaim.first_reported_at,
        PayerReportedClaim.refreshed_at,
    ).where(
        PayerReportedClaim.practice_id == practice_id,
        PayerReportedClaim.submitted_claim_id.is_(None),
    )
    every_denied = func.min(owned.c.status_code) == func.max(owned.c.status_code)
    remitted = (
        select(
            owned.c.owner_id,
            literal(REMITTANCE),
            owned.c.payer_id,
            cast(null(), String),
            func.max(owned.c.member_id),
            func.max(owned.c.control_number),
            func.max(owned.c.payer_claim_id),
            # Known only from payments: denied when every payment says CLP02 4, else finalized.
            case(
                ((func.min(owned.c.status_code) == "4") & every_denied, literal("denied")),
                else_=literal("finalized"),
            ),
            cast(null(), String),
            cast(null(), String),
            cast(null(), String),
            func.min(owned.c.service_date_from),
            func.max(func.coalesce(owned.c.service_date_to, owned.c.service_date_from)),
            func.max(owned.c.charge),
            func.min(owned.c.received_at),
            func.max(owned.c.received_at),
        )
        .where(owned.c.owner_source == REMITTANCE)
        .group_by(owned.c.owner_id, owned.c.payer_id)
    )
    return union_all(submitted, reported, remitted).subquery("claim_history")
