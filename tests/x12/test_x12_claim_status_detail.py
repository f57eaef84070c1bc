"""277 / 277CA detail: every status with its level, loop and entity; service dates; references;
service lines; NCPDP-coded statuses; and findings instead of a lost file when one part is broken.

Every 277 and 277CA fixture in tests/fixtures/x12 is read here for named values. The stupidedi
277CA fixtures are the X214 implementation guide's business scenarios and carry the guide's prose
before the ISA segment: they are read from their ISA on (see ATTRIBUTION.md).
"""

from __future__ import annotations

import pickle
from datetime import date
from decimal import Decimal

import pytest
import strawberry

from gateway.graphql.scalars import schema_config
from gateway.graphql.types.claims import ClaimStatus as ClaimStatusType
from payers.contract import PayerProtocolError
from payers.model import ClaimState, ClaimStatus, FindingSeverity, StatusLevel
from payers.x12.acknowledgment import parse_277ca
from payers.x12.claim_status import parse_277
from tests.x12.conftest import FIXTURES

PAYER = "acme-x12"


def interchange(name: str) -> str:
    """A fixture's text from its ISA segment on (byte for byte otherwise)."""
    text = (FIXTURES / name).read_bytes().decode("utf-8")
    return text[text.index("ISA") :]


def statuses(name: str, *, strict: bool = True) -> list[ClaimStatus]:
    return parse_277(interchange(name), PAYER, strict=strict)


