"""Export columns: how each kind is selected on each database and built into a typed Arrow array.

The driver hands over Arrow arrays (reader.py). Money and quantities cross as decimal text
(``printf`` on SQLite, ``::text`` on PostgreSQL) cast by Arrow to ``decimal128`` with the column's
exact scale (never a float), dates as ISO text cast to ``date32``, timestamps as UTC text cast to
``timestamp[us, tz=UTC]``. Arrow does those casts in C, a batch at a time, which is what keeps a
million-line export fast. Code columns get their description from the gateway's code sets in a
column of their own (``<name>_description``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import String, Text, case, cast, func, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from payers.codesets import lookup

MONEY_TYPE = pa.decimal128(12, 2)
QUANTITY_TYPE = pa.decimal128(12, 3)
STAMP_TYPE = pa.timestamp("us", tz="UTC")

_ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "int": pa.int32(),
    "money": MONEY_TYPE,
    "quantity": QUANTITY_TYPE,
    "date": pa.date32(),
    "stamp": STAMP_TYPE,
    "codes": pa.string(),
    "pseudonym": pa.string(),
}


@dataclass(frozen=True, slots=True)
class Column:
    """One exported column. ``system`` (a code set) adds ``<name>_description`` after it."""

    name: str
    kind: str  # text, int, money, quantity, date, stamp, codes (a JSON list as "A;B"), pseudonym
    source: Any  # the SQL expression it is read from
    about: str
    phi: bool = False
    system: str | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.kind]


def select_expression(column: Column, dialect: str) -> ColumnElement[Any]:
    """The column's SQL on ``dialect`` ("sqlite" or "postgresql"), labelled with its name."""
    source, kind, postgres = column.source, column.kind, dialect == "postgresql"
    expr: ColumnElement[Any]
    text: ColumnElement[Any]
    if kind in {"money", "quantity"}:
        places = "%.2f" if kind == "money" else "%.3f"
        # printf makes '0.00' of NULL: a missing amount must stay missing.
        expr = (
            cast(source, Text)
            if postgres
            else case((source.is_(None), None), else_=func.printf(places, source))
        )
    elif kind == "date":
        expr = cast(source, Text) if postgres else type_coerce(source, String)
    elif kind == "stamp":
        expr = (
            func.to_char(func.timezone("UTC", source), "YYYY-MM-DD HH24:MI:SS.US")
            if postgres
            else type_coerce(source, String)
        )
    elif kind == "codes":  # ["N130", "M15"] -> N130;M15 (codes never hold these characters)
        text = cast(source, Text) if postgres else type_coerce(source, String)
        for gone in ("[", "]", '"', " "):
            text = func.replace(text, gone, "")
        expr = func.replace(text, ",", ";")
    else:
        expr = source
    return expr.label(column.name)


def arrow_fields(columns: Sequence[Column]) -> list[pa.Field]:
    """The Arrow schema fields of ``columns``, descriptions included, in order."""
    fields = []
    for column in columns:
        fields.append(pa.field(column.name, column.arrow_type, metadata={"about": column.about}))
        if column.system is not None:
            fields.append(
                pa.field(
                    f"{column.name}_description",
                    pa.string(),
                    metadata={"about": f"What {column.name} means ({column.system} code set)."},
                )
            )
    return fields


class Describer:
    """Code descriptions by (system, code), remembered for the export (a few hundred distinct)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], str] = {}

    def one(self, system: str, code: str | None) -> str | None:
        if not code:
            return None
        found = self._known.get((system, code))
        if found is None:
            found = self._known[(system, code)] = lookup(system, code).description
        return found

    def many(self, system: str, codes: str | None) -> str | None:
        """``N130;M15`` -> each one's description joined by `` | ``."""
        if not codes:
            return None
        found = self._known.get((system, "list:" + codes))
        if found is None:
            found = " | ".join(self.one(system, code) or "" for code in codes.split(";"))
            self._known[(system, "list:" + codes)] = found
        return found


def build_arrays(
    columns: Sequence[Column],
    values: Sequence[pa.Array],
    describer: Describer,
    pseudonym: Callable[[str], str],
) -> list[pa.Array]:
    """Typed Arrow arrays for ``columns`` from the arrays the driver read (one per column).

    Casts run in Arrow compute; pseudonyms and descriptions work on the distinct values of a column
    (a dictionary), so a code seen 50,000 times is looked up once."""
    arrays: list[pa.Array] = []
    for column, raw in zip(columns, values, strict=True):
        kind = column.kind
        if kind == "stamp":
            array = raw.cast(pa.timestamp("us")).cast(STAMP_TYPE)
        elif kind in {"codes", "pseudonym"}:
            array = raw.cast(pa.string())
            array = pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)
            if kind == "pseudonym":
                array = _per_distinct(array, pseudonym)
        else:  # text and int as read; money, quantity and dates from their text
            array = raw if raw.type == column.arrow_type else raw.cast(column.arrow_type)
        arrays.append(array)
        if column.system is not None:
            system = column.system
            describe = describer.many if kind == "codes" else describer.one
            arrays.append(_per_distinct(array, partial(describe, system)))
    return arrays


def _per_distinct(array: pa.Array, function: Callable[[Any], str | None]) -> pa.Array:
    """``function`` of each cell, called once per distinct value; nulls stay null."""
    encoded = array.dictionary_encode()
    mapped = pa.array([function(v) for v in encoded.dictionary.to_pylist()], pa.string())
    return mapped.take(encoded.indices)
