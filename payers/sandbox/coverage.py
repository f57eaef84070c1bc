"""Who is covered where: the four sandbox payers and their members (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payers.model import SubscriberRelation


@dataclass(frozen=True, slots=True)
class BookSpec:
    key: str
    name: str
    protocol: str
    payer_number: str
    claim_id_prefix: str
    plan_number: str
    build_order: (
        int  # primaries' claims are priced before the secondaries that cross over from them
    )


@dataclass(frozen=True, slots=True)
class MemberSpec:
    person: str
    member_id: str
    group: tuple[str, str]  # group number, group name
    order: int = 1
    coverage: str = (
        "2"  # years since the plan started, "ended" (terminated), "lapsed" (ended last month)
        # or "new" (just started)
    )
    family: bool = False
    relation: SubscriberRelation = SubscriberRelation.SELF
    subscriber: str | None = None  # person key of the subscriber when not self
    subscriber_member_id: str | None = None
    on_file: bool = True  # False: the practice has no card for it (found by coverage discovery)
    other_coverage: tuple[str, str] | None = None  # (payer key, member id) this payer reports (COB)
    used_percent: int | None = (
        None  # of the in-network deductible and out-of-pocket max (else seeded)
    )
    # what the practice typed from the card, when it differs from the payer's member id (a typo)
    practice_member_id: str | None = None
    # the employer group the member moved to on the first of this month (same member id)
    moved_to_group: tuple[str, str] | None = None
    # in-network individual deductible used this year, when the test data fixes it
    deductible_used: str | None = None


def payer_claim_id(prefix: str, received: date, sequence: int) -> str:
    """A payer's claim id: its prefix, the receipt date as YYDDD (Julian), a 5-digit sequence."""
    return f"{prefix}{received:%y%j}{sequence:05d}"


BOOKS: tuple[BookSpec, ...] = (
    BookSpec("lakeshore", "Lakeshore Health Plan", "rest", "LKS01", "LK", "LHP-PPO-1500", 1),
    BookSpec("cascade", "Cascade Mutual Insurance", "rest", "CMI77", "CM", "CMI-GOLD-PPO", 0),
    BookSpec("northwind", "Northwind Blue", "fhir", "NWB42", "NW", "NWB-ADV-PPO", 1),
    BookSpec("summit", "Summit Health Alliance", "x12", "SHA12", "SH", "SHA-PPO-3000", 2),
)

_ELMRIDGE_SCHOOLS = ("G40877", "Elmridge Public Schools")
_RIVERBEND = ("G51230", "Riverbend Manufacturing Co")
_HOSPITAL = ("884210", "Elmridge Regional Medical Center")
_HERON = ("0072215", "Heron Logistics LLC")
_INDIVIDUAL = ("SHA7710", "Summit Individual and Family")
_QUILLFEATHER = ("0081340", "Quillfeather Press Inc")

MEMBERS: dict[str, tuple[MemberSpec, ...]] = {
    "lakeshore": (
        MemberSpec("harriet", "LHP481920337", _ELMRIDGE_SCHOOLS, coverage="6"),
        MemberSpec("oscar", "LHP205517604", _ELMRIDGE_SCHOOLS, family=True, coverage="4"),
        MemberSpec(
            "lily",
            "LHP205517612",
            _ELMRIDGE_SCHOOLS,
            family=True,
            coverage="4",
            relation=SubscriberRelation.CHILD,
            subscriber="oscar",
            subscriber_member_id="LHP205517604",
        ),
        MemberSpec("felix", "LHP733018452", _RIVERBEND, order=2, family=True),
        MemberSpec("samuel", "LHP562200981", _ELMRIDGE_SCHOOLS, coverage="ended"),
        MemberSpec("jordan", "LHP640118273", _RIVERBEND, on_file=False),
        MemberSpec("jordyn", "LHP640118281", _RIVERBEND, on_file=False),
        MemberSpec("quinn", "LHP640318827", _RIVERBEND, used_percent=0),  # deductible not met
        MemberSpec("victor", "LHP640318835", _RIVERBEND, order=2),  # secondary to Summit
        # Hank's employer dropped the plan at the end of last month: inactive, with its end date
        MemberSpec("hank", "LHP318805526", _RIVERBEND, coverage="lapsed"),
    ),
    "cascade": (
        MemberSpec("maya", "CMI5520781401", _HOSPITAL, coverage="3"),
        MemberSpec("felix", "CMI6139024401", _HOSPITAL, family=True, coverage="5"),
        MemberSpec("wanda", "CMI7004418201", _HOSPITAL, family=True),
        MemberSpec("nora", "CMI3387105601", _HOSPITAL, coverage="ended"),
        MemberSpec(
            "olive",
            "CMI8842017701",
            _HOSPITAL,
            order=2,
            on_file=False,
            other_coverage=("summit", "SHA815530462"),
        ),
        MemberSpec("odette", "CMI8820417701", _HOSPITAL, used_percent=100),  # out-of-pocket max met
        # Elsie has met little of her deductible yet: $1,000 in network, $180 used
        MemberSpec("elsie", "CMI4471902301", _HOSPITAL, deductible_used="180.00"),
    ),
    "northwind": (
        MemberSpec("theo", "NWB700314562", _HERON, family=True, coverage="3"),
        MemberSpec("greta", "NWB118830574", _HERON, coverage="ended"),
        MemberSpec("ivan", "NWB902741186", _HERON, coverage="7"),
        MemberSpec("wanda", "NWB455120937", _HERON, order=2, family=True),
        MemberSpec(
            "quincy",
            "NWB361905528",
            _HERON,
            on_file=False,
            other_coverage=("summit", "SHA772045139"),
        ),
        MemberSpec("ruth", "NWB330958214", _HERON),  # an office visit: the copay only
        # Rosa changed jobs: from the first of this month her new employer's group covers her
        MemberSpec("rosa", "NWB660218843", _HERON, coverage="3", moved_to_group=_QUILLFEATHER),
    ),
    "summit": (
        MemberSpec("priya", "SHA300917265", _INDIVIDUAL, family=True, coverage="1"),
        MemberSpec("theo", "SHA418822390", _INDIVIDUAL, order=2, family=True, coverage="1"),
        MemberSpec("harriet", "SHA227710448", _INDIVIDUAL, order=2, coverage="2"),
        MemberSpec("nora", "SHA509381274", _INDIVIDUAL, coverage="new"),
        MemberSpec("quincy", "SHA772045139", _INDIVIDUAL, order=2, on_file=False),
        MemberSpec("jordan", "SHA640552817", _INDIVIDUAL, order=2, on_file=False),
        MemberSpec("jordyn", "SHA640552825", _INDIVIDUAL, order=2, on_file=False),
        MemberSpec(
            "olive", "SHA815530462", _INDIVIDUAL, other_coverage=("cascade", "CMI8842017701")
        ),
        # An ended X12 coverage the practice never held (its 271 states the end date).
        MemberSpec("greta", "SHA118830582", _INDIVIDUAL, coverage="ended", on_file=False),
        MemberSpec(
            "victor", "SHA771204356", _INDIVIDUAL, coverage="3"
        ),  # primary; Lakeshore second
        # the practice typed Dario's member id with two digits swapped: the payer finds no one
        MemberSpec("dario", "SHA604418273", _INDIVIDUAL, practice_member_id="SHA604418237"),
        # Petra's knee rehab (97110) needs prior authorization at Summit
        MemberSpec("petra", "SHA712093358", _INDIVIDUAL, coverage="1"),
    ),
}
