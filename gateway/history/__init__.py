"""The practice's history as the gateway recorded it: claims it submitted (with their statuses),
claims payers report for its patients, the ledger's claim payments and adjustments, and the
eligibility checks its batches finished (:mod:`gateway.history.eligibility`, ``eligibilityHistory``).

The GraphQL connections (``claimHistory``, ``remittanceHistory``), the bulk export and the notebook
client all read through :mod:`gateway.history.claims` and :mod:`gateway.history.payments`, so a
filter means the same thing everywhere. Nothing here calls a payer: payer-reported claims are
refreshed on a schedule by :mod:`gateway.history.refresher`.
"""
