"""Procedure modifiers (SV101-3..6) a primary-care, urgent-care, PT or behavioural-health practice uses.

Sources: CPT modifiers (two digits) are owned by the AMA and their descriptors are copyrighted, so
those below are our own short plain-language summaries, not AMA text. HCPCS Level II modifiers
(letters) follow the CMS HCPCS Level II modifier list (public domain), shortened where CMS is long.
The claim edits accept any two letters or digits: a modifier missing here is still billable.
"""

from __future__ import annotations

# CPT: our own summaries (not AMA descriptors).
_CPT: dict[str, str] = {
    "22": "Unusually complex or long procedure (more work than usual)",
    "24": "Unrelated visit by the same provider during a post-operative period",
    "25": "Separate, significant visit on the same day as a procedure or other service",
    "26": "Professional part only (reading or interpretation, not the equipment)",
    "33": "Preventive service (no patient cost sharing under the ACA)",
    "50": "Done on both sides of the body (bilateral)",
    "51": "More than one procedure in the same session",
    "52": "Service reduced or partly done, at the provider's choice",
    "53": "Service stopped before completion for the patient's safety",
    "57": "Visit at which the decision for major surgery was made",
    "59": "Distinct procedure, separate from others done the same day",
    "76": "Same procedure repeated by the same provider on the same day",
    "77": "Same procedure repeated by another provider on the same day",
    "79": "Unrelated procedure by the same provider during a post-operative period",
    "91": "Lab test repeated on the same day to get a new result",
    "93": "Service given by telephone or other audio-only connection",
    "95": "Service given by real-time audio and video (telehealth)",
}

# HCPCS Level II: CMS descriptions (public domain), shortened.
_HCPCS: dict[str, str] = {
    "AI": "Principal physician of record",
    "CR": "Catastrophe or disaster related",
    "CS": "Cost-sharing waived for COVID-19 testing-related services",
    "FQ": "Service furnished using audio-only communication technology",
    "FS": "Split or shared evaluation and management visit",
    "GA": "Waiver of liability statement (ABN) issued as required by payer policy",
    "GC": "Service performed in part by a resident under the direction of a teaching physician",
    "GO": "Services delivered under an outpatient occupational therapy plan of care",
    "GN": "Services delivered under an outpatient speech-language pathology plan of care",
    "GP": "Services delivered under an outpatient physical therapy plan of care",
    "GT": "Via interactive audio and video telecommunication systems",
    "GY": "Item or service statutorily excluded or not a benefit",
    "GZ": "Item or service expected to be denied as not reasonable and necessary",
    "KX": "Requirements specified in the medical policy have been met",
    "LT": "Left side of the body",
    "RT": "Right side of the body",
    "Q5": "Service furnished under a reciprocal billing arrangement by a substitute physician",
    "Q6": "Service furnished under a fee-for-time compensation arrangement by a substitute physician",
    "QW": "CLIA-waived test",
    "TC": "Technical component",
    "XE": "Separate encounter: a service distinct because it occurred during a separate encounter",
    "XP": "Separate practitioner: a service distinct because it was performed by a different "
    "practitioner",
    "XS": "Separate structure: a service distinct because it was performed on a separate "
    "organ or structure",
    "XU": "Unusual non-overlapping service that does not overlap the usual components of the "
    "main service",
}

MODIFIER: dict[str, str] = {**_CPT, **_HCPCS}
