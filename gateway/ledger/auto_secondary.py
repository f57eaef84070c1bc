"""Secondary claims sent by themselves after a posting, for practices that turned it on.

Called after the posting committed (``gateway.ledger.after_posting``). Each claim the posting paid
(or partly paid) and left the patient something to pay goes on to the patient's next coverage, under
a key derived from the claim (:func:`~gateway.ledger.secondary.auto_key`): posting again, another
process posting the same remittance, or a person pressing "send to secondary" with that key cannot
make a second secondary claim, and :func:`~gateway.ledger.secondary.maybe_send_secondary` refuses
one already sent under any key. A claim that may not go (no next coverage, crossover...) stays on the
worklist; the refusal is logged by code only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import select

from gateway.ledger.secondary import auto_key, maybe_send_secondary
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.database import Database
from gateway.storage.ledger_tables import RemittanceClaim
from gateway.storage.tables import Practice

if TYPE_CHECKING:
    from gateway.claims.services import ClaimServices

log = logging.getLogger(__name__)

#: Financial states after which the next payer may owe something.
PAYABLE = frozenset({"paid", "partially_paid"})


class Posted(Protocol):
    """What a posting says of one claim payment (``gateway.ledger.posting.PostedClaim``)."""

    @property
    def remittance_claim_id(self) -> str: ...

    @property
    def claim_id(self) -> str | None: ...

    @property
    def financial_state(self) -> str | None: ...


async def send_automatic_secondaries(
    database: Database, claims: ClaimServices | None, practice_id: str, posted: Iterable[Posted]
) -> int:
    """Send the secondary claim of every posted claim that may have one; returns how many went."""
    candidates = {
        p.claim_id: p.remittance_claim_id
        for p in posted
        if p.claim_id is not None and p.financial_state in PAYABLE
    }
    if claims is None or not candidates:
        return 0
    async with database.session() as session:
        enabled = await session.scalar(
            select(Practice.auto_secondary_claims).where(Practice.id == practice_id)
        )
        if not enabled:
            return 0
        owed = set(
            await session.scalars(
                select(RemittanceClaim.claim_id).where(
                    RemittanceClaim.id.in_(list(candidates.values())),
                    RemittanceClaim.patient_responsibility > Decimal(0),
                )
            )
        )
        rows = list(
            await session.scalars(
                select(SubmittedClaim).where(
                    SubmittedClaim.practice_id == practice_id,
                    SubmittedClaim.id.in_([c for c in candidates if c in owed]),
                )
            )
        )
        sent = 0
        for claim in rows:
            accepted = await maybe_send_secondary(
                session, claim, desk=claims.desk, idempotency_key=auto_key(claim.id)
            )
            if accepted.claim is not None and not accepted.replayed:
                sent += 1
            elif accepted.errors:
                log.info(
                    "automatic secondary claim not sent",
                    extra={"claim": claim.id, "code": accepted.errors[0].code},
                )
    return sent
