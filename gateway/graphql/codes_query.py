"""Root field ``codes``: search our code tables by code or by words, for a claim form's pickers."""

from __future__ import annotations

import enum

import strawberry
from strawberry.types import Info

from gateway.errors import InvalidInput
from gateway.graphql.permissions import signed_in
from gateway.graphql.types.common import CodeType
from payers.codesets.search import search as search_codes

MAX_SEARCH_LENGTH = 100
MAX_CODES = 50


@strawberry.enum(description="A code set a form picks from.")
class CodeSystem(enum.Enum):
    PROCEDURE = "procedure"  # CPT and HCPCS Level II
    DIAGNOSIS = "icd10cm"  # ICD-10-CM
    MODIFIER = "modifier"  # procedure modifiers
    PLACE_OF_SERVICE = "place-of-service"
    SERVICE_TYPE = "service-type"  # X12 service types, for eligibility questions


@strawberry.type
class CodeQueries:
    @strawberry.field(
        description='Codes of one code set matching a code or its start ("9921", "E11", '
        '"e119") or every word of a description ("office visit established", "type 2 '
        'diabetes"): the exact code first, then codes starting with the text, then descriptions '
        "with every word, in code order. Our tables hold the codes a practice uses daily, not the "
        "whole code set: a code missing here can still be billed.",
        extensions=signed_in(),
    )
    def codes(
        self, info: Info, system: CodeSystem, search: str, first: int = 20
    ) -> list[CodeType] | None:
        if not 1 <= first <= MAX_CODES:
            raise InvalidInput(f"'first' must be between 1 and {MAX_CODES}.", field="first")
        text = search.strip()
        if not 1 <= len(text) <= MAX_SEARCH_LENGTH:
            raise InvalidInput(
                f"'search' must be 1 to {MAX_SEARCH_LENGTH} characters.", field="search"
            )
        return [
            CodeType(system=code.system, code=code.code, description=code.description)
            for code in search_codes(CodeSystem(system).value, text, first)
        ]
