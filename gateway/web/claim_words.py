"""A claim's status in a front desk's words: 277 categories and the gateway's claim states."""

from __future__ import annotations

from typing import Any

#: 277 claim status categories (STC01-1) as a front desk says them; the payer's full wording is
#: shown under it, so these stay short and say what happens next.
CATEGORY_WORDS: dict[str, str] = {
    "A0": "Forwarded by the payer to another payer",
    "A1": "Acknowledged by the payer: received, not yet accepted for processing",
    "A2": "Accepted by the payer for processing",
    "A3": "Returned by the payer: it could not be processed; fix it and send a new claim",
    "A4": "The payer cannot find this claim",
    "A5": "Split by the payer into more than one claim",
    "A6": "Rejected by the payer: information is missing; fix it and send a new claim",
    "A7": "Rejected by the payer: information is wrong; fix it and send a new claim",
    "A8": "Rejected by the payer: two fields do not agree; fix it and send a new claim",
    "P0": "Pending: being processed by the payer",
    "P1": "Pending: in the payer's processing system",
    "P2": "Pending: under review by the payer",
    "P3": "Pending: waiting for information from the practice",
    "P4": "Pending: waiting for information from the patient",
    "P5": "Pending: on hold at the payer",
    "F0": "Finished: the payer has processed it; nothing more will happen",
    "F1": "Finished: paid",
    "F2": "Finished: denied",
    "F3": "Finished: the payer changed its decision",
    "F3F": "Finished: paid and forwarded to the next payer",
    "F3N": "Finished: paid, not forwarded to another payer",
    "F4": "Finished: processed, no payment will come",
    "R0": "The payer asks for more information",
    "R1": "The payer asks for information about a person on the claim",
    "R3": "The payer asks for claim or line information",
    "R4": "The payer asks for documents (for example medical records)",
    "R5": "The payer asks for more information about a service line",
    "R6": "The payer asks for more information",
    "R7": "The payer asks for more information",
    "R8": "The payer asks for more information",
    "R9": "The payer asks for more information",
    "R10": "The payer asks for more information",
    "R11": "The payer asks for more information",
    "R12": "The payer asks for more information",
    "R13": "The payer asks for more information",
    "R14": "The payer asks for more information",
    "R15": "The payer asks for more information",
    "R16": "The payer asks for more information",
    "R17": "The payer asks for more information",
    "E0": "The payer's system had a problem answering; it will be asked again",
    "E1": "The payer did not answer in time; it will be asked again",
    "E2": "The payer's system is not available; it will be asked again",
    "E3": "The payer asks for the status again later",
    "E4": "The payer cannot answer about claims from before its conversion",
    "D0": "The payer has no data for this claim",
}

#: The gateway's claim states, in words (what the worklist filters by).
STATE_WORDS: dict[str, str] = {
    "SUBMITTED": "Sent, waiting for the payer",
    "ACKNOWLEDGED": "Received by the payer",
    "PENDING": "Pending at the payer",
    "INFORMATION_REQUESTED": "Payer needs information",
    "FINALIZED": "Finished",
    "DENIED": "Denied",
    "REJECTED": "Rejected",
    "ERROR": "Could not be sent",
}

#: Where a status came from, in words.
SOURCE_WORDS: dict[str, str] = {
    "submission": "Sent through the gateway",
    "acknowledgment": "Payer's acknowledgment",
    "poll": "Payer's status answer",
    "remittance": "Payer's payment advice",
}

#: What the delivery of a claim to its payer is doing, in words.
DELIVERY_WORDS: dict[str, str] = {
    "pending": "Waiting to be sent (retried while the payer is not answering)",
    "sent": "Sent to the payer",
    "failed": "Could not be sent: call the payer or send a new claim",
}

#: States whose badge warns the front desk that something needs doing.
ATTENTION = frozenset({"INFORMATION_REQUESTED", "DENIED", "REJECTED", "ERROR"})


def category_words(category: dict[str, Any] | None) -> str:
    """The headline of a 277 category ("Pending: waiting for information from the practice")."""
    if not category:
        return ""
    code = str(category.get("code") or "").upper()
    return (
        CATEGORY_WORDS.get(code)
        or CATEGORY_WORDS.get(code[:2])
        or str(category.get("description") or code)
    )


def state_words(state: str | None) -> str:
    return STATE_WORDS.get(str(state or ""), str(state or "").replace("_", " ").capitalize())


def state_badge(state: str | None) -> str:
    """The badge class of a claim state: attention, finished or in progress."""
    if state in ATTENTION:
        return "inactive"
    if state == "FINALIZED":
        return "active"
    return "down"
