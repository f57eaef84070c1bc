"""Remittance: read an 835 (005010X221A1, and 004010X091A1 which has the same shape) into Payments.

One transaction set is one Payment: BPR (amount, method, date), TRN (trace number), N1*PR (payer)
and N1*PE (payee) with their REF identifiers, then per CLP a ClaimPayment with its CAS adjustments,
SVC service lines (their CAS, LQ remarks, DTM dates, AMT*B6 allowed amount) and, at the end, PLB
provider-level adjustments. Several transaction sets (and interchanges) in one file give several
Payments.

Nothing readable is lost to one broken part: a claim whose amounts cannot be read, a service line
with a broken SVC01 composite or amount, a CAS or PLB entry with a bad amount is left out and an
error :class:`~payers.model.Finding` on the enclosing part says which segment and why; a bad optional
element (CLP05, a date) leaves that value empty with a finding. Only a transaction set without a
readable BPR02 or TRN02 is refused, since there is no payment to keep. Balancing is checked and
reported (:mod:`payers.x12.remittance_balancing`), never corrected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from payers.codesets import is_known, lookup
from payers.codesets.service_codes import service_code
from payers.contract import PayerProtocolError
from payers.model import (
    Adjustment,
    ClaimPayment,
    Code,
    Finding,
    FindingSeverity,
    PartyId,
    Payment,
    ProviderAdjustment,
    ServiceLinePayment,
)
from payers.x12.envelope import Interchange, TransactionSet, read_interchanges, with_findings
from payers.x12.remittance_balancing import (
    Balancing,
    claim_findings,
    line_findings,
    payment_findings,
)
from payers.x12.segments import X12DataError, X12Segment, parse_d8

_SERVICE_START = frozenset({"472", "150"})
_MOA_REMARKS = range(3, 8)
_MIA_REMARKS = (5, 20, 21, 22, 23)
_PAYER_REFS = frozenset({"2U", "EO", "HI", "NF"})
_PAYEE_REFS = frozenset({"TJ", "PQ", "0B", "D3"})
# pyx12's wording of a wrong SE01 / GE01 count (kept as defects when reading leniently).
_SE_COUNT = re.compile(r"SE count of (\S+) for SE02=(\S*) is wrong\. I count (\d+)")
_GE_COUNT = re.compile(r"GE count of (\S+) for GE02=(\S*) is wrong\. I count (\d+)")

_FILE_POSITION = re.compile(r" \(segment \d+\)")

T = TypeVar("T")


def parse_835(text: str, payer_id: str, *, strict: bool = True) -> list[Payment]:
    """Every remittance (835 transaction set) in ``text``."""
    interchanges = read_interchanges(text, payer_id, strict=strict)
    payments = []
    for interchange in interchanges:
        for group in interchange.groups:
            for tx in group.transactions:
                if tx.code != "835":
                    continue
                try:
                    payment = _Reader(tx, payer_id).payment()
                except X12DataError as exc:
                    raise PayerProtocolError(payer_id, f"835 is invalid: {exc}") from exc
                counts = _count_findings(interchange, tx.control_number, group.control_number)
                if counts:
                    payment = _with_findings(payment, counts)
                payments.append(with_findings(payment, tx))  # the layout's findings first
    if not payments:
        present = sorted({t.code for i in interchanges for g in i.groups for t in g.transactions})
        raise PayerProtocolError(
            payer_id, f"expected an X12 835 transaction, found {', '.join(present) or 'none'}"
        )
    return payments


# --- reading one transaction set ------------------------------------------------------------------


@dataclass
class _Part:
    """Findings of one part being read, and whether something of it was left out."""

    findings: list[Finding] = field(default_factory=list)
    incomplete: bool = False


@dataclass
class _Line(_Part):
    svc: X12Segment | None = None
    cas: list[X12Segment] = field(default_factory=list)
    remarks: list[Code] = field(default_factory=list)
    service_date: date | None = None
    allowed: Decimal | None = None


@dataclass
class _Claim(_Part):
    clp: X12Segment | None = None
    cas: list[X12Segment] = field(default_factory=list)
    remarks: list[Code] = field(default_factory=list)
    member_id: str | None = None
    dates: dict[str, date] = field(default_factory=dict)
    lines: list[_Line] = field(default_factory=list)
    inpatient: bool = False  # an MIA segment: an institutional inpatient claim


class _Reader:
    """Reads one 835 transaction set; every finding names its segment's place in the set."""

    def __init__(self, tx: TransactionSet, payer_id: str) -> None:
        self.tx = tx
        self.payer_id = payer_id
        # Positions are counted over the file; ST is segment 1 of its set.
        self.st_position = tx.segments[0].position - 1 if tx.segments else 0
        self.payment_part = _Part()

    def at(self, seg: X12Segment) -> int:
        return seg.position - self.st_position + 1

    def error(self, part: _Part, code: str, message: str, location: str, seg: X12Segment) -> None:
        message = _FILE_POSITION.sub("", message)  # the finding's segment is its place in the set
        part.findings.append(Finding(code, message, FindingSeverity.ERROR, location, self.at(seg)))

    def warn(self, part: _Part, code: str, message: str, location: str, seg: X12Segment) -> None:
        part.findings.append(
            Finding(code, message, FindingSeverity.WARNING, location, self.at(seg))
        )

    def optional(
        self, part: _Part, location: str, seg: X12Segment, read: Callable[[], T]
    ) -> T | None:
        """An optional value: None with an error finding when it cannot be read."""
        try:
            return read()
        except X12DataError as exc:
            self.error(part, "835_ELEMENT_UNREADABLE", f"{exc}; left empty", location, seg)
            return None

    def known(
        self, part: _Part, system: str, value: str, what: str, where: str, seg: X12Segment
    ) -> Code:
        if value and not is_known(system, value):
            self.warn(
                part, "835_UNKNOWN_CODE", f"{what} {value} is not in its code list", where, seg
            )
        return lookup(system, value)

    # --- the payment ---

    def payment(self) -> Payment:
        bpr = trn = None
        payer = _Party()
        payee = _Party()
        party: _Party | None = None
        claims: list[_Claim] = []
        plbs: list[X12Segment] = []
        for seg in self.tx.segments:
            claim = claims[-1] if claims else None
            line = claim.lines[-1] if claim and claim.lines else None
            if seg.id == "BPR" and bpr is None:
                bpr = seg
            elif seg.id == "TRN" and trn is None:
                trn = seg
            elif seg.id == "N1" and claim is None:
                party = {"PR": payer, "PE": payee}.get(seg.get(1))
                if party is not None and party.n1 is None:
                    party.n1 = seg
                else:
                    party = None
            elif seg.id == "REF" and claim is None and party is not None:
                party.refs.append(seg)
            elif seg.id == "LX":
                party = None
            elif seg.id == "CLP":
                claims.append(_Claim(clp=seg))
            elif seg.id == "PLB":
                plbs.append(seg)
            elif claim is None:
                continue
            elif seg.id == "SVC":
                claim.lines.append(_Line(svc=seg))
            elif seg.id == "CAS":
                (line.cas if line else claim.cas).append(seg)
            elif line is None:
                self._claim_segment(claim, len(claims), seg)
            else:
                self._line_segment(line, _line_place(len(claims), len(claim.lines)), seg)
        if bpr is None:
            raise X12DataError("835 has no BPR financial information segment")
        if trn is None or not trn.get(2):
            raise X12DataError("835 has no TRN reassociation trace number")
        part = self.payment_part
        amount = bpr.money(2, "total payment amount")
        method = self.known(part, "payment-method", bpr.get(4), "BPR04", "BPR", bpr)
        paid_on = None
        if bpr.get(16):
            paid_on = self.optional(part, "BPR", bpr, lambda: parse_d8(bpr.get(16), bpr.where(16)))
        claim_payments = []
        balancing = Balancing(self.at(bpr), complete=True)
        # CLP08 is a facility type on institutional claims and a place of service on professional
        # ones; the 835 does not say which, so a remittance with any institutional sign (MIA, a
        # revenue-code line, Medicare Part A) is read as institutional throughout.
        institutional = any(_institutional(c) for c in claims)
        for ordinal, claim in enumerate(claims, start=1):
            built = self._claim_payment(claim, ordinal, institutional)
            if built is None:
                balancing.complete = False
            else:
                claim_payments.append(built)
        provider = []
        for plb in plbs:
            read, complete = self._provider_adjustments(plb)
            provider += read
            balancing.complete &= complete
        found = part.findings + payment_findings(amount, claim_payments, provider, balancing)
        return Payment(
            payer_id=self.payer_id,
            trace_number=trn.get(2),
            method=method,
            payment_date=paid_on,
            amount=amount,
            claims=tuple(claim_payments),
            provider_adjustments=tuple(provider),
            payee_npi=payee.id_of("XX"),
            findings=tuple(found),
            payer_name=payer.name(),
            payer_ids=payer.ids(_PAYER_REFS),
            payee_name=payee.name(),
            payee_tax_id=payee.id_of("FI") or payee.ref_of("TJ"),
            payee_ids=payee.ids(_PAYEE_REFS),
        )

    # --- claims (loop 2100) ---

    def _claim_segment(self, claim: _Claim, ordinal: int, seg: X12Segment) -> None:
        where = _claim_place(ordinal)
        if seg.id == "NM1" and seg.get(1) in ("IL", "QC") and seg.get(9):
            if seg.get(1) == "IL" or claim.member_id is None:
                claim.member_id = seg.get(9)
        elif seg.id == "MOA":
            claim.remarks += [lookup("rarc", seg.get(n)) for n in _MOA_REMARKS if seg.get(n)]
        elif seg.id == "MIA":
            claim.inpatient = True
            claim.remarks += [lookup("rarc", seg.get(n)) for n in _MIA_REMARKS if seg.get(n)]
        elif seg.id == "DTM" and seg.get(2):
            found = self.optional(claim, where, seg, lambda: parse_d8(seg.get(2), seg.where(2)))
            if found is not None:
                claim.dates[seg.get(1)] = found

    def _line_segment(self, line: _Line, where: str, seg: X12Segment) -> None:
        if seg.id == "DTM" and seg.get(1) in _SERVICE_START and line.service_date is None:
            line.service_date = self.optional(
                line, where, seg, lambda: parse_d8(seg.get(2), seg.where(2))
            )
        elif seg.id == "LQ" and seg.get(2):
            line.remarks.append(lookup("rarc", seg.get(2)))
        elif seg.id == "AMT" and seg.get(1) == "B6":
            line.allowed = self.optional(line, where, seg, lambda: seg.decimal(2, "allowed amount"))

    def _claim_payment(
        self, claim: _Claim, ordinal: int, institutional: bool
    ) -> ClaimPayment | None:
        clp = claim.clp
        assert clp is not None
        where = _claim_place(ordinal)
        try:
            charge = clp.money(3, "total claim charge")
            paid = clp.money(4, "claim payment amount")
        except X12DataError as exc:
            self.error(
                self.payment_part,
                "835_CLAIM_UNREADABLE",
                f"{exc}: claim {ordinal} is left out and the payment is not balanced",
                where,
                clp,
            )
            return None
        status = self.known(claim, "claim-payment-status", clp.get(2), "CLP02", where, clp)
        patient = self.optional(claim, where, clp, lambda: clp.decimal(5, "patient responsibility"))
        filing = None
        if clp.get(6):
            filing = self.known(claim, "claim-filing-indicator", clp.get(6), "CLP06", where, clp)
        lines = []
        for number, line in enumerate(claim.lines, start=1):
            built = self._line_payment(line, ordinal, number)
            claim.findings += line.findings if built is None else []
            if built is None:
                claim.incomplete = True
            else:
                lines.append(built)
        adjusted = self._adjustments(claim, claim.cas, claim.remarks, where)
        claim.incomplete |= any(line.incomplete for line in claim.lines)
        line_dates = [ln.service_date for ln in lines if ln.service_date]
        start = claim.dates.get("232") or (min(line_dates) if line_dates else None)
        if "232" in claim.dates:
            end = claim.dates.get("233", start)
        else:
            end = max(line_dates) if line_dates else None
        built_claim = ClaimPayment(
            control_number=clp.get(1) or None,
            payer_claim_id=clp.get(7) or None,
            status=status,
            charge=charge,
            paid=paid,
            patient_responsibility=patient,
            member_id=claim.member_id,
            service_date_from=start,
            service_date_to=end,
            adjustments=tuple(adjusted),
            lines=tuple(lines),
            remarks=tuple(claim.remarks),
            filing_indicator=filing,
            facility_code=_facility(clp.get(8), institutional),
        )
        balanced = claim_findings(built_claim, where, self.at(clp), complete=not claim.incomplete)
        return _replace_claim(built_claim, claim.findings + balanced)

    # --- service lines (loop 2110) ---

    def _line_payment(
        self, line: _Line, claim_ordinal: int, number: int
    ) -> ServiceLinePayment | None:
        svc = line.svc
        assert svc is not None
        where = _line_place(claim_ordinal, number)
        procedure = svc.procedure_components(1)
        try:
            if len(procedure) < 2 or not procedure[0] or not procedure[1]:
                raise X12DataError(f"{svc.where(1)} has no qualifier and procedure code")
            charge = svc.money(2, "line charge")
            paid = svc.money(3, "line payment")
        except X12DataError as exc:
            self.error(
                line,
                "835_LINE_UNREADABLE",
                f"{exc}: service line {number} is left out and the claim is not balanced",
                where,
                svc,
            )
            return None
        qualifier = procedure[0]
        qualifier_code = self.known(line, "service-id-qualifier", qualifier, "SVC01-1", where, svc)
        units = self.optional(line, where, svc, lambda: svc.decimal(5, "units paid"))
        remarks = tuple(line.remarks)
        adjusted = self._adjustments(line, line.cas, remarks, where)
        built = ServiceLinePayment(
            procedure=service_code(qualifier, procedure[1]),
            charge=charge,
            paid=paid,
            modifiers=tuple(m for m in procedure[2:6] if m),
            units=units,
            service_date=line.service_date,
            allowed_amount=line.allowed,
            adjustments=tuple(adjusted),
            remarks=remarks,
            procedure_qualifier=qualifier_code,
        )
        found = line.findings + line_findings(built, where, self.at(svc), not line.incomplete)
        return _replace_line(built, found)

    # --- adjustments (CAS) and provider adjustments (PLB) ---

    def _adjustments(
        self, part: _Part, segments: Sequence[X12Segment], remarks: Sequence[Code], where: str
    ) -> list[Adjustment]:
        found = []
        for cas in segments:
            group = self.known(part, "adjustment-group", cas.get(1), "CAS01", where, cas)
            for first in range(2, 20, 3):
                reason = cas.get(first)
                if not reason:
                    if cas.get(first + 1):
                        self.error(
                            part,
                            "835_ADJUSTMENT_UNREADABLE",
                            f"{cas.where(first)} has an amount but no reason code: left out",
                            where,
                            cas,
                        )
                        part.incomplete = True
                    continue
                try:
                    amount = cas.money(first + 1, "adjustment amount")
                    quantity = cas.decimal(first + 2, "adjustment quantity")
                except X12DataError as exc:
                    self.error(part, "835_ADJUSTMENT_UNREADABLE", f"{exc}: left out", where, cas)
                    part.incomplete = True
                    continue
                found.append(
                    Adjustment(group, lookup("carc", reason), amount, quantity, tuple(remarks))
                )
        return found

    def _provider_adjustments(self, plb: X12Segment) -> tuple[list[ProviderAdjustment], bool]:
        part = self.payment_part
        where = "PLB"
        provider_id = plb.get(1) or None
        period = None
        if plb.get(2):
            period = self.optional(part, where, plb, lambda: parse_d8(plb.get(2), plb.where(2)))
        found = []
        complete = True
        for position in range(3, 15, 2):
            parts = plb.procedure_components(position)
            if not parts or not parts[0]:
                continue
            try:
                amount = plb.money(position + 1, "provider adjustment amount")
            except X12DataError as exc:
                self.error(
                    part,
                    "835_PROVIDER_ADJUSTMENT_UNREADABLE",
                    f"{exc}: left out and the payment is not balanced",
                    where,
                    plb,
                )
                complete = False
                continue
            found.append(
                ProviderAdjustment(
                    reason=self.known(part, "plb-reason", parts[0], "PLB reason", where, plb),
                    amount=amount,
                    reference=(parts[1] if len(parts) > 1 and parts[1] else None),
                    provider_id=provider_id,
                    fiscal_period_end=period,
                )
            )
        return found, complete


