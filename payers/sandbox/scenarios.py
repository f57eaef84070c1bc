"""The sandbox's claim history: what each practice billed each payer and how it came out.

Pure data. Dates are days before ``today``; amounts are charges, copays and deductibles in dollars.
Outcomes: "paid" (primary), "secondary" (crossover of ``primary``), "denied", "pending", "info"
(information requested) and "ack" (acknowledged, not yet adjudicated).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LineSpec:
    code: str
    charge: str
    units: int = 1
    modifiers: tuple[str, ...] = ()
    pointers: tuple[int, ...] = (1,)
    copay: str = "0"
    deductible: str = "0"
    denial: tuple[str, str, tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class ClaimSpec:
    control_number: str
    member_id: str
    days_ago: int
    place_of_service: str
    billing: str
    rendering: str | None
    diagnoses: tuple[str, ...]
    lines: tuple[LineSpec, ...]
    outcome: str
    payment: str | None = None
    primary: str | None = None  # control number of the primary payer's claim (secondary claims)
    remarks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PaymentSpec:
    key: str
    method: str  # BPR04: ACH | CHK
    days_ago: int
    trace_number: str
    payee: str
    provider_adjustments: tuple[tuple[str, str, str], ...] = ()  # PLB reason, amount, reference


L = LineSpec
C = ClaimSpec

ALLOWED_RATES = {"lakeshore": "0.62", "cascade": "0.58", "northwind": "0.65", "summit": "0.60"}

# One claim per block reads better as a table than as one field per line.
# fmt: off
CLAIMS: dict[str, tuple[ClaimSpec, ...]] = {
    "lakeshore": (
        C("EFM1000201", "LHP205517612", 75, "11", "mfm", "dr_exampleton", ("Z00.129", "Z23"),
          (L("99393", "215.00"),
           L("90686", "38.00", pointers=(2,)),
           L("90460", "30.00", pointers=(2,))),
          "paid", "LA0"),
        C("EFM1000214", "LHP205517604", 52, "11", "mfm", "dr_exampleton", ("I10", "E78.5"),
          (L("99214", "210.00", pointers=(1, 2), copay="25"),
           L("80061", "68.00", pointers=(2,), deductible="20"),
           L("36415", "15.00", pointers=(1, 2), deductible="9.30")),
          "paid", "LA1"),
        C("EFM1000236", "LHP481920337", 40, "02", "mfm", "dr_exampleton", ("I10", "E11.9"),
          (L("99213", "150.00", modifiers=("95",), pointers=(1, 2), copay="25"),),
          "paid", "LA1"),
        C("EFM1000241", "LHP205517604", 33, "11", "mfm", None, ("R05.9", "J45.901"),
          (L("99214", "225.00", pointers=(1, 2), denial=("CO", "16", ("N290",))),
           L("94640", "45.00", pointers=(2,), denial=("CO", "16", ("N290",)))),
          "denied", "LA1", remarks=("MA130",)),
        C("EFM1000229", "LHP733018452", 45, "11", "rop", "dr_stand_in", ("M17.11",),
          (L("99214", "220.00", modifiers=("25",)),
           L("20610", "180.00", modifiers=("RT",)),
           L("J3301", "48.00", units=4)),
          "secondary", "LC1", primary="EFM1000228"),
        C("EFM1000262", "LHP562200981", 40, "11", "mfm", "dr_mockingbird", ("S93.401A",),
          (L("99203", "190.00", denial=("PR", "27", ())),
           L("73610", "110.00", modifiers=("RT",), denial=("PR", "27", ()))),
          "denied", "LA1", remarks=("N30",)),
        C("EFM1000275", "LHP481920337", 12, "11", "mfm", "dr_exampleton", ("I10", "R00.2"),
          (L("99214", "210.00", pointers=(1, 2)),
           L("93000", "60.00", pointers=(2,))),
          "pending"),
        C("EFM1000268", "LHP205517604", 18, "22", "rop", "pt_placebo", ("M54.50",),
          (L("97161", "165.00", modifiers=("GP",)),
           L("97110", "130.00", units=2, modifiers=("GP",))),
          "info"),
        C("EFM1000288", "LHP205517612", 3, "20", "ruc", "dr_mockingbird", ("J02.0",),
          (L("99213", "160.00"),
           L("87880", "32.00", modifiers=("QW",))),
          "ack"),
    ),
    "cascade": (
        C("EFM1000105", "CMI3387105601", 110, "11", "mfm", "dr_exampleton", ("J06.9",),
          (L("99213", "150.00", copay="20"),),
          "paid", "CA9"),
        C("EFM1000190", "CMI5520781401", 60, "11", "mfm", "dr_exampleton", ("Z00.00", "Z13.220"),
          (L("99395", "260.00"),
           L("85025", "38.00", pointers=(2,)),
           L("80061", "68.00", pointers=(2,)),
           L("36415", "15.00", pointers=(2,), denial=("CO", "97", ("M15",)))),
          "paid", "CA0"),
        C("EFM1000228", "CMI6139024401", 45, "11", "rop", "dr_stand_in", ("M17.11",),
          (L("99214", "220.00", modifiers=("25",), copay="40"),
           L("20610", "180.00", modifiers=("RT",), deductible="50"),
           L("J3301", "48.00", units=4)),
          "paid", "CA1"),
        C("EFM1000219", "CMI7004418201", 50, "02", "mfm", "lcsw_understudy", ("F41.1",),
          (L("90834", "165.00", modifiers=("95",)),),
          "paid", "CA0"),
        C("EFM1000240", "CMI5520781401", 35, "11", "rop", "dr_stand_in", ("M25.561",),
          (L("73721", "1150.00", modifiers=("RT",), denial=("CO", "197", ("M62",))),),
          "denied", "CA1"),
        C("EFM1000280", "CMI6139024401", 10, "11", "rop", "pt_placebo", ("M17.11",),
          (L("97110", "195.00", units=3, modifiers=("GP",)),
           L("97140", "110.00", units=2, modifiers=("GP",))),
          "pending"),
        C("EFM1000271", "CMI7004418201", 20, "11", "mfm", "dr_stand_in", ("F41.1", "G47.00"),
          (L("99214", "215.00", pointers=(1, 2)),
           L("96127", "44.00", units=2)),
          "info"),
        C("EFM1000291", "CMI5520781401", 2, "20", "ruc", "dr_mockingbird", ("R05.9", "J06.9"),
          (L("99213", "160.00", pointers=(1, 2)),),
          "ack"),
    ),
    "northwind": (
        C("EFM1000090", "NWB118830574", 130, "11", "mfm", "dr_exampleton", ("I10", "M81.0"),
          (L("99214", "210.00", pointers=(1, 2), copay="30"),),
          "paid", "NA0"),
        C("EFM1000198", "NWB700314562", 55, "20", "ruc", "dr_mockingbird", ("S93.401A",),
          (L("99204", "285.00", copay="75"),
           L("73610", "110.00", modifiers=("RT",), deductible="71.50")),
          "paid", "NR1"),
        C("EFM1000207", "NWB902741186", 48, "11", "mfm", "dr_exampleton", ("E11.9", "I10"),
          (L("99214", "210.00", pointers=(1, 2), copay="30"),
           L("83036", "42.00", deductible="27.30"),
           L("36415", "15.00", deductible="9.75")),
          "paid", "NA1"),
        C("EFM1000209", "NWB118830574", 50, "11", "mfm", "dr_exampleton", ("Z00.00",),
          (L("99397", "275.00", denial=("PR", "27", ())),),
          "denied", "NA1", remarks=("N30",)),
        C("EFM1000220", "NWB455120937", 50, "02", "mfm", "lcsw_understudy", ("F41.1",),
          (L("90834", "165.00", modifiers=("95",)),),
          "secondary", "NC1", primary="EFM1000219"),
        C("EFM1000243", "NWB902741186", 30, "11", "mfm", "dr_exampleton", ("M54.50", "G89.29"),
          (L("97810", "95.00", pointers=(1, 2), denial=("PR", "96", ("N130",))),
           L("97811", "70.00", pointers=(1, 2), denial=("PR", "96", ("N130",)))),
          "denied", "NC1"),
        C("EFM1000282", "NWB700314562", 8, "22", "rop", "dr_stand_in", ("S93.401D", "R26.89"),
          (L("97161", "165.00", modifiers=("GP",)),),
          "pending"),
        C("EFM1000277", "NWB902741186", 15, "11", "mfm", "dr_exampleton", ("E11.9", "R80.9"),
          (L("99213", "150.00", pointers=(1, 2)),
           L("82043", "24.00", pointers=(1, 2))),
          "info"),
        C("EFM1000293", "NWB700314562", 1, "02", "mfm", "dr_exampleton", ("S93.401D",),
          (L("99212", "95.00", modifiers=("95",)),),
          "ack"),
    ),
    "summit": (
        C("EFM1000233", "SHA300917265", 42, "11", "mfm", "dr_stand_in", ("J20.9", "R05.9"),
          (L("99203", "185.00", pointers=(1, 2), deductible="80"),
           L("71046", "95.00", pointers=(1, 2))),
          "paid", "SA1"),
        C("EFM1000237", "SHA227710448", 40, "02", "mfm", "dr_exampleton", ("I10", "E11.9"),
          (L("99213", "150.00", modifiers=("95",), pointers=(1, 2)),),
          "secondary", "SA1", primary="EFM1000236"),
        C("EFM1000199", "SHA418822390", 55, "20", "ruc", "dr_mockingbird", ("S93.401A",),
          (L("99204", "285.00"),
           L("73610", "110.00", modifiers=("RT",))),
          "secondary", "SC1", primary="EFM1000198"),
        C("EFM1000258", "SHA509381274", 30, "11", "mfm", "dr_exampleton", ("J06.9",),
          (L("99213", "150.00", copay="35"),),
          "paid", "SA2"),
        C("EFM1000251", "SHA300917265", 26, "11", "mfm", "dr_stand_in", ("M79.10",),
          (L("99214", "210.00", denial=("CO", "22", ("N479",))),
           L("85652", "16.00", denial=("CO", "22", ("N479",)))),
          "denied", "SA2"),
        C("EFM1000283", "SHA300917265", 9, "11", "mfm", "dr_stand_in", ("J45.20",),
          (L("99214", "210.00"),
           L("94060", "85.00")),
          "pending"),
        C("EFM1000272", "SHA300917265", 16, "11", "mfm", "dr_stand_in", ("J45.20", "R06.02"),
          (L("99213", "150.00"),
           L("94010", "55.00", pointers=(1, 2))),
          "info"),
        C("EFM1000292", "SHA509381274", 2, "11", "mfm", "dr_exampleton", ("J06.9",),
          (L("99212", "95.00"),),
          "ack"),
    ),
}

PAYMENTS: dict[str, tuple[PaymentSpec, ...]] = {
    "lakeshore": (
        PaymentSpec("LA0", "ACH", 55, "1LKS0048812", "mfm"),
        PaymentSpec("LA1", "ACH", 28, "1LKS0051377", "mfm"),
        PaymentSpec("LC1", "CHK", 15, "70004418", "rop"),
    ),
    "cascade": (
        PaymentSpec("CA9", "CHK", 90, "31190057", "mfm"),
        PaymentSpec("CA0", "ACH", 40, "CMI202400871", "mfm",
                    provider_adjustments=(("WO", "18.50", "EFM1000105"),)),
        PaymentSpec("CA1", "ACH", 25, "CMI202401122", "rop"),
    ),
    "northwind": (
        PaymentSpec("NA0", "ACH", 110, "NWB8830021004", "mfm"),
        PaymentSpec("NA1", "ACH", 35, "NWB8830024417", "mfm",
                    provider_adjustments=(("L6", "-2.14", "EFM1000090"),)),
        PaymentSpec("NR1", "ACH", 35, "NWB8830024420", "ruc"),
        PaymentSpec("NC1", "CHK", 12, "5500187", "mfm"),
    ),
    "summit": (
        PaymentSpec("SA1", "ACH", 22, "SHA0000917723", "mfm"),
        PaymentSpec("SC1", "CHK", 20, "880102", "ruc"),
        PaymentSpec("SA2", "ACH", 9, "SHA0000918051", "mfm"),
    ),
}
# fmt: on
