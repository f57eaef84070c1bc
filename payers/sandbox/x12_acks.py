"""Acknowledge a received 837P: the 999 (005010X231A1) and the 277CA (005010X214).

The 999 is written from pyx12's validation of the 837P against the X222A1 map: each segment error is
an IK3 (segment id, position in the set, loop, IK304 code), each element error an IK4 (position,
data element number, IK403 code; the bad value is not echoed: it may be PHI), each set an IK5 and the
group an AK9. Only claims of sets the 999 accepts reach the 277CA, which states per claim (HL PT,
TRN*2 = CLM01) the intake's verdict: A1:19 with the payer's claim id (REF*1K), or the rejection's
category and status codes; a repeated control number adds A1:78 (duplicate, awaiting processing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from payers.model import SubmissionAck
from payers.sandbox.x12_claims import ReceivedClaim
from payers.x12.outgoing import Composite, ControlNumbers, Parties, SegmentSpec, build_interchange

IMPLEMENTATION_999 = "005010X231A1"
IMPLEMENTATION_277CA = "005010X214"


@dataclass(frozen=True, slots=True)
class SetVerdict:
    """pyx12's verdict on one received transaction set."""

    control_number: str
    accepted: bool


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def answer_999(
    report: Mapping[str, Any],
    *,
    group_control: str,
    implementation: str,
    parties: Parties,
    numbers: ControlNumbers,
    created: datetime,
) -> tuple[str, list[SetVerdict]]:
    """The 999 for one received functional group, from pyx12's JSON validation ``report``."""
    body: list[SegmentSpec] = [("AK1", "HC", group_control, implementation)]
    verdicts: list[SetVerdict] = []
    groups = [g for i in _as_list(report.get("interchanges")) for g in _as_list(i.get("groups"))]
    for group in groups:
        for transaction in _as_list(group.get("transactions")):
            control = str(transaction.get("trn_set_control_num") or "")
            body.append(("AK2", "837", control, implementation))
            errors = 0
            for segment in _as_list(transaction.get("segments")):
                body += _segment_errors(segment)
                errors += len(_as_list(segment.get("errors"))) + sum(
                    len(_as_list(e.get("errors"))) for e in _as_list(segment.get("elements"))
                )
            codes = [str(e.get("err_cde")) for e in _as_list(transaction.get("errors"))][:5]
            accepted = transaction.get("ack_code") in ("A", "E") and not codes and not errors
            if not accepted and not codes:
                codes = ["5"]  # one or more segments in error
            body.append(("IK5", "A" if accepted else "R", *codes))
            verdicts.append(SetVerdict(control, accepted))
    received = len(verdicts)
    taken = sum(v.accepted for v in verdicts)
    group_code = "A" if taken == received and received else ("P" if taken else "R")
    body.append(("AK9", group_code, str(received), str(received), str(taken)))
    text = build_interchange(
        parties,
        numbers,
        functional_id="FA",
        transaction_code="999",
        implementation=IMPLEMENTATION_999,
        body=body,
        created=created,
    )
    return text, verdicts


