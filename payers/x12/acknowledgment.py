"""Acknowledgments of a submitted 837P: the 999 (X231, syntax) and the 277CA (X214, claim by claim).

A 999 never names the claim, only the transaction set it checked (AK2), so the caller passes the
claim control number it sent. A 277CA names each claim by its patient control number (TRN*2 under
the patient HL, which echoes CLM01) and the payer's claim id (REF*1K).
"""

from __future__ import annotations

from payers.contract import PayerProtocolError
from payers.model import ClaimState, ClaimStatus, Code, Finding, SubmissionAck
from payers.x12.envelope import read_interchanges, transactions, with_findings
from payers.x12.segments import X12DataError
from payers.x12.status_reader import CLAIM_LEVELS, status_loops

# X12 999 code lists (ASC X12 005010X231A1: IK304, IK403, IK501/IK502).
SEGMENT_ERRORS = {
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs over maximum times",
    "5": "Segment exceeds maximum use",
    "6": "Segment not in defined transaction set",
    "7": "Segment not in proper sequence",
    "8": "Segment has data element errors",
    "I4": 'Implementation "Not Used" segment present',
    "I6": "Implementation dependent segment missing",
    "I7": "Implementation loop occurs under minimum times",
    "I8": "Implementation segment below minimum use",
    "I9": 'Implementation dependent "Not Used" segment present',
}
ELEMENT_ERRORS = {
    "1": "Required data element missing",
    "2": "Conditional required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Exclusion condition violated",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I6": "Code value not used in implementation",
    "I9": "Implementation dependent data element missing",
    "I10": 'Implementation "Not Used" data element present',
    "I11": "Implementation too few repetitions",
    "I12": "Implementation pattern match failure",
    "I13": 'Implementation dependent "Not Used" data element present',
}
TRANSACTION_ERRORS = {
    "1": "Transaction set not supported",
    "2": "Transaction set trailer missing",
    "3": "Transaction set control number in header and trailer do not match",
    "4": "Number of included segments does not match actual count",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "23": "Transaction set control number not unique within the functional group",
    "I5": "Implementation one or more segments in error",
    "I6": "Implementation convention not supported",
}
_ACCEPTED = frozenset({"A", "E"})  # E: accepted, errors noted
_DUPLICATE_STATUS = frozenset({"54", "78"})  # duplicate of a previous / existing claim


def _code(system: str, table: dict[str, str], value: str, context: str) -> Code:
    description = table.get(value, f"{system} code {value} (not in the gateway's table)")
    return Code(system=system, code=value, description=f"{description}{context}")


def parse_999(
    text: str, payer_id: str, control_number: str, *, strict: bool = True
) -> SubmissionAck:
    """Whether every transaction set the 999 acknowledges was accepted, with each error as a Code.

    ``control_number`` is the claim control number (CLM01) of the submission being acknowledged.
    """
    try:
        reasons: list[Code] = []
        verdicts: list[str] = []
        findings: list[Finding] = []
        for transaction in transactions(text, payer_id, "999", strict=strict):
            findings += transaction.findings
            segment = ""
            for seg in transaction.segments:
                if seg.id == "IK3":
                    segment = f" ({seg.get(1)} segment {seg.get(2)}, loop {seg.get(3) or '-'})"
                    if seg.get(4):
                        reasons.append(
                            _code("x12-999-segment-error", SEGMENT_ERRORS, seg.get(4), segment)
                        )
                elif seg.id == "IK4":
                    where = f" (element {seg.get(1)}{segment and ' in' + segment})"
                    if seg.get(3):
                        reasons.append(
                            _code("x12-999-element-error", ELEMENT_ERRORS, seg.get(3), where)
                        )
                elif seg.id == "IK5":
                    verdicts.append(seg.get(1))
                    reasons += [
                        _code("x12-999-transaction-error", TRANSACTION_ERRORS, seg.get(n), "")
                        for n in range(2, 7)
                        if seg.get(n)
                    ]
                elif seg.id == "AK9" and not verdicts:
                    verdicts.append(seg.get(1))
        if not verdicts:
            raise X12DataError("999 has neither IK5 nor AK9 acknowledgment code")
        accepted = all(v in _ACCEPTED for v in verdicts)
        return SubmissionAck(
            accepted=accepted,
            control_number=control_number,
            reasons=tuple(reasons),
            findings=tuple(findings),
        )
    except X12DataError as exc:
        raise PayerProtocolError(payer_id, f"999 is invalid: {exc}") from exc


