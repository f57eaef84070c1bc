"""Long work off the request path: batch eligibility (see docs/batch-eligibility.md).

Jobs are rows, not messages: a batch and its checks are stored, and worker processes lease checks
the way the claims outbox leases claims, so the same code runs on embedded SQLite and on PostgreSQL
shared by many processes.
"""
