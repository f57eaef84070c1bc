"""Objects and lists completed by their type's shape (gateway/graphql/shaped_values.py) and plain
object/list fields read in line (plain_leaves.py) answer exactly as graphql-core does: the same
data, the same errors at the same paths, in the same order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import strawberry

from gateway.graphql.caller_input import CallerInputExecutionContext
from gateway.graphql.plain_leaves import (
    PLAN_KEY,
    PlainLeafExecutionContext,
    PlainValue,
    mark_plain_leaves,
)


async def _later(value: Any) -> Any:
    return value


async def _fails() -> Any:
    raise ValueError("late failure")


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag(Named):
    weight: int


@strawberry.type
class Part:
    label: str
    size: int | None
    note: str | None = None


@strawberry.type
class Box:
    part: Part
    maybe: Part | None
    parts: list[Part]
    loose: list[Part | None] | None
    labels: list[str]
    counts: list[int | None] | None
    tags: list[Tag] | None
    named: Named | None
    grid: list[list[int]] | None

    @strawberry.field
    def resolved(self) -> list[Part | None] | None:
        parts = self.parts  # a resolver's list goes through complete_value: by shape as well
        if isinstance(parts, list | tuple):
            return [*parts, ValueError("a resolved item that is an exception")]  # type: ignore[list-item]
        return parts


def _part(label: str, size: int | None = 1) -> Part:
    return Part(label=label, size=size)


@dataclass(frozen=True, slots=True)
class SlottedPart:
    """Like the payer model's dataclasses: its items skip the awaitable check."""

    label: str | None
    size: Any
    note: Any = None


class ReadOnce:
    """An item whose ``note`` answers differently on a second read: each field is read once."""

    __slots__ = ("reads",)
    label = "once"

    def __init__(self) -> None:
        self.reads = 0

    @property
    def note(self) -> Any:
        self.reads += 1
        return 5 if self.reads == 1 else "read twice"


def _slotted(label: str | None, size: Any = 1, note: Any = None) -> Any:
    return SlottedPart(label, size, note)


def _labels() -> Any:
    yield "from"
    yield "a generator"


def _boxes() -> list[Any]:
    def box(**changes: Any) -> Box:
        values: dict[str, Any] = dict(
            part=_part("p"),
            maybe=None,
            parts=(_part("t1"), _part("t2", None)),  # a tuple is a list too
            loose=[_part("l1"), None, _slotted("s1"), _slotted(None), _slotted("s3", 2**40)],
            labels=["a", "b"],
            counts=[1, None, 3],
            tags=[Tag(name="t", weight=2)],
            named=Tag(name="n", weight=3),
            grid=[[1, 2], [3]],
        )
        values.update(changes)
        return Box(**values)

    return [
        box(),
        box(part=None),  # a null non-null object: the box is null
        box(parts=[_part("x"), None]),  # a null non-null item: the list, so the box, is null
        box(parts=[_slotted("x"), _slotted(None)]),  # a slotted item's null non-null label
        box(
            loose=[
                _slotted("n", note="a note"),
                _slotted("m", note=ValueError("no note")),
                ReadOnce(),
            ]
        ),
        box(
            loose=[_part("e"), ValueError("an item that is an exception"), _later(_part("aw"))],
            labels=_labels(),  # not a list: graphql-core's way
            counts=[2**40, "x", _later(7), _fails()],
        ),
        box(maybe=_later(_part("m")), tags=[Tag(name="ok", weight=1), _part("not a tag")]),
        box(parts=5),  # not iterable
        box(labels=["ok", None]),
        _later(box(part=_part("awaited box"))),
    ]


@strawberry.type
class Query:
    @strawberry.field
    async def boxes(self) -> list[Box | None]:
        return _boxes()

    @strawberry.field
    def one(self) -> Box:
        return Box(
            part=_part("one"),
            maybe=None,
            parts=[_part("t1"), _part("t2")],
            loose=None,
            labels=[],
            counts=None,
            tags=None,
            named=None,
            grid=None,
        )


QUERY = """{
  boxes {
    part { label size } maybe { label } parts { label size } loose { label size }
    labels counts tags { name weight } named { name } grid resolved { label }
    again: part { size }
    flat: loose { label note }
  }
  one { parts { label } counts }
}"""


def _schema(context_class: type) -> strawberry.Schema:
    schema = strawberry.Schema(query=Query, types=[Tag], execution_context_class=context_class)
    mark_plain_leaves(schema._schema)
    return schema


async def test_shaped_completion_answers_and_errs_as_graphql_core() -> None:
    shaped = await _schema(PlainLeafExecutionContext).execute(QUERY)
    own = await _schema(CallerInputExecutionContext).execute(QUERY)
    assert shaped.data == own.data
    assert [e.formatted for e in shaped.errors or ()] == [e.formatted for e in own.errors or ()]
    assert list(shaped.data["boxes"][0]) == list(own.data["boxes"][0])  # the same key order
    paths = {tuple(e.path) for e in own.errors or ()}
    assert {
        ("boxes", 1, "part"),
        ("boxes", 2, "parts", 1),
        ("boxes", 5, "loose", 1),
        ("boxes", 5, "counts", 0),
        ("boxes", 5, "counts", 1),
        ("boxes", 5, "counts", 3),
        ("boxes", 6, "tags", 1),
        ("boxes", 7, "parts"),
        ("boxes", 0, "resolved", 2),
        ("boxes", 0, "loose", 3, "label"),
        ("boxes", 0, "loose", 4, "size"),
        ("boxes", 3, "parts", 1, "label"),
        ("boxes", 8, "labels", 1),
        ("boxes", 4, "flat", 1, "note"),
    } <= paths
    data = shaped.data
    assert data["boxes"][5]["labels"] == ["from", "a generator"]
    assert data["boxes"][5]["loose"][2] == {"label": "aw", "size": 1}
    assert data["boxes"][6]["maybe"] == {"label": "m"}
    assert data["boxes"][9]["part"]["label"] == "awaited box"
    assert data["boxes"][4]["flat"] == [
        {"label": "n", "note": "a note"},
        {"label": "m", "note": None},
        {"label": "once", "note": "5"},
    ]


def test_object_and_list_fields_are_planned_abstract_and_nested_lists_are_not() -> None:
    box = _schema(PlainLeafExecutionContext)._schema.get_type("Box")
    planned = {
        name
        for name, field in box.fields.items()
        if type(field.extensions.get(PLAN_KEY)) is PlainValue  # type: ignore[union-attr]
    }
    assert planned == {"part", "maybe", "parts", "loose", "labels", "counts", "tags"}


@pytest.mark.parametrize("context_class", [PlainLeafExecutionContext, CallerInputExecutionContext])
async def test_the_cases_above_answer(context_class: type) -> None:
    """The comparison above is only worth something if the answer holds data."""
    result = await _schema(context_class).execute(QUERY)
    assert result.data is not None
    assert result.data["one"]["parts"] == [{"label": "t1"}, {"label": "t2"}]
    assert result.data["boxes"][1] is None and result.data["boxes"][2] is None
