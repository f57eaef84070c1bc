"""A claim as the practice sends it, before any edit: plain values, nothing checked yet.

The GraphQL input is turned into a :class:`ClaimDraft` so the edits, the idempotency digest and the
tests work on one shape whatever the front door.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class DraftDrug:
    """The drug given on a line: NDC (5-4-2, hyphens optional), quantity and unit of measure."""

    ndc: str | None
    quantity: Decimal | None
    unit: str | None


@dataclass(frozen=True, slots=True)
class DraftProvider:
    """A referring or ordering provider: NPI and name."""

    npi: str | None
    last_name: str | None
    first_name: str | None = None


@dataclass(frozen=True, slots=True)
class DraftLine:
    procedure_code: str | None
    charge: Decimal | None
    service_date: date | None
    units: Decimal | None = Decimal(1)
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = ()
    line_control_number: str | None = None
    drug: DraftDrug | None = None
    ordering_provider: DraftProvider | None = None
    referring_provider: DraftProvider | None = None


@dataclass(frozen=True, slots=True)
class ClaimDraft:
    """A professional claim for one patient's coverage (837P / FHIR Claim / REST JSON)."""

    patient_id: str | None
    coverage_id: str | None
    billing_provider_npi: str | None
    billing_provider_tax_id: str | None
    billing_provider_name: str | None
    place_of_service: str | None
    diagnoses: tuple[str, ...]
    lines: tuple[DraftLine, ...]
    total_charge: Decimal | None
    frequency_code: str | None = "1"
    rendering_provider_npi: str | None = None
    original_payer_claim_id: str | None = None
    patient_control_number: str | None = None
    referring_provider: DraftProvider | None = None
    prior_authorization: str | None = None
    referral_number: str | None = None
    medical_record_number: str | None = None

    def digest(self) -> str:
        """SHA-256 of the canonical body: the same body always gives the same digest."""
        body = asdict(self)
        # Fields added later count only when given: a claim sent before them keeps its digest.
        _drop_unset(body, _LATER_CLAIM_FIELDS)
        for line in body["lines"]:
            _drop_unset(line, _LATER_LINE_FIELDS)
        canonical = json.dumps(body, sort_keys=True, default=_canonical, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    @property
    def service_dates(self) -> list[date]:
        return [line.service_date for line in self.lines if line.service_date is not None]


_LATER_CLAIM_FIELDS = (
    "referring_provider",
    "prior_authorization",
    "referral_number",
    "medical_record_number",
)
_LATER_LINE_FIELDS = ("drug", "ordering_provider", "referring_provider")


def _drop_unset(body: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if body.get(name) is None:
            body.pop(name, None)


def _canonical(value: Any) -> str:
    if isinstance(value, Decimal):
        # 120 and 120.00 are the same charge: compare amounts, not spellings.
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__}")
