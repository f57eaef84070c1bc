"""The schema: root types, limits and extensions. ``build_schema`` is used by the app and export-schema."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
)
from strawberry.extensions.disable_introspection import DisableIntrospection
from strawberry.types import ExecutionContext

from gateway.audit.extension import AuditTrail
from gateway.config import GatewaySettings
from gateway.graphql.masking import MaskUnexpectedErrors
from gateway.graphql.mutations.access import AccessMutations
from gateway.graphql.mutations.accounts import AccountMutations
from gateway.graphql.mutations.batches import BatchMutations
from gateway.graphql.mutations.claims import ClaimMutations
from gateway.graphql.mutations.corrections import CorrectionMutations
from gateway.graphql.mutations.discovery import DiscoveryMutations
from gateway.graphql.mutations.fee_schedule import FeeScheduleMutations
from gateway.graphql.mutations.ledger import LedgerMutations
from gateway.graphql.mutations.patient_changes import PatientChangeMutations
from gateway.graphql.mutations.patients import PatientMutations
from gateway.graphql.mutations.registration import RegistrationMutations
from gateway.graphql.mutations.schedule import ScheduleMutations
from gateway.graphql.mutations.webhooks import WebhookMutations
from gateway.graphql.mutations.worklist import WorklistMutations
from gateway.graphql.plain_leaves import PlainLeafExecutionContext, mark_plain_leaves
from gateway.graphql.query import Query
from gateway.graphql.scalars import schema_config
from gateway.graphql.subscriptions import Subscription
from gateway.graphql.validation_cache import schema_validation_cache

log = logging.getLogger(__name__)


@strawberry.type
class Mutation(
    PatientMutations,
    PatientChangeMutations,
    AccessMutations,
    AccountMutations,
    RegistrationMutations,
    ClaimMutations,
    CorrectionMutations,
    WebhookMutations,
    LedgerMutations,
    DiscoveryMutations,
    FeeScheduleMutations,
    ScheduleMutations,
    BatchMutations,
    WorklistMutations,
):
    pass


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log codes and paths only: messages can echo input (member ids, names) and must stay out of logs."""
        for error in errors:
            log.info(
                "graphql error",
                extra={
                    "code": (error.extensions or {}).get("code"),
                    "path": error.path,
                    "request_id": getattr(
                        getattr(execution_context, "context", None), "request_id", None
                    ),
                },
            )


def build_schema(settings: GatewaySettings | None = None) -> strawberry.Schema:
    settings = settings or GatewaySettings()
    # The limiters' rule classes are made once: each limiter instance makes a new class, and the
    # validation cache is keyed on the rule classes, so per-request limiters made it miss every time.
    limits = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules,
    ]
    # Extensions are passed as classes or factories: instances would be shared across requests.
    extensions: list = [
        MaskUnexpectedErrors,
        AuditTrail,  # writes the request's audit rows, once, when the operation ends
        lambda: AddValidationRules(limits),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=512),
        schema_validation_cache(maxsize=512),  # per schema: see validation_cache.py
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    schema = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        # Bad variables are BAD_USER_INPUT (caller_input.py); plain leaves go the short way.
        execution_context_class=PlainLeafExecutionContext,
        config=schema_config(
            introspection=settings.introspection, max_batch_operations=settings.max_batch_operations
        ),
    )
    mark_plain_leaves(schema._schema)
    return schema
