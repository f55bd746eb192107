"""The complainant's name and phone at rest: FieldCipher ciphertexts (eldercare.common.pii), each
bound to its column and row, plus the masked form staff without ``pii:read`` are shown (so a masked
read needs no key)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from pydantic import SecretStr

from eldercare.common.errors import SettingNotConfigured
from eldercare.common.pii import FieldCipher, PiiKeyError, parse_keyring


class PiiSettingsInvalid(SettingNotConfigured):
    """The PII keys are missing or malformed: a 503 naming the setting, never the key."""


@dataclass(frozen=True)
class ComplainantCipher:
    cipher: FieldCipher

    @classmethod
    def from_settings(cls, pii_keys: SecretStr | None, algorithm: str) -> ComplainantCipher | None:
        """None when no keys are set (masked reads still work; storing a name or phone does not)."""
        if pii_keys is None:
            return None
        try:
            keys = parse_keyring(pii_keys.get_secret_value())
        except PiiKeyError as exc:
            raise PiiSettingsInvalid(f"audit: AUDIT_PII_KEYS is not a valid keyring: {exc}") from None
        size = 32 if algorithm == "aes-256-gcm" else 16
        if wrong := [kid for kid, key in keys.items() if len(key) < size]:
            raise PiiSettingsInvalid(f"audit: AUDIT_PII_KEYS keys {wrong} are shorter than {size} bytes")
        return cls(FieldCipher(keys, algorithm))

    def seal(self, column: str, row_id: UUID, value: str) -> str:
        return self.cipher.encrypt(value, context=f"complaints.{column}:{row_id}")

    def open(self, column: str, row_id: UUID, token: str) -> str:
        return self.cipher.decrypt(token, context=f"complaints.{column}:{row_id}")


def require_cipher(cipher: ComplainantCipher | None) -> ComplainantCipher:
    if cipher is None:
        raise PiiSettingsInvalid(
            "audit: AUDIT_PII_KEYS (pii_keys) is not set; a complainant's name or phone cannot be stored"
        )
    return cipher
