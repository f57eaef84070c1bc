"""277 claim status: category codes (STC01-1) and status codes (STC01-2).

Source: X12 external code lists "Claim Status Category Codes" (code source 507) and "Claim Status
Codes" (code source 508), published by X12 / WPC. The category list is complete for active codes;
the status code list holds the commonly used active codes. Descriptions are as published, with
usage notes such as "Note: This code requires use of an Entity Code." dropped.
"""

from __future__ import annotations

CLAIM_STATUS_CATEGORY: dict[str, str] = {
    "A0": "Acknowledgement/Forwarded - The claim/encounter has been forwarded to another entity.",
    "A1": "Acknowledgement/Receipt - The claim/encounter has been received. This does not mean "
    "that the claim has been accepted for adjudication.",
    "A2": "Acknowledgement/Acceptance into adjudication system - The claim/encounter has been "
    "accepted into the adjudication system.",
    "A3": "Acknowledgement/Returned as unprocessable claim - The claim/encounter has been rejected "
    "and has not been entered into the adjudication system.",
    "A4": "Acknowledgement/Not Found - The claim/encounter can not be found in the adjudication "
    "system.",
    "A5": "Acknowledgement/Split Claim - The claim/encounter has been split upon acceptance into "
    "the adjudication system.",
    "A6": "Acknowledgement/Rejected for Missing Information - The claim/encounter is missing the "
    "information specified in the Status details and has been rejected.",
    "A7": "Acknowledgement/Rejected for Invalid Information - The claim/encounter has invalid "
    "information as specified in the Status details and has been rejected.",
    "A8": "Acknowledgement/Rejected for relational field in error.",
    "P0": "Pending: Adjudication/Details - This is a generic message about a pended claim. A "
    "pended "
    "claim is one for which no remittance advice has been issued, or only part of the claim has "
    "been paid.",
    "P1": "Pending/In Process - The claim or encounter is in the adjudication system.",
    "P2": "Pending/Payer Review - The claim/encounter is suspended and is pending review (e.g. "
    "medical review, repricing, Third Party Administrator processing).",
    "P3": "Pending/Provider Requested Information - The claim or encounter is waiting for "
    "information that has already been requested from the provider.",
    "P4": "Pending/Patient Requested Information - The claim or encounter is waiting for "
    "information that has already been requested from the patient.",
    "P5": "Pending/Payer Administrative/System hold",
    "F0": "Finalized - The claim/encounter has completed the adjudication cycle and no more action "
    "will be taken.",
    "F1": "Finalized/Payment - The claim/line has been paid.",
    "F2": "Finalized/Denial - The claim/line has been denied.",
    "F3": "Finalized/Revised - Adjudication information has been changed.",
    "F3F": "Finalized/Forwarded - The claim/encounter processing has been completed. Any "
    "applicable "
    "payment has been made and the claim/encounter has been forwarded to a subsequent entity as "
    "identified on the original claim or in this payer's records.",
    "F3N": "Finalized/Not Forwarded - The claim/encounter processing has been completed. Any "
    "applicable payment has been made. The claim/encounter has NOT been forwarded to any "
    "subsequent entity identified on the original claim.",
    "F4": "Finalized/Adjudication Complete - No payment forthcoming - The claim/encounter has been "
    "adjudicated and no further payment is forthcoming.",
    "R0": "Requests for additional Information/General Requests - Requests that don't fall into "
    "other R-type categories.",
    "R1": "Requests for additional Information/Entity Requests - Requests for information about "
    "specific entities (subscribers, patients, various providers).",
    "R3": "Requests for additional Information/Claim/Line - Requests for information that could "
    "normally be submitted on a claim.",
    "R4": "Requests for additional Information/Documentation - Requests for additional supporting "
    "documentation. Examples: certification, x-ray, notes.",
    "R5": "Request for additional information/more specific detail - Additional information as a "
    "follow up to a previous request is needed. The original information was received but is "
    "inadequate. More specific/detailed information is requested.",
    "R6": "Requests for additional information - Regulatory requirements",
    "R7": "Requests for additional information - Confirm care is consistent with Health Plan "
    "policy coverage",
    "R8": "Requests for additional information - Confirm care is consistent with health plan "
    "coverage exceptions",
    "R9": "Requests for additional information - Determination of medical necessity",
    "R10": "Requests for additional information - Support a filed grievance or appeal",
    "R11": "Requests for additional information - Pre-payment review of claims",
    "R12": "Requests for additional information - Clarification or justification of use for "
    "specified procedure code",
    "R13": "Requests for additional information - Original documents submitted are not readable. "
    "Used only for subsequent request(s).",
    "R14": "Requests for additional information - Original documents received are not what was "
    "requested. Used only for subsequent request(s).",
    "R15": "Requests for additional information - Workers Compensation coverage determination.",
    "R16": "Requests for additional information - Eligibility determination",
    "R17": "Replacement of a Prior Request. Used to indicate that the current attachment request "
    "replaces a prior attachment request.",
    "E0": "Response not possible - error on submitted request data",
    "E1": "Response not possible - System Status",
    "E2": "Information Holder is not responding; resubmit at a later time.",
    "E3": "Correction required - relational fields in error.",
    "E4": "Trading partner agreement specific requirement not met: Data correction required.",
    "D0": "Data Search Unsuccessful - The payer is unable to return status on the requested "
    "claim(s) based on the submitted search criteria.",
}

