"""A claim's financial state as the schema names it (gateway/ledger/states.py decides it)."""

from __future__ import annotations

from enum import StrEnum

import strawberry


@strawberry.enum(name="FinancialState", description="What the posted payments made of a claim.")
class FinancialStateEnum(StrEnum):
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REVERSED = "reversed"
