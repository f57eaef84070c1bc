"""835 code lists beyond the money codes: what names a service line's code list (SVC01-1), the claim
filing indicator (CLP06), the facility type of an institutional claim (CLP08), and the qualifiers
of the payer's and payee's identifiers (N103, REF01 in loops 1000A/1000B).

Sources: ASC X12N 005010X221A1 (and 004010X091A1 for codes 4010 still carries), code lists of
elements 235 (SVC01-1), 1032 (CLP06), 66 (N103) and 128 (REF01); NUBC UB-04 type of bill, first
two digits (facility type and bill classification), which is what CLP08 carries on an
institutional claim (code source 236). On a professional claim CLP08 is a CMS place of service.
"""

from __future__ import annotations

SERVICE_ID_QUALIFIER: dict[str, str] = {
    "AD": "American Dental Association Codes",
    "ER": "Jurisdiction Specific Procedure and Supply Codes",
    "HC": "Health Care Financing Administration Common Procedural Coding System (HCPCS) Codes",
    "HP": "Health Insurance Prospective Payment System (HIPPS) Skilled Nursing Facility Rate Code",
    "IV": "Home Infusion EDI Coalition (HIEC) Product/Service Code",
    "N4": "National Drug Code in 5-4-2 Format",
    "N6": "National Health Related Item Code in 4-6 Format",
    "NU": "National Uniform Billing Committee (NUBC) UB92 Codes",
    "UI": "U.P.C. Consumer Package Code (1-5-5)",
    "WK": "Advanced Billing Concepts (ABC) Codes",
    # 4010 only (004010X091A1); still seen from older senders.
    "ID": "International Classification of Diseases Clinical Modification (ICD-9-CM) - Procedure",
    "ZZ": "Mutually Defined",
}

CLAIM_FILING_INDICATOR: dict[str, str] = {
    "11": "Other Non-Federal Programs",
    "12": "Preferred Provider Organization (PPO)",
    "13": "Point of Service (POS)",
    "14": "Exclusive Provider Organization (EPO)",
    "15": "Indemnity Insurance",
    "16": "Health Maintenance Organization (HMO) Medicare Risk",
    "17": "Dental Maintenance Organization",
    "AM": "Automobile Medical",
    "BL": "Blue Cross/Blue Shield",
    "CH": "Champus",
    "CI": "Commercial Insurance Co.",
    "DS": "Disability",
    "FI": "Federal Employees Program",
    "HM": "Health Maintenance Organization",
    "LM": "Liability Medical",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "OF": "Other Federal Program",
    "TV": "Title V",
    "VA": "Veterans Affairs Plan",
    "WC": "Workers' Compensation Health Claim",
    "ZZ": "Mutually Defined",
}

FACILITY_TYPE: dict[str, str] = {
    "11": "Hospital - inpatient (including Medicare Part A)",
    "12": "Hospital - inpatient (Medicare Part B only)",
    "13": "Hospital - outpatient",
    "14": "Hospital - other (Medicare Part B)",
    "18": "Hospital - swing bed",
    "21": "Skilled nursing - inpatient (including Medicare Part A)",
    "22": "Skilled nursing - inpatient (Medicare Part B only)",
    "23": "Skilled nursing - outpatient",
    "28": "Skilled nursing - swing bed",
    "32": "Home health - inpatient (plan of treatment under Part B only)",
    "33": "Home health - outpatient",
    "34": "Home health - other",
    "41": "Religious nonmedical health care institution - hospital inpatient",
    "65": "Intermediate care - level I",
    "66": "Intermediate care - level II",
    "71": "Clinic - rural health",
    "72": "Clinic - hospital based or independent renal dialysis center",
    "73": "Clinic - freestanding",
    "74": "Clinic - outpatient rehabilitation facility (ORF)",
    "75": "Clinic - comprehensive outpatient rehabilitation facility (CORF)",
    "76": "Clinic - community mental health center",
    "77": "Clinic - federally qualified health center (FQHC)",
    "79": "Clinic - other",
    "81": "Special facility - hospice (non-hospital based)",
    "82": "Special facility - hospice (hospital based)",
    "83": "Special facility - ambulatory surgery center",
    "84": "Special facility - free standing birthing center",
    "85": "Special facility - critical access hospital",
    "86": "Special facility - residential facility",
    "89": "Special facility - other",
}

PARTY_ID_QUALIFIER: dict[str, str] = {
    "XV": "Centers for Medicare and Medicaid Services PlanID",
    "XX": "Centers for Medicare and Medicaid Services National Provider Identifier",
    "FI": "Federal Taxpayer's Identification Number",
    "PI": "Payor Identification",
    "2U": "Payer Identification Number",
    "EO": "Submitter Identification Number",
    "HI": "Health Industry Number (HIN)",
    "NF": "National Association of Insurance Commissioners (NAIC) Code",
    "TJ": "Federal Taxpayer's Identification Number",
    "PQ": "Payee Identification",
    "0B": "State License Number",
    "D3": "National Council for Prescription Drug Programs Pharmacy Number",
}
