"""Encryption at rest of health data (PIPL 第二十八条 sensitive personal information): the A.4.1
diagnoses and whether a psychiatric specialist made them.

One AEAD ciphertext per report (``eldercare.common.pii.FieldCipher``), bound to its column and row
id, so a value copied into another row does not decrypt. The keys come from settings, are read at
first use and never logged; unset keys stop the service from storing or reading health data with
an error naming the setting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.errors import SettingNotConfigured
from eldercare.common.pii import FieldCipher, PiiKeyError, parse_keyring

COLUMN = "assessments.health_data_sealed"
DRAFT_COLUMN = "assessments.draft_sealed"


class HealthDataUnavailable(SettingNotConfigured):
    """The PII settings are missing or wrong; the message names the setting, never a key."""


@dataclass(frozen=True)
class HealthData:
    diagnoses: tuple[str, ...]
    psychiatric_specialist_diagnosis: bool


@dataclass(frozen=True)
class HealthDataCipher:
    cipher: FieldCipher

    @classmethod
    def from_settings(cls, settings: AssessmentSettings) -> HealthDataCipher:
        if settings.pii_keys is None:
            raise HealthDataUnavailable(
                "assessment: ASSESSMENT_PII_KEYS (pii_keys) is not set; health data cannot be stored or read"
            )
        try:
            keys = parse_keyring(settings.pii_keys.get_secret_value())
        except PiiKeyError as exc:
            message = f"assessment: ASSESSMENT_PII_KEYS is not a valid keyring: {exc}"
            raise HealthDataUnavailable(message) from None
        aes = settings.pii_algorithm == "aes-256-gcm"
        wrong = [kid for kid, key in keys.items() if (len(key) != 32 if aes else len(key) < 16)]
        if wrong:
            size = "32 bytes" if aes else "at least 16 bytes"
            raise HealthDataUnavailable(f"assessment: ASSESSMENT_PII_KEYS keys {wrong} must be {size}")
        return cls(FieldCipher(keys, settings.pii_algorithm))

    def seal(self, row_id: UUID, data: HealthData) -> str:
        plain = json.dumps(
            {"diagnoses": list(data.diagnoses), "psychiatric": data.psychiatric_specialist_diagnosis},
            ensure_ascii=False,
        )
        return self.cipher.encrypt(plain, context=f"{COLUMN}:{row_id}")

    def open(self, row_id: UUID, token: str) -> HealthData:
        plain = json.loads(self.cipher.decrypt(token, context=f"{COLUMN}:{row_id}"))
        return HealthData(tuple(plain["diagnoses"]), bool(plain["psychiatric"]))

    def seal_json(self, column: str, row_id: UUID, value: Any) -> str:
        """Any JSON value (a form draft with A.2 identity and A.4 health data), sealed to its row."""
        return self.cipher.encrypt(json.dumps(value, ensure_ascii=False), context=f"{column}:{row_id}")

    def open_json(self, column: str, row_id: UUID, token: str) -> Any:
        return json.loads(self.cipher.decrypt(token, context=f"{column}:{row_id}"))