CLAIM_STATUS: dict[str, str] = {
    "0": "Cannot provide further status electronically.",
    "1": "For more detailed information, see remittance advice.",
    "2": "More detailed information in letter.",
    "3": "Claim has been adjudicated and is awaiting payment cycle.",
    "6": "Balance due from the subscriber.",
    "12": "One or more originally submitted procedure codes have been combined.",
    "15": "One or more originally submitted procedure codes have been modified.",
    "16": "Claim/encounter has been forwarded to entity.",
    "17": "Claim/encounter has been forwarded by third party entity to entity.",
    "18": "Entity received claim/encounter, but returned invalid status.",
    "19": "Entity acknowledges receipt of claim/encounter.",
    "20": "Accepted for processing.",
    "21": "Missing or invalid information.",
    "23": "Returned to Entity.",
    "24": "Entity not approved as an electronic submitter.",
    "25": "Entity not approved.",
    "26": "Entity not found.",
    "27": "Policy canceled.",
    "29": "Subscriber and policy number/contract number mismatched.",
    "30": "Subscriber and subscriber id mismatched.",
    "31": "Subscriber and policyholder name mismatched.",
    "32": "Subscriber and policy number/contract number not found.",
    "33": "Subscriber and subscriber id not found.",
    "34": "Subscriber and policyholder name not found.",
    "35": "Claim/encounter not found.",
    "37": "Predetermination is on file, awaiting completion of services.",
    "38": "Awaiting next periodic adjudication cycle.",
    "39": "Charges for pregnancy deferred until delivery.",
    "40": "Waiting for final approval.",
    "41": "Special handling required at payer site.",
    "42": "Awaiting related charges.",
    "44": "Charges pending provider audit.",
    "45": "Awaiting benefit determination.",
    "46": "Internal review/audit.",
    "47": "Internal review/audit - partial payment made.",
    "49": "Pending provider accreditation review.",
    "50": "Claim waiting for internal provider verification.",
    "51": "Investigating occupational illness/accident.",
    "52": "Investigating existence of other insurance coverage.",
    "53": "Claim being researched for Insured ID/Group Policy Number error.",
    "54": "Duplicate of a previously processed claim/line.",
    "55": "Claim assigned to an approver/analyst.",
    "56": "Awaiting eligibility determination.",
    "57": "Pending COBRA information requested.",
    "59": "Information was requested by a non-electronic method.",
    "60": "Information was requested by an electronic method.",
    "61": "Eligibility for extended benefits.",
    "64": "Re-pricing information.",
    "65": "Claim/line has been paid.",
    "66": "Payment reflects usual and customary charges.",
    "72": "Claim contains split payment.",
    "73": "Payment made to entity, assignment of benefits not on file.",
    "78": "Duplicate of an existing claim/line, awaiting processing.",
    "81": "Contract/plan does not cover pre-existing conditions.",
    "83": "No coverage for newborns.",
    "84": "Service not authorized.",
    "85": "Entity not primary.",
    "86": "Diagnosis and patient gender mismatch.",
    "88": "Entity not eligible for benefits for submitted dates of service.",
    "89": "Entity not eligible for dental benefits for submitted dates of service.",
    "90": "Entity not eligible for medical benefits for submitted dates of service.",
    "91": "Entity not eligible/not approved for dates of service.",
    "92": "Entity does not meet dependent or student qualification.",
    "93": "Entity is not selected primary care provider.",
    "94": "Entity not referred by selected primary care provider.",
    "95": "Requested additional information not received.",
    "96": "No agreement with entity.",
    "97": "Patient eligibility not found with entity.",
    "98": "Charges applied to deductible.",
    "99": "Pre-treatment review.",
    "100": "Pre-certification penalty taken.",
    "101": "Claim was processed as adjustment to previous claim.",
    "102": "Newborn's charges processed on mother's claim.",
    "103": "Claim combined with other claim(s).",
    "104": "Processed according to plan provisions.",
    "105": "Claim/line is capitated.",
    "106": "This amount is not entity's responsibility.",
    "107": "Processed according to contract provisions.",
    "109": "Entity not eligible.",
    "110": "Claim requires pricing information.",
    "111": "At the policyholder's request these claims cannot be submitted electronically.",
    "114": "Claim/service should be processed by entity.",
    "116": "Claim submitted to incorrect payer.",
    "117": "Claim requires signature-on-file indicator.",
    "121": "Service line number greater than maximum allowable for payer.",
    "123": "Additional information requested from entity.",
    "124": "Entity's name, address, phone and ID number.",
    "125": "Entity's name.",
    "126": "Entity's address.",
    "127": "Entity's Communication Number.",
    "128": "Entity's tax ID.",
    "131": "Entity's Medicare provider ID.",
    "132": "Entity's Medicaid provider ID.",
    "135": "Entity's commercial provider ID.",
    "142": "Entity's license/certification number.",
    "145": "Entity's specialty/taxonomy code.",
    "147": "Entity's qualification degree/designation (e.g., RN, PhD, MD).",
    "148": "Entity's social security number.",
    "149": "Entity's employer ID.",
    "153": "Entity's ID number.",
    "155": "Entity's relationship to patient.",
    "156": "Patient relationship to subscriber.",
    "157": "Entity's Gender.",
    "158": "Entity's date of birth.",
    "159": "Entity's date of death.",
    "163": "Entity's policy/group number.",
    "164": "Entity's contract/member number.",
    "171": "Other insurance coverage information.",
    "178": "Total Claim Charge Amount.",
    "179": "Outside lab charges.",
    "182": "Allowable/paid from other entities coverage.",
    "183": "Amount entity has paid.",
    "187": "Date(s) of service.",
    "188": "Statement from-through dates.",
    "189": "Facility admission date.",
    "190": "Facility discharge date.",
    "192": "Date of first service for current series/symptom/illness.",
    "197": "Effective coverage date(s).",
    "198": "Medicare effective date.",
    "214": "Original date of prescription/orders/referral.",
    "216": "Drug information.",
    "218": "NDC number.",
    "219": "Prescription number.",
    "225": "Anatomical location.",
    "228": "Type of bill for UB claim.",
    "232": "Admitting diagnosis.",
    "234": "Patient discharge status.",
    "254": "Principal diagnosis code.",
    "255": "Diagnosis code.",
    "484": "Business Application Currently Not Available",
    "562": "Entity's National Provider Identifier (NPI).",
}

# STC01-4 / STC10-4 / STC11-4 (X12 element 1270 Code List Qualifier Code): the list STC0x-2 is
# from when it is not the X12 claim status list. 005010X212 allows RX at the claim and service
# line levels (2200D/E, 2220D/E); 005010X214 does not use the component.
CODE_LIST_QUALIFIER: dict[str, str] = {
    "RX": "National Council for Prescription Drug Programs Reject/Payment Codes",
    "LOI": "Logical Observation Identifier Names and Codes (LOINC) Codes",
}

# REF01 qualifiers (X12 element 128) a 277 states for a claim or service line, named as the
# 005010X212 / X214 implementation guides name the segments that carry them.
CLAIM_REFERENCE_QUALIFIER: dict[str, str] = {
    "1K": "Payer Claim Control Number",
    "BLT": "Institutional Bill Type Identification",
    "EJ": "Patient Control Number",
    "XZ": "Pharmacy Prescription Number",
    "D9": "Claim Identification Number for Clearinghouses and Other Transmission Intermediaries",
    "VV": "Voucher Identifier",
    "EA": "Medical Record Identification Number",
    "FJ": "Line Item Control Number",
}
