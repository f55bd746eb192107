"""Sensitive personal information (PIPL): field encryption at rest, blind indexes, masking.

Ciphertexts are ``<key id>:<base64(nonce | ciphertext+tag)>`` under AES-256-GCM or SM4-GCM
(the algorithm is a setting; SM4 for commercial-crypto compliance), so keys can rotate: new
writes use the current key, old rows stay readable with their own key id. Look-ups by value
(``find the person with this ID number``) go through a keyed HMAC blind index, never by
decrypting every row.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


class PiiKeyError(ValueError):
    pass


def parse_keyring(spec: str) -> dict[str, bytes]:
    """``"k2:<base64>,k1:<base64>"``: the first key is current. Keys are 32 bytes (AES) or 16 (SM4)."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kid, _, b64 = part.partition(":")
        try:
            keys[kid] = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise PiiKeyError(f"key {kid!r} is not base64") from None
    if not keys:
        raise PiiKeyError("no PII keys configured")
    return keys


@dataclass
class FieldCipher:
    keys: dict[str, bytes]
    algorithm: str = "aes-256-gcm"

    @property
    def current_key_id(self) -> str:
        return next(iter(self.keys))

    def encrypt(self, plaintext: str, *, context: str) -> str:
        kid = self.current_key_id
        nonce = os.urandom(12)
        sealed = self._seal(self.keys[kid], nonce, plaintext.encode(), context.encode())
        return f"{kid}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str) -> str:
        kid, _, b64 = token.partition(":")
        if kid not in self.keys:
            raise PiiKeyError(f"unknown key id {kid!r}")
        raw = base64.b64decode(b64)
        return self._open(self.keys[kid], raw[:12], raw[12:], context.encode()).decode()

    def _seal(self, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
        if self.algorithm == "aes-256-gcm":
            return AESGCM(key).encrypt(nonce, data, aad)
        if self.algorithm == "sm4-gcm":
            encryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
            encryptor.authenticate_additional_data(aad)
            return encryptor.update(data) + encryptor.finalize() + encryptor.tag
        raise PiiKeyError(f"unknown algorithm {self.algorithm}")

    def _open(self, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
        if self.algorithm == "aes-256-gcm":
            return AESGCM(key).decrypt(nonce, sealed, aad)
        decryptor = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, sealed[-16:])).decryptor()
        decryptor.authenticate_additional_data(aad)
        return decryptor.update(sealed[:-16]) + decryptor.finalize()


def blind_index(key: bytes, value: str, *, purpose: str) -> str:
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """``138****5678``."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id_number(value: str) -> str:
    """``430***********1234``."""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) >= 8 else "****"


def mask_text(value: str) -> str:
    """First character and a fixed-length mask, so the mask does not reveal the length."""
    return (value[:1] + "***") if value else "***"
