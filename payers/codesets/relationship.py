"""Individual relationship codes: the patient's relationship to the subscriber (837P PAT01, SBR02).

Source: ASC X12 005010X222A1, loop 2000C PAT01 and 2000B SBR02 code lists (code source: X12 data
element 1069). Only the codes the professional claim guide allows are listed.
"""

from __future__ import annotations

INDIVIDUAL_RELATIONSHIP: dict[str, str] = {
    "01": "Spouse",
    "18": "Self",
    "19": "Child",
    "20": "Employee",
    "21": "Unknown",
    "39": "Organ Donor",
    "40": "Cadaver Donor",
    "53": "Life Partner",
    "G8": "Other Relationship",
}