def parse_277ca(text: str, payer_id: str, *, strict: bool = True) -> list[SubmissionAck]:
    """One SubmissionAck per claim a 277CA acknowledges (accepted: A0-A2/A5, rejected: A3/A4/A6-A8).

    A 277CA that rejects at the information receiver or provider level (a submitter that is not
    enrolled) lists no claims under it: each such rejection becomes an ack of its own, named by
    that loop's trace number, so the rejection is not lost. Reasons are the status codes of the
    claim and of its service lines (and of the rejecting level above it)."""
    try:
        acks: list[SubmissionAck] = []
        level_rejections: list[SubmissionAck] = []
        for transaction in transactions(text, payer_id, "277", strict=strict):
            for loop in status_loops(transaction.segments):
                status = with_findings(loop.claim_status(), transaction)
                if loop.hl_level in CLAIM_LEVELS:
                    acks.append(_claim_ack(status, loop.trace))
                elif loop.statuses and status.state is ClaimState.REJECTED:
                    level_rejections.append(_claim_ack(status, loop.trace))
        if not acks and not level_rejections:
            raise X12DataError("277CA has no claim-level (patient HL) status")
        return acks + level_rejections
    except X12DataError as exc:
        raise PayerProtocolError(payer_id, f"277CA is invalid: {exc}") from exc


def _claim_ack(status: ClaimStatus, trace: str) -> SubmissionAck:
    # A claim whose status could not be read is not taken for accepted.
    rejected = status.state is ClaimState.REJECTED or not status.category.code
    own = [s for s in status.statuses if s.level is status.level or s.line is not None]
    codes = [s.status for s in own if s.status is not None]
    return SubmissionAck(
        accepted=not rejected,
        control_number=status.control_number or trace,
        payer_claim_id=status.payer_claim_id,
        status=status,
        reasons=tuple(codes) if rejected else (),
        duplicate=any(c.code in _DUPLICATE_STATUS for c in codes),
        findings=status.findings,
    )


# X12 TA1 interchange note codes (TA105, data element I18).
INTERCHANGE_NOTES = {
    "000": "No error",
    "001": "The interchange control number in the header and trailer do not match",
    "002": "This standard as noted in the control standards identifier is not supported",
    "003": "This version of the controls is not supported",
    "004": "The segment terminator is invalid",
    "005": "Invalid interchange ID qualifier for sender",
    "006": "Invalid interchange sender ID",
    "007": "Invalid interchange ID qualifier for receiver",
    "008": "Invalid interchange receiver ID",
    "009": "Unknown interchange receiver ID",
    "010": "Invalid authorization information qualifier value",
    "011": "Invalid authorization information value",
    "012": "Invalid security information qualifier value",
    "013": "Invalid security information value",
    "014": "Invalid interchange date value",
    "015": "Invalid interchange time value",
    "016": "Invalid interchange standards identifier value",
    "017": "Invalid interchange version ID value",
    "018": "Invalid interchange control number value",
    "019": "Invalid acknowledgment requested value",
    "020": "Invalid test indicator value",
    "021": "Invalid number of included groups value",
    "022": "Invalid control structure",
    "023": "Improper (premature) end-of-file (transmission)",
    "024": "Invalid interchange content (e.g. invalid GS segment)",
    "025": "Duplicate interchange control number",
    "026": "Invalid data element separator",
    "027": "Invalid component element separator",
    "028": "Invalid delivery date in deferred delivery request",
    "029": "Invalid delivery time in deferred delivery request",
    "030": "Invalid delivery time code in deferred delivery request",
    "031": "Invalid grade of service code",
}


def parse_ta1(
    text: str, payer_id: str, control_number: str, *, strict: bool = True
) -> SubmissionAck | None:
    """The verdict of the TA1 interchange acknowledgments in ``text``; None when there are none.

    TA104 is A (accepted), E (accepted with errors) or R (the whole interchange was rejected,
    so no 999 or 277CA follows); TA105 says why, as a code with its description.
    """
    interchanges = read_interchanges(text, payer_id, strict=strict)
    found = [seg for i in interchanges for seg in i.acknowledgments]
    if not found:
        return None
    reasons = tuple(
        _code("x12-ta1-note", INTERCHANGE_NOTES, seg.get(5), f" (interchange {seg.get(1)})")
        for seg in found
        if seg.get(5) and seg.get(5) != "000"
    )
    return SubmissionAck(
        accepted=all(seg.get(4) in _ACCEPTED for seg in found),
        control_number=control_number,
        reasons=reasons,
        findings=interchanges[0].findings if interchanges else (),
    )
