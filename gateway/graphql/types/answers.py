"""The part of a per-payer answer every payer-backed field shares: which payer, which card, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self

import strawberry
from strawberry.types import Info

from gateway.graphql.types.coverage import Coverage
from gateway.graphql.types.payer import Payer
from gateway.payers import PayerAnswer


@strawberry.interface(description="An answer from one payer about one coverage.")
class PayerAnswerInfo:
    """Plain fields filled in once by :meth:`of` (cheaper to serve than a resolver method per leaf)."""

    coverage: Coverage
    answer: strawberry.Private[PayerAnswer]
    payer: Payer
    fetched_at: datetime = strawberry.field(description="When the payer produced this answer.")
    from_cache: bool = strawberry.field(description="True when served from the gateway's cache.")
    stale: bool = strawberry.field(
        description="True when the payer was down and an expired cached answer was used."
    )

    @classmethod
    def of(cls, coverage: Coverage, answer: PayerAnswer) -> Self:
        return cls(**cls.answer_fields(coverage, answer))

    @staticmethod
    def answer_fields(coverage: Coverage, answer: PayerAnswer) -> dict[str, Any]:
        return {
            "coverage": coverage,
            "answer": answer,
            "payer": coverage.payer,
            "fetched_at": answer.fetched_at,
            "from_cache": answer.from_cache,
            "stale": answer.stale,
        }

    @strawberry.field(description="The patient's stable pseudonym (as Patient.patientKey).")
    def patient_key(self, info: Info) -> str:
        return info.context.patient_key(self.coverage.row.patient_id)  # type: ignore[no-any-return]
