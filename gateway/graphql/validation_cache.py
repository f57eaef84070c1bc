"""Validation results cached per schema, so a schema's cache ends with the schema.

strawberry's ``ValidationCache`` keeps one module-level LRU per ``maxsize``, keyed on (schema,
document, rules): every schema a process builds stays reachable through it, up to ``maxsize`` of
them. One gateway builds one schema, but anything that builds many (a test suite builds one per
app) kept hundreds of whole schemas alive, and full garbage collections over them paused the
event loop for seconds. Here each schema owns its LRU; it is freed with the schema.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from strawberry.extensions import SchemaExtension, ValidationCache


class SchemaValidationCache(ValidationCache):
    """strawberry's ``ValidationCache`` reading and filling a cache it is handed."""

    def __init__(self, cached_validate: Callable[..., Any]) -> None:
        SchemaExtension.__init__(self)
        self.cached_validate_document = cached_validate


def schema_validation_cache(maxsize: int) -> Callable[[], SchemaValidationCache]:
    """An extension factory for one schema: every request's extension shares this LRU."""
    from strawberry.schema.schema import validate_document  # imported here, as strawberry does

    cached = functools.lru_cache(maxsize=maxsize)(validate_document)
    return lambda: SchemaValidationCache(cached)
