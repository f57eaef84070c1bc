"""What a caller sees of a payer's failure: the gateway's words for everyone, the payer's for phi:read.

An adapter builds its error from what the payer said (an AAA segment's text, an OperationOutcome's
diagnostics, a JSON error message), and payers quote the request back: member ids, names, birth dates.
The adapter cannot know who will read it, so the gateway decides here, at the edge, for every adapter
and every error code alike: :class:`~gateway.errors.PayerCallFailed` carries a message worded from its
code and our code tables; the payer's own message and reason texts are added as
``extensions.payerMessage`` and ``extensions.payerCodes[].followUp`` only for callers holding
``phi:read``.
"""

from __future__ import annotations

from graphql.error import GraphQLError

from gateway.errors import PayerCallFailed, private_reason
from gateway.identity import PHI_READ, Principal


def shown_to(error: GraphQLError, failure: PayerCallFailed, principal: Principal | None) -> None:
    """Add the payer's own words to ``error`` when ``principal`` may read PHI."""
    if principal is None or not principal.has(PHI_READ):
        return
    extensions = dict(error.extensions or {})
    extensions["payerMessage"] = failure.payer_message
    if failure.reasons:
        extensions["payerCodes"] = [private_reason(r) for r in failure.reasons]
    error.extensions = extensions
