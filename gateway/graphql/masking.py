"""Only errors we mean to show reach a caller; everything else becomes INTERNAL_ERROR + a request id.

Shown as they are: our :class:`GatewayError` family (they carry ``extensions.code`` already) and
graphql-core's own parse/validation errors (they have no original error), which get a code here.
Errors in the caller's input that graphql-core reports with an original error (a bad variable, a
scalar refusing a literal) are made the caller's where they arise: see gateway/graphql/caller_input.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import StreamExecutionResult

from gateway.errors import GatewayError, PayerCallFailed
from gateway.graphql.caller_input import GRAPHQL_VALIDATION_FAILED, caller_input_errors
from gateway.graphql.payer_errors import shown_to
from gateway.logs import error_origin

log = logging.getLogger(__name__)


def ensure_code(error: GraphQLError) -> GraphQLError:
    """Give graphql-core's own errors (parse, validation, variable coercion) a machine-readable code."""
    if "code" not in (error.extensions or {}):
        error.extensions = {**(error.extensions or {}), "code": _code_for_graphql_error(error)}
    return error


def _code_for_graphql_error(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.path is None:
        return "GRAPHQL_VALIDATION_FAILED"
    return "BAD_USER_INPUT"  # e.g. a scalar that failed to parse


class MaskUnexpectedErrors(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        yield
        # Everything validation reports is about the document the caller sent, whatever it wraps.
        caller_input_errors(self.execution_context.pre_execution_errors, GRAPHQL_VALIDATION_FAILED)

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", None)
        result.errors = [self._public(error, request_id) for error in result.errors]

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # Subscriptions (over the WebSocket) yield their results inside the operation: mask each one.
        errors = getattr(result, "errors", None)
        if errors:
            request_id = getattr(self.execution_context.context, "request_id", None)
            result.errors = [self._public(error, request_id) for error in errors]  # type: ignore[union-attr]
        yield

    def _public(self, error: GraphQLError, request_id: str | None) -> GraphQLError:
        original = error.original_error
        if isinstance(original, PayerCallFailed):
            shown_to(error, original, getattr(self.execution_context.context, "principal", None))
        if isinstance(original, GatewayError):
            return error
        if original is None:
            return ensure_code(error)
        # Log the type and where, not the message: exception text can carry patient data or SQL.
        log.error(
            "unexpected error while resolving a field",
            extra={
                "error_type": type(original).__name__,
                "path": error.path,
                "request_id": request_id,
                "origin": error_origin(original),
            },
        )
        return GraphQLError(
            "Unexpected error. Quote the request id when reporting it.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL_ERROR", "requestId": request_id},
        )
