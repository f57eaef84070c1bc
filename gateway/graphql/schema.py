"""The schema: root types, limits and extensions. ``build_schema`` is used by the app and export-schema."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.extensions.disable_introspection import DisableIntrospection

from gateway.config import GatewaySettings
from gateway.graphql.masking import MaskUnexpectedErrors
from gateway.graphql.mutations.patients import PatientMutations
from gateway.graphql.query import Query
from gateway.graphql.scalars import schema_config


@strawberry.type
class Mutation(PatientMutations):
    pass


def build_schema(settings: GatewaySettings | None = None) -> strawberry.Schema:
    settings = settings or GatewaySettings()
    # Extensions are passed as classes or factories: instances would be shared across requests.
    extensions: list = [
        MaskUnexpectedErrors,
        lambda: QueryDepthLimiter(max_depth=settings.max_query_depth),
        lambda: MaxAliasesLimiter(max_alias_count=settings.max_aliases),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=schema_config(introspection=settings.introspection),
    )
