"""Envelopes: reading ISA/GS/ST, refusing damaged interchanges, building with pyx12's writer."""

from __future__ import annotations

from datetime import datetime

import pytest

from payers.contract import PayerProtocolError
from payers.x12.envelope import read_interchanges, transactions
from payers.x12.outgoing import (
    Composite,
    ControlNumbers,
    ControlNumberSequence,
    Parties,
    Repeated,
    build_interchange,
    map_errors,
)

GOOD = "835_5010_managed_care_lfh.x12"


def test_reads_headers_and_delimiters(corpus, payer_id):
    (interchange,) = read_interchanges(corpus(GOOD), payer_id)
    assert interchange.control_number == "000000907"
    assert (interchange.sender_qualifier, interchange.sender_id) == ("30", "000000005")
    assert interchange.version == "00501"
    assert interchange.usage == "T"
    assert (interchange.delimiters.element, interchange.delimiters.component) == ("*", ":")
    assert interchange.delimiters.repetition == "^"
    (group,) = interchange.groups
    assert (group.functional_id, group.version, group.control_number) == ("HP", "005010X221A1", "1")
    (transaction,) = group.transactions
    assert (transaction.code, transaction.control_number) == ("835", "112233")
    assert len(transaction.segments) == 24  # SE01=26 counts ST and SE too
    assert transaction.segments[0].id == "BPR"


@pytest.mark.parametrize(
    ("name", "element", "component", "repetition"),
    [
        ("271_5010_rich_eb_pipe_zentist.txt", "|", "^", "}"),  # CRLF, pipes
        ("277CA_5010_rejected_imsweb.txt", "*", "|", "^"),  # single line
        ("835_5010_uhc_gt_component_keironstoddart.txt", "*", ">", "^"),
        ("271_4010_rich_eb_tigershark.txt", "|", "^", None),  # 4010: no repetition separator
    ],
)
def test_honours_each_files_delimiters(corpus, payer_id, name, element, component, repetition):
    (interchange,) = read_interchanges(corpus(name), payer_id, strict=False)
    d = interchange.delimiters
    assert (d.element, d.component, d.repetition) == (element, component, repetition)


def test_terminator_at_start_of_lines_is_repaired(corpus, payer_id):
    text = corpus("835_4010_plb_lq_leading_terminator_tigershark.txt")
    (interchange,) = read_interchanges(text, payer_id, strict=False)
    (transaction,) = interchange.transactions("835")
    assert transaction.segments[0].id == "BPR"
    assert transaction.segments[-1].id == "PLB"
    # upstream SE01 says 43 for 47 segments: a real defect, kept when lenient, refused when strict
    assert interchange.defects == ("SE count of 43 for SE02=0001 is wrong. I count 47",)
    with pytest.raises(PayerProtocolError, match="SE count of 43"):
        read_interchanges(text, payer_id)


def test_no_envelope_is_a_protocol_error(corpus, payer_id):
    with pytest.raises(
        PayerProtocolError, match="must start with an ISA segment, found 'ST\\*'"
    ) as e:
        read_interchanges(corpus("835_5010_no_envelope_keironstoddart.txt"), payer_id)
    assert e.value.payer_id == payer_id
    assert e.value.code == "PAYER_PROTOCOL_ERROR"


def test_missing_segment_terminator_is_fatal_even_when_lenient(corpus, payer_id):
    text = corpus("271_5010_in_out_network_malformed_zentist.txt")
    with pytest.raises(PayerProtocolError, match=r"segment 46 \(EB\) contains a line break"):
        read_interchanges(text, payer_id, strict=False)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("271_5010_aaa_provider_rejection_lfh.x12", "SE id=4323 does not match ST id=4321"),
        ("835_5010_institutional_denial_zentist.txt", "SE id=0001 does not match ST id=1234"),
        (
            "271_4010_related_entity_tigershark.txt",
            "SE count of 77 for SE02=0001 is wrong. I count 62",
        ),
        (
            "277_5010_x212_multi_claim_imsweb.txt",
            "IEA id=842928883 does not match ISA id=000000001",
        ),
        ("271_4010_dependent_benefits_tigershark.txt", "GE id=0931 does not match GS id=410"),
    ],
)
def test_wrong_counts_and_control_numbers(corpus, payer_id, name, message):
    with pytest.raises(PayerProtocolError, match="envelope is inconsistent") as e:
        read_interchanges(corpus(name), payer_id)
    assert message in e.value.message
    (lenient,) = read_interchanges(corpus(name), payer_id, strict=False)
    assert message in lenient.defects


