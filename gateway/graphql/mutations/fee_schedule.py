"""setFeeScheduleEntries (fees:write): the practice's allowed amounts per payer and code.

Every entry is checked before any is written; an entry with the key of a stored one (payer, code,
modifier, effective from) replaces its amount, so sending the same request again changes nothing.
"""

from __future__ import annotations

import re
from decimal import Decimal

import strawberry
from strawberry.types import Info

from gateway.estimates.fee_schedule import MAX_ENTRIES, PRICING_MODIFIERS, FeeEntry, set_entries
from gateway.graphql.field_errors import as_field_errors
from gateway.graphql.permissions import needs
from gateway.graphql.types.estimates import (
    FeeScheduleEntryInput,
    FeeScheduleEntryType,
    SetFeeScheduleEntriesPayload,
)
from gateway.identity import FEES_WRITE

_CODE = re.compile(r"^(\d{4}[0-9A-Z]|[A-V]\d{4})$")
MAX_AMOUNT = Decimal("999999.99")


def _checked(
    entries: list[FeeScheduleEntryInput], known_payer: object
) -> tuple[list[FeeEntry], list[tuple[str, str, str]]]:
    found: list[tuple[str, str, str]] = []
    checked: list[FeeEntry] = []
    if not entries:
        found.append(("entries", "REQUIRED", "Give at least one entry."))
    if len(entries) > MAX_ENTRIES:
        found.append(("entries", "TOO_MANY", f"At most {MAX_ENTRIES} entries per request."))
        return [], found
    seen: set[tuple[object, ...]] = set()
    for n, entry in enumerate(entries):
        at = f"entries.{n}"
        code = entry.code.strip().upper()
        modifier = (entry.modifier or "").strip().upper() or None
        payer = (entry.payer_id or "").strip() or None
        if payer is not None and not known_payer(payer):  # type: ignore[operator]
            found.append((f"{at}.payerId", "UNKNOWN_PAYER", "No payer with this id is configured."))
        if not _CODE.match(code):
            found.append(
                (
                    f"{at}.code",
                    "INVALID_CODE",
                    "Use a CPT (5 characters) or HCPCS (a letter and 4 digits) code.",
                )
            )
        if modifier is not None and modifier not in PRICING_MODIFIERS:
            found.append(
                (
                    f"{at}.modifier",
                    "NOT_A_PRICING_MODIFIER",
                    "Only modifiers that change the price: " + ", ".join(sorted(PRICING_MODIFIERS)),
                )
            )
        amount = entry.allowed_amount
        if (
            not amount.is_finite()
            or not Decimal("0") <= amount <= MAX_AMOUNT
            or amount != amount.quantize(Decimal("0.01"))
        ):
            found.append(
                (
                    f"{at}.allowedAmount",
                    "OUT_OF_RANGE",
                    "An amount in dollars and cents, from 0 to 999999.99.",
                )
            )
        if entry.effective_to is not None and entry.effective_to < entry.effective_from:
            found.append(
                (f"{at}.effectiveTo", "BEFORE_START", "The end date is before the start date.")
            )
        key = (payer, code, modifier, entry.effective_from)
        if key in seen:
            found.append((at, "DUPLICATE", "The same payer, code, modifier and start date twice."))
        seen.add(key)
        checked.append(
            FeeEntry(
                payer,
                code,
                modifier,
                amount.quantize(Decimal("0.01")) if amount.is_finite() else amount,  # refused above
                entry.effective_from,
                entry.effective_to,
            )
        )
    return checked, found


@strawberry.type
class FeeScheduleMutations:
    @strawberry.mutation(
        description="Set fee schedule entries (per unit; payerId null for any payer). An entry "
        "with the payer, code, modifier and start date of a stored one replaces its amount.",
        extensions=needs(FEES_WRITE),
    )
    async def set_fee_schedule_entries(
        self, info: Info, entries: list[FeeScheduleEntryInput]
    ) -> SetFeeScheduleEntriesPayload | None:
        payers = info.context.services.payers
        checked, problems = _checked(entries, lambda p: payers.get(p) is not None)
        if problems:
            return SetFeeScheduleEntriesPayload(entries=[], errors=as_field_errors(problems))
        principal = info.context.principal
        async with info.context.services.database.transaction() as session:
            rows = await set_entries(session, info.context.practice_id, checked, principal.actor_id)
        info.context.audit.event("fee_schedule.set", detail={"entries": str(len(rows))})
        return SetFeeScheduleEntriesPayload(
            entries=[FeeScheduleEntryType.of(row) for row in rows], errors=[]
        )
