"""What a history query may be narrowed by, checked whole before anything is read."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import date

from payers.codesets import SYSTEMS
from payers.model import ClaimState

#: The most values one list in a filter may hold.
MAX_VALUES = 50
#: Where each row of ``claimHistory`` came from.
SOURCES = ("SUBMITTED_BY_GATEWAY", "REPORTED_BY_PAYER", "REMITTANCE")
_CARC = re.compile(r"^[A-Z0-9]{1,5}$")
_PAYER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


@dataclass(frozen=True, slots=True)
class FilterProblem:
    field: str  # the filter's field name as the API spells it
    message: str


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """A slice of history. Lists match any of their values; dates are inclusive.

    ``service_*``: the claim's (or claim payment's) dates of service overlap the range.
    ``paid_*``: a payment posted to the claim is dated in the range (remittance history: the
    payment's date). ``denial_reasons``: CARCs; a claim (claim payment) with an adjustment of one of
    them. ``states``: the claim's state (claim history); ``payment_statuses``: CLP02 codes
    (remittance history). ``sources``: where a claim history row came from (:data:`SOURCES`).
    """

    payer_ids: tuple[str, ...] = ()
    service_from: date | None = None
    service_to: date | None = None
    paid_from: date | None = None
    paid_to: date | None = None
    states: tuple[str, ...] = ()
    payment_statuses: tuple[str, ...] = ()
    denial_reasons: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def problems(self) -> list[FilterProblem]:
        """Every problem at once (an empty list: the filter can be run)."""
        found: list[FilterProblem] = []
        lists = {
            "payerIds": self.payer_ids,
            "states": self.states,
            "paymentStatuses": self.payment_statuses,
            "denialReasons": self.denial_reasons,
            "sources": self.sources,
        }
        for name, values in lists.items():
            if len(values) > MAX_VALUES:
                found.append(FilterProblem(name, f"'{name}' holds at most {MAX_VALUES} values."))
        if any(not _PAYER.match(p) for p in self.payer_ids):
            found.append(FilterProblem("payerIds", "A payer id is letters, digits, '.', '_', '-'."))
        states = {s.value for s in ClaimState}
        if any(s not in states for s in self.states):
            found.append(FilterProblem("states", "Unknown claim state."))
        statuses = SYSTEMS["claim-payment-status"]
        if any(s not in statuses for s in self.payment_statuses):
            found.append(
                FilterProblem("paymentStatuses", "Use 835 CLP02 claim status codes, e.g. 1, 4, 22.")
            )
        if any(not _CARC.match(c) for c in self.denial_reasons):
            found.append(
                FilterProblem("denialReasons", "Use claim adjustment reason codes, e.g. 45, 197.")
            )
        if any(s not in SOURCES for s in self.sources):
            found.append(FilterProblem("sources", "Unknown source."))
        for name, start, end in (
            ("serviceDateTo", self.service_from, self.service_to),
            ("paidDateTo", self.paid_from, self.paid_to),
        ):
            if start is not None and end is not None and end < start:
                found.append(FilterProblem(name, f"'{name}' is before the range's start."))
        return found

    def digest(self) -> str:
        """A short fingerprint: a cursor is only good for the filter it was made under."""
        text = json.dumps(asdict(self), default=str, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


#: What an eligibility check came to: the payer said covered, said not covered, or gave no answer.
OUTCOMES = ("ACTIVE", "INACTIVE", "FAILED")
_ERROR_CODE = re.compile(r"^[A-Z][A-Z0-9_]{0,39}$")


@dataclass(frozen=True, slots=True)
class EligibilityFilter:
    """A slice of the practice's final eligibility checks. Lists match any of their values.

    ``checked_*``: the check ended (``finished_at``) on these days of the practice's calendar
    (its time zone), inclusive. ``outcomes``: :data:`OUTCOMES`. ``error_codes``: the adapter's
    codes of failed checks (MEMBER_NOT_FOUND, PAYER_UNAVAILABLE...).
    """

    payer_ids: tuple[str, ...] = ()
    checked_from: date | None = None
    checked_to: date | None = None
    outcomes: tuple[str, ...] = ()
    error_codes: tuple[str, ...] = ()

    def problems(self) -> list[FilterProblem]:
        found: list[FilterProblem] = []
        lists = {
            "payerIds": self.payer_ids,
            "outcomes": self.outcomes,
            "errorCodes": self.error_codes,
        }
        for name, values in lists.items():
            if len(values) > MAX_VALUES:
                found.append(FilterProblem(name, f"'{name}' holds at most {MAX_VALUES} values."))
        if any(not _PAYER.match(p) for p in self.payer_ids):
            found.append(FilterProblem("payerIds", "A payer id is letters, digits, '.', '_', '-'."))
        if any(o not in OUTCOMES for o in self.outcomes):
            found.append(FilterProblem("outcomes", "Unknown outcome."))
        if any(not _ERROR_CODE.match(c) for c in self.error_codes):
            found.append(
                FilterProblem(
                    "errorCodes", "Use error codes, e.g. MEMBER_NOT_FOUND, PAYER_TIMEOUT."
                )
            )
        if (
            self.checked_from is not None
            and self.checked_to is not None
            and self.checked_to < self.checked_from
        ):
            found.append(FilterProblem("checkedTo", "'checkedTo' is before the range's start."))
        return found

    def digest(self) -> str:
        """A short fingerprint: a cursor is only good for the filter it was made under."""
        text = json.dumps(asdict(self), default=str, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
