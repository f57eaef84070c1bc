"""The part of a per-payer answer every payer-backed field shares: which payer, which card, when."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from gateway.graphql.types.coverage import Coverage
from gateway.graphql.types.payer import Payer
from gateway.payers import PayerAnswer


@strawberry.interface(description="An answer from one payer about one coverage.")
class PayerAnswerInfo:
    coverage: Coverage
    answer: strawberry.Private[PayerAnswer]

    @strawberry.field
    def payer(self, info: Info) -> Payer:
        return self.coverage.payer(info)

    @strawberry.field(description="The patient's stable pseudonym (as Patient.patientKey).")
    def patient_key(self, info: Info) -> str:
        return info.context.patient_key(self.coverage.row.patient_id)  # type: ignore[no-any-return]

    @strawberry.field(description="When the payer produced this answer.")
    def fetched_at(self) -> datetime:
        return self.answer.fetched_at

    @strawberry.field(description="True when served from the gateway's cache.")
    def from_cache(self) -> bool:
        return self.answer.from_cache

    @strawberry.field(description="True when the payer was down and an expired cached answer was used.")
    def stale(self) -> bool:
        return self.answer.stale
