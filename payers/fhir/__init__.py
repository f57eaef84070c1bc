"""FHIR R4 payers: CARIN Blue Button EOBs, eligibility, claims, over FHIR REST (see adapter.py)."""
