"""Errors in what the caller sent, found before any resolver runs, shown as the caller's fault.

graphql-core reports a bad variable (missing, ``"abc"`` for ``Int!``, an unknown enum value, a
missing input field, a scalar's ``parse_value`` raising) and a bad literal argument as a
``GraphQLError`` whose ``original_error`` is the inner ``GraphQLError`` or ``ValueError``. Our
masking (gateway/graphql/masking.py) hides every error with an original error, so these came out as
``INTERNAL_ERROR``. They are marked at the two places they arise instead, by the stage, not by the
exception type: variable coercion (:class:`CallerInputExecutionContext`, which builds the executor)
and validation (:func:`caller_input_errors`, called when validation ends). Errors raised by our own
resolvers keep their original error and stay masked.
"""

from __future__ import annotations

from collections.abc import MutableSequence
from typing import Any

from graphql import GraphQLError, VariableDefinitionNode
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

BAD_USER_INPUT = "BAD_USER_INPUT"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
#: Messages quote the value refused: a 100,000-digit literal must not come back whole.
MAX_MESSAGE_CHARS = 300


def caller_input_error(error: GraphQLError, code: str) -> GraphQLError:
    """The same message and locations, the caller's ``code``, and no original error to mask."""
    extensions: dict[str, Any] = {**(error.extensions or {})}
    extensions.setdefault("code", code)
    variable = next(
        (n.variable.name.value for n in error.nodes or () if isinstance(n, VariableDefinitionNode)),
        None,
    )
    if variable is not None:
        extensions.setdefault("variable", variable)
    message = error.message
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    return GraphQLError(message, nodes=error.nodes, path=error.path, extensions=extensions)


def caller_input_errors(errors: MutableSequence[GraphQLError] | None, code: str) -> None:
    """Mark every error in ``errors`` (in place: strawberry has already handed the list on)."""
    for index, error in enumerate(errors or ()):
        if error.original_error is not None:
            errors[index] = caller_input_error(error, code)  # type: ignore[index]


class CallerInputExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context; errors found while coercing variables are the caller's."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        built = super().build(*args, **kwargs)
        if isinstance(built, list):  # graphql-core answers errors instead of an executor
            return [caller_input_error(error, BAD_USER_INPUT) for error in built]
        return built
