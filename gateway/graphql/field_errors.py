"""Turn (field, code, message) problems from the identity modules into FieldErrors under ``input``."""

from __future__ import annotations

from collections.abc import Iterable

from gateway.graphql.types.common import FieldError


def as_field_errors(
    problems: Iterable[tuple[str, str, str]], prefix: tuple[str, ...] = ("input",)
) -> list[FieldError]:
    return [
        FieldError(code=code, field=[*prefix, *path.split(".")], message=message)
        for path, code, message in problems
    ]


def one_error(path: str, code: str, message: str) -> list[FieldError]:
    return as_field_errors([(path, code, message)])
