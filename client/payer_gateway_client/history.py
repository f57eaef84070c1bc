"""The history operations, their filters, and following a Relay connection's cursors to the end."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

CLAIM_HISTORY = """
query ClaimHistory($filter: ClaimHistoryFilter, $first: Int!, $after: String) {
  claimHistory(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id claimId source controlNumber payerClaimId payerId payer { name } patientKey
      serviceDateFrom serviceDateTo totalCharge paid patientResponsibility lastPaidOn
      state financialState status { code description } category { code description }
      recordedAt updatedAt
      adjustmentReasons { group { code } reason { code description } }
      statusHistory { state source effectiveDate recordedAt
                      category { code description } status { code description } }
    } }
  }
}"""

REMITTANCE_HISTORY = """
query RemittanceHistory($filter: RemittanceHistoryFilter, $first: Int!, $after: String) {
  remittanceHistory(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id remittanceId claimHistoryId claimHistorySource claimId controlNumber payerClaimId
      payerId payer { name } patientKey traceNumber paymentDate method { code description }
      status { code description } matchState charge paid patientResponsibility
      serviceDateFrom serviceDateTo recordedAt
      adjustments { lineNumber group { code description } reason { code description }
                    procedure { code } amount quantity remarks { code } }
      lines { procedure { code description } modifiers charge paid allowedAmount units serviceDate }
    } }
  }
}"""

ELIGIBILITY_HISTORY = """
query EligibilityHistory($filter: EligibilityHistoryFilter, $first: Int!, $after: String) {
  eligibilityHistory(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id source batchId checkedAt recordedAt asOf payerId payer { name } patientKey
      outcome active plan { name groupNumber groupName } deductibleRemaining outOfPocketRemaining
      errorCode errorDescription attempts
    } }
  }
}"""

#: Python keyword -> the filter field of eligibilityHistory.
ELIGIBILITY_FILTER_FIELDS = {
    "payers": "payerIds",
    "checked_from": "checkedDateFrom",
    "checked_to": "checkedDateTo",
    "outcomes": "outcomes",
    "error_codes": "errorCodes",
}
_LISTS = {"payers", "states", "statuses", "denial_reasons", "sources", "outcomes", "error_codes"}

#: Python keyword -> the filter field of both claim history connections.
_FILTER_FIELDS = {
    "payers": "payerIds",
    "service_from": "serviceDateFrom",
    "service_to": "serviceDateTo",
    "paid_from": "paidDateFrom",
    "paid_to": "paidDateTo",
    "states": "states",
    "statuses": "statuses",
    "denial_reasons": "denialReasons",
    "sources": "sources",
}


def history_filter(
    fields: Mapping[str, str] | None = None, **filters: Any
) -> dict[str, Any] | None:
    """The GraphQL filter object for keyword filters (dates as ``date`` or ISO text); ``fields``:
    the connection's keywords (the claim history connections' by default)."""
    fields = fields or _FILTER_FIELDS
    unknown = sorted(set(filters) - set(fields))
    if unknown:
        raise TypeError(f"unknown filter {', '.join(unknown)}; known: {', '.join(fields)}")
    built: dict[str, Any] = {}
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, str) and name in _LISTS:
            value = [value]
        built[fields[name]] = list(value) if isinstance(value, tuple | set) else value
    return built or None


Query = Callable[[str, Mapping[str, Any]], dict[str, Any]]


def pages(
    query: Query, document: str, field: str, variables: Mapping[str, Any]
) -> Iterator[dict[str, Any]]:
    """Every node of the connection ``field``, page after page until ``hasNextPage`` is false.

    The cursors are the gateway's keyset cursors: rows arriving meanwhile do not shift the pages."""
    after: str | None = None
    while True:
        connection = query(document, {**variables, "after": after})[field]
        for edge in connection["edges"]:
            yield edge["node"]
        info = connection["pageInfo"]
        if not info["hasNextPage"]:
            return
        if not info.get("endCursor") or info["endCursor"] == after:
            raise RuntimeError(
                f"{field}: the gateway said there is a next page but gave no new cursor"
            )
        after = info["endCursor"]
