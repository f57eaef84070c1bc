"""The pieces of credentials: password rules, TOTP steps, recovery codes, pseudonyms, key scopes."""

from __future__ import annotations

import pyotp
import pytest

from gateway.auth.passwords import hash_password, password_problems, verify_password
from gateway.auth.pseudonyms import patient_key
from gateway.auth.totp import accepted_step, new_recovery_codes, recovery_digest
from gateway.identity import ROLE_SCOPES, check_key_scopes


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "PASSWORD_TOO_SHORT"),
        ("Password2024!", "PASSWORD_TOO_COMMON"),
        ("P@ssw0rd12345", "PASSWORD_TOO_COMMON"),
        ("qwertyuiop12", "PASSWORD_TOO_COMMON"),
        ("aaaaaaaaaaaaaa", "PASSWORD_TOO_SIMPLE"),
        ("123456789012", "PASSWORD_TOO_SIMPLE"),
        ("dana.wells.2024!", "PASSWORD_PERSONAL"),
    ],
)
def test_obviously_weak_passwords_are_refused(password: str, code: str) -> None:
    assert [c for c, _ in password_problems(password, personal=("dana.wells@clinic.example",))] == [
        code
    ]


def test_good_passwords_pass_and_hash_with_argon2id() -> None:
    assert password_problems("otter-violin-summit-7") == []
    hashed = hash_password("otter-violin-summit-7")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "otter-violin-summit-7") and not verify_password(
        hashed, "otter-violin-summit-8"
    )


def test_totp_accepts_one_step_of_drift_and_never_the_same_step_twice() -> None:
    secret = pyotp.random_base32()
    now = 1_700_000_000.0
    code = pyotp.TOTP(secret).at(now)
    step = accepted_step(secret, code, None, now=now)
    assert step == int(now // 30)
    assert accepted_step(secret, code, step, now=now) is None  # replay
    assert accepted_step(secret, pyotp.TOTP(secret).at(now - 30), None, now=now) == step - 1
    assert accepted_step(secret, pyotp.TOTP(secret).at(now - 90), None, now=now) is None
    assert accepted_step(secret, "12345x", None, now=now) is None


def test_recovery_codes_are_distinct_and_typed_loosely() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == 10 and all(len(c) == 14 for c in codes)
    assert recovery_digest(codes[0].lower().replace("-", " ")) == recovery_digest(codes[0])


def test_pseudonyms_are_stable_per_practice_and_secret() -> None:
    key = patient_key("s" * 40, "practice-a", "patient-1")
    assert key == patient_key("s" * 40, "practice-a", "patient-1")
    assert key != patient_key("s" * 40, "practice-b", "patient-1")
    assert key != patient_key("t" * 40, "practice-a", "patient-1")


def test_roles_and_keys_get_only_their_scopes() -> None:
    assert "phi:read" not in ROLE_SCOPES["analyst"]
    assert "payments:read" not in ROLE_SCOPES["front_desk"]
    assert ROLE_SCOPES["operator"] == {"practice:approve"}
    for refused in ({"users:manage"}, {"practice:approve"}, {"everything"}):
        with pytest.raises(ValueError):
            check_key_scopes(frozenset(refused))
