"""AAA request validation segments of a 271: findings beside benefits, the contract's errors alone.

Beside at least one benefit an AAA is a warning (:func:`aaa_finding`: AAA01, AAA03 and AAA04 as
codes, with the loop it came from); with no benefit at all the AAA segments raise (below), and every
error carries the reasons as :class:`~payers.contract.PayerRejection` values.

AAA03 is the reject reason, AAA04 the follow-up action. 42/80 mean the payer cannot answer now
(retry later); member and patient mismatches mean the request must be corrected; everything else is
a rejection carrying the payer's codes. Every message leads with our front-desk wording of the
reasons (:func:`payers.codesets.plain_words`) where we have one, then the payer's codes.
"""

from __future__ import annotations

from collections.abc import Sequence

from payers.codesets import lookup, plain_words
from payers.contract import MemberNotFound, PayerRejected, PayerRejection, PayerUnavailable
from payers.model import Finding, FindingSeverity
from payers.x12.segments import X12Segment

#: Finding codes: the payer's AAA in a 2100 loop of an answer that has benefits, and in a 2110 loop.
PAYER_AAA = "271_PAYER_AAA"
BENEFIT_AAA = "271_BENEFIT_AAA"

UNAVAILABLE = frozenset({"42", "80"})
MEMBER_MISMATCH = frozenset({"72", "73", "75", "65", "67", "58", "71"})

_LEVELS = {"20": "payer", "21": "information receiver", "22": "subscriber", "23": "dependent"}


def rejections(segments: Sequence[X12Segment]) -> list[PayerRejection]:
    """Each AAA as a PayerRejection (plain-words reason + follow-up), deduped."""
    found: list[PayerRejection] = []
    for seg in segments:
        reason = lookup("aaa-reject-reason", seg.get(3) or "")
        action = seg.get(4)
        follow_up = lookup("aaa-follow-up", action).description if action else None
        rejection = PayerRejection(code=reason, follow_up=follow_up)
        if rejection not in found:
            found.append(rejection)
    return found


def raise_for_aaa(
    payer_id: str, segments: Sequence[tuple[str, X12Segment]], transaction: str = "271"
) -> None:
    """Raise the contract error for AAA segments at HL levels ((level, segment) pairs)."""
    if not segments:
        return
    reasons = rejections([seg for _, seg in segments])
    codes = {r.code.code for r in reasons}
    levels = ", ".join(sorted({_LEVELS.get(level, level) for level, _ in segments}))
    words = "; ".join(_describe(r) for r in reasons)
    plain = " ".join(dict.fromkeys(w for w in (plain_words(r.code) for r in reasons) if w))
    advice = f" {plain}" if plain else ""
    if codes & UNAVAILABLE:
        raise PayerUnavailable(
            payer_id,
            f"payer cannot answer now ({transaction} AAA at {levels}): {words}.{advice}",
            reasons,
        )
    if codes & MEMBER_MISMATCH:
        raise MemberNotFound(
            payer_id,
            f"payer found no member matching the request ({transaction} AAA at {levels}): "
            f"{words}.{advice}",
            reasons,
        )
    raise PayerRejected(
        payer_id,
        f"payer rejected the request ({transaction} AAA at {levels}): {words}.{advice}",
        reasons,
    )


def aaa_finding(seg: X12Segment, loop: str, *, benefit: bool = False) -> Finding:
    """One AAA kept as a warning: AAA01 valid request, AAA03 reason, AAA04 follow-up, as codes."""
    valid = lookup("aaa-valid-request", seg.get(1)) if seg.get(1) else None
    reason = lookup("aaa-reject-reason", seg.get(3) or "")
    action = lookup("aaa-follow-up", seg.get(4)) if seg.get(4) else None
    words = f"payer reported AAA {reason.code} {reason.description} in loop {loop}"
    if action is not None:
        words += f"; follow-up {action.code} {action.description}"
    if valid is not None:
        words += "; request was valid" if valid.code == "Y" else "; request was not valid"
    return Finding(
        code=BENEFIT_AAA if benefit else PAYER_AAA,
        message=words,
        severity=FindingSeverity.WARNING,
        location=f"loop {loop}, {seg.where()}",
        segment=seg.position,
        codes=tuple(c for c in (valid, reason, action) if c is not None),
    )


def _describe(rejection: PayerRejection) -> str:
    text = f"{rejection.code.code} {rejection.code.description}"
    return f"{text} ({rejection.follow_up})" if rejection.follow_up else text
