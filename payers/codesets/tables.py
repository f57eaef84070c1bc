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
from payers.codesets.icd10cm import ICD10CM
from payers.codesets.modifier import MODIFIER
from payers.codesets.ncpdp_reject import NCPDP_REJECT
from payers.codesets.place_of_service import PLACE_OF_SERVICE
from payers.codesets.procedure import PROCEDURE
from payers.codesets.rarc import RARC
from payers.codesets.relationship import INDIVIDUAL_RELATIONSHIP
from payers.codesets.remittance import (
    ADJUSTMENT_GROUP,
    CLAIM_PAYMENT_STATUS,
    PAYMENT_METHOD,
    PLB_REASON,
)
from payers.codesets.service_type import SERVICE_TYPE
from payers.codesets.x12_eligibility import (
    AAA_FOLLOW_UP,
    AAA_PLAIN_WORDS,
    AAA_REJECT_REASON,
    BENEFIT_KIND,
    COVERAGE_LEVEL,
    TIME_PERIOD,
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
    "procedure": PROCEDURE,
    "icd10cm": ICD10CM,
    "modifier": MODIFIER,
    "individual-relationship": INDIVIDUAL_RELATIONSHIP,
}
