"""What a posting sets off once it committed.

Minimal call site (the "ledger" work owns this module and publishes the claim events here): the
automatic secondary claims of :mod:`gateway.ledger.auto_secondary`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from gateway.ledger.auto_secondary import Posted, send_automatic_secondaries
from gateway.storage.database import Database

if TYPE_CHECKING:
    from gateway.claims.services import ClaimServices


class PostingServices(Protocol):
    @property
    def database(self) -> Database: ...

    @property
    def claims(self) -> ClaimServices | None: ...


class PostingOutcome(Protocol):
    @property
    def claims(self) -> Iterable[Posted]: ...


async def after_posting(services: PostingServices, practice_id: str, result: PostingOutcome) -> int:
    """After the posting committed: the automatic secondary claims; returns how many went."""
    return await send_automatic_secondaries(
        services.database, services.claims, practice_id, result.claims
    )