# --- payer and payee (loops 1000A and 1000B) --------------------------------------------------------


@dataclass
class _Party:
    n1: X12Segment | None = None
    refs: list[X12Segment] = field(default_factory=list)

    def name(self) -> str | None:
        return (self.n1.get(2) or None) if self.n1 else None

    def id_of(self, qualifier: str) -> str | None:
        if self.n1 is not None and self.n1.get(3) == qualifier:
            return self.n1.get(4) or None
        return None

    def ref_of(self, qualifier: str) -> str | None:
        return next((r.get(2) for r in self.refs if r.get(1) == qualifier and r.get(2)), None)

    def ids(self, ref_qualifiers: frozenset[str]) -> tuple[PartyId, ...]:
        found = []
        if self.n1 is not None and self.n1.get(3) and self.n1.get(4):
            found.append(PartyId(lookup("party-id-qualifier", self.n1.get(3)), self.n1.get(4)))
        found += [
            PartyId(lookup("party-id-qualifier", r.get(1)), r.get(2))
            for r in self.refs
            if r.get(1) in ref_qualifiers and r.get(2)
        ]
        return tuple(found)


# --- helpers --------------------------------------------------------------------------------------


def _claim_place(ordinal: int) -> str:
    return f"loop 2100, claim {ordinal}"


