"""Custom scalars. Money travels as a decimal string ("120.00") so no client parses it as a float;
every DateTime is written in UTC with its offset, whichever field or database it comes from."""

from __future__ import annotations

from datetime import UTC, datetime
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


def _utc_timestamp(value: object) -> str:
    if not isinstance(value, datetime):
        raise TypeError(f"DateTime fields return datetimes, not {type(value).__name__}")
    if value.tzinfo is None:
        # A naive value is a bug upstream (its zone is a guess): fail loudly rather than guess.
        raise ValueError("a DateTime field returned a naive datetime")
    return value.astimezone(UTC).isoformat()


def _parse_timestamp(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("send a DateTime as an ISO 8601 string, e.g. 2026-01-31T09:00:00Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not an ISO 8601 date and time") from None
    if moment.tzinfo is None:
        raise ValueError(f"{value[:40]!r} has no UTC offset: add one, e.g. Z or -05:00")
    return moment.astimezone(UTC)


SCALARS = {
    datetime: strawberry.scalar(
        name="DateTime",
        description="ISO 8601 with a UTC offset, answered in UTC: 2026-01-31T14:00:00+00:00",
        serialize=_utc_timestamp,
        parse_value=_parse_timestamp,
    ),
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
