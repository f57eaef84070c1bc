"""History rows as DataFrames with the right types, built through one Arrow schema per table.

Money is ``decimal128(14, 2)`` (pandas ``ArrowDtype`` decimal, polars ``Decimal``), never float;
dates are ``date32`` (dates, not timestamps); times are UTC timestamps; codes are categoricals with
their descriptions in columns of their own. pyarrow comes with the ``[pandas]`` and ``[polars]``
extras.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

MONEY_SCALE = 2

Row = dict[str, Any]


def _arrow() -> Any:
    try:
        import pyarrow
    except ImportError as exc:  # pragma: no cover - depends on the extras installed
        raise ImportError(
            "DataFrames need pyarrow: pip install 'payer-gateway-client[pandas]' (or [polars])"
        ) from exc
    return pyarrow


def _types() -> dict[str, Any]:
    pa = _arrow()
    return {
        "text": pa.string(),
        "code": pa.dictionary(pa.int32(), pa.string()),
        "money": pa.decimal128(14, MONEY_SCALE),
        "quantity": pa.decimal128(14, 4),
        "date": pa.date32(),
        "time": pa.timestamp("us", tz="UTC"),
        "int": pa.int32(),
        "bool": pa.bool_(),
    }


#: Each table's columns: name -> kind (see _types).
CLAIMS = {
    "claim_history_id": "text", "claim_id": "text", "source": "code", "control_number": "text",
    "payer_claim_id": "text", "payer_id": "code", "payer_name": "code", "patient_key": "text",
    "service_from": "date", "service_to": "date", "total_charge": "money", "paid": "money",
    "patient_responsibility": "money", "last_paid_on": "date", "state": "code",
    "financial_state": "code", "status_code": "code", "status_description": "code",
    "category_code": "code", "category_description": "code", "denial_reasons": "text",
    "recorded_at": "time", "updated_at": "time",
}  # fmt: skip
PAYMENTS = {
    "claim_payment_id": "text", "remittance_id": "text", "claim_history_id": "text",
    "claim_id": "text", "control_number": "text", "payer_claim_id": "text", "payer_id": "code",
    "payer_name": "code", "patient_key": "text", "trace_number": "text", "payment_date": "date",
    "method": "code", "status_code": "code", "status_description": "code", "match_state": "code",
    "charge": "money", "paid": "money", "patient_responsibility": "money",
    "service_from": "date", "service_to": "date", "recorded_at": "time",
}  # fmt: skip
ADJUSTMENTS = {
    "claim_payment_id": "text", "claim_history_id": "text", "claim_id": "text",
    "payer_id": "code", "payment_date": "date", "line_number": "int", "procedure_code": "code",
    "group_code": "code", "group_description": "code", "reason_code": "code",
    "reason_description": "code", "remarks": "text", "amount": "money", "quantity": "quantity",
}  # fmt: skip
LINES = {
    "claim_payment_id": "text", "claim_history_id": "text", "payer_id": "code",
    "payment_date": "date", "line_number": "int", "procedure_code": "code",
    "procedure_description": "code", "modifiers": "text", "charge": "money", "paid": "money",
    "allowed_amount": "money", "units": "quantity", "service_date": "date",
}  # fmt: skip
STATUSES = {
    "claim_history_id": "text", "claim_id": "text", "payer_id": "code", "state": "code",
    "source": "code", "effective_date": "date", "recorded_at": "time", "category_code": "code",
    "category_description": "code", "status_code": "code", "status_description": "code",
}  # fmt: skip

ELIGIBILITY = {
    "check_id": "text", "source": "code", "batch_id": "text", "checked_at": "time",
    "recorded_at": "time", "as_of": "date", "payer_id": "code", "payer_name": "code",
    "patient_key": "text", "outcome": "code", "active": "bool", "plan_name": "code",
    "group_number": "code", "group_name": "code", "deductible_remaining": "money",
    "out_of_pocket_remaining": "money", "error_code": "code", "error_description": "code",
    "attempts": "int",
}  # fmt: skip


def _code(value: Mapping[str, Any] | None, part: str = "code") -> str | None:
    return value.get(part) if value else None


def _money(value: Any) -> Decimal | None:
    """The gateway's decimal string as a Decimal; a value with more places than the column fails
    (in pyarrow) rather than being rounded."""
    return Decimal(str(value)) if value is not None else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def claim_rows(nodes: Iterable[Row]) -> list[Row]:
    return [
        {
            "claim_history_id": n["id"],
            "claim_id": n.get("claimId"),
            "source": n.get("source"),
            "control_number": n.get("controlNumber"),
            "payer_claim_id": n.get("payerClaimId"),
            "payer_id": n["payerId"],
            "payer_name": _code(n.get("payer"), "name"),
            "patient_key": n.get("patientKey"),
            "service_from": _date(n.get("serviceDateFrom")),
            "service_to": _date(n.get("serviceDateTo")),
            "total_charge": _money(n.get("totalCharge")),
            "paid": _money(n.get("paid")),
            "patient_responsibility": _money(n.get("patientResponsibility")),
            "last_paid_on": _date(n.get("lastPaidOn")),
            "state": n.get("state"),
            "financial_state": n.get("financialState"),
            "status_code": _code(n.get("status")),
            "status_description": _code(n.get("status"), "description"),
            "category_code": _code(n.get("category")),
            "category_description": _code(n.get("category"), "description"),
            "denial_reasons": " ".join(
                f"{r['group']['code']}-{r['reason']['code']}"
                for r in n.get("adjustmentReasons") or ()
            )
            or None,
            "recorded_at": _time(n.get("recordedAt")),
            "updated_at": _time(n.get("updatedAt")),
        }
        for n in nodes
    ]


def payment_rows(nodes: Iterable[Row]) -> list[Row]:
    return [
        {
            "claim_payment_id": n["id"],
            "remittance_id": n.get("remittanceId"),
            "claim_history_id": n.get("claimHistoryId"),
            "claim_id": n.get("claimId"),
            "control_number": n.get("controlNumber"),
            "payer_claim_id": n.get("payerClaimId"),
            "payer_id": n["payerId"],
            "payer_name": _code(n.get("payer"), "name"),
            "patient_key": n.get("patientKey"),
            "trace_number": n.get("traceNumber"),
            "payment_date": _date(n.get("paymentDate")),
            "method": _code(n.get("method")),
            "status_code": _code(n.get("status")),
            "status_description": _code(n.get("status"), "description"),
            "match_state": n.get("matchState"),
            "charge": _money(n.get("charge")),
            "paid": _money(n.get("paid")),
            "patient_responsibility": _money(n.get("patientResponsibility")),
            "service_from": _date(n.get("serviceDateFrom")),
            "service_to": _date(n.get("serviceDateTo")),
            "recorded_at": _time(n.get("recordedAt")),
        }
        for n in nodes
    ]


def adjustment_rows(nodes: Iterable[Row]) -> list[Row]:
    return [
        {
            "claim_payment_id": n["id"],
            "claim_history_id": n.get("claimHistoryId"),
            "claim_id": n.get("claimId"),
            "payer_id": n["payerId"],
            "payment_date": _date(n.get("paymentDate")),
            "line_number": a.get("lineNumber"),
            "procedure_code": _code(a.get("procedure")),
            "group_code": _code(a.get("group")),
            "group_description": _code(a.get("group"), "description"),
            "reason_code": _code(a.get("reason")),
            "reason_description": _code(a.get("reason"), "description"),
            "remarks": " ".join(r["code"] for r in a.get("remarks") or ()) or None,
            "amount": _money(a.get("amount")),
            "quantity": _money(a.get("quantity")),
        }
        for n in nodes
        for a in n.get("adjustments") or ()
    ]


def line_rows(nodes: Iterable[Row]) -> list[Row]:
    return [
        {
            "claim_payment_id": n["id"],
            "claim_history_id": n.get("claimHistoryId"),
            "payer_id": n["payerId"],
            "payment_date": _date(n.get("paymentDate")),
            "line_number": number,
            "procedure_code": _code(line.get("procedure")),
            "procedure_description": _code(line.get("procedure"), "description"),
            "modifiers": " ".join(line.get("modifiers") or ()) or None,
            "charge": _money(line.get("charge")),
            "paid": _money(line.get("paid")),
            "allowed_amount": _money(line.get("allowedAmount")),
            "units": _money(line.get("units")),
            "service_date": _date(line.get("serviceDate")),
        }
        for n in nodes
        for number, line in enumerate(n.get("lines") or (), start=1)
    ]


def status_rows(nodes: Iterable[Row]) -> list[Row]:
    return [
        {
            "claim_history_id": n["id"],
            "claim_id": n.get("claimId"),
            "payer_id": n["payerId"],
            "state": s.get("state"),
            "source": s.get("source"),
            "effective_date": _date(s.get("effectiveDate")),
            "recorded_at": _time(s.get("recordedAt")),
            "category_code": _code(s.get("category")),
            "category_description": _code(s.get("category"), "description"),
            "status_code": _code(s.get("status")),
            "status_description": _code(s.get("status"), "description"),
        }
        for n in nodes
        for s in n.get("statusHistory") or ()
    ]


def eligibility_rows(nodes: Iterable[Row]) -> list[Row]:
    return [
        {
            "check_id": n["id"],
            "source": n.get("source"),
            "batch_id": n.get("batchId"),
            "checked_at": _time(n.get("checkedAt")),
            "recorded_at": _time(n.get("recordedAt")),
            "as_of": _date(n.get("asOf")),
            "payer_id": n["payerId"],
            "payer_name": _code(n.get("payer"), "name"),
            "patient_key": n.get("patientKey"),
            "outcome": n.get("outcome"),
            "active": n.get("active"),
            "plan_name": _code(n.get("plan"), "name"),
            "group_number": _code(n.get("plan"), "groupNumber"),
            "group_name": _code(n.get("plan"), "groupName"),
            "deductible_remaining": _money(n.get("deductibleRemaining")),
            "out_of_pocket_remaining": _money(n.get("outOfPocketRemaining")),
            "error_code": n.get("errorCode"),
            "error_description": n.get("errorDescription"),
            "attempts": n.get("attempts"),
        }
        for n in nodes
    ]


def arrow_table(rows: list[Row], columns: Mapping[str, str]) -> Any:
    """An Arrow table of ``rows`` with exactly ``columns`` (kinds from :func:`_types`)."""
    pa, types = _arrow(), _types()
    arrays = []
    for name, kind in columns.items():
        values = [row.get(name) for row in rows]
        if kind == "code":
            arrays.append(pa.array(values, type=pa.string()).dictionary_encode())
        else:
            arrays.append(pa.array(values, type=types[kind]))
    return pa.Table.from_arrays(arrays, names=list(columns))


def to_frame(table: Any, engine: str) -> Any:
    """pandas: Arrow-backed columns (``ArrowDtype``; codes as ``Categorical``); polars: from Arrow."""
    if engine == "pandas":
        import pandas as pd

        pa = _arrow()

        def mapper(kind: Any) -> Any:
            return None if pa.types.is_dictionary(kind) else pd.ArrowDtype(kind)

        return table.to_pandas(types_mapper=mapper)
    if engine == "polars":
        import polars as pl

        return pl.from_arrow(table)
    raise ValueError(f"engine must be 'pandas' or 'polars', not {engine!r}")


def _frame(build: Callable[[Iterable[Row]], list[Row]], columns: Mapping[str, str]) -> Any:
    def make(nodes: Iterable[Row], engine: str = "pandas") -> Any:
        return to_frame(arrow_table(build(nodes), columns), engine)

    return make


claims = _frame(claim_rows, CLAIMS)
payments = _frame(payment_rows, PAYMENTS)
adjustments = _frame(adjustment_rows, ADJUSTMENTS)
lines = _frame(line_rows, LINES)
statuses = _frame(status_rows, STATUSES)
eligibility = _frame(eligibility_rows, ELIGIBILITY)
