"""Write the request's audit entries once, when the operation has finished.

If they cannot be written the caller gets no data at all: PHI is never shown unaudited.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.audit.trail import STATE_KEY, exported_reads, flush

log = logging.getLogger(__name__)


class AuditTrail(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        audit = getattr(context, "audit", None)
        if not audit:
            return
        request = getattr(context, "request", None)
        if request is not None and hasattr(request, "scope"):
            request.scope.setdefault("state", {})[STATE_KEY] = exported_reads(audit)
        try:
            await flush(
                context.services.database,
                audit,
                context.audit_facts(self.execution_context.operation_name),
            )
        except Exception as exc:
            log.error(
                "audit events could not be written; the response is withheld",
                extra={"error_type": type(exc).__name__, "request_id": context.request_id},
            )
            result = self.execution_context.result
            if result is None:
                return
            # Strawberry returns this very object after the hooks: change it in place.
            result.data = None
            result.errors = [
                GraphQLError(
                    "The request could not be recorded in the audit trail; nothing is returned.",
                    extensions={"code": "AUDIT_UNAVAILABLE", "requestId": context.request_id},
                )
            ]
