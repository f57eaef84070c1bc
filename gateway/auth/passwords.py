"""Passwords: argon2id hashes, and a refusal of obviously weak ones (length, common and breached bases)."""

from __future__ import annotations

import functools
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" parameters

# Bases of the passwords that top every breach corpus; "Password2024!" is "password" with decoration.
_COMMON_BASES = frozenset(
    """
    password passw0rd p4ssw0rd letmein welcome admin administrator qwerty qwertyuiop asdfgh asdfghjkl
    zxcvbnm iloveyou monkey dragon football baseball basketball soccer hockey master shadow sunshine
    princess superman batman trustno1 whatever freedom starwars hello login abc secret changeme default
    computer internet michael jennifer jordan hunter ranger buster thomas charlie summer winter spring
    autumn flower cookie chocolate pokemon mustang harley maggie ginger pepper killer cheese access
    solo master qazwsx qweasd zaq1 1q2w3e4r abcdef abcd test testing guest user root doctor nurse clinic
    health hospital medical patient insurance payer gateway practice
    """.split()
)
_SEQUENCES = (
    "0123456789",
    "9876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def dummy_hash() -> str:
    """Verified against when the account does not exist: unknown emails cost as much as wrong passwords."""
    return hash_password("not-a-real-account-password")


def _base(password: str) -> str:
    """The letters left when digits, symbols and leet substitutions are taken away."""
    core = re.sub(r"^[\W\d_]+|[\W\d_]+$", "", password.lower())  # "2024!" decorations go first
    leet = str.maketrans(
        {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
    )
    return re.sub(r"[^a-z]", "", core.translate(leet))


def _is_sequence(text: str) -> bool:
    return len(text) >= 6 and any(text in sequence for sequence in _SEQUENCES)


def password_problems(password: str, *, personal: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Reasons (code, message) to refuse a new password; an empty list means it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [
            (
                "PASSWORD_TOO_SHORT",
                f"Use at least {MIN_LENGTH} characters; a few words make a good one.",
            )
        ]
    if len(password) > MAX_LENGTH:
        return [("PASSWORD_TOO_LONG", f"Use at most {MAX_LENGTH} characters.")]
    lowered = password.lower()
    base = _base(password)
    if (
        len(set(password)) < 5
        or password.isdigit()
        or _is_sequence(lowered)
        or _is_sequence(re.sub(r"\W", "", lowered))
    ):
        return [
            ("PASSWORD_TOO_SIMPLE", "The password is a repeated character or a keyboard sequence.")
        ]
    stripped_of_base = base
    for common in sorted(_COMMON_BASES, key=len, reverse=True):
        stripped_of_base = stripped_of_base.replace(common, "")
    if (
        base in _COMMON_BASES
        or (base and not stripped_of_base)
        or lowered.strip("0123456789!@#$%^&*.") in _COMMON_BASES
    ):
        return [
            (
                "PASSWORD_TOO_COMMON",
                "The password is built on one of the most commonly breached passwords.",
            )
        ]
    for item in personal:
        words = [w for w in re.split(r"[^a-z0-9]+", item.lower()) if len(w) >= 4]
        if any(word in lowered for word in words):
            return [
                (
                    "PASSWORD_PERSONAL",
                    "The password must not contain your name, email or practice name.",
                )
            ]
    return []
