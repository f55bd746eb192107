"""Audit service: follow-up calls, spot checks, complaints, fraud signals and the tamper-evident
audit trail."""
