"""Values completed by their type's shape, without graphql-core's per-value dispatch.

graphql-core's ``complete_value`` walks a chain of type checks for every value (non-null, list,
leaf, abstract, object) and, for a list, ``complete_list_value`` -> ``complete_iterable_value``
-> ``complete_list_item_value`` -> ``complete_value`` per item, plus ``complete_object_value``
-> ``collect_and_execute_subfields`` -> ``execute_collected_subfields`` per object. A headline
answer has about 430 objects and 180 lists. :class:`ShapedCompletion` decides once per output type
what it is (:func:`shape_of`: a leaf, an object, or a list of either, each maybe non-null) and
completes a value of that type in one method, with graphql-core's checks in graphql-core's order,
the same errors at the same paths and the same awaiting of awaitable items. Abstract types, lists of
lists, values that are not a list or tuple, and anything under ``@defer``/``@stream`` (when the
schema has them at all) go graphql-core's own way.
"""

from __future__ import annotations

from enum import EnumMeta
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple

from graphql import (
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.executor import collect_iterator_awaitables
from graphql.pyutils import Path, Undefined, gather_with_cancel

LEAF, OBJECT, LIST = "leaf", "object", "list"


def never_awaitable(cls: type) -> bool:
    """No instance of ``cls`` can be awaitable or an exception, whatever its state: graphql-core's
    is_awaitable looks at the type, ``__class__`` and ``hasattr(value, "__await__")``, so the class
    must have no instance ``__dict__`` (slotted model dataclasses, str, int...) and no hook that
    could answer differently per instance."""
    if cls in (CoroutineType, GeneratorType) or issubclass(cls, BaseException):
        return False
    if cls.__dictoffset__ or hasattr(cls, "__await__") or hasattr(cls, "__getattr__"):
        return False
    if cls.__getattribute__ is not object.__getattribute__:
        return False
    return all("__class__" not in vars(base) for base in cls.__mro__[:-1])


def never_awaitable_enum(cls: type) -> bool:
    """Like :func:`never_awaitable` for an Enum class, whose members do have an instance
    ``__dict__`` (their name and value, set once when the class is made): no class in its MRO may
    define ``__await__``, ``__getattr__`` or ``__class__``, nor ``__getattribute__`` unless it is a
    builtin's (str, int: plain lookup). The caller checks each member's own ``__dict__``."""
    if not isinstance(cls, EnumMeta) or issubclass(cls, BaseException):
        return False
    for base in cls.__mro__[:-1]:  # object's own __class__ is the plain one
        attrs = vars(base)
        if "__await__" in attrs or "__getattr__" in attrs or "__class__" in attrs:
            return False
        if "__getattribute__" in attrs and base.__module__ != "builtins":
            return False
    return True


#: Exact types of completed values (objects, lists, null, leaves) that are never awaitable.
COMPLETED_TYPES = frozenset({dict, list, type(None), str, int, bool, float})

#: Per class, whether :func:`never_awaitable` holds (classes are few and live for the process).
NEVER_AWAITABLE: dict[type, bool] = {type(None): False}  # None: completed by complete_shaped


class Shape(NamedTuple):
    kind: str  # LEAF, OBJECT or LIST
    type: GraphQLOutputType  # the full type, non-null wrapper included (for handle_field_error)
    named: Any  # the leaf, object or list type without its non-null wrapper
    non_null: bool
    item: Shape | None  # a list's item shape


def shape_of(output_type: GraphQLOutputType) -> Shape | None:
    """The shape of values of ``output_type``; None when graphql-core completes them itself."""
    non_null = is_non_null_type(output_type)
    inner = output_type.of_type if non_null else output_type  # type: ignore[union-attr]
    if is_leaf_type(inner):
        return Shape(LEAF, output_type, inner, non_null, None)
    if is_object_type(inner):
        return Shape(OBJECT, output_type, inner, non_null, None)
    if is_list_type(inner):
        item = shape_of(inner.of_type)
        if item is None or item.kind == LIST:
            return None
        return Shape(LIST, output_type, inner, non_null, item)
    return None  # interfaces and unions: graphql-core resolves the runtime type


class ShapedCompletion:
    """Mixin for an executor (graphql-core's ``Executor``): ``complete_value`` by shape."""

    # Provided by graphql-core's Executor.
    is_awaitable: Any
    schema: Any
    collect_subfields: Any
    execute_fields: Any
    handle_field_error: Any
    complete_leaf_value: Any
    complete_awaitable_list_item_value: Any
    complete_object_value: Any
    complete_list_value: Any
    settle_in_background: Any
    build_resolve_info: Any
    # Provided by the executor using this mixin (plain_leaves.py): a selection sorted once, run
    # over each item of a list.
    sorted_fields: Any
    execute_sorted: Any

    def _init_shapes(self, enabled: bool) -> None:
        schema = self.schema
        # With @defer/@stream in the schema, positions and streams matter: graphql-core's way.
        self._shapes_enabled = (
            enabled
            and schema.get_directive("defer") is None
            and schema.get_directive("stream") is None
        )
        self._shapes: dict[int, tuple[GraphQLOutputType, Shape | None]] = {}
        # Per field (its details list, kept in the value so the id stays its own) and object type:
        # the sub-selection, and that selection sorted (None: graphql-core's execute_fields).
        self._subfields: dict[int, tuple[Any, GraphQLObjectType, Any, Any]] = {}

    def shape(self, output_type: GraphQLOutputType) -> Shape | None:
        known = self._shapes.get(id(output_type))
        if known is None or known[0] is not output_type:
            known = (output_type, shape_of(output_type) if self._shapes_enabled else None)
            self._shapes[id(output_type)] = known
        return known[1]

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        shape = self.shape(return_type)
        if shape is None or position_context is not None:
            return super().complete_value(  # type: ignore[misc]
                return_type, field_details_list, info, path, result, position_context
            )
        return self.complete_shaped(shape, field_details_list, info.parent_type, info, path, result)

    def complete_shaped(
        self,
        shape: Shape,
        field_details_list: Any,
        parent_type: GraphQLObjectType,
        info: Any,
        path: Path,
        result: Any,
    ) -> Any:
        """graphql-core's complete_value for ``shape``'s type. ``info`` may be None when the caller
        has not built one: it is built here only if an awaitable list item or is_type_of needs it."""
        if isinstance(result, Exception):
            raise result
        if result is None or result is Undefined:
            if shape.non_null:
                raise TypeError(
                    "Cannot return null for non-nullable field "
                    f"{parent_type}.{field_details_list[0].node.name.value}."
                )
            return None
        kind = shape.kind
        if kind is LEAF:
            return self.complete_leaf_value(shape.named, result)
        if kind is OBJECT:
            object_type = shape.named
            if object_type.is_type_of:
                # Types implementing an interface: graphql-core's own check needs an info.
                info = info or self._info_at(parent_type, field_details_list, path)
                return self.complete_object_value(
                    object_type, field_details_list, info, path, result, None
                )
            _, _, grouped_field_set, sorted_fields = self._subselection(
                object_type, field_details_list
            )
            if sorted_fields is not None:
                return self.execute_sorted(object_type, result, path, sorted_fields, None)
            return self.execute_fields(object_type, result, path, grouped_field_set, None)
        if type(result) is not list and type(result) is not tuple:
            # Iterators, async iterables, non-iterables: graphql-core's way (and its errors).
            info = info or self._info_at(parent_type, field_details_list, path)
            return self.complete_list_value(
                shape.named, field_details_list, info, path, result, None
            )
        return self._complete_items(shape.item, field_details_list, parent_type, info, path, result)  # type: ignore[arg-type]

    def _subselection(
        self, object_type: GraphQLObjectType, field_details_list: Any
    ) -> tuple[Any, GraphQLObjectType, Any, Any]:
        known = self._subfields.get(id(field_details_list))
        if known is None or known[0] is not field_details_list or known[1] is not object_type:
            grouped_field_set = self.collect_subfields(object_type, field_details_list)[0]
            sorted_fields = self.sorted_fields(object_type, grouped_field_set)
            known = (field_details_list, object_type, grouped_field_set, sorted_fields)
            self._subfields[id(field_details_list)] = known
        return known

    def _complete_items(
        self,
        item_shape: Shape,
        field_details_list: Any,
        parent_type: GraphQLObjectType,
        info: Any,
        path: Path,
        items: list[Any] | tuple[Any, ...],
    ) -> Any:
        """graphql-core's complete_iterable_value and complete_list_item_value for a list."""
        is_awaitable = self.is_awaitable
        item_type = item_shape.type
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        # Items of an object type are that type's fields over each item: collected once.
        object_type = item_shape.named if item_shape.kind is OBJECT else None
        grouped_field_set = sorted_fields = None
        if object_type is not None and not object_type.is_type_of:
            _, _, grouped_field_set, sorted_fields = self._subselection(
                object_type, field_details_list
            )
        index = 0
        try:
            for index, item in enumerate(items):
                item_path = Path(path, index, None)
                item_class = type(item)
                sync = NEVER_AWAITABLE.get(item_class)
                if sync is None:
                    sync = NEVER_AWAITABLE.setdefault(item_class, never_awaitable(item_class))
                if not sync and is_awaitable(item):
                    info = info or self._info_at(parent_type, field_details_list, path)
                    completed.append(
                        self.complete_awaitable_list_item_value(
                            item, item_type, field_details_list, info, item_path, None
                        )
                    )
                    awaitable_indices.append(index)
                    continue
                try:
                    if sync and sorted_fields is not None:  # neither None nor an exception
                        value = self.execute_sorted(
                            object_type, item, item_path, sorted_fields, None
                        )
                    elif sync and grouped_field_set is not None:
                        value = self.execute_fields(
                            object_type, item, item_path, grouped_field_set, None
                        )
                    else:
                        value = self.complete_shaped(
                            item_shape, field_details_list, parent_type, info, item_path, item
                        )
                    if type(value) not in COMPLETED_TYPES and is_awaitable(value):
                        completed.append(
                            self._await_item(value, item_type, field_details_list, item_path)
                        )
                        awaitable_indices.append(index)
                    else:
                        completed.append(value)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    completed.append(None)
        except Exception:
            pending = [completed[i] for i in awaitable_indices]
            pending.extend(collect_iterator_awaitables(iter(items[index + 1 :]), is_awaitable))
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed

        async def get_completed() -> list[Any]:
            if len(awaitable_indices) == 1:
                only = awaitable_indices[0]
                completed[only] = await completed[only]
            else:
                awaited = await gather_with_cancel(*(completed[i] for i in awaitable_indices))
                for i, value in zip(awaitable_indices, awaited, strict=True):
                    completed[i] = value
            return completed

        return get_completed()

    async def _await_item(
        self, value: Any, item_type: GraphQLOutputType, field_details_list: Any, item_path: Path
    ) -> Any:
        try:
            return await value
        except Exception as raw_error:
            self.handle_field_error(raw_error, item_type, field_details_list, item_path)
            return None

    def _info_at(self, parent_type: GraphQLObjectType, field_details_list: Any, path: Path) -> Any:
        """The resolve info graphql-core would have built for the field at ``path`` (a list
        item's path is that of its list: graphql-core hands items the list field's info)."""
        while isinstance(path.key, int):
            path = path.prev  # type: ignore[assignment]
        nodes = [details.node for details in field_details_list]
        field_def = parent_type.fields[nodes[0].name.value]
        return self.build_resolve_info(field_def, nodes, parent_type, path)
