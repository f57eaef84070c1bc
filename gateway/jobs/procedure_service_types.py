"""Which X12 service type (EB03 / EQ01) a planned CPT procedure falls under.

Eligibility answers speak in service types, a visit plans procedures: this maps the CPT ranges a
practice's visits commonly plan to the service type a payer states benefits (and authorization
requirements) under. Ranges follow the CPT sections; a procedure outside them maps to nothing,
and then only the visit's own service types count.
"""

from __future__ import annotations

from payers.codesets import lookup
from payers.model import Code

# (first, last, service type): first match wins, so the narrow ranges come before their section.
_RANGES: tuple[tuple[int, int, str], ...] = (
    # MRI and CT ("62 MRI/CAT Scan") inside diagnostic radiology
    (70336, 70336, "62"),
    (70450, 70498, "62"),
    (70540, 70559, "62"),
    (71250, 71275, "62"),
    (71550, 71555, "62"),
    (72125, 72133, "62"),
    (72141, 72158, "62"),
    (72191, 72198, "62"),
    (73200, 73206, "62"),
    (73218, 73225, "62"),
    (73700, 73706, "62"),
    (73718, 73725, "62"),
    (74150, 74185, "62"),
    (70010, 76499, "4"),  # the rest of diagnostic radiology: "4 Diagnostic X-Ray"
    (90832, 90853, "A6"),  # psychotherapy
    (97010, 97799, "PT"),  # physical medicine and rehabilitation
    (99202, 99215, "98"),  # office visits: "98 Professional (Physician) Visit - Office"
)


def service_type_of(procedure: Code) -> Code | None:
    """The service type a CPT ``procedure`` is stated under, or None when we do not map it."""
    text = procedure.code.strip()
    if len(text) != 5 or not text.isdigit():
        return None  # HCPCS Level II and Category II/III codes: not mapped
    number = int(text)
    for first, last, service_type in _RANGES:
        if first <= number <= last:
            return lookup("service-type", service_type)
    return None
