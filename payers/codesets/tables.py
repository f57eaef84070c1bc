"""All code-set tables by system name, gathered from one module per code system.

``ALL`` is what :mod:`payers.codesets` serves through ``lookup``; each source module names where its
codes come from. ``AAA_PLAIN_WORDS`` (front-desk wording for 271 AAA03 rejects) is re-exported here.
"""

from __future__ import annotations

from payers.codesets.carc import CARC
from payers.codesets.claim_frequency import CLAIM_FREQUENCY
from payers.codesets.claim_status import (
    CLAIM_REFERENCE_QUALIFIER,
    CLAIM_STATUS,
    CLAIM_STATUS_CATEGORY,
    CODE_LIST_QUALIFIER,
)
from payers.codesets.entity_identifier import ENTITY_IDENTIFIER
from payers.codesets.fhir_coverage import COPAY_TYPE, COVERAGE_CLASS, COVERAGE_FINANCIAL_EXCEPTION
from payers.codesets.icd10cm import ICD10CM
from payers.codesets.modifier import MODIFIER
from payers.codesets.ncpdp_reject import NCPDP_REJECT
from payers.codesets.place_of_service import PLACE_OF_SERVICE
from payers.codesets.procedure import PROCEDURE
from payers.codesets.rarc import RARC
from payers.codesets.remittance import (
    ADJUSTMENT_GROUP,
    CLAIM_PAYMENT_STATUS,
    PAYMENT_METHOD,
    PLB_REASON,
)
from payers.codesets.remittance_ids import (
    CLAIM_FILING_INDICATOR,
    FACILITY_TYPE,
    PARTY_ID_QUALIFIER,
    SERVICE_ID_QUALIFIER,
)
from payers.codesets.revenue_code import REVENUE_CODE
from payers.codesets.service_type import SERVICE_TYPE
from payers.codesets.x12_eligibility import (
    AAA_FOLLOW_UP,
    AAA_PLAIN_WORDS,
    AAA_REJECT_REASON,
    BENEFIT_KIND,
    COVERAGE_LEVEL,
    TIME_PERIOD,
)
from payers.codesets.x12_eligibility_detail import (
    AAA_VALID_REQUEST,
    CONTACT_NUMBER_QUALIFIER,
    DATE_QUALIFIER,
    ID_CODE_QUALIFIER,
    INDIVIDUAL_RELATIONSHIP,
    INSURANCE_TYPE,
    PRODUCT_SERVICE_QUALIFIER,
    QUANTITY_QUALIFIER,
    REFERENCE_QUALIFIER,
)

__all__ = ["AAA_PLAIN_WORDS", "ALL"]

#: code system name -> {code: description}
ALL: dict[str, dict[str, str]] = {
    "carc": CARC,
    "rarc": RARC,
    "adjustment-group": ADJUSTMENT_GROUP,
    "claim-status-category": CLAIM_STATUS_CATEGORY,
    "claim-status": CLAIM_STATUS,
    "code-list-qualifier": CODE_LIST_QUALIFIER,
    "ncpdp-reject": NCPDP_REJECT,
    "claim-reference-qualifier": CLAIM_REFERENCE_QUALIFIER,
    "entity-identifier": ENTITY_IDENTIFIER,
    "service-type": SERVICE_TYPE,
    "place-of-service": PLACE_OF_SERVICE,
    "benefit-kind": BENEFIT_KIND,
    "coverage-level": COVERAGE_LEVEL,
    "time-period": TIME_PERIOD,
    "aaa-reject-reason": AAA_REJECT_REASON,
    "aaa-follow-up": AAA_FOLLOW_UP,
    "claim-payment-status": CLAIM_PAYMENT_STATUS,
    "payment-method": PAYMENT_METHOD,
    "plb-reason": PLB_REASON,
    "claim-frequency": CLAIM_FREQUENCY,
    "fhir-copay-type": COPAY_TYPE,
    "fhir-coverage-class": COVERAGE_CLASS,
    "fhir-coverage-exception": COVERAGE_FINANCIAL_EXCEPTION,
    "procedure": PROCEDURE,
    "icd10cm": ICD10CM,
    "modifier": MODIFIER,
    # 835 identification and code-list codes (payers/codesets/remittance_ids.py, revenue_code.py)
    "service-id-qualifier": SERVICE_ID_QUALIFIER,
    "claim-filing-indicator": CLAIM_FILING_INDICATOR,
    "facility-type": FACILITY_TYPE,
    "party-id-qualifier": PARTY_ID_QUALIFIER,
    "revenue-code": REVENUE_CODE,
    # 271 detail (payers/codesets/x12_eligibility_detail.py)
    "insurance-type": INSURANCE_TYPE,
    "quantity-qualifier": QUANTITY_QUALIFIER,
    "product-service-qualifier": PRODUCT_SERVICE_QUALIFIER,
    "individual-relationship": INDIVIDUAL_RELATIONSHIP,
    "date-qualifier": DATE_QUALIFIER,
    "reference-qualifier": REFERENCE_QUALIFIER,
    "contact-number-qualifier": CONTACT_NUMBER_QUALIFIER,
    "id-code-qualifier": ID_CODE_QUALIFIER,
    "aaa-valid-request": AAA_VALID_REQUEST,
}
