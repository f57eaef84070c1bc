"""The PHI audit trail: which patient's fields each request read, and security events (logins, MFA,
keys, approvals). A request collects into an :class:`AuditLog` while it runs and writes it once at the
end (:func:`flush`); rows are append-only. A response served from a cache writes its recorded reads
again through :func:`audit_cached_response`.
"""

from gateway.audit.trail import AuditLog, audit_cached_response, flush, record_event

__all__ = ["AuditLog", "audit_cached_response", "flush", "record_event"]
