"""The key ring intake and dispatch share to seal the beneficiary's contact
(intake.beneficiary_contact.shared.v1; DISPATCH_CONTACT_SHARE_KEYS = INTAKE_CONTACT_SHARE_KEYS).

Dispatch keeps the ciphertext exactly as intake sealed it (bound to the beneficiary id): it is
encrypted at rest without a second key, no plaintext is ever written, and a consumer without the
ring can still store it. A rotation adds the new key id in front on both sides and keeps the old
one until intake has re-shared."""

from __future__ import annotations

from uuid import UUID

from eldercare.common.contracts.intake import open_contact
from eldercare.common.errors import SettingNotConfigured
from eldercare.common.pii import FieldCipher, PiiKeyError, parse_keyring
from eldercare.dispatch.domain.contacts import Contact, Guardian
from eldercare.dispatch.settings import DispatchSettings

SETTING = "DISPATCH_CONTACT_SHARE_KEYS"


def contact_ring(settings: DispatchSettings) -> FieldCipher | None:
    """The ring, or None while the setting is unset; a malformed ring is a 503 naming it."""
    if settings.contact_share_keys is None:
        return None
    try:
        keys = parse_keyring(settings.contact_share_keys.get_secret_value())
    except PiiKeyError as exc:
        raise SettingNotConfigured(f"{SETTING} is not a valid keyring: {exc}", field=SETTING) from None
    aes = settings.contact_share_algorithm == "aes-256-gcm"
    if any((len(key) != 32) if aes else (len(key) < 16) for key in keys.values()):
        raise SettingNotConfigured(f"{SETTING}: a key has the wrong length", field=SETTING)
    return FieldCipher(keys, settings.contact_share_algorithm)


def required_ring(settings: DispatchSettings) -> FieldCipher:
    ring = contact_ring(settings)
    if ring is None:
        raise SettingNotConfigured(
            f"{SETTING} is not set; the beneficiary's contact cannot be read", field=SETTING
        )
    return ring


def open_sealed(ring: FieldCipher, beneficiary_id: UUID, sealed: str) -> Contact:
    """PiiKeyError or ValueError when it does not open or parse (the message carries no value)."""
    shared = open_contact(ring, beneficiary_id, sealed)
    guardian = shared.guardian
    return Contact(
        name=shared.name,
        address=shared.address,
        phone=shared.phone,
        guardian=Guardian(guardian.name, guardian.relation, guardian.phone) if guardian else None,
    )
