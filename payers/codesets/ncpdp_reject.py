"""NCPDP Reject Codes (NCPDP field 511-FB), as a 277 carries them when STC01-4 is ``RX``.

A 277 for a pharmacy claim may state its status with an NCPDP reject/payment code instead of an X12
claim status code (005010X212, STC01-2 with STC01-4 = RX). The full list belongs to NCPDP and is
published to its members; this table holds the commonly returned codes with the names NCPDP gives
them (the public subset in AHRQ USHIK and the HL7 CARIN Real-Time Pharmacy Benefit Check guide,
NamingSystem "NCPDP Reject Code"). "M/I" is NCPDP's "Missing/Invalid". Numeric codes are kept
without leading zeros (payers write both ``7`` and ``07``); see :func:`normalize`.
"""

from __future__ import annotations

NCPDP_REJECT: dict[str, str] = {
    "1": "M/I Bin Number",
    "2": "M/I Version/Release Number",
    "3": "M/I Transaction Code",
    "4": "M/I Processor Control Number",
    "5": "M/I Service Provider Number",
    "6": "M/I Group ID",
    "7": "M/I Cardholder ID",
    "8": "M/I Person Code",
    "9": "M/I Date Of Birth",
    "10": "M/I Patient Gender Code",
    "11": "M/I Patient Relationship Code",
    "15": "M/I Date Of Service",
    "16": "M/I Prescription/Service Reference Number",
    "17": "M/I Fill Number",
    "19": "M/I Days Supply",
    "21": "M/I Product/Service ID",
    "22": "M/I Dispense As Written (DAW)/Product Selection Code",
    "25": "M/I Prescriber ID",
    "26": "M/I Unit Of Measure",
    "28": "M/I Date Prescription Written",
    "39": "M/I Diagnosis Code",
    "40": "Pharmacy Not Contracted With Plan On Date Of Service",
    "41": "Submit Bill To Other Processor Or Primary Payer",
    "50": "Non-Matched Pharmacy Number",
    "51": "Non-Matched Group ID",
    "52": "Non-Matched Cardholder ID",
    "53": "Non-Matched Person Code",
    "54": "Non-Matched Product/Service ID Number",
    "56": "Non-Matched Prescriber ID",
    "60": "Product/Service Not Covered For Patient Age",
    "61": "Product/Service Not Covered For Patient Gender",
    "64": "Claim Submitted Does Not Match Prior Authorization",
    "65": "Patient Is Not Covered",
    "66": "Patient Age Exceeds Maximum Age",
    "67": "Filled Before Coverage Effective",
    "68": "Filled After Coverage Expired",
    "69": "Filled After Coverage Terminated",
    "70": "Product/Service Not Covered",
    "71": "Prescriber ID Is Not Covered",
    "75": "Prior Authorization Required",
    "76": "Plan Limitations Exceeded",
    "77": "Discontinued Product/Service ID Number",
    "78": "Cost Exceeds Maximum",
    "79": "Refill Too Soon",
    "80": "Drug-Diagnosis Mismatch",
    "81": "Claim Too Old",
    "82": "Claim Is Post-Dated",
    "83": "Duplicate Paid/Captured Claim",
    "84": "Claim Has Not Been Paid/Captured",
    "85": "Claim Not Processed",
    "87": "Reversal Not Processed",
    "88": "DUR Reject Error",
    "92": "System Unavailable/Host Unavailable",
    "95": "Time Out",
    "98": "Connection To Payer Is Down",
    "99": "Host Processing Error",
    "600": "Coverage Outside Submitted Date Of Transaction",
    "E7": "M/I Quantity Dispensed",
    "ET": "M/I Quantity Prescribed",
    "MR": "Product Not On Formulary",
    "N1": "No Patient Match Found",
    "PZ": "Non-Matched Unit Of Measure To Product/Service ID",
    "R8": "Syntax Error",
}


def normalize(value: str) -> str:
    """The table's form of a reject code: upper case, numeric codes without leading zeros (NCPDP
    prints zero as Ø, which some senders copy)."""
    value = value.strip().upper().replace("Ø", "0")
    if value.isdigit():
        return value.lstrip("0") or "0"
    return value
