"""Plain fields completed without graphql-core's per-field machinery.

Most of a headline answer (about 1,600 fields at 10 payers) is scalars and enums read straight off a
model object: no resolver, no arguments, no field extension (so no authorization or audit), and
strawberry's resolver for them ignores the info it is handed. graphql-core still builds a path, a
resolve info, a node list and a resolver call chain for each, and walks ``complete_value``'s type
checks. For those fields only, :class:`PlainLeafExecutionContext` reads the attribute and coerces
it as graphql-core would, with the same errors at the same paths, in the same order in the answer.
Plain fields of object and list types are read the same way and completed by their type's shape
(shaped_values.py). Attribute fields behind field extensions (authorization, audit notes) are read
through those extensions' own chain, prebuilt once (guarded_fields.py). Enum leaves holding a
member of the field's own Enum class complete from names computed once. Every other field
(resolvers, arguments, abstract types, ``__typename``) goes graphql-core's own way.

Which fields qualify is decided once per schema (:func:`mark_plain_leaves`) from what strawberry
built: its marked default resolver and the field's definition. Each request then sorts each
selection (a grouped field set, shared by every item of a list) once into plain and other fields;
a selection of String/ID/Boolean leaves only (a code's {code description}) runs a bare loop.
tests/gateway/test_plain_leaves.py and test_shaped_values.py check that answers and errors equal
graphql-core's own.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from decimal import Decimal
from enum import EnumMeta
from typing import Any, NamedTuple

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLLeafType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.executor import Executor
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema_converter import GraphQLCoreConverter

from gateway.graphql.caller_input import CallerInputExecutionContext
from gateway.graphql.guarded_fields import Guard, guard_for
from gateway.graphql.shaped_values import (
    COMPLETED_TYPES,
    NEVER_AWAITABLE,
    Shape,
    ShapedCompletion,
    never_awaitable,
    never_awaitable_enum,
    shape_of,
)

#: Where a field's plan is kept, in its graphql-core ``extensions`` (absent: graphql-core's way).
PLAN_KEY = "gateway-plain-leaf"


class PlainLeaf(NamedTuple):
    python_name: str
    read: Any  # strawberry's default resolver for the field (getattr unless configured otherwise)
    leaf_type: GraphQLLeafType
    non_null: bool
    enum_class: type | None = None  # for a strawberry enum: its Python class, whose members
    enum_names: dict[Any, str] | None = None  # serialize to these names
    guard: Guard | None = None  # field extensions around the read (guarded_fields.py)


def enum_names(leaf_type: GraphQLLeafType) -> tuple[type | None, dict[Any, str] | None]:
    """For a strawberry enum type: its Python class and what completing each member gives (the
    enum's coercion looks the value up per call), computed once. A member is never awaitable:
    its class passes :func:`never_awaitable_enum` and no member carries an ``__await__`` of its
    own. Members whose completion fails are left out: they take the general way, and its error."""
    definition = (leaf_type.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    enum_class = getattr(definition, "wrapped_cls", None)
    if not isinstance(leaf_type, GraphQLEnumType) or not isinstance(enum_class, EnumMeta):
        return None, None
    if not never_awaitable_enum(enum_class):
        return None, None
    names: dict[Any, str] = {}
    member: Any
    for member in enum_class:  # aliases are the same object as their canonical member
        if "__await__" in vars(member):
            return None, None
        try:
            name = Executor.complete_leaf_value(leaf_type, member)
        except Exception:  # noqa: S112 - left to the general way (see above)
            continue
        if type(name) is str:
            names[member] = name
    return enum_class, names


class PlainValue(NamedTuple):
    """A plain field of an object or list type: read like a leaf, completed by its shape."""

    python_name: str
    read: Any
    shape: Shape
    guard: Guard | None = None


def _plan_for(field_def: Any, converter: Any) -> PlainLeaf | PlainValue | None:
    strawberry_field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if strawberry_field is None:
        return None
    guard = None
    plain = getattr(field_def.resolve, "_is_default", False) and not field_def.args
    if not (plain and strawberry_field.is_basic_field):
        # A resolver of ours, or strawberry's wrapper for extensions or arguments: only an
        # attribute read behind extensions takes the short way, through those extensions.
        guard = None if converter is None else guard_for(field_def, strawberry_field, converter)
        if guard is None:
            return None
    return_type = field_def.type
    non_null = is_non_null_type(return_type)
    named = return_type.of_type if non_null else return_type
    read, python_name = strawberry_field.default_resolver, strawberry_field.python_name
    if is_leaf_type(named):
        return PlainLeaf(python_name, read, named, non_null, *enum_names(named), guard)
    shape = shape_of(return_type)
    return None if shape is None else PlainValue(python_name, read, shape, guard)


def mark_plain_leaves(schema: GraphQLSchema) -> int:
    """Record a plan on every plain leaf field of ``schema``; returns how many there are."""
    marked = 0
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    converter = getattr(strawberry_schema, "schema_converter", None)
    for named_type in schema.type_map.values():
        if not is_object_type(named_type) or named_type.name.startswith("__"):
            continue
        for field_def in named_type.fields.values():
            plan = _plan_for(field_def, converter)
            if plan is not None:
                field_def.extensions = {**(field_def.extensions or {}), PLAN_KEY: plan}
                marked += 1
    return marked


#: One selection sorted, a tuple per field: (kind, response name, field details, field, and for
#: plain fields: read, python name, leaf type or shape, non-null, passthrough type, enum class,
#: enum names). Plain tuples:
#: this loop runs per field of every object, and a NamedTuple's attributes cost more to read.
OTHER, LEAF, VALUE = 0, 1, 2
_UNREAD = object()  # no value read ahead for the first field


class Sorted(list[tuple[Any, ...]]):
    """A sorted selection. ``flat``: when every field is a plain leaf with a passthrough type (a
    code's {code description}, a payer's {id name}), (response name, read, python name,
    passthrough, non-null) per field, for a loop with nothing else in it."""

    flat: list[tuple[Any, ...]] | None = None


#: Exact types no value of which is awaitable or an exception (none has an instance ``__dict__``
#: that could carry an ``__await__``): their leaves skip the awaitable check.
SYNC_TYPES = frozenset({str, int, bool, float, Decimal, date, datetime})
#: Leaf types whose output coercion returns a value of this exact type unchanged.
PASSTHROUGH = {id(GraphQLString): str, id(GraphQLID): str, id(GraphQLBoolean): bool}


def _entry(response_name: str, field_details_list: Any, field_def: Any, plan: Any) -> tuple:
    if type(plan) is PlainLeaf:
        passthrough = PASSTHROUGH.get(id(plan.leaf_type))
        return (LEAF, response_name, field_details_list, field_def, plan.read, plan.python_name,
                plan.leaf_type, plan.non_null, passthrough, plan.enum_class, plan.enum_names,
                plan.guard)  # fmt: skip
    if type(plan) is PlainValue:
        return (VALUE, response_name, field_details_list, field_def, plan.read, plan.python_name,
                plan.shape, False, None, None, None, plan.guard)  # fmt: skip
    return (OTHER, response_name, field_details_list, field_def, None, None, None, False, None,
            None, None, None)  # fmt: skip


class PlainLeafExecutionContext(ShapedCompletion, CallerInputExecutionContext):
    """The gateway's execution context: plain leaf fields take the short way (see the module),
    and values are completed by their type's shape (shaped_values.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Keyed by the grouped field set's id; the set is kept in the value so the id stays its own.
        self._sorted: dict[int, tuple[Any, GraphQLObjectType, Sorted | None]] = {}
        middleware = self.middleware_manager
        # A schema extension with a per-field ``resolve`` hook must see every field: no short way.
        self._short_way = middleware is None or not middleware.middlewares
        self._init_shapes(self._short_way)

    def _sort(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> Sorted | None:
        known = self._sorted.get(id(grouped_field_set))
        if known is not None and known[0] is grouped_field_set and known[1] is parent_type:
            return known[2]
        fields = parent_type.fields
        result = Sorted()
        for response_name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_def = fields.get(node.name.value)  # None for __typename and introspection
            plan = None
            if field_def is not None and not node.arguments:
                plan = field_def.extensions.get(PLAN_KEY)
                if type(plan) is PlainValue and not self._shapes_enabled:
                    plan = None
            result.append(_entry(response_name, field_details_list, field_def, plan))
        sorted_fields = result if any(entry[0] for entry in result) else None
        if result and all(
            entry[0] == LEAF and entry[8] is not None and entry[11] is None for entry in result
        ):
            result.flat = [(e[1], e[4], e[5], e[8], e[7]) for e in result]
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
        sorted_fields = self.sorted_fields(parent_type, grouped_field_set)
        if sorted_fields is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        return self.execute_sorted(parent_type, source_value, path, sorted_fields, position_context)

    def sorted_fields(
        self, parent_type: GraphQLObjectType, grouped_field_set: Any
    ) -> Sorted | None:
        """The selection sorted for :meth:`execute_sorted`; None: graphql-core's execute_fields."""
        return self._sort(parent_type, grouped_field_set) if self._short_way else None

    def execute_sorted(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        sorted_fields: Sorted,
        position_context: Any,
    ) -> Any:
        """graphql-core's execute_fields, with plain fields completed in line."""
        flat = sorted_fields.flat
        if flat is None:
            return self._execute_from(
                parent_type, source_value, path, sorted_fields, position_context, {}, 0, _UNREAD
            )
        results: dict[str, Any] = {}
        for index, (response_name, read, python_name, passthrough, non_null) in enumerate(flat):
            try:
                value = read(source_value, python_name)
            except Exception as error:
                value = error  # raised or returned, graphql-core handles an exception alike
            if type(value) is passthrough or (value is None and not non_null):
                results[response_name] = value
            else:  # anything else (null in a non-null field, errors...): the general loop
                return self._execute_from(
                    parent_type, source_value, path, sorted_fields, position_context, results,
                    index, value,
                )  # fmt: skip
        return results

    def _execute_from(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        sorted_fields: Sorted,
        position_context: Any,
        results: dict[str, Any],
        start: int,
        read_ahead: Any,
    ) -> Any:
        """The loop of :meth:`execute_sorted` from field ``start`` on (its value already read, in
        ``read_ahead``, unless that is ``_UNREAD``): each plain field's attribute is read once."""
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for entry in sorted_fields[start:] if start else sorted_fields:
                kind, response_name = entry[0], entry[1]  # no slice: this runs per field
                if kind == LEAF:
                    # What execute_field and complete_value would make of it, in line.
                    if read_ahead is _UNREAD:
                        try:
                            if entry[11] is None:
                                value = entry[4](source_value, entry[5])
                            else:
                                value = self._guarded(entry, parent_type, path, source_value)
                        except Exception as error:
                            value = error  # raised or returned: handled alike below
                    else:
                        value, read_ahead = read_ahead, _UNREAD
                    value_type = type(value)
                    if value_type is entry[8]:
                        results[response_name] = value
                        continue
                    if value_type is entry[9]:  # a member of the field's own enum class
                        name = entry[10].get(value)
                        if name is not None:
                            results[response_name] = name
                            continue
                    if value_type in SYNC_TYPES:
                        try:
                            results[response_name] = self.complete_leaf_value(entry[6], value)
                        except Exception as raw_error:
                            self._leaf_error(raw_error, entry, parent_type, path)
                            results[response_name] = None
                        continue
                    try:
                        if value is None or value is Undefined:  # not awaitable, no exception
                            if entry[7]:
                                raise TypeError(
                                    "Cannot return null for non-nullable field "
                                    f"{parent_type}.{entry[2][0].node.name.value}."
                                )
                            results[response_name] = None
                        elif is_awaitable(value):  # not a plain value after all
                            results[response_name] = self._complete_awaitable(
                                entry[3], parent_type, entry[2], path, response_name,
                                value, position_context,
                            )  # fmt: skip
                            awaitable_fields.append(response_name)
                        elif isinstance(value, Exception):
                            raise value
                        else:
                            results[response_name] = self.complete_leaf_value(entry[6], value)
                    except Exception as raw_error:
                        self._leaf_error(raw_error, entry, parent_type, path)
                        results[response_name] = None
                    continue
                if kind == VALUE:
                    result = self._complete_plain_value(entry, parent_type, path, source_value)
                else:
                    result = self.execute_field(
                        parent_type,
                        source_value,
                        entry[2],
                        Path(path, response_name, parent_type.name),
                        position_context,
                    )
                    if result is Undefined:
                        continue
                results[response_name] = result
                if type(result) not in COMPLETED_TYPES and is_awaitable(result):
                    awaitable_fields.append(response_name)
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

    def _leaf_error(
        self, raw_error: Exception, entry: tuple, parent_type: GraphQLObjectType, path: Path | None
    ) -> None:
        field_path = Path(path, entry[1], parent_type.name)
        self.handle_field_error(raw_error, entry[3].type, entry[2], field_path)

    def _complete_plain_value(
        self, entry: tuple, parent_type: GraphQLObjectType, path: Path | None, source_value: Any
    ) -> Any:
        """What execute_field makes of a plain object or list field, without a resolve info."""
        response_name, field_details_list, field_def = entry[1:4]
        field_path = Path(path, response_name, parent_type.name)
        try:
            if entry[11] is None:
                value = entry[4](source_value, entry[5])
            else:
                value = self._guarded(entry, parent_type, path, source_value)
            value_class = type(value)
            sync = NEVER_AWAITABLE.get(value_class)
            if sync is None:
                sync = NEVER_AWAITABLE.setdefault(value_class, never_awaitable(value_class))
            if not sync and value is not None and self.is_awaitable(value):
                return self._complete_awaitable(
                    field_def, parent_type, field_details_list, path, response_name, value, None
                )
            completed = self.complete_shaped(
                entry[6], field_details_list, parent_type, None, field_path, value
            )
        except Exception as raw_error:
            self.handle_field_error(raw_error, field_def.type, field_details_list, field_path)
            return None
        if type(completed) not in COMPLETED_TYPES and self.is_awaitable(completed):
            return self._await_item(completed, field_def.type, field_details_list, field_path)
        return completed

    def _guarded(
        self, entry: tuple, parent_type: GraphQLObjectType, path: Path | None, source_value: Any
    ) -> Any:
        """What strawberry's resolver returns for a field behind extensions: the same Info
        (over graphql-core's resolve info), the same extension functions in the same order."""
        guard = entry[11]
        field_path = Path(path, entry[1], parent_type.name)
        info = self.build_resolve_info(
            entry[3], [details.node for details in entry[2]], parent_type, field_path
        )
        return guard.chain(source_value, guard.info_class(_raw_info=info, _field=guard.field))

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
