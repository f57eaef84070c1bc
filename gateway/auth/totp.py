"""TOTP second factor (RFC 6238, 30 s steps, 6 digits) and one-time recovery codes."""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass

import pyotp
import segno

from gateway.identity import digest

ISSUER = "Payer Gateway"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    """What an authenticator app needs: the secret, its otpauth:// URI, and that URI as a QR code."""

    secret: str
    provisioning_uri: str
    qr_svg_data_uri: str


def new_enrolment(email: str) -> TotpEnrolment:
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    return TotpEnrolment(secret, uri, segno.make(uri, error="m").svg_data_uri(scale=4))


def accepted_step(
    secret: str, code: str, last_step: int | None, *, now: float | None = None
) -> int | None:
    """The time step ``code`` is valid for (one step of clock drift either way), or None.

    A step at or before ``last_step`` is refused: a code works once, even within its 30 seconds.
    """
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 12 characters (60 bits each), grouped for reading: ABCD-EFGH-JKLM."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    return codes


def recovery_digest(code: str) -> str:
    return digest(code.strip().upper().replace("-", "").replace(" ", ""))


def looks_like_recovery_code(code: str) -> bool:
    return len(code.strip().replace("-", "").replace(" ", "")) == 12
