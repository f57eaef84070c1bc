"""The notebook client against a running gateway over HTTP: frames typed right, totals equal to the
ledger to the cent, cursors followed to the end, and the gateway's refusals as typed errors."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest
from sqlalchemy import func, select

from gateway.storage.batch_tables import EligibilityCheck
from gateway.storage.claims_tables import SubmittedClaim
from gateway.storage.ledger_tables import RemittanceAdjustment, RemittanceClaim
from tests.client.conftest import (
    ELIGIBILITY_CHECKS,
    RATE_BURST,
    HistoryGateway,
    history_in_schema,
)

if not history_in_schema():  # until the History part is merged: the client reads its connections
    pytest.skip("claimHistory is not in the schema yet", allow_module_level=True)

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
from payer_gateway_client import (  # noqa: E402
    AuthenticationRefused,
    Gateway,
    InvalidRequest,
    RateLimited,
    ScopeForbidden,
)

MONEY = pd.ArrowDtype(pa.decimal128(14, 2))
DAY = pd.ArrowDtype(pa.date32())
CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def analyst(history_gateway: HistoryGateway):  # type: ignore[no-untyped-def]
    with Gateway(history_gateway.url, history_gateway.analyst_key) as gateway:
        yield gateway


def _sum(values) -> Decimal:  # type: ignore[no-untyped-def]
    return sum((Decimal(v) for v in values if v is not None), Decimal("0.00"))


def test_the_seeded_history_is_a_practice_s_months(history_gateway: HistoryGateway) -> None:
    seeded = history_gateway.seeded
    assert seeded.accepted >= 120 and seeded.refused == 0
    assert seeded.remittances >= 60


def test_claims_frame_pandas_types_and_totals_equal_the_ledger(
    history_gateway: HistoryGateway, analyst: Gateway
) -> None:
    frame = analyst.claims_frame()
    assert frame["total_charge"].dtype == MONEY
    assert frame["paid"].dtype == MONEY
    assert frame["service_from"].dtype == DAY
    assert isinstance(frame["payer_id"].dtype, pd.CategoricalDtype)
    assert isinstance(frame["state"].dtype, pd.CategoricalDtype)
    assert str(frame["recorded_at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert isinstance(frame["service_from"].iloc[0], date)
    assert frame["claim_history_id"].is_unique

    submitted = frame[frame["source"] == "SUBMITTED_BY_GATEWAY"]
    [(count, charged)] = history_gateway.ledger(
        select(func.count(), func.sum(SubmittedClaim.total_charge)).where(
            SubmittedClaim.practice_id == history_gateway.practice_id
        )
    )
    assert len(submitted) == count
    total = submitted["total_charge"].sum()
    assert isinstance(total, Decimal)
    assert total == Decimal(charged).quantize(CENT)
    # An analyst's key holds no phi:read: no names, birth dates or member ids, a pseudonym instead.
    assert not {"member_id", "first_name", "last_name", "birth_date"} & set(frame.columns)
    assert submitted["patient_key"].notna().all()


def test_payments_and_adjustments_frames_equal_the_ledger_to_the_cent(
    history_gateway: HistoryGateway, analyst: Gateway
) -> None:
    payments = analyst.payments_frame()
    practice = history_gateway.practice_id
    [(count, paid, charged)] = history_gateway.ledger(
        select(
            func.count(), func.sum(RemittanceClaim.paid), func.sum(RemittanceClaim.charge)
        ).where(RemittanceClaim.practice_id == practice)
    )
    assert len(payments) == count and payments["claim_payment_id"].is_unique
    assert payments["paid"].dtype == MONEY and payments["payment_date"].dtype == DAY
    assert payments["paid"].sum() == Decimal(paid).quantize(CENT)
    assert payments["charge"].sum() == Decimal(charged).quantize(CENT)

    adjustments = analyst.adjustments_frame()
    rows = history_gateway.ledger(
        select(
            RemittanceAdjustment.group_code,
            RemittanceAdjustment.reason_code,
            func.count(),
            func.sum(RemittanceAdjustment.amount),
        )
        .join(RemittanceClaim, RemittanceClaim.id == RemittanceAdjustment.remittance_claim_id)
        .where(RemittanceClaim.practice_id == practice)
        .group_by(RemittanceAdjustment.group_code, RemittanceAdjustment.reason_code)
    )
    ledger = {(g, r): (n, Decimal(a).quantize(CENT)) for g, r, n, a in rows}
    grouped = adjustments.groupby(["group_code", "reason_code"], observed=True)["amount"]
    ours = {(str(g), str(r)): (len(values), values.sum()) for (g, r), values in grouped}
    assert ours == ledger
    assert ("CO", "45") in ours  # the contractual write-down every paid claim carries


def test_polars_frames_carry_decimal_date_and_categorical(analyst: Gateway) -> None:
    claims = analyst.claims_frame(engine="polars")
    assert claims.schema["total_charge"] == pl.Decimal(14, 2)
    assert claims.schema["service_from"] == pl.Date
    assert claims.schema["payer_id"] == pl.Categorical
    payments = analyst.payments_frame(engine="polars")
    pandas_total = analyst.payments_frame()["paid"].sum()
    assert payments["paid"].sum() == pandas_total


def test_cursors_are_followed_to_the_end(analyst: Gateway) -> None:
    whole = analyst.claim_history(page_size=100)
    # Small pages: more requests than the key's burst, so waiting out a 429 is exercised too.
    paged = analyst.claim_history(page_size=4)
    assert [n["id"] for n in paged] == [n["id"] for n in whole]
    count = analyst.query("{ claimHistory(first: 1) { totalCount } }")["claimHistory"]["totalCount"]
    assert len(whole) == count > 100


def test_filters_narrow_the_history(analyst: Gateway) -> None:
    summit = analyst.claims_frame(payers="summit")
    assert len(summit) and set(summit["payer_id"].astype(str)) == {"summit"}
    authorization = analyst.claims_frame(denial_reasons=["197"])
    assert len(authorization)
    assert all("-197" in reasons for reasons in authorization["denial_reasons"])
    recent = analyst.payments_frame(paid_from=date(2026, 11, 1))
    assert (recent["payment_date"] >= date(2026, 11, 1)).all()


def test_refusals_are_typed_with_the_gateway_s_codes(history_gateway: HistoryGateway) -> None:
    with Gateway(history_gateway.url, "pgw_not-a-key") as stranger:
        with pytest.raises(AuthenticationRefused) as refused:
            stranger.query("{ payers { id } }")
    assert (refused.value.code, refused.value.status) == ("UNAUTHENTICATED", 401)
    assert refused.value.request_id

    with Gateway(history_gateway.url, history_gateway.claims_only_key) as claims_only:
        with pytest.raises(ScopeForbidden) as forbidden:
            claims_only.payments_frame()
        assert forbidden.value.code == "FORBIDDEN"
        assert forbidden.value.paths == [["remittanceHistory"]]
        with pytest.raises(InvalidRequest) as invalid:
            claims_only.query(
                "query($n: Int!) { claimHistory(first: $n) { totalCount } }", {"n": "many"}
            )
        assert invalid.value.variable == "n"
        with pytest.raises(InvalidRequest) as unknown:
            claims_only.query("{ claimHistory(first: 1) { noSuchField } }")
        assert unknown.value.code == "GRAPHQL_VALIDATION_FAILED"


def test_rate_limited_says_when_to_retry(history_gateway: HistoryGateway) -> None:
    with Gateway(history_gateway.url, history_gateway.spare_key, rate_limit_retries=0) as hurried:
        with pytest.raises(RateLimited) as limited:
            for _ in range(RATE_BURST + 5):
                hurried.query("{ payers { id } }")
    assert limited.value.code == "RATE_LIMITED" and limited.value.status == 429
    assert limited.value.retry_after is not None and limited.value.retry_after >= 1


def test_eligibility_frame_types_rows_and_filters(history_gateway: HistoryGateway) -> None:
    with Gateway(history_gateway.url, history_gateway.eligibility_key) as gateway:
        frame = gateway.eligibility_frame()
        failed = gateway.eligibility_frame(outcomes="FAILED", engine="polars")
    [(stored,)] = history_gateway.ledger(
        select(func.count()).where(EligibilityCheck.practice_id == history_gateway.practice_id)
    )
    assert len(frame) == stored == len(ELIGIBILITY_CHECKS)
    assert frame["check_id"].is_unique
    assert frame["deductible_remaining"].dtype == MONEY
    assert frame["as_of"].dtype == DAY
    assert str(frame["checked_at"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert isinstance(frame["outcome"].dtype, pd.CategoricalDtype)
    assert list(frame["checked_at"]) == sorted(frame["checked_at"], reverse=True)
    assert sorted(frame["outcome"].astype(str)) == ["ACTIVE", "ACTIVE", "FAILED", "INACTIVE"]
    answered = frame[frame["outcome"] != "FAILED"]
    assert set(answered["deductible_remaining"]) == {Decimal("820.10")}
    assert set(answered["out_of_pocket_remaining"]) == {Decimal("2500.55")}
    assert failed.height == 1 and failed["error_code"].to_list() == ["MEMBER_NOT_FOUND"]
    with Gateway(history_gateway.url, history_gateway.analyst_key) as analyst:
        with pytest.raises(ScopeForbidden):
            analyst.eligibility_frame()
