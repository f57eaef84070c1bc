"""Revenue codes (NUBC UB-04 form locator 42): what an institutional line was for, four digits.

Source: National Uniform Billing Committee (NUBC) Official UB-04 Data Specifications Manual, revenue
code categories. Only the codes a hospital outpatient or clinic remittance commonly carries are
listed, with the category's own wording; an 835 line with qualifier NU carries one of these in SVC01-2.
A code not listed is described by :func:`payers.codesets.service_codes.service_code` as "revenue code
0123", never as a procedure code.
"""

from __future__ import annotations

REVENUE_CODE: dict[str, str] = {
    "0001": "Total charge",
    "0100": "All-inclusive room and board plus ancillary",
    "0110": "Room and board - private (general)",
    "0120": "Room and board - semi-private two bed (general)",
    "0200": "Intensive care unit (general)",
    "0250": "Pharmacy (general)",
    "0251": "Pharmacy - generic drugs",
    "0258": "Pharmacy - IV solutions",
    "0260": "IV therapy (general)",
    "0270": "Medical/surgical supplies and devices (general)",
    "0271": "Medical/surgical supplies - non-sterile supply",
    "0272": "Medical/surgical supplies - sterile supply",
    "0278": "Medical/surgical supplies - other implants",
    "0300": "Laboratory (general)",
    "0301": "Laboratory - chemistry",
    "0302": "Laboratory - immunology",
    "0305": "Laboratory - hematology",
    "0306": "Laboratory - bacteriology and microbiology",
    "0307": "Laboratory - urology",
    "0320": "Radiology - diagnostic (general)",
    "0324": "Radiology - diagnostic - chest X-ray",
    "0350": "CT scan (general)",
    "0360": "Operating room services (general)",
    "0370": "Anesthesia (general)",
    "0410": "Respiratory services (general)",
    "0420": "Physical therapy (general)",
    "0430": "Occupational therapy (general)",
    "0440": "Speech therapy - language pathology (general)",
    "0450": "Emergency room (general)",
    "0460": "Pulmonary function (general)",
    "0480": "Cardiology (general)",
    "0490": "Ambulatory surgical care (general)",
    "0510": "Clinic (general)",
    "0610": "Magnetic resonance technology (MRT) (general)",
    "0636": "Pharmacy - drugs requiring detailed coding",
    "0710": "Recovery room (general)",
    "0730": "EKG/ECG (electrocardiogram) (general)",
    "0762": "Specialty services - observation hours",
    "0900": "Behavioral health treatments/services (general)",
    "0960": "Professional fees (general)",
}
