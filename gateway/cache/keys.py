"""Cache keys and invalidation tags for payer calls and whole responses.

A payer-call key is namespace + practice + payer + operation + a digest of the normalized arguments:
two practices never share an entry, and arguments that mean the same thing (member id case and
spacing, name case, service types in any order or case, repeated service types) give the same key.
Keys carry no PHI: member data only enters through the digest.

A tag names every entry about one member's one operation at one payer for one practice, so claim
submission and status refresh can drop exactly what they change. Payer-call entries and the
whole-response entries built from them have separate tags (``:c`` / ``:r``): refreshing a payer entry
drops the responses built from the old one but keeps the new entry.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from payers.model import ClaimRef, MemberQuery


@dataclass(frozen=True, slots=True)
class PayerCallKey:
    """Where one payer answer is cached and the tags that can invalidate it."""

    key: str
    practice_id: str
    payer_id: str
    operation: str
    member_tag: str  # digest of the member id, or "all" when the call names no member

    def call_tag(self, namespace: str) -> str:
        return operation_tag(
            namespace, self.practice_id, self.payer_id, self.operation, self.member_tag, "c"
        )

    def response_tag(self, namespace: str) -> str:
        return operation_tag(
            namespace, self.practice_id, self.payer_id, self.operation, self.member_tag, "r"
        )


def _digest(text: str, size: int = 32) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


def _folded(text: str | None) -> str | None:
    return None if text is None else "".join(text.split()).casefold()


def _code(text: str | None) -> str | None:
    return None if text is None else text.strip().upper()


def member_digest(member_id: str | None) -> str:
    """The tag part for a member (its normalized id, hashed), or ``all``."""
    return "all" if member_id is None else _digest(_code(member_id) or "", 16)


def _member(member: MemberQuery) -> dict[str, Any]:
    return {
        "id": _code(member.member_id),
        "first": _folded(member.first_name),
        "last": _folded(member.last_name),
        "born": member.birth_date.isoformat(),
        "group": _code(member.group_number) or None,
        "relation": _canonical(member.relation),
    }


def _canonical(value: Any) -> Any:
    """A JSON-able form of an argument in which equivalent values are equal."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, MemberQuery):
        return _member(value)
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, float):
        return repr(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, set | frozenset):
        return sorted((_canonical(v) for v in value), key=repr)
    if isinstance(value, Sequence):
        return [_canonical(v) for v in value]
    raise TypeError(f"cannot build a cache key from a {type(value).__name__}")


def _service_types(codes: Iterable[str]) -> list[str]:
    return sorted({c.strip().upper() for c in codes})


def normalized_arguments(operation: str, args: Sequence[Any]) -> list[Any]:
    """The arguments of one operation in canonical form (service types are a set, not a list)."""
    canonical = [_canonical(a) for a in args]
    if operation == "eligibility" and len(args) >= 2 and not isinstance(args[1], str):
        canonical[1] = _service_types(args[1])
    return canonical


def member_of(args: Sequence[Any]) -> str | None:
    """The member id a call is about, for its tag (claim status: the claim's member)."""
    for value in args:
        if isinstance(value, MemberQuery):
            return value.member_id
        if isinstance(value, ClaimRef):
            return value.member.member_id
    return None


#: Keys already built, by their inputs: a headline request builds one per payer operation, with the
#: same few member queries again and again. Bounded (oldest out first); it holds what the payer-call
#: cache's own entries already hold in this process.
MAX_REMEMBERED_KEYS = 4_096
_remembered: dict[tuple[Any, ...], PayerCallKey] = {}


def payer_call_key(
    namespace: str, practice_id: str, payer_id: str, operation: str, args: Sequence[Any]
) -> PayerCallKey:
    """The key of one payer call: built once per distinct call, then remembered."""
    # Only arguments hashed by value (frozen records, strings, dates, tuples): an object hashed by its
    # identity may change after its key was built. Each with its type: 1 and True are equal values.
    if any(a is not None and type(a).__hash__ is object.__hash__ for a in args):
        return _built_key(namespace, practice_id, payer_id, operation, args)
    inputs = (namespace, practice_id, payer_id, operation, *((type(a), a) for a in args))
    try:
        known = _remembered.get(inputs)
    except TypeError:  # an unhashable argument (a list, a mutable record): built every time
        return _built_key(namespace, practice_id, payer_id, operation, args)
    if known is None:
        known = _built_key(namespace, practice_id, payer_id, operation, args)
        while len(_remembered) >= MAX_REMEMBERED_KEYS:
            del _remembered[next(iter(_remembered))]
        _remembered[inputs] = known
    return known


def _built_key(
    namespace: str, practice_id: str, payer_id: str, operation: str, args: Sequence[Any]
) -> PayerCallKey:
    arguments = json.dumps(
        normalized_arguments(operation, args), separators=(",", ":"), sort_keys=True
    )
    return PayerCallKey(
        key=f"{namespace}:call:{practice_id}:{payer_id}:{operation}:{_digest(arguments)}",
        practice_id=practice_id,
        payer_id=payer_id,
        operation=operation,
        member_tag=member_digest(member_of(args)),
    )


def operation_tag(
    namespace: str, practice_id: str, payer_id: str, operation: str, member_tag: str, kind: str
) -> str:
    return f"{namespace}:tag:{practice_id}:{payer_id}:{operation}:{member_tag}:{kind}"


def practice_responses_tag(namespace: str, practice_id: str) -> str:
    """Every whole-response entry of a practice (dropped when the practice changes its own data)."""
    return f"{namespace}:tag:{practice_id}:responses"


def lock_key(key: str) -> str:
    return f"{key}:lock"


def response_key(
    namespace: str,
    practice_id: str,
    scopes: Iterable[str],
    query: str,
    variables: Any,
    operation_name: str | None,
) -> str:
    """Whole-response key: the practice and the caller's scopes in clear, the request as a digest."""
    request = json.dumps(
        [query, operation_name, variables], separators=(",", ":"), sort_keys=True, default=str
    )
    scope_part = _digest(",".join(sorted(scopes)), 12)
    return f"{namespace}:resp:{practice_id}:{scope_part}:{_digest(request)}"
