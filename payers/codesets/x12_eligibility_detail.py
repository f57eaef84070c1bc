"""271 codes beyond EB01/EB02/EB06/AAA: EB04, EB09, EB13-1, INS02, DTP01, REF01, PER03, NM108, AAA01.

Source: ASC X12N 005010X279A1 (and 004010X092A1) Health Care Eligibility Benefit Inquiry and Response
(X12 / WPC): code lists of elements 1336 (EB04 insurance type), 673 (EB09 quantity qualifier), 235
(EB13-1 product/service id qualifier), 1069 (INS02 individual relationship), 374 (DTP01 date/time
qualifier, the 271's values), 128 (REF01 reference identification qualifier, the 271's values), 365
(PER03 communication number qualifier), 66 (NM108 identification code qualifier) and 1073 (AAA01
yes/no condition, as the 271 uses it: is the request valid).
"""

from __future__ import annotations

INSURANCE_TYPE: dict[str, str] = {
    "12": "Medicare Secondary Working Aged Beneficiary or Spouse with Employer Group Health Plan",
    "13": "Medicare Secondary End-Stage Renal Disease Beneficiary in the Mandated Coordination "
    "Period with an Employer's Group Health Plan",
    "14": "Medicare Secondary, No-fault Insurance including Auto is Primary",
    "15": "Medicare Secondary Worker's Compensation",
    "16": "Medicare Secondary Public Health Service (PHS) or Other Federal Agency",
    "41": "Medicare Secondary Black Lung",
    "42": "Medicare Secondary Veteran's Administration",
    "43": "Medicare Secondary Disabled Beneficiary Under Age 65 with Large Group Health Plan (LGHP)",
    "47": "Medicare Secondary, Other Liability Insurance is Primary",
    "AP": "Auto Insurance Policy",
    "C1": "Commercial",
    "CO": "Consolidated Omnibus Budget Reconciliation Act (COBRA)",
    "CP": "Medicare Conditionally Primary",
    "D": "Disability",
    "DB": "Disability Benefits",
    "EP": "Exclusive Provider Organization",
    "FF": "Family or Friends",
    "GP": "Group Policy",
    "HM": "Health Maintenance Organization (HMO)",
    "HN": "Health Maintenance Organization (HMO) - Medicare Risk",
    "HS": "Special Low Income Medicare Beneficiary",
    "IN": "Indemnity",
    "IP": "Individual Policy",
    "LC": "Long Term Care",
    "LD": "Long Term Policy",
    "LI": "Life Insurance",
    "LT": "Litigation",
    "MA": "Medicare Part A",
    "MB": "Medicare Part B",
    "MC": "Medicaid",
    "MH": "Medigap Part A",
    "MI": "Medigap Part B",
    "MP": "Medicare Primary",
    "OT": "Other",
    "PE": "Property Insurance - Personal",
    "PL": "Personal",
    "PP": "Personal Payment (Cash - No Insurance)",
    "PR": "Preferred Provider Organization (PPO)",
    "PS": "Point of Service (POS)",
    "QM": "Qualified Medicare Beneficiary",
    "RP": "Property Insurance - Real",
    "SP": "Supplemental Policy",
    "TF": "Tax Equity Fiscal Responsibility Act (TEFRA)",
    "WC": "Workers Compensation",
    "WU": "Wrap Up Policy",
}

QUANTITY_QUALIFIER: dict[str, str] = {
    "8H": "Minimum",
    "99": "Quantity Used",
    "CA": "Covered - Actual",
    "CE": "Covered - Estimated",
    "D3": "Number of Co-insurance Days",
    "DB": "Deductible Blood Units",
    "DY": "Days",
    "HS": "Hours",
    "LA": "Life-time Reserve - Actual",
    "LE": "Life-time Reserve - Estimated",
    "M2": "Maximum",
    "MN": "Month",
    "P6": "Number of Services or Procedures",
    "QA": "Quantity Approved",
    "S7": "Age, High Value",
    "S8": "Age, Low Value",
    "VS": "Visits",
    "YY": "Years",
}

