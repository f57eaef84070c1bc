"""Claim control numbers: ours, unique, and the same on every retry so payers can deduplicate.

A control number goes in CLM01 (X12), ``Claim.identifier`` (FHIR) or ``controlNumber`` (REST) and comes
back on every acknowledgment, status and remittance, which is how they find their claim. It is drawn
once when the claim is accepted and stored with it; the dispatcher never makes a new one.
"""

from __future__ import annotations

import secrets

# Crockford base32 without I, L, O, U: no letter a biller could misread over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "PG"
RANDOM_LENGTH = 14  # 70 bits: collisions are not a practical concern (the column is unique anyway)


def new_control_number() -> str:
    """``PG`` + 14 random base32 characters: 16 characters, within CLM01's 20."""
    return PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(RANDOM_LENGTH))