def codes(status: ClaimStatus) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(loop, category, status, entity, code list) of every status on ``status``."""
    return [
        (
            s.loop,
            s.category.code,
            s.status.code if s.status else None,
            s.entity.code if s.entity else None,
            s.code_list.code if s.code_list else None,
        )
        for s in status.statuses
    ]


def refs(status: ClaimStatus) -> dict[str, str]:
    return {r.qualifier.code: r.value for r in status.references}


def finding_codes(status: ClaimStatus) -> list[tuple[str, int | None]]:
    return [(f.code, f.segment) for f in status.findings]


# --- X212 277 fixtures ------------------------------------------------------------------------------


def test_claim_level_lfh_dates_references_and_dependent_line() -> None:
    pending, finalized, denied = statuses("277_5010_claim_level_lfh.x12")
    assert (pending.level, pending.service_date_from, pending.service_date_to) == (
        StatusLevel.CLAIM,
        date(2005, 8, 31),
        date(2005, 9, 6),
    )
    assert refs(pending) == {"1K": "05347006051", "BLT": "111", "EJ": "SM123456"}
    assert pending.references[1].qualifier.description == "Institutional Bill Type Identification"
    assert codes(pending) == [("2200D", "P3", "317", None, None)]
    assert finding_codes(pending) == [("277_UNKNOWN_CODE", 12)]
    assert pending.findings[0].severity is FindingSeverity.WARNING
    assert (finalized.service_date_from, finalized.service_date_to) == (
        date(2005, 7, 31),
        date(2005, 8, 9),
    )
    assert refs(finalized)["EJ"] == "J0234567" and finalized.findings == ()
    # The dependent's claim (2200E) and its one service line (2220E), each with its own STC.
    assert codes(denied) == [("2200E", "F2", "88", "QC", None), ("2220E", "F2", "88", "QC", None)]
    assert denied.statuses[1].level is StatusLevel.SERVICE_LINE and denied.statuses[1].line == 1
    assert denied.statuses[0].entity is not None
    assert denied.statuses[0].entity.description == "Patient"
    (line,) = denied.lines
    assert line.procedure is not None and line.procedure.code == "99203"
    assert (line.charge, line.paid, line.units) == (Decimal("150.00"), Decimal("0.00"), Decimal(1))
    assert (line.service_date_from, line.service_date_to) == (date(2005, 5, 1), date(2005, 5, 1))
    assert denied.service_date_from is None  # the DTP*472 is the line's, not the claim's


def test_provider_level_lfh_keeps_the_provider_status_with_its_entity() -> None:
    claim, provider = statuses("277_5010_provider_level_lfh.x12")
    assert claim.level is StatusLevel.CLAIM and refs(claim)["1K"] == "05347006051"
    assert provider.level is StatusLevel.PROVIDER
    assert codes(provider) == [("2200C", "E0", "24", "85", None)]
    assert provider.statuses[0].entity is not None
    assert provider.statuses[0].entity.description == "Billing Provider"
    assert provider.statuses[0].effective_date == date(2005, 9, 16)
    assert provider.references == () and provider.service_date_from is None


def test_receiver_level_lfh_is_an_information_receiver_status() -> None:
    (receiver,) = statuses("277_5010_receiver_level_lfh.x12")
    assert (receiver.level, receiver.state) == (StatusLevel.INFORMATION_RECEIVER, ClaimState.ERROR)
    assert codes(receiver) == [("2200B", "E0", "0", None, None)]
    assert receiver.status is not None
    assert receiver.status.description == "Cannot provide further status electronically."
    assert (receiver.payer_claim_id, receiver.control_number) == (None, None)
    assert receiver.effective_date == date(2005, 9, 16) and receiver.findings == ()


def test_ncpdp_reject_lfh_reads_the_status_as_an_ncpdp_code() -> None:
    (claim,) = statuses("277_5010_ncpdp_reject_lfh.x12")
    assert claim.state is ClaimState.DENIED
    assert claim.status is not None
    assert (claim.status.system, claim.status.code) == ("ncpdp-reject", "80")
    assert claim.status.description == "Drug-Diagnosis Mismatch"
    assert codes(claim) == [("2200D", "F2", "80", None, "RX")]
    detail = claim.statuses[0]
    assert detail.code_list is not None and detail.code_list.description.startswith(
        "National Council for Prescription Drug Programs"
    )
    assert (claim.total_charge, claim.paid_amount) == (Decimal("85"), Decimal("0"))
    assert refs(claim) == {"1K": "05347006051", "XZ": "7654321"}
    assert claim.references[1].qualifier.description == "Pharmacy Prescription Number"
    assert (claim.service_date_from, claim.service_date_to) == (date(2006, 3, 1), date(2006, 3, 1))
    assert claim.findings == ()


def test_multi_claim_imsweb_every_claim_with_dates_and_clearinghouse_trace() -> None:
    found = statuses("277_5010_x212_multi_claim_imsweb.txt", strict=False)
    assert [s.control_number for s in found] == [
        "12345", "12346", "12347", "12348", "12349", "12340", "12341", "12342",
    ]  # fmt: skip
    assert all(refs(s)["D9"] == s.control_number for s in found)
    assert [s.service_date_from for s in found[:2]] == [date(2020, 11, 13), date(2020, 8, 20)]
    assert {codes(s)[0][:3] for s in found} == {("2200D", "A1", "704")}
    # 704 is not in our claim status table: kept, with a warning on each claim at its STC.
    assert [finding_codes(s) for s in found[:3]] == [
        [("277_UNKNOWN_CODE", 12)],
        [("277_UNKNOWN_CODE", 25)],
        [("277_UNKNOWN_CODE", 38)],
    ]


def test_pending_stupidedi_iea_mismatch_is_read_when_lenient_and_refused_when_strict() -> None:
    (claim,) = statuses("277_5010_pending_iea_mismatch_stupidedi.txt", strict=False)
    assert (claim.state, claim.category.code) == (ClaimState.PENDING, "P5")
    assert claim.status is not None and claim.status.code == "3"
    assert (claim.total_charge, claim.control_number) == (Decimal("211"), "567812")
    assert refs(claim) == {"EJ": "567812", "D9": "56565656"}
    assert claim.references[1].qualifier.code == "D9"
    assert claim.service_date_from == claim.service_date_to == date(2019, 6, 1)
    assert claim.effective_date == date(2019, 6, 8)
    # IEA02 (267365555) is not ISA13 (269895334): a bookkeeping defect strict mode refuses.
    with pytest.raises(PayerProtocolError, match="inconsistent"):
        statuses("277_5010_pending_iea_mismatch_stupidedi.txt")


# --- X214 277CA fixtures ----------------------------------------------------------------------------


def test_277ca_accepted_imsweb_receiver_status_above_the_claim() -> None:
    receiver, claim = statuses("277CA_5010_accepted_imsweb.txt")
    assert receiver.level is StatusLevel.INFORMATION_RECEIVER
    assert codes(receiver) == [("2200B", "A1", "20", None, None)]
    assert receiver.total_charge == Decimal("125.0")
    assert codes(claim) == [("2200B", "A1", "20", None, None), ("2200D", "A2", "20", None, None)]
    assert (claim.category.code, claim.control_number) == ("A2", "5781")
    assert refs(claim) == {"1K": "1107000000014420"}
    assert claim.service_date_from == date(1001, 1, 1)  # DTP03 10010101 upstream, as sent


def test_277ca_rejected_imsweb_npi_of_the_billing_provider() -> None:
    receiver, claim = statuses("277CA_5010_rejected_imsweb.txt")
    assert receiver.total_charge == Decimal("199.14")
    assert codes(claim)[-1] == ("2200D", "A7", "562", "85", None)
    assert claim.entity is not None and claim.entity.description == "Billing Provider"
    assert refs(claim) == {"1K": "1107000000001120", "BLT": "731"}
    assert claim.service_date_from == date(2009, 3, 11)


def test_277ca_clearinghouse_stupidedi_line_rejection_with_stc10() -> None:
    receiver, doe, jane, vest = statuses("277CA_5010_clearinghouse_line_reject_stupidedi.txt")
    assert codes(receiver) == [("2200B", "A0", "16", "PR", None)]
    assert receiver.total_charge == Decimal("1000")
    assert (doe.state, doe.service_date_from, doe.service_date_to) == (
        ClaimState.ACKNOWLEDGED,
        date(2006, 1, 28),
        date(2006, 1, 31),
    )
    assert refs(doe) == {"1K": "22029500123407X"} and doe.total_charge == Decimal("200")
    assert jane.state is ClaimState.REJECTED
    assert codes(jane) == [
        ("2200B", "A0", "16", "PR", None),
        ("2200D", "A3", "21", "82", None),
        ("2220D", "A3", "122", None, None),  # STC01 of the line
        ("2220D", "A3", "153", "82", None),  # its STC10
    ]
    (line,) = jane.lines
    assert line.procedure is not None and line.procedure.code == "22305"
    assert (line.modifiers, line.charge, line.units) == (("22",), Decimal("350"), Decimal(1))
    assert [(r.qualifier.code, r.value) for r in line.references] == [("FJ", "11")]
    assert [s.line for s in line.statuses] == [1, 1]
    assert jane.service_date_from == date(2006, 1, 15)
    assert finding_codes(jane) == [("277_UNKNOWN_CODE", 30)]
    assert vest.status is not None and vest.status.code == "401"
    assert vest.total_charge == Decimal("300") and vest.control_number == "VEST0303"


def test_277ca_submitter_rejected_stupidedi_is_one_receiver_level_rejection() -> None:
    (receiver,) = statuses("277CA_5010_submitter_rejected_stupidedi.txt", strict=False)
    assert (receiver.level, receiver.state) == (
        StatusLevel.INFORMATION_RECEIVER,
        ClaimState.REJECTED,
    )
    assert codes(receiver) == [("2200B", "A3", "24", "41", None)]
    assert receiver.entity is not None and receiver.entity.description == "Submitter"
    (ack,) = parse_277ca(
        interchange("277CA_5010_submitter_rejected_stupidedi.txt"), PAYER, strict=False
    )
    assert (ack.accepted, ack.control_number) == (False, "20020131052389")
    assert [r.code for r in ack.reasons] == ["24"]
    with pytest.raises(PayerProtocolError):  # SE02 00002 is not ST02 0002
        statuses("277CA_5010_submitter_rejected_stupidedi.txt")


def test_277ca_payer_stupidedi_malformed_service_dates_are_findings() -> None:
    receiver, female, male, larry, mary, harriett = statuses(
        "277CA_5010_payer_some_rejected_stupidedi.txt"
    )
    assert codes(receiver) == [("2200B", "A1", "19", "PR", None)]
    assert receiver.total_charge == Decimal("365.5")
    # DTP*472*RD8*20060214: a range qualifier holding one date is read as that day, and said so.
    assert female.service_date_from == female.service_date_to == date(2006, 2, 14)
    assert finding_codes(female) == [("277_DATE_FORMAT_MISMATCH", 23)]
    # DTP*472*20090221: the qualifier is missing, so the date is in the wrong element: not read.
    assert male.service_date_from is None
    assert finding_codes(male) == [("277_DATE_UNREADABLE", 28)]
    assert male.findings[0].severity is FindingSeverity.ERROR
    assert male.findings[0].location == "loop 2200D, DTP03 (segment 28)"
    assert codes(male)[-1] == ("2200D", "A3", "187", "PR", None)
    assert codes(larry)[-1] == ("2200D", "A3", "21", "77", None)
    assert [refs(s).get("1K") for s in (mary, harriett)] == ["220216359806X", "220216359807X"]
    assert [s.total_charge for s in (female, male, larry, mary, harriett)] == [
        Decimal("100"), Decimal("65"), Decimal("100"), Decimal("50.5"), Decimal("50"),
    ]  # fmt: skip


def test_277ca_provider_rejected_stupidedi_keeps_the_provider_rejection() -> None:
    found = statuses("277CA_5010_provider_rejected_stupidedi.txt")
    levels = [s.level for s in found]
    assert levels == [
        StatusLevel.INFORMATION_RECEIVER,
        StatusLevel.PROVIDER,
        *[StatusLevel.CLAIM] * 5,
        StatusLevel.PROVIDER,
    ]
    king, reed = found[1], found[-1]
    assert codes(king)[-1] == ("2200C", "A1", "19", "PR", None) and king.total_charge == 305
    assert codes(found[2])[:2] == [
        ("2200B", "A1", "19", "PR", None),
        ("2200C", "A1", "19", "PR", None),
    ]
    assert (reed.state, reed.total_charge) == (ClaimState.REJECTED, Decimal("150"))
    assert codes(reed) == [("2200B", "A1", "19", "PR", None), ("2200C", "A3", "24", "85", None)]
    acks = parse_277ca(interchange("277CA_5010_provider_rejected_stupidedi.txt"), PAYER)
    assert [(a.control_number, a.accepted) for a in acks] == [
        ("PATIENT22222", True),
        ("PATIENT33333", False),
        ("JONES44444", False),
        ("JOHNSON55555", True),
        ("MILLS66666", True),
        ("00023456789", False),  # Dr. Reed's three claims, rejected as a whole at 2200C
    ]
    assert [r.code for r in acks[2].reasons] == ["116"]
    assert [r.code for r in acks[-1].reasons] == ["24"]


# --- broken parts ------------------------------------------------------------------------------------


def test_one_broken_claim_keeps_the_others() -> None:
    text = interchange("277CA_5010_payer_some_rejected_stupidedi.txt")
    text = text.replace("STC*A3:21:77*20060221*U*100", "STC*:21:77*2006022X*U*1O0")
    text = text.replace("STC*A2:20:PR*20060221*WQ*50.5", "STC*A2:20:PR:ZZ*20060221*WQ*50.5")
    found = parse_277(text, PAYER)
    assert [s.control_number for s in found[1:]] == [
        "PATIENT22222", "PATIENT33333", "JONES44444", "JOHNSON55555", "MILLS66666",
    ]  # fmt: skip
    larry, mary = found[3], found[4]
    # Larry's only STC has no category: his claim is kept (ids, dates), with no status.
    assert (larry.state, larry.category.code, larry.status) == (ClaimState.ERROR, "", None)
    assert larry.service_date_from == date(2006, 2, 11)
    assert [s.level for s in larry.statuses] == [StatusLevel.INFORMATION_RECEIVER]
    assert finding_codes(larry) == [
        ("277_DATE_UNREADABLE", 32),
        ("277_AMOUNT_UNREADABLE", 32),
        ("277_STATUS_UNREADABLE", 32),
        ("277_STATUS_MISSING", None),
    ]
    assert all(f.severity is FindingSeverity.ERROR for f in larry.findings)
    assert "1O0" not in " ".join(f.message for f in larry.findings)
    # Mary's status names a code list we do not carry: kept as sent, with a warning.
    assert mary.status is not None
    assert (mary.status.system, mary.status.code) == ("code-list-zz", "20")
    assert finding_codes(mary) == [("277_CODE_LIST_NOT_CARRIED", 37)]
    assert mary.total_charge == Decimal("50.5")
    acks = {a.control_number: a for a in parse_277ca(text, PAYER)}
    assert (acks["JONES44444"].accepted, acks["JONES44444"].reasons) == (False, ())
    assert acks["JONES44444"].status is not None
    assert len(acks["JONES44444"].status.findings) == 4
    assert [acks[c].accepted for c in ("PATIENT22222", "JOHNSON55555", "MILLS66666")] == [True] * 3
    # The claims around them are as in the intact file.
    assert [(s.category.code, s.findings) for s in (found[1], found[5])] == [
        ("A2", found[1].findings),
        ("A2", ()),
    ]


def test_broken_service_line_keeps_the_claim_and_the_other_line() -> None:
    text = interchange("277_5010_claim_level_lfh.x12").replace(
        "SVC*HC:99203*150.00*0.00****1.00",
        "SVC*HC:99203*150.00*0.00****1.00~STC*F2:88:QC*20050612~SVC**abc*0.00~STC*F1:65*20050612",
    )
    denied = parse_277(text, PAYER, strict=False)[2]  # SE01 no longer counts the lines
    first, second = denied.lines
    assert first.procedure is not None and first.charge == Decimal("150.00")
    assert (second.line, second.procedure, second.charge, second.paid) == (
        2,
        None,
        None,
        Decimal("0.00"),
    )
    # The second line's STC and the original line's STC and DTP that now follow it.
    assert [(s.line, s.category.code) for s in second.statuses] == [(2, "F1"), (2, "F2")]
    assert (first.service_date_from, second.service_date_from) == (None, date(2005, 5, 1))
    # The inserted segments share a line (a layout warning); the broken line is what matters here.
    assert [
        (f.code, f.location) for f in denied.findings if not f.code.startswith("X12_LAYOUT")
    ] == [
        ("277_SERVICE_LINE_UNREADABLE", "loop 2220E, SVC01 (segment 37)"),
        ("277_AMOUNT_UNREADABLE", "loop 2220E, SVC02 (segment 37)"),
    ]
    assert (denied.category.code, refs(denied)["1K"]) == ("F2", "051681010827")


def test_ncpdp_codes_at_the_line_level_and_unknown_ones() -> None:
    text = interchange("277_5010_claim_level_lfh.x12").replace(
        "STC*F2:88:QC*20050612~", "STC*F2:75::RX*20050612**150*0*****F2:07::RX*F2:ZQ9::RX~"
    )
    denied = parse_277(text, PAYER)[2]
    line_statuses = [s for s in denied.statuses if s.level is StatusLevel.SERVICE_LINE]
    assert [(s.status.system, s.status.code, s.status.description) for s in line_statuses if s.status] == [
        ("ncpdp-reject", "75", "Prior Authorization Required"),
        ("ncpdp-reject", "7", "M/I Cardholder ID"),  # sent as 07
        ("ncpdp-reject", "ZQ9", "ncpdp-reject code ZQ9 (not in the gateway's table)"),
    ]  # fmt: skip
    assert [(f.code, f.message) for f in denied.findings] == [
        (
            "277_UNKNOWN_CODE",
            "STC11-2 ncpdp-reject code ZQ9 is not in the gateway's table; kept as sent",
        )
    ]


# --- GraphQL -------------------------------------------------------------------------------------------


def test_graphql_claim_status_shows_levels_references_lines_and_findings() -> None:
    found = statuses("277CA_5010_clearinghouse_line_reject_stupidedi.txt")

    @strawberry.type
    class Query:
        @strawberry.field
        def status(self) -> ClaimStatusType:
            return found[2]  # type: ignore[return-value]

    schema = strawberry.Schema(query=Query, config=schema_config())
    result = schema.execute_sync(
        """{ status { state level serviceDateFrom serviceDateTo
            references { qualifier { code description } value }
            statuses { level loop line category { code } status { code system }
                       entity { code description } codeList { code } totalCharge }
            lines { line procedure { code } modifiers charge units statuses { loop line }
                    references { qualifier { code } value } }
            findings { code severity segment location } } }"""
    )
    assert result.errors is None
    data = result.data["status"]  # type: ignore[index]
    assert (data["state"], data["level"]) == ("REJECTED", "CLAIM")
    assert (data["serviceDateFrom"], data["serviceDateTo"]) == ("2006-01-15", "2006-01-15")
    assert data["references"] == []
    assert [(s["level"], s["loop"], s["line"]) for s in data["statuses"]] == [
        ("INFORMATION_RECEIVER", "2200B", None),
        ("CLAIM", "2200D", None),
        ("SERVICE_LINE", "2220D", 1),
        ("SERVICE_LINE", "2220D", 1),
    ]
    assert data["statuses"][1]["entity"] == {"code": "82", "description": "Rendering Provider"}
    assert data["statuses"][0]["totalCharge"] == "1000"
    assert data["lines"] == [
        {
            "line": 1,
            "procedure": {"code": "22305"},
            "modifiers": ["22"],
            "charge": "350",
            "units": "1",
            "statuses": [{"loop": "2220D", "line": 1}, {"loop": "2220D", "line": 1}],
            "references": [{"qualifier": {"code": "FJ"}, "value": "11"}],
        }
    ]
    assert data["findings"] == [
        {
            "code": "277_UNKNOWN_CODE",
            "severity": "WARNING",
            "segment": 30,
            "location": "loop 2220D, STC01 (segment 30)",
        }
    ]


def test_the_detail_survives_the_response_cache_pickle() -> None:
    """The Redis response cache pickles answers: the new frozen slots classes must round-trip."""
    found = statuses("277CA_5010_clearinghouse_line_reject_stupidedi.txt")
    again = pickle.loads(pickle.dumps(found))
    assert again == found
    assert again[2].lines[0].statuses[1].entity == found[2].lines[0].statuses[1].entity
