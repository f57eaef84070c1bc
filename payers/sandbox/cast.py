"""The sandbox's fictitious people and practices, all in the made-up town of Elmridge, Ohio.

Names are deliberately implausible ("Example", "Sample", "Placeholder") so nobody mistakes sandbox
data for a real patient. Birth dates are computed from ``today`` so everyone keeps their age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payers.sandbox.npi import make_npi


@dataclass(frozen=True, slots=True)
class SandboxPerson:
    """A fictitious patient as the practice and the payers know them."""

    key: str
    first_name: str
    last_name: str
    birth_date: date
    gender: str  # "F" | "M" (X12 DMG03 / FHIR administrative gender initial)
    address1: str
    city: str
    state: str
    postal_code: str
    phone: str


@dataclass(frozen=True, slots=True)
class SandboxProvider:
    """A fictitious billing or rendering provider."""

    key: str
    name: str
    npi: str
    tax_id: str | None = None
    taxonomy: str | None = None
    address1: str = "400 Commerce Way"
    city: str = "Elmridge"
    state: str = "OH"
    postal_code: str = "43999"


CITY, STATE = "Elmridge", "OH"

# key, first, last, age, (month, day), gender, street, zip, phone suffix
_PEOPLE: tuple[tuple[str, str, str, int, tuple[int, int], str, str, str, str], ...] = (
    ("harriet", "Harriet", "Example", 67, (3, 14), "F", "12 Birchwood Lane", "43999", "01"),
    ("oscar", "Oscar", "Sample", 46, (7, 2), "M", "88 Quarry Road", "43999", "02"),
    ("lily", "Lily", "Sample", 9, (11, 23), "F", "88 Quarry Road", "43999", "02"),
    ("maya", "Maya", "Testwell", 35, (5, 9), "F", "301 Orchard Street Apt 4B", "43998", "04"),
    ("theo", "Theo", "Demo", 40, (1, 27), "M", "7 Lantern Court", "43998", "05"),
    ("priya", "Priya", "Placeholder", 53, (9, 18), "F", "1420 Mill Pond Drive", "43999", "06"),
    ("felix", "Felix", "Fictitious", 62, (4, 30), "M", "56 Ridgeview Terrace", "43997", "07"),
    ("greta", "Greta", "Mockwell", 77, (12, 5), "F", "9 Chapel Hill Road", "43997", "08"),
    ("samuel", "Samuel", "Sandbox", 24, (8, 11), "M", "210 College Avenue Unit 3", "43998", "09"),
    ("nora", "Nora", "Notreal", 30, (2, 16), "F", "77 Heron Way", "43999", "10"),
    ("ivan", "Ivan", "Imaginary", 57, (6, 21), "M", "1503 Old Mill Road", "43997", "11"),
    ("wanda", "Wanda", "Whatif", 43, (10, 3), "F", "34 Sycamore Bend", "43998", "12"),
    # Coverage discovery: twins alike but for the first name, someone covered at two payers the
    # practice does not know of, someone no payer knows, someone whose payer reports another.
    ("jordan", "Jordan", "Lookalike", 29, (6, 12), "M", "18 Twin Oaks Drive", "43998", "13"),
    ("jordyn", "Jordyn", "Lookalike", 29, (6, 12), "F", "18 Twin Oaks Drive", "43998", "14"),
    ("quincy", "Quincy", "Twofold", 48, (8, 8), "M", "5 Pairing Lane", "43999", "15"),
    ("norma", "Norma", "Nowhere", 38, (1, 9), "F", "2 Vacant Lot Road", "43997", "16"),
    ("olive", "Olive", "Otherplan", 58, (10, 19), "F", "61 Crossover Court", "43999", "17"),
    # Cost-estimate cases (docs/estimates.md): nothing of the deductible met, copay only, two
    # payers, out-of-pocket maximum met.
    ("quinn", "Quinn", "Placeholder", 38, (2, 7), "M", "615 Willow Creek Drive", "43999", "18"),
    ("ruth", "Ruth", "Provisional", 29, (9, 1), "F", "42 Foundry Street Apt 2", "43998", "19"),
    ("victor", "Victor", "Samplewood", 66, (5, 25), "M", "1188 Harvest Lane", "43997", "20"),
    ("odette", "Odette", "Standby", 51, (12, 19), "F", "3 Beacon Row", "43999", "21"),
    # people whose checks land on the batch worklist (see coverage.py for why each one does)
    ("rosa", "Rosa", "Hypothetical", 38, (4, 12), "F", "615 Linden Street", "43999", "22"),
    ("dario", "Dario", "Standin", 51, (9, 29), "M", "23 Foundry Lane", "43997", "23"),
    ("elsie", "Elsie", "Exemplar", 44, (2, 8), "F", "480 Meadowlark Drive", "43998", "24"),
    ("hank", "Hank", "Nocard", 59, (7, 19), "M", "12 Tannery Row", "43997", "25"),
    ("petra", "Petra", "Pretend", 33, (12, 1), "F", "905 Willow Court", "43999", "26"),
)


def build_people(today: date) -> dict[str, SandboxPerson]:
    """Everyone in the sandbox, keyed by person key."""
    people = {}
    for key, first, last, age, (month, day), gender, street, postal, phone in _PEOPLE:
        people[key] = SandboxPerson(
            key=key,
            first_name=first,
            last_name=last,
            birth_date=date(today.year - age, month, day),
            gender=gender,
            address1=street,
            city=CITY,
            state=STATE,
            postal_code=postal,
            phone=f"614-555-01{phone}",
        )
    return people


def build_providers() -> dict[str, SandboxProvider]:
    """The practices and clinicians that bill the sandbox payers, keyed by provider key."""
    return {
        "mfm": SandboxProvider(
            "mfm",
            "Elmridge Family Medicine",
            make_npi("158866763"),
            "84-7301296",
            "207Q00000X",
            "400 Commerce Way",
        ),
        "ruc": SandboxProvider(
            "ruc",
            "Riverbend Urgent Care",
            make_npi("167735120"),
            "84-5512038",
            "261QU0200X",
            "1900 River Road",
        ),
        "rop": SandboxProvider(
            "rop",
            "Riverbend Orthopedics and Physical Therapy",
            make_npi("149720385"),
            "84-6620471",
            "225100000X",
            "1910 River Road",
        ),
        "dr_exampleton": SandboxProvider(
            "dr_exampleton", "Alicia Exampleton MD", make_npi("132458801"), taxonomy="207Q00000X"
        ),
        "dr_mockingbird": SandboxProvider(
            "dr_mockingbird", "Rafael Mockingbird DO", make_npi("110293847"), taxonomy="207R00000X"
        ),
        "dr_stand_in": SandboxProvider(
            "dr_stand_in", "Jun Stand-In MD", make_npi("190817263"), taxonomy="207X00000X"
        ),
        "pt_placebo": SandboxProvider(
            "pt_placebo", "Dana Placebo PT", make_npi("172039485"), taxonomy="225100000X"
        ),
        "lcsw_understudy": SandboxProvider(
            "lcsw_understudy",
            "Morgan Understudy LCSW",
            make_npi("163052948"),
            taxonomy="1041C0700X",
        ),
    }
