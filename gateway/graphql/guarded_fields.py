"""Attribute fields behind field extensions (authorization, audit notes), run without strawberry
building their extension chain on every call.

For a field with extensions, strawberry's resolver converts the (absent) arguments, then folds the
extensions' resolve methods into a chain of partials, per call. For a field that is an attribute
read (no resolver, no arguments, sync extensions that do not map arguments, no exception handlers)
:func:`guard_for` folds the very functions strawberry would use once, at schema build; the executor
(plain_leaves.py) calls that chain with the same strawberry Info. The extensions themselves run
unchanged, in the same order: permission checks, FORBIDDEN errors and audited PHI reads are theirs.
"""

from __future__ import annotations

from functools import partial, reduce
from typing import Any, NamedTuple

from strawberry.extensions.field_extension import FieldExtension, build_field_extension_resolvers


class Guard(NamedTuple):
    chain: Any  # (source, info) -> value: the extensions around the attribute read
    info_class: Any  # strawberry's Info class for this schema
    field: Any  # the StrawberryField (Info's _field)


def guard_for(field_def: Any, strawberry_field: Any, converter: Any) -> Guard | None:
    """The prebuilt chain for ``field_def`` (built by strawberry's schema ``converter``), or None
    when strawberry's own resolver must run."""
    if strawberry_field.base_resolver is not None or field_def.args or strawberry_field.arguments:
        return None
    extensions = strawberry_field.extensions
    if not extensions or strawberry_field.is_async:
        return None
    # strawberry's sync resolver for a field with extensions and no exception handlers.
    if getattr(field_def.resolve, "__name__", None) != "_resolver":
        return None
    for extension in extensions:
        if type(extension).map_arguments is not FieldExtension.map_arguments:
            return None
        if extension.has_resolver and not extension.supports_sync:
            return None
    handlers = getattr(converter, "_get_field_exception_handlers", None)
    if handlers is None or handlers(strawberry_field):
        return None
    functions = build_field_extension_resolvers(strawberry_field)
    if not functions:
        return None

    def get_result(source: Any, info: Any, **kwargs: Any) -> Any:
        return strawberry_field.get_result(source, info=info, args=[], kwargs=kwargs)

    chain = reduce(lambda chained, function: partial(function, chained), functions, get_result)
    return Guard(chain, converter.config.info_class, strawberry_field)
