"""Claim frequency type codes (837 CLM05-3; the third digit of the NUBC type of bill).

Source: NUBC UB-04 type-of-bill frequency codes as referenced by ASC X12N 005010X222A1 / X223A2
(CLM05-3, code source 235). Professional claims use 1, 7 and 8.
"""

from __future__ import annotations

CLAIM_FREQUENCY: dict[str, str] = {
    "0": "Non-Payment/Zero Claim",
    "1": "Original claim (Admit Through Discharge Claim)",
    "2": "Interim - First Claim",
    "3": "Interim - Continuing Claims",
    "4": "Interim - Last Claim",
    "5": "Late Charge(s) Only",
    "7": "Replacement of Prior Claim",
    "8": "Void/Cancel of Prior Claim",
    "9": "Final Claim for a Home Health PPS Episode",
}
