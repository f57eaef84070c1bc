"""Remittance files a practice received outside the gateway (an 835 from another clearinghouse),
read by the protocol package that owns the format, so that gateway/ names no protocol.

The X12 835 is the one standard remittance file a practice is handed; what a payer's adapter fetches
it reads itself.
"""

from __future__ import annotations

from payers.model import Payment
from payers.x12.remittance import parse_835


def read_835(text: str, payer_id: str) -> list[Payment]:
    """Every remittance (transaction set) of an 835 file, read leniently as files from elsewhere
    arrive: a part that cannot be read is left out with a finding on the payment, claim or line
    (docs/x12.md, "835 findings"); raises :class:`payers.contract.PayerProtocolError` only for a
    file with no payment to keep."""
    return parse_835(text, payer_id, strict=False)
