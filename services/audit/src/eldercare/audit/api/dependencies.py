"""FastAPI dependencies of the audit API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from eldercare.audit.adapters.pii import ComplainantCipher
from eldercare.audit.settings import AuditSettings
from eldercare.common.runtime import Runtime, runtime


def audit_settings(rt: Annotated[Runtime, Depends(runtime)]) -> AuditSettings:
    """The service's own settings (the runtime types them as the shared base class)."""
    settings = rt.settings
    if not isinstance(settings, AuditSettings):
        raise TypeError("the audit app runs with AuditSettings (main.create_app)")
    return settings


Settings = Annotated[AuditSettings, Depends(audit_settings)]


def complainant_cipher(settings: Settings) -> ComplainantCipher | None:
    """The complainants' cipher, or None when AUDIT_PII_KEYS is unset (malformed keys: 503)."""
    return ComplainantCipher.from_settings(settings.pii_keys, settings.pii_algorithm)


Cipher = Annotated[ComplainantCipher | None, Depends(complainant_cipher)]
