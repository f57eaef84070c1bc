"""REST JSON for coverage found by demographics and for other coverage a payer reports (COB).

A discovery answer is ``{"coverages": [{"memberId", "plan", "relationship", "person"}]}``, where
``person`` (optional) is who the payer matched as its records state them: ``firstName``,
``lastName``, ``birthDate``, ``gender``, ``postalCode``. An eligibility answer may carry
``otherCoverage``: ``[{"payerName", "payerId", "memberId", "startDate", "endDate"}]``.
"""

from __future__ import annotations

from typing import Any

from payers.model import Demographics, DiscoveredCoverage, OtherCoverage, SubscriberRelation
from payers.rest.fields import WireError, day, get, opt_day, opt_text, text


def discovered(data: Any, payer_id: str) -> DiscoveredCoverage:
    from payers.rest.wire import plan  # imported here: wire imports this module for COB

    relation = opt_text(data, "relationship") or "SELF"
    try:
        relation_value = SubscriberRelation(relation.lower())
    except ValueError as exc:
        raise WireError(f"'relationship' has an unknown value {relation!r}") from exc
    person = get(data, "person")
    return DiscoveredCoverage(
        payer_id=payer_id,
        member_id=text(data, "memberId"),
        plan=plan(get(data, "plan")),
        relation=relation_value,
        person=None if person is None else _person(person),
    )


def _person(data: Any) -> Demographics:
    return Demographics(
        first_name=text(data, "firstName"),
        last_name=text(data, "lastName"),
        birth_date=day(data, "birthDate"),
        gender=opt_text(data, "gender"),
        postal_code=opt_text(data, "postalCode"),
    )


def other_coverage(data: Any) -> OtherCoverage:
    return OtherCoverage(
        payer_name=text(data, "payerName"),
        payer_id=opt_text(data, "payerId"),
        member_id=opt_text(data, "memberId"),
        start=opt_day(data, "startDate"),
        end=opt_day(data, "endDate"),
    )


def person_json(who: Demographics | None) -> dict[str, Any] | None:
    if who is None:
        return None
    return {
        "firstName": who.first_name,
        "lastName": who.last_name,
        "birthDate": who.birth_date.isoformat(),
        "gender": who.gender,
        "postalCode": who.postal_code,
    }


def other_coverage_json(other: OtherCoverage) -> dict[str, Any]:
    return {
        "payerName": other.payer_name,
        "payerId": other.payer_id,
        "memberId": other.member_id,
        "startDate": other.start.isoformat() if other.start else None,
        "endDate": other.end.isoformat() if other.end else None,
    }
