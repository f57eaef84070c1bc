"""Coverage discovery per protocol, adapter against its sandbox payer (REST, FHIR, X12)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest

from payers.contract import Capability, PayerRejected, SupportsCoverageDiscovery
from payers.model import Demographics, MemberQuery
from tests.discovery.sandboxes import BY_PROTOCOL, WORLD, Sandbox, sandbox, who

PEOPLE = WORLD.people


@pytest.fixture(params=sorted(BY_PROTOCOL))
async def payer(request: pytest.FixtureRequest) -> AsyncIterator[Sandbox]:
    async with sandbox(BY_PROTOCOL[request.param]) as found:
        yield found


def discoverer(payer: Sandbox) -> SupportsCoverageDiscovery:
    assert Capability.COVERAGE_DISCOVERY in type(payer.adapter).capabilities
    return payer.adapter  # type: ignore[return-value]


async def test_every_protocol_finds_quincy_or_not_by_its_book(payer: Sandbox) -> None:
    quincy = PEOPLE["quincy"]
    found = await discoverer(payer).discover_coverage(who(quincy, zip_code=True))
    expected = [m.member_id for m in payer.book.members.values() if m.person.key == "quincy"]
    assert [c.member_id for c in found] == expected
    for coverage in found:
        assert coverage.payer_id == payer.book.key
        assert coverage.person is not None
        assert (coverage.person.first_name, coverage.person.last_name) == ("Quincy", "Twofold")
        assert coverage.person.birth_date == quincy.birth_date
        assert coverage.person.postal_code == quincy.postal_code
        assert coverage.plan is not None and coverage.plan.group_number


async def test_nobody_is_found_nowhere(payer: Sandbox) -> None:
    assert list(await discoverer(payer).discover_coverage(who(PEOPLE["norma"]))) == []


async def test_a_wrong_birth_date_finds_nothing(payer: Sandbox) -> None:
    quincy = PEOPLE["quincy"]
    asked = Demographics("Quincy", "Twofold", date(quincy.birth_date.year - 1, 1, 1))
    assert list(await discoverer(payer).discover_coverage(asked)) == []


@pytest.mark.parametrize("key", ["lakeshore", "northwind"])  # summit has no ended member
async def test_an_ended_coverage_is_not_found(key: str) -> None:
    async with sandbox(key) as payer:
        ended = next(m for m in payer.book.members.values() if not m.active and m.plan.end)
        assert list(await discoverer(payer).discover_coverage(who(ended.person))) == []


@pytest.mark.parametrize("protocol", ["rest", "x12"])
async def test_a_first_name_variant_finds_the_member_with_the_payers_name(protocol: str) -> None:
    async with sandbox(BY_PROTOCOL[protocol]) as payer:
        found = await discoverer(payer).discover_coverage(
            who(PEOPLE["quincy"] if protocol == "x12" else PEOPLE["jordan"], first_name="Quin")
            if protocol == "x12"
            else who(PEOPLE["jordan"], first_name="Jordon")
        )
    names = sorted(c.person.first_name for c in found if c.person)
    assert names == (["Quincy"] if protocol == "x12" else ["Jordan", "Jordyn"])


async def test_rest_answers_both_twins_exact_first() -> None:
    async with sandbox("lakeshore") as payer:
        found = await discoverer(payer).discover_coverage(who(PEOPLE["jordan"]))
    assert [c.member_id for c in found] == ["LHP640118273", "LHP640118281"]


async def test_x12_picks_the_exact_twin_and_refuses_an_ambiguous_search() -> None:
    async with sandbox("summit") as payer:
        adapter = discoverer(payer)
        [jordan] = await adapter.discover_coverage(who(PEOPLE["jordan"]))
        assert jordan.member_id == "SHA640552817"
        with pytest.raises(PayerRejected) as refused:
            await adapter.discover_coverage(who(PEOPLE["jordan"], first_name="Jordon"))
    assert [r.code.code for r in refused.value.reasons] == ["76"]


async def test_x12_270_carries_no_member_id() -> None:
    async with sandbox("summit") as payer:
        await discoverer(payer).discover_coverage(who(PEOPLE["quincy"]))
        sent = payer.adapter.exchanges[-1].request  # type: ignore[attr-defined]
    segments = sent.replace("\n", "").split("~")
    [subscriber] = [s for s in segments if s.startswith("NM1*IL")]
    assert subscriber.rstrip("*") == "NM1*IL*1*Twofold*Quincy"
    assert any(s.startswith("DMG*D8*") and s.endswith("*M") for s in segments)


@pytest.mark.parametrize(
    ("key", "person", "other"),
    [
        ("summit", "olive", ("Cascade Mutual Insurance", "CMI77", "CMI8842017701")),
        ("cascade", "olive", ("Summit Health Alliance", "SHA12", "SHA815530462")),
        ("northwind", "quincy", ("Summit Health Alliance", "SHA12", "SHA772045139")),
    ],
)
async def test_eligibility_names_the_other_payer_per_protocol(
    key: str, person: str, other: tuple[str, str, str]
) -> None:
    async with sandbox(key) as payer:
        member = next(m for m in payer.book.members.values() if m.person.key == person)
        query = MemberQuery(
            member.member_id,
            member.person.first_name,
            member.person.last_name,
            member.person.birth_date,
        )
        result = await payer.adapter.check_eligibility(query, ["30"], date.today())  # type: ignore[attr-defined]
    assert result.active
    [found] = result.other_coverage
    assert (found.payer_name, found.payer_id, found.member_id) == other
    assert found.start == date(date.today().year - 2, 1, 1)
