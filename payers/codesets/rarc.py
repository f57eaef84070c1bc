"""Remittance Advice Remark Codes (RARC, X12 code source 411), the ones payers commonly send.

Source: the Remittance Advice Remark Code list maintained by CMS and published through X12 / WPC.
Long remarks are shortened (appeal instructions and "Usage:" notes dropped); the remark itself is
kept as published. Deactivated codes are left out.
"""

from __future__ import annotations

RARC: dict[str, str] = {
    "M1": "X-ray not taken within the past 12 months or near enough to the start of treatment.",
    "M2": "Not paid separately when the patient is an inpatient.",
    "M3": "Equipment is the same or similar to equipment already being used.",
    "M12": "Diagnostic tests performed by a physician must indicate whether purchased services are "
    "included on the claim.",
    "M14": "No separate payment for an injection administered during an office visit, and no "
    "payment for a full office visit if the patient only received an injection.",
    "M15": "Separately billed services/tests have been bundled as they are considered components "
    "of the same procedure. Separate payment is not allowed.",
    "M16": "Alert: Please see our web site, mailings, or bulletins for more details concerning "
    "this policy/procedure/decision.",
    "M20": "Missing/incomplete/invalid HCPCS.",
    "M25": "The information furnished does not substantiate the need for this level of service.",
    "M29": "Missing operative note/report.",
    "M30": "Missing pathology report.",
    "M31": "Missing radiology report.",
    "M44": "Missing/incomplete/invalid condition code.",
    "M47": "Missing/incomplete/invalid Payer Claim Control Number.",
    "M49": "Missing/incomplete/invalid value code(s) or amount(s).",
    "M50": "Missing/incomplete/invalid revenue code(s).",
    "M51": "Missing/incomplete/invalid procedure code(s).",
    "M52": 'Missing/incomplete/invalid "from" date(s) of service.',
    "M53": "Missing/incomplete/invalid days or units of service.",
    "M54": "Missing/incomplete/invalid total charges.",
    "M56": "Missing/incomplete/invalid payer identifier.",
    "M59": 'Missing/incomplete/invalid "to" date(s) of service.',
    "M60": "Missing Certificate of Medical Necessity.",
    "M62": "Missing/incomplete/invalid treatment authorization code.",
    "M64": "Missing/incomplete/invalid other diagnosis.",
    "M67": "Missing/incomplete/invalid other procedure code(s).",
    "M76": "Missing/incomplete/invalid diagnosis or condition.",
    "M77": "Missing/incomplete/invalid/inappropriate place of service.",
    "M79": "Missing/incomplete/invalid charge.",
    "M80": "Not covered when performed during the same session/date as a previously processed "
    "service for the patient.",
    "M81": "You are required to code to the highest level of specificity.",
    "M84": "Medical code sets used must be the codes in effect at the time of service.",
    "M86": "Service denied because payment already made for same/similar procedure within set time "
    "frame.",
    "M119": "Missing/incomplete/invalid/deactivated/withdrawn National Drug Code (NDC).",
    "M127": "Missing patient medical record for this service.",
    "M144": "Pre-/post-operative care payment is included in the allowance for the "
    "surgery/procedure.",
    "MA01": "Alert: If you do not agree with what we approved for these services, you may appeal "
    "our decision.",
    "MA04": "Secondary payment cannot be considered without the identity of or payment information "
    "from the primary payer. The information was either not reported or was illegible.",
    "MA07": "Alert: The claim information has also been forwarded to Medicaid for review.",
    "MA13": "Alert: You may be subject to penalties if you bill the patient for amounts not "
    "reported with the PR (patient responsibility) group code.",
    "MA18": "Alert: The claim information is also being forwarded to the patient's supplemental "
    "insurer. Send any questions regarding supplemental benefits to them.",
    "MA30": "Missing/incomplete/invalid type of bill.",
    "MA36": "Missing/incomplete/invalid patient name.",
    "MA44": "Alert: No appeal rights. Adjudicative decision based on law.",
    "MA61": "Missing/incomplete/invalid Social Security number or health insurance claim number.",
    "MA63": "Missing/incomplete/invalid principal diagnosis.",
    "MA66": "Missing/incomplete/invalid principal procedure code.",
    "MA67": "Correction to a prior claim.",
    "MA83": "Did not indicate whether we are the primary or secondary payer.",
    "MA92": "Missing plan information for other insurance.",
    "MA114": "Missing/incomplete/invalid information on where the services were furnished.",
    "MA120": "Missing/incomplete/invalid CLIA certification number.",
    "MA130": "Your claim contains incomplete and/or invalid information, and no appeal rights are "
    "afforded because the claim is unprocessable. Please submit a new claim with the "
    "complete/correct information.",
    "N1": "Alert: You may appeal this decision in writing within the required time limits "
    "following "
    "receipt of this notice by following the instructions included in your contract, plan benefit "
    "documents or jurisdiction statutes.",
    "N3": "Missing/incomplete/invalid consent form.",
    "N4": "Missing/Incomplete/Invalid prior Insurance Carrier(s) EOB.",
    "N5": "EOB received from previous payer. Claim not on file.",
    "N7": "Alert: Processing of this claim/service has included consideration under Major Medical "
    "provisions.",
    "N10": "Adjustment based on the findings of a review organization/professional consult/manual "
    "adjudication/medical advisor/dental advisor/peer review.",
    "N11": "Denial reversed because of medical review.",
    "N15": "Services for a newborn must be billed separately.",
    "N19": "Procedure code incidental to primary procedure.",
    "N20": "Service not payable with other service rendered on the same date.",
    "N21": "Alert: Your line item has been separated into multiple lines to expedite handling.",
    "N22": "Alert: This procedure code was added/changed because it more accurately describes the "
    "services rendered.",
    "N23": "Alert: Patient liability may be affected due to coordination of benefits with other "
    "carriers and/or maximum benefit provisions.",
    "N26": "Missing itemized bill/statement.",
    "N29": "Missing documentation/orders/notes/summary/report/chart.",
    "N30": "Patient ineligible for this service.",
    "N31": "Missing/incomplete/invalid prescribing provider identifier.",
    "N32": "Claim must be submitted by the provider who rendered the service.",
    "N34": "Incorrect claim form/format for this service.",
    "N35": "Program integrity/utilization review decision.",
    "N36": "Claim must meet primary payer's processing requirements before we can consider "
    "payment.",
    "N45": "Payment based on authorized amount.",
    "N54": "Claim information is inconsistent with pre-certified/authorized services.",
    "N56": "Procedure code billed is not correct/valid for the services billed or the date of "
    "service billed.",
    "N59": "Alert: Please refer to your provider manual for additional program and provider "
    "information.",
    "N61": "Rebill services on separate claims.",
    "N63": "Rebill services on separate claim lines.",
    "N65": "Procedure code or procedure rate count cannot be determined, or was not on file, for "
    "the date of service/provider.",
    "N70": "Consolidated billing and payment applies.",
    "N90": "Covered only when performed by the attending physician.",
    "N95": "This provider type/provider specialty may not bill this service.",
    "N102": "This claim has been denied without reviewing the medical/dental record because the "
    "requested records were not received or were not received timely.",
    "N104": "This claim/service is not payable under our claims jurisdiction area.",
    "N109": "This claim/service was chosen for complex review and was denied after reviewing the "
    "medical records.",
    "N111": "No appeal right except duplicate claim/service issue. This service was included in a "
    "claim that has been previously billed and adjudicated.",
    "N115": "This decision was based on a Local Coverage Determination (LCD).",
    "N117": "This service is paid only once in a patient's lifetime.",
    "N122": "Add-on code cannot be billed by itself.",
    "N129": "Not eligible due to the patient's age.",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions for this "
    "service.",
    "N142": "The original claim was denied. Resubmit a new claim, not a replacement claim.",
    "N179": "Additional information has been requested from the member. The charges will be "
    "reconsidered upon receipt of that information.",
    "N180": "This item or service does not meet the criteria for the category under which it was "
    "billed.",
    "N181": "Alert: Additional information is included in the 835 Healthcare Policy Identification "
    "Segment (loop 2110 Service Payment Information).",
    "N185": "Alert: Do not resubmit this claim/service.",
    "N193": "Specific federal/state/local program may cover this service through another payer.",
    "N203": "Missing/incomplete/invalid anesthesia time/units.",
    "N206": "The supporting documentation does not match the information sent on the claim.",
    "N211": "Alert: You may not appeal this decision.",
    "N216": "We do not offer coverage for this type of service or the patient is not enrolled in "
    "this portion of our benefit package.",
    "N225": "Incomplete/invalid documentation.",
    "N257": "Missing/incomplete/invalid billing provider/supplier primary identifier.",
    "N264": "Missing/incomplete/invalid ordering provider name.",
    "N265": "Missing/incomplete/invalid ordering provider primary identifier.",
    "N286": "Missing/incomplete/invalid referring provider primary identifier.",
    "N290": "Missing/incomplete/invalid rendering provider primary identifier.",
    "N362": "The number of Days or Units of Service exceeds our acceptable maximum.",
    "N381": "Alert: Consult our contractual agreement for restrictions/billing/payment information "
    "related to these charges.",
    "N382": "Missing/incomplete/invalid patient identifier.",
    "N386": "This decision was based on a National Coverage Determination (NCD).",
    "N418": "Misrouted claim. See the payer's claim submission instructions.",
    "N425": "Statutorily excluded service(s).",
    "N432": "Adjustment based on a Recovery Audit.",
    "N479": "Missing Explanation of Benefits (Coordination of Benefits or Medicare Secondary "
    "Payer).",
    "N517": "Resubmit a new claim with the requested information.",
    "N519": "Invalid combination of HCPCS modifiers.",
    "N522": "Duplicate of a claim processed, or to be processed, as a crossover claim.",
    "N525": "These services are not covered when performed within the global period of another "
    "service.",
    "N570": "Missing/incomplete/invalid credentialing data.",
    "N572": "This procedure is not payable unless non-payable reporting codes and appropriate "
    "modifiers are submitted.",
    "N587": "Policy benefits have been exhausted.",
    "N640": "Exceeds number/frequency approved/allowed within time period.",
    "N657": "This should be billed with the appropriate code for these services.",
    "N674": "Not covered unless a pre-requisite procedure/service has been provided.",
    "N702": "Decision based on review of previously adjudicated claims or for claims in process "
    "for the same/similar type of services.",
    "N767": "The Medicaid state requires provider to be enrolled in the member's Medicaid state "
    "program prior to any claim benefits being processed.",
    "N822": "Missing procedure modifier(s).",
    "N823": "Incomplete/Invalid procedure modifier(s).",
}
