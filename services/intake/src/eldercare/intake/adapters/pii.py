"""Encryption at rest of personal data (PIPL) with the keys from settings.

Each ciphertext is bound to its table, column and row id (the AEAD associated data), so a value
copied into another row or column does not decrypt. The keys are read at first use, never logged,
and a missing key stops the service from touching personal data with an error naming the setting.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
from dataclasses import dataclass
from uuid import UUID

from eldercare.common.errors import SettingNotConfigured
from eldercare.common.pii import FieldCipher, PiiKeyError, blind_index, parse_keyring
from eldercare.intake.settings import IntakeSettings

MIN_INDEX_KEY_BYTES = 32


class PiiSettingsInvalid(SettingNotConfigured, RuntimeError):
    """The PII keys are missing or malformed: a 503 naming the setting, never the key."""


log = logging.getLogger(__name__)


@functools.cache
def _warn_contact_not_shared() -> None:
    log.warning(
        "INTAKE_CONTACT_SHARE_KEYS is not set: the beneficiaries' contact is not shared with dispatch"
    )


def contact_share_cipher(settings: IntakeSettings) -> FieldCipher | None:
    """The ring that seals intake.beneficiary_contact.shared.v1 for dispatch; None (and a warning,
    once per process) while INTAKE_CONTACT_SHARE_KEYS is unset; a malformed ring is refused."""
    if settings.contact_share_keys is None:
        _warn_contact_not_shared()
        return None
    try:
        keys = parse_keyring(settings.contact_share_keys.get_secret_value())
    except PiiKeyError as exc:
        raise PiiSettingsInvalid(f"intake: INTAKE_CONTACT_SHARE_KEYS is not a valid keyring: {exc}") from None
    aes = settings.contact_share_algorithm == "aes-256-gcm"
    wrong = [kid for kid, key in keys.items() if (len(key) != 32 if aes else len(key) < 16)]
    if wrong:
        raise PiiSettingsInvalid(f"intake: INTAKE_CONTACT_SHARE_KEYS keys {wrong} have the wrong length")
    return FieldCipher(keys, settings.contact_share_algorithm)


@dataclass(frozen=True)
class PiiVault:
    cipher: FieldCipher
    index_key: bytes
    # Seals the contact shared with dispatch; None: not shared (INTAKE_CONTACT_SHARE_KEYS unset).
    contact_share: FieldCipher | None = None

    @classmethod
    def from_settings(cls, settings: IntakeSettings) -> PiiVault:
        if settings.pii_keys is None:
            raise PiiSettingsInvalid(
                "intake: INTAKE_PII_KEYS (pii_keys) is not set; personal data cannot be stored"
            )
        if settings.pii_blind_index_key is None:
            raise PiiSettingsInvalid("intake: INTAKE_PII_BLIND_INDEX_KEY (pii_blind_index_key) is not set")
        try:
            keys = parse_keyring(settings.pii_keys.get_secret_value())
        except PiiKeyError as exc:
            # The message names the key id, never the key material.
            raise PiiSettingsInvalid(f"intake: INTAKE_PII_KEYS is not a valid keyring: {exc}") from None
        aes = settings.pii_algorithm == "aes-256-gcm"
        wrong = [kid for kid, key in keys.items() if (len(key) != 32 if aes else len(key) < 16)]
        if wrong:
            size = "32 bytes" if aes else "at least 16 bytes"
            raise PiiSettingsInvalid(f"intake: INTAKE_PII_KEYS keys {wrong} must be {size}")
        try:
            index_key = base64.b64decode(settings.pii_blind_index_key.get_secret_value(), validate=True)
        except binascii.Error:
            raise PiiSettingsInvalid("intake: INTAKE_PII_BLIND_INDEX_KEY is not base64") from None
        if len(index_key) < MIN_INDEX_KEY_BYTES:
            raise PiiSettingsInvalid(
                f"intake: INTAKE_PII_BLIND_INDEX_KEY needs at least {MIN_INDEX_KEY_BYTES} bytes"
            )
        return cls(FieldCipher(keys, settings.pii_algorithm), index_key, contact_share_cipher(settings))

    def seal(self, column: str, row_id: UUID, value: str) -> str:
        return self.cipher.encrypt(value, context=f"{column}:{row_id}")

    def open(self, column: str, row_id: UUID, token: str) -> str:
        return self.cipher.decrypt(token, context=f"{column}:{row_id}")

    def id_number_index(self, id_number: str) -> str:
        """The blind index of a normalised 18-character ID number."""
        return blind_index(self.index_key, id_number, purpose="id_number")
