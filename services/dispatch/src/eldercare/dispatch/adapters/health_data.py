"""Encryption at rest of the vital signs a caregiver records (PIPL 第二十八条: health data is
sensitive personal information). One AEAD ciphertext per visit (``eldercare.common.pii.FieldCipher``)
bound to its column and row id. Unset or malformed keys refuse with a 503 naming the setting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eldercare.common.errors import SettingNotConfigured
from eldercare.common.pii import FieldCipher, PiiKeyError, parse_keyring
from eldercare.dispatch.settings import DispatchSettings

COLUMN = "visits.vital_signs_sealed"
SETTING = "DISPATCH_PII_KEYS"


@dataclass(frozen=True)
class VitalSignsCipher:
    cipher: FieldCipher

    @classmethod
    def from_settings(cls, settings: DispatchSettings) -> VitalSignsCipher:
        if settings.pii_keys is None:
            raise SettingNotConfigured(
                f"{SETTING} is not set; vital signs cannot be stored or read", field=SETTING
            )
        try:
            keys = parse_keyring(settings.pii_keys.get_secret_value())
        except PiiKeyError as exc:
            raise SettingNotConfigured(f"{SETTING} is not a valid keyring: {exc}", field=SETTING) from None
        aes = settings.pii_algorithm == "aes-256-gcm"
        if any((len(key) != 32) if aes else (len(key) < 16) for key in keys.values()):
            raise SettingNotConfigured(f"{SETTING}: a key has the wrong length", field=SETTING)
        return cls(FieldCipher(keys, settings.pii_algorithm))

    def seal(self, visit_id: UUID, values: dict[str, Any]) -> str:
        return self.cipher.encrypt(json.dumps(values), context=f"{COLUMN}:{visit_id}")

    def open(self, visit_id: UUID, token: str) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.cipher.decrypt(token, context=f"{COLUMN}:{visit_id}"))
        return value