#: EB13-1: which code list the procedure code in EB13-2 comes from.
PRODUCT_SERVICE_QUALIFIER: dict[str, str] = {
    "AD": "American Dental Association Codes",
    "CJ": "Current Procedural Terminology (CPT) Codes",
    "HC": "Health Care Financing Administration Common Procedural Coding System (HCPCS) Codes",
    "ID": "International Classification of Diseases, 9th Revision, Clinical Modification "
    "(ICD-9-CM) - Procedure",
    "IV": "Home Infusion EDI Coalition (HIEC) Product/Service Code",
    "N4": "National Drug Code in 5-4-2 Format",
    "ZZ": "Mutually Defined",
}

INDIVIDUAL_RELATIONSHIP: dict[str, str] = {
    "01": "Spouse",
    "18": "Self",
    "19": "Child",
    "20": "Employee",
    "21": "Unknown",
    "34": "Other Adult",
    "39": "Organ Donor",
    "40": "Cadaver Donor",
    "53": "Life Partner",
    "G8": "Other Relationship",
}

DATE_QUALIFIER: dict[str, str] = {
    "096": "Discharge",
    "102": "Issue",
    "152": "Effective Date of Change",
    "193": "Period Start",
    "194": "Period End",
    "198": "Completion",
    "290": "Coordination of Benefits",
    "291": "Plan",
    "292": "Benefit",
    "295": "Primary Care Provider",
    "304": "Latest Visit or Consultation",
    "307": "Eligibility",
    "318": "Added",
    "340": "Consolidated Omnibus Budget Reconciliation Act (COBRA) Begin",
    "341": "Consolidated Omnibus Budget Reconciliation Act (COBRA) End",
    "342": "Premium Paid to Date Begin",
    "343": "Premium Paid to Date End",
    "346": "Plan Begin",
    "347": "Plan End",
    "348": "Benefit Begin",
    "349": "Benefit End",
    "356": "Eligibility Begin",
    "357": "Eligibility End",
    "382": "Enrollment",
    "435": "Admission",
    "442": "Date of Death",
    "458": "Certification",
    "472": "Service",
    "539": "Policy Effective",
    "540": "Policy Expiration",
    "636": "Date of Last Update",
    "771": "Status",
}

REFERENCE_QUALIFIER: dict[str, str] = {
    "0F": "Subscriber Number",
    "18": "Plan Number",
    "1L": "Group or Policy Number",
    "1W": "Member Identification Number",
    "3H": "Case Number",
    "49": "Family Unit Number",
    "6P": "Group Number",
    "9F": "Referral Number",
    "ALS": "Alternative List ID",
    "CE": "Class of Contract Code",
    "CLI": "Coverage List ID",
    "EJ": "Patient Account Number",
    "F6": "Health Insurance Claim (HIC) Number",
    "FO": "Drug Formulary Number",
    "G1": "Prior Authorization Number",
    "GH": "Identification Card Serial Number",
    "HJ": "Identity Card Number",
    "IF": "Issue Number",
    "IG": "Insurance Policy Number",
    "M7": "Medical Assistance Category",
    "N6": "Plan Network Identification Number",
    "NQ": "Medicaid Recipient Identification Number",
    "Q4": "Prior Identifier Number",
    "SY": "Social Security Number",
    "Y4": "Agency Claim Number",
}

CONTACT_NUMBER_QUALIFIER: dict[str, str] = {
    "ED": "Electronic Data Interchange Access Number",
    "EM": "Electronic Mail",
    "EX": "Telephone Extension",
    "FX": "Facsimile",
    "TE": "Telephone",
    "UR": "Uniform Resource Locator (URL)",
    "WP": "Work Phone Number",
}

ID_CODE_QUALIFIER: dict[str, str] = {
    "24": "Employer's Identification Number",
    "34": "Social Security Number",
    "46": "Electronic Transmitter Identification Number (ETIN)",
    "FA": "Facility Identification",
    "FI": "Federal Taxpayer's Identification Number",
    "II": "Standard Unique Health Identifier for each Individual in the United States",
    "MI": "Member Identification Number",
    "NI": "National Association of Insurance Commissioners (NAIC) Identification",
    "PI": "Payor Identification",
    "PP": "Pharmacy Processor Number",
    "SL": "State License Number",
    "SV": "Service Provider Number",
    "XV": "Centers for Medicare and Medicaid Services PlanID",
    "XX": "Centers for Medicare and Medicaid Services National Provider Identifier",
}

#: AAA01 in a 271: Y the request was valid (the payer still could not answer it), N it was not.
AAA_VALID_REQUEST: dict[str, str] = {
    "Y": "Request is valid; the payer could not process it for the reason given",
    "N": "Request is not valid",
}
