"""Stable pseudonymous patient keys for callers without ``phi:read`` (analysts).

HMAC-SHA256 of (practice, patient id) under a secret from the environment: the same patient always
gets the same key, so claim and payment history can be joined, but without the secret a key cannot be
traced back, and keys of different practices never collide by construction.
"""

from __future__ import annotations

import hashlib
import hmac


def patient_key(secret: str, practice_id: str, patient_id: str) -> str:
    message = f"{practice_id}:{patient_id}".encode()
    return "pk_" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()[:32]
