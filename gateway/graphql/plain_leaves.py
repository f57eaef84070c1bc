"""Plain leaf fields completed without graphql-core's per-field machinery.

Most of a headline answer (about 1,600 fields at 10 payers) is scalars and enums read straight off a
model object: no resolver, no arguments, no field extension (so no authorization or audit), and
strawberry's resolver for them ignores the info it is handed. graphql-core still builds a path, a
resolve info, a node list and a resolver call chain for each, and walks ``complete_value``'s type
checks. For those fields only, :class:`PlainLeafExecutionContext` reads the attribute and coerces
it as graphql-core would, with the same errors at the same paths, in the same order in the answer;
every other field (resolvers, arguments, field extensions, lists, objects, ``__typename``) goes
graphql-core's own way.

Which fields qualify is decided once per schema (:func:`mark_plain_leaves`) from what strawberry
built: its marked default resolver and the field's definition. Each request then sorts each
selection (a grouped field set, shared by every item of a list) once into plain and other fields.
tests/gateway/test_plain_leaves.py checks that answers and errors equal graphql-core's own.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, NamedTuple

from graphql import (
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLSchema,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema_converter import GraphQLCoreConverter

from gateway.graphql.caller_input import CallerInputExecutionContext

#: Where a field's plan is kept, in its graphql-core ``extensions`` (absent: graphql-core's way).
PLAN_KEY = "gateway-plain-leaf"


class PlainLeaf(NamedTuple):
    python_name: str
    read: Any  # strawberry's default resolver for the field (getattr unless configured otherwise)
    leaf_type: GraphQLLeafType
    non_null: bool


def _plan_for(field_def: Any) -> PlainLeaf | None:
    if not getattr(field_def.resolve, "_is_default", False) or field_def.args:
        return None  # a resolver of ours, or strawberry's wrapper for extensions or arguments
    strawberry_field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if strawberry_field is None or not strawberry_field.is_basic_field:
        return None
    return_type = field_def.type
    non_null = is_non_null_type(return_type)
    named = return_type.of_type if non_null else return_type
    if not is_leaf_type(named):
        return None  # lists and objects keep graphql-core's completion (streams, sub-selections)
    return PlainLeaf(
        strawberry_field.python_name, strawberry_field.default_resolver, named, non_null
    )


def mark_plain_leaves(schema: GraphQLSchema) -> int:
    """Record a plan on every plain leaf field of ``schema``; returns how many there are."""
    marked = 0
    for named_type in schema.type_map.values():
        if not is_object_type(named_type) or named_type.name.startswith("__"):
            continue
        for field_def in named_type.fields.values():
            plan = _plan_for(field_def)
            if plan is not None:
                field_def.extensions = {**(field_def.extensions or {}), PLAN_KEY: plan}
                marked += 1
    return marked


#: One selection sorted: (response name, field details, the field and its plan when plain).
Sorted = list[tuple[str, Any, Any, PlainLeaf | None]]


class PlainLeafExecutionContext(CallerInputExecutionContext):
    """The gateway's execution context: plain leaf fields take the short way (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by the grouped field set's id; the set is kept in the value so the id stays its own.
        self._sorted: dict[int, tuple[Any, GraphQLObjectType, Sorted | None]] = {}
        middleware = self.middleware_manager
        # A schema extension with a per-field ``resolve`` hook must see every field: no short way.
        self._short_way = middleware is None or not middleware.middlewares

    def _sort(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Sorted | None:
        known = self._sorted.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set and known[1] is parent_type:
            return known[2]
        fields = parent_type.fields
        result: Sorted = []
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_def = fields.get(node.name.value)  # None for __typename and introspection
            plan = None
            if field_def is not None and not node.arguments:
                plan = field_def.extensions.get(PLAN_KEY)
            result.append((response_name, field_details_list, field_def, plan))
        sorted_fields = result if any(entry[3] for entry in result) else None
        self._sorted[id(grouped_field_set)] = (grouped_field_set, parent_type, sorted_fields)
        return sorted_fields

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        sorted_fields = self._sort(parent_type, grouped_field_set) if self._short_way else None
        if sorted_fields is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # graphql-core's execute_fields, with plain leaves completed in line.
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list, field_def, plan in sorted_fields:
                if plan is None:
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        field_details_list,
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    if result is Undefined:
                        continue
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
                    continue
                # A plain leaf: what execute_field and complete_value would make of it, in line.
                try:
                    value = plan.read(source_value, plan.python_name)
                    if value is None or value is Undefined:  # neither awaitable nor an exception
                        if plan.non_null:
                            raise TypeError(
                                "Cannot return null for non-nullable field "
                                f"{parent_type}.{field_details_list[0].node.name.value}."
                            )
                        results[response_name] = None
                    elif is_awaitable(value):  # not a plain value after all: graphql-core's way
                        results[response_name] = self._complete_awaitable(
                            field_def, parent_type, field_details_list, path, response_name, value,
                            position_context,
                        )  # fmt: skip
                        awaitable_fields.append(response_name)
                    elif isinstance(value, Exception):
                        raise value
                    else:
                        results[response_name] = self.complete_leaf_value(plan.leaf_type, value)
                except Exception as raw_error:
                    field_path = Path(path, response_name, parent_type.name)
                    self.handle_field_error(
                        raw_error, field_def.type, field_details_list, field_path
                    )
                    results[response_name] = None
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[name] for name in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                name = awaitable_fields[0]
                results[name] = await results[name]
            else:
                awaited = await gather_with_cancel(*(results[name] for name in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def _complete_awaitable(
        self,
        field_def: Any,
        parent_type: GraphQLObjectType,
        field_details_list: Any,
        path: Path | None,
        response_name: str,
        result: Awaitable[Any],
        position_context: Any,
    ) -> Any:
        field_path = Path(path, response_name, parent_type.name)
        info = self.build_resolve_info(
            field_def, [details.node for details in field_details_list], parent_type, field_path
        )
        return self.complete_awaitable_value(
            field_def.type, field_details_list, info, field_path, result, position_context
        )
