"""Sandbox payers: a deterministic synthetic world served as real HTTP payer APIs (REST, FHIR, X12).

- :mod:`payers.sandbox.world` — ``build_world(today)``: people, coverage, benefits, claims,
  payments;
- :mod:`payers.sandbox.intake` — claims received at run time, deduplicated on control number;
- :mod:`payers.sandbox.faults` — latency, errors, hangs and malformed answers, plus ``/_control/*``;
- :mod:`payers.sandbox.rest_app` — the JSON REST payer server.
"""