def _line_place(claim: int, line: int) -> str:
    return f"loop 2110, claim {claim}, line {line}"


def _institutional(claim: _Claim) -> bool:
    assert claim.clp is not None
    revenue_lines = any(
        ln.svc and ln.svc.procedure_components(1)[:1] == ["NU"] for ln in claim.lines
    )
    return claim.inpatient or claim.clp.get(6) == "MA" or revenue_lines


def _facility(code: str, institutional: bool) -> Code | None:
    """CLP08: a bill's facility type on an institutional claim, else a place of service."""
    if not code:
        return None
    return lookup("facility-type" if institutional else "place-of-service", code)


def _replace_claim(claim: ClaimPayment, findings: list[Finding]) -> ClaimPayment:
    return replace(claim, findings=tuple(findings))


def _replace_line(line: ServiceLinePayment, findings: list[Finding]) -> ServiceLinePayment:
    return replace(line, findings=tuple(findings))


def _with_findings(payment: Payment, findings: list[Finding]) -> Payment:
    return replace(payment, findings=payment.findings + tuple(findings))


def _count_findings(interchange: Interchange, control: str, group_control: str) -> list[Finding]:
    """SE01 and GE01 counts that pyx12 found wrong (kept as defects when reading leniently)."""
    found = []
    for defect in interchange.defects:
        se = _SE_COUNT.search(defect)
        if se and se.group(2) == control:
            found.append(
                # SE is the last segment of its set: its place is the number of segments sent.
                _count_finding(
                    "835_SEGMENT_COUNT",
                    "SE01 segment count",
                    "SE",
                    se.group(1),
                    se.group(3),
                    int(se.group(3)),
                )
            )
        ge = _GE_COUNT.search(defect)
        if ge and ge.group(2) == group_control:
            found.append(
                _count_finding(
                    "835_TRANSACTION_COUNT",
                    "GE01 transaction set count",
                    "GE",
                    ge.group(1),
                    ge.group(3),
                )
            )
    return found


def _count_finding(
    code: str, what: str, location: str, stated: str, counted: str, segment: int | None = None
) -> Finding:
    try:
        actual: Decimal | None = Decimal(stated)
    except ArithmeticError:
        actual = None
    return Finding(
        code,
        f"The {what} says {stated}, but {counted} were sent",
        FindingSeverity.WARNING,
        location,
        segment,
        expected=Decimal(counted),
        actual=actual,
    )
