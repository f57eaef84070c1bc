"""835 remittance codes: adjustment groups (CAS01), claim status (CLP02), payment method (BPR04),
and provider-level adjustment reasons (PLB03-1).

Source: ASC X12N 005010X221A1 Health Care Claim Payment/Advice (X12 / WPC), code lists of elements
1033 (CAS01), 1029 (CLP02), 591 (BPR04) and 426 (PLB03-1). CR is not valid in 5010 but appears on
older remittances, so it is kept.
"""

from __future__ import annotations

ADJUSTMENT_GROUP: dict[str, str] = {
    "CO": "Contractual Obligations",
    "CR": "Corrections and Reversals",
    "OA": "Other Adjustments",
    "PI": "Payor Initiated Reductions",
    "PR": "Patient Responsibility",
}

CLAIM_PAYMENT_STATUS: dict[str, str] = {
    "1": "Processed as Primary",
    "2": "Processed as Secondary",
    "3": "Processed as Tertiary",
    "4": "Denied",
    "19": "Processed as Primary, Forwarded to Additional Payer(s)",
    "20": "Processed as Secondary, Forwarded to Additional Payer(s)",
    "21": "Processed as Tertiary, Forwarded to Additional Payer(s)",
    "22": "Reversal of Previous Payment",
    "23": "Not Our Claim, Forwarded to Additional Payer(s)",
    "25": "Predetermination Pricing Only - No Payment",
}

PAYMENT_METHOD: dict[str, str] = {
    "ACH": "Automated Clearing House (ACH)",
    "BOP": "Financial Institution Option",
    "CHK": "Check",
    "FWT": "Federal Reserve Funds/Wire Transfer - Nonrepetitive",
    "NON": "Non-Payment Data",
}

PLB_REASON: dict[str, str] = {
    "50": "Late Charge",
    "51": "Interest Penalty Charge",
    "72": "Authorized Return",
    "90": "Early Payment Allowance",
    "AH": "Origination Fee",
    "AM": "Applied to Borrower's Account",
    "AP": "Acceleration of Benefits",
    "B2": "Rebate",
    "B3": "Recovery Allowance",
    "BD": "Bad Debt Adjustment",
    "BN": "Bonus",
    "C5": "Temporary Allowance",
    "CR": "Capitation Interest",
    "CS": "Adjustment",
    "CT": "Capitation Payment",
    "CV": "Capital Passthru",
    "CW": "Certified Registered Nurse Anesthetist Passthru",
    "DM": "Direct Medical Education Passthru",
    "E3": "Withholding",
    "FB": "Forwarding Balance",
    "FC": "Fund Allocation",
    "GO": "Graduate Medical Education Passthru",
    "HM": "Hemophilia Clotting Factor Supplement",
    "IP": "Incentive Premium Payment",
    "IR": "Internal Revenue Service Withholding",
    "IS": "Interim Settlement",
    "J1": "Nonreimbursable",
    "L3": "Penalty",
    "L6": "Interest Owed",
    "LE": "Levy",
    "LS": "Lump Sum",
    "OA": "Organ Acquisition Passthru",
    "OB": "Offset for Affiliated Providers",
    "PI": "Periodic Interim Payment",
    "PL": "Payment Final",
    "RA": "Retro-activity Adjustment",
    "RE": "Return on Equity",
    "SL": "Student Loan Repayment",
    "TL": "Third Party Liability",
    "WO": "Overpayment Recovery",
    "WU": "Unspecified Recovery",
}