def test_wrong_se_count_in_a_good_file(corpus, payer_id):
    text = corpus(GOOD).replace("SE*26*112233", "SE*25*112233")
    with pytest.raises(
        PayerProtocolError, match=r"SE count of 25 for SE02=112233 is wrong\. I count 26"
    ):
        read_interchanges(text, payer_id)


@pytest.mark.parametrize("cut", [50, 400, -30, -3])
def test_truncated_interchange(corpus, payer_id, cut):
    text = corpus(GOOD)[:cut]
    with pytest.raises(PayerProtocolError, match=r"truncated|missing"):
        read_interchanges(text, payer_id)


def test_missing_trailer_names_it(corpus, payer_id):
    text = corpus(GOOD).replace("GE*1*1~\n", "")
    with pytest.raises(PayerProtocolError, match="damaged"):
        read_interchanges(text, payer_id)


def test_unknown_isa_version_is_read_by_the_transactions_own(corpus, payer_id):
    text = corpus(GOOD).replace("*00501*", "*00601*", 1)
    [interchange] = read_interchanges(text, payer_id)
    [transaction] = interchange.transactions("835")
    assert interchange.version == "00601"
    assert [f.code for f in transaction.findings] == ["X12_VERSION_UNKNOWN"]
    assert "read as 00501" in transaction.findings[0].message


def test_wrong_transaction_type(corpus, payer_id):
    with pytest.raises(PayerProtocolError, match="expected an X12 271 transaction, found 835"):
        transactions(corpus(GOOD), payer_id, "271")


def test_build_writes_counts_and_cleans_delimiters(payer_id):
    text = build_interchange(
        Parties("CLINIC01", "PAYER01", usage="T"),
        ControlNumbers.from_number(1234),
        functional_id="HS",
        transaction_code="270",
        implementation="005010X279A1",
        body=[
            ("BHT", "0022", "13", "T1", "20250303", "0930"),
            ("NM1", "IL", "1", "O*NEIL~", "ANN:MARIE"),
            ("EQ", Repeated("30", "98")),
            ("SV1", Composite("HC", "99213", "25", "")),
        ],
        created=datetime(2025, 3, 3, 9, 30),
    )
    assert "NM1*IL*1*O NEIL*ANN MARIE~" in text
    assert "EQ*30^98~" in text
    assert "SV1*HC:99213:25~" in text
    assert "SE*6*000001234~" in text
    assert text.rstrip().endswith("IEA*1*000001234~")
    (interchange,) = read_interchanges(text, payer_id)
    assert interchange.control_number == "000001234"
    assert interchange.groups[0].control_number == "1234"
    assert map_errors(text) is None  # pyx12 has no X279A1 map


def test_control_number_sequence_is_monotonic_and_resumable():
    sequence = ControlNumberSequence("CLINIC01", last=41)
    assert sequence.next() == ControlNumbers("000000042", "42", "000000042")
    assert sequence.next().interchange == "000000043"
    assert sequence.last == 43
    assert ControlNumberSequence("CLINIC01", last=999_999_999).next().interchange == "000000001"
    assert ControlNumberSequence("CLINIC01").last > 0  # seeded from the clock


def test_control_numbers_derived_from_claim_are_stable():
    first = ControlNumbers.for_claim("RFM-2025-0001")
    assert first == ControlNumbers.for_claim("RFM-2025-0001")
    assert first != ControlNumbers.for_claim("RFM-2025-0002")
    assert len(first.interchange) == 9 and first.interchange.isdigit()
