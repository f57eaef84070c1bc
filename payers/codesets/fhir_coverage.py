"""HL7 FHIR R4 code systems of a Coverage's cost sharing and classes.

Sources: http://terminology.hl7.org/CodeSystem/coverage-copay-type, .../coverage-class and
.../ex-coverage-financial-exception (HL7 Terminology, CC0), with the two extra class types of the
CARIN Digital Insurance Card IG (C4DICExtendedCoverageClassCS: division, network).
"""

from __future__ import annotations

COPAY_TYPE: dict[str, str] = {
    "gpvisit": "GP Office Visit",
    "spvisit": "Specialist Office Visit",
    "emergency": "Emergency",
    "inpthosp": "Inpatient Hospital",
    "televisit": "Tele-visit",
    "urgentcare": "Urgent Care",
    "copaypct": "Copay Percentage",
    "copay": "Copay Amount",
    "deductible": "Deductible",
    "maxoutofpocket": "Maximum out of pocket",
}

COVERAGE_CLASS: dict[str, str] = {
    "group": "Group",
    "subgroup": "SubGroup",
    "plan": "Plan",
    "subplan": "SubPlan",
    "class": "Class",
    "subclass": "SubClass",
    "sequence": "Sequence",
    "rxbin": "RX BIN",
    "rxpcn": "RX PCN",
    "rxid": "RX Id",
    "rxgroup": "RX Group",
    "division": "Division",
    "network": "Network",
}

COVERAGE_FINANCIAL_EXCEPTION: dict[str, str] = {
    "retired": "Retired",
    "foster": "Foster child",
}
