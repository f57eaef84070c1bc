"""Payer-call keys are remembered by their inputs: the same key as building it anew, never a stale one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from gateway.cache import keys
from gateway.cache.keys import payer_call_key
from payers.model import MemberQuery, SubscriberRelation

MEMBER = MemberQuery(
    member_id="ABC123456",
    first_name="Maria",
    last_name="Lopez",
    birth_date=date(1980, 4, 2),
    group_number="G123",
    relation=SubscriberRelation.SELF,
)


def _built(*args: object) -> str:
    return keys._built_key("ns", "practice-1", "p01", "eligibility", args).key


def test_a_remembered_key_is_the_key_built_anew_and_equivalent_arguments_share_it() -> None:
    first = payer_call_key("ns", "practice-1", "p01", "eligibility", (MEMBER, ("30",), None))
    again = payer_call_key("ns", "practice-1", "p01", "eligibility", (MEMBER, ("30",), None))
    assert again is first and first.key == _built(MEMBER, ("30",), None)
    spaced = MemberQuery(" abc123456 ", "MARIA", "lopez", date(1980, 4, 2), "g123")
    assert (
        payer_call_key("ns", "practice-1", "p01", "eligibility", (spaced, ["30", "30"], None)).key
        == first.key
    )
    other = payer_call_key("ns", "practice-2", "p01", "eligibility", (MEMBER, ("30",), None))
    assert other.key != first.key


def test_equal_values_of_other_types_are_not_confused() -> None:
    as_bool = payer_call_key("ns", "practice-1", "p01", "claim_search", (MEMBER, True))
    as_int = payer_call_key("ns", "practice-1", "p01", "claim_search", (MEMBER, 1))
    assert as_bool.key == _built_claims(MEMBER, True) and as_int.key == _built_claims(MEMBER, 1)
    assert as_bool.key != as_int.key


def _built_claims(*args: object) -> str:
    return keys._built_key("ns", "practice-1", "p01", "claim_search", args).key


@dataclass
class _Mutable:
    code: str

    __hash__ = object.__hash__  # hashed by identity, as a plain object is


def test_an_argument_hashed_by_identity_is_not_remembered() -> None:
    argument = _Mutable("A")
    before = payer_call_key("ns", "practice-1", "p01", "claim_search", (MEMBER, argument))
    argument.code = "B"
    after = payer_call_key("ns", "practice-1", "p01", "claim_search", (MEMBER, argument))
    assert before.key != after.key == _built_claims(MEMBER, _Mutable("B"))


def test_the_memory_is_bounded(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(keys, "MAX_REMEMBERED_KEYS", 3)
    monkeypatch.setattr(keys, "_remembered", {})
    for n in range(10):
        payer_call_key("ns", f"practice-{n}", "p01", "eligibility", (MEMBER, ("30",), None))
    assert len(keys._remembered) == 3
