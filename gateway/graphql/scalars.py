"""Custom scalars. Money travels as a decimal string ("120.00") so no client parses it as a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import NewType

import strawberry
from strawberry.schema.config import StrawberryConfig

Money = NewType("Money", Decimal)
Percent = NewType("Percent", Decimal)


def _parse_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise ValueError("send money as a decimal string, not a float")
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a decimal number") from exc


SCALARS = {
    Money: strawberry.scalar(
        name="Money",
        description='An amount in US dollars as a decimal string, e.g. "120.00".',
        serialize=str,
        parse_value=_parse_decimal,
    ),
    Percent: strawberry.scalar(
        name="Percent",
        description='A fraction as a decimal string: "0.2" is 20%.',
        serialize=str,
        parse_value=_parse_decimal,
    ),
}


def schema_config(*, introspection: bool = True, max_batch_operations: int = 0) -> StrawberryConfig:
    return StrawberryConfig(
        scalar_map=SCALARS,  # type: ignore[arg-type]  # NewType keys are valid at run time
        sort_schema=True,
        # Suggestions leak field names, which is what disabling introspection is meant to hide.
        disable_field_suggestions=not introspection,
        # Batching (a JSON list of operations in one request) multiplies every other limit: off unless asked.
        batching_config={"max_operations": max_batch_operations}
        if max_batch_operations > 0
        else None,
    )