def _segment_errors(segment: Mapping[str, Any]) -> list[SegmentSpec]:
    seg_errors = _as_list(segment.get("errors"))
    elements = [e for e in _as_list(segment.get("elements")) if _as_list(e.get("errors"))]
    if not seg_errors and not elements:
        return []
    where = (
        str(segment.get("seg_id") or ""),
        str(segment.get("seg_count") or ""),
        str(segment.get("ls_id") or ""),
    )
    found: list[SegmentSpec] = [
        ("IK3", *where, str(seg_errors[0].get("err_cde") or "8"))
        if seg_errors
        else ("IK3", *where, "8")
    ]
    for element in elements:
        position = str(element.get("ele_pos") or "")
        if element.get("subele_pos"):
            position_element: str | Composite = Composite(position, str(element["subele_pos"]))
        else:
            position_element = position
        for error in _as_list(element.get("errors")):
            found.append(
                (
                    "IK4",
                    position_element,
                    str(element.get("ele_ref_num") or ""),
                    str(error.get("err_cde") or ""),
                )
            )
    return found


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def answer_277ca(
    received: Sequence[tuple[ReceivedClaim, SubmissionAck]],
    *,
    payer_name: str,
    payer_number: str,
    received_on: date,
    parties: Parties,
    numbers: ControlNumbers,
    created: datetime,
) -> str:
    """The 277CA stating each received claim's verdict (claims grouped by billing provider)."""
    first = received[0][0]
    day = f"{received_on:%Y%m%d}"
    accepted = [(c, a) for c, a in received if a.accepted]
    rejected = [(c, a) for c, a in received if not a.accepted]
    body: list[SegmentSpec] = [
        ("BHT", "0085", "08", first.batch_reference, f"{created:%Y%m%d}", f"{created:%H%M}", "TH"),
        ("HL", "1", "", "20", "1"),
        ("NM1", "PR", "2", payer_name, "", "", "", "", "PI", payer_number),
        ("TRN", "1", numbers.transaction),
        ("DTP", "050", "D8", day),
        ("DTP", "009", "D8", day),
        ("HL", "2", "1", "21", "1"),
        ("NM1", "41", "2", first.submitter_name, "", "", "", "", "46", first.submitter_id),
        ("TRN", "2", first.batch_reference),
        ("STC", Composite("A1", "19", "PR"), day, "WQ", _money(_total(received))),
        *_counts("90", "AA", "YU", "YY", accepted, rejected),
    ]
    hl = 2
    providers: dict[str, list[tuple[ReceivedClaim, SubmissionAck]]] = {}
    for item in received:
        providers.setdefault(item[0].submission.billing_provider_npi, []).append(item)
    for npi, items in providers.items():
        hl += 1
        provider_hl = hl
        claim = items[0][0].submission
        body += [
            ("HL", str(provider_hl), "2", "19", "1"),
            ("NM1", "85", "2", claim.billing_provider_name, "", "", "", "", "XX", npi),
            ("TRN", "1", "0"),
            ("STC", Composite("A1", "19", "PR"), "", "WQ", _money(_total(items))),
            *_counts(
                "QA",
                "QC",
                "YU",
                "YY",
                [i for i in items if i[1].accepted],
                [i for i in items if not i[1].accepted],
            ),
        ]
        for item in items:
            hl += 1
            body += _patient_loop(hl, provider_hl, *item, day)
    return build_interchange(
        parties,
        numbers,
        functional_id="HN",
        transaction_code="277",
        implementation=IMPLEMENTATION_277CA,
        body=body,
        created=created,
    )


def _total(items: Sequence[tuple[ReceivedClaim, SubmissionAck]]) -> Decimal:
    return sum((c.submission.total_charge for c, _ in items), Decimal(0))


def _counts(
    accepted_qty: str,
    rejected_qty: str,
    accepted_amt: str,
    rejected_amt: str,
    accepted: Sequence[tuple[ReceivedClaim, SubmissionAck]],
    rejected: Sequence[tuple[ReceivedClaim, SubmissionAck]],
) -> list[SegmentSpec]:
    found: list[SegmentSpec] = []
    if accepted:
        found.append(("QTY", accepted_qty, str(len(accepted))))
    if rejected:
        found.append(("QTY", rejected_qty, str(len(rejected))))
    if accepted:
        found.append(("AMT", accepted_amt, _money(_total(accepted))))
    if rejected:
        found.append(("AMT", rejected_amt, _money(_total(rejected))))
    return found


def _patient_loop(
    hl: int, parent: int, claim: ReceivedClaim, ack: SubmissionAck, day: str
) -> list[SegmentSpec]:
    member = claim.submission.member
    total = _money(claim.submission.total_charge)
    status = ack.status
    if status is None:  # the intake always states one; keep the 277CA valid regardless
        first = Composite("A1", "19", "PR") if ack.accepted else Composite("A3", "21", "85")
        extra: list[Composite] = []
    else:
        first = Composite(
            status.category.code,
            status.status.code if status.status else "",
            status.entity.code if status.entity else "",
        )
        reasons = [r for r in ack.reasons if r.system == "claim-status"]
        entity = status.entity.code if status.entity else ""
        extra = [Composite(status.category.code, r.code, entity) for r in reasons[1:]]
    if ack.duplicate:
        extra.append(Composite("A1", "78", "PR"))
    action = "WQ" if ack.accepted else "U"
    stcs: list[SegmentSpec] = []
    composites = [first, *extra]
    for n in range(0, len(composites), 3):
        chunk = composites[n : n + 3]
        stc: SegmentSpec = ("STC", chunk[0], day, action, total)
        if len(chunk) > 1:
            stc = (*stc, "", "", "", "", "", *chunk[1:])
        stcs.append(stc)
    dates = [ln.service_date for ln in claim.submission.lines if ln.service_date]
    loop: list[SegmentSpec] = [
        ("HL", str(hl), str(parent), "PT"),
        ("NM1", "QC", "1", member.last_name, member.first_name, "", "", "", "MI", member.member_id),
        ("TRN", "2", claim.control_number),
        *stcs,
    ]
    if ack.payer_claim_id:
        loop.append(("REF", "1K", ack.payer_claim_id))
    if dates:
        start, end = min(dates), max(dates)
        loop.append(
            ("DTP", "472", "D8", f"{start:%Y%m%d}")
            if start == end
            else ("DTP", "472", "RD8", f"{start:%Y%m%d}-{end:%Y%m%d}")
        )
    return loop
