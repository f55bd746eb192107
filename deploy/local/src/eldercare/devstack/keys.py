"""Local keys, generated on first use into ``.var/keys`` (mode 0600) and reused afterwards.

- ``jwt-private.pem`` / ``jwt-public.pem``: the Ed25519 pair that signs and verifies local tokens;
- ``pii-keys``: the PII field-encryption keyring (``k1:<base64 32 bytes>``);
- ``pii-blind-index.key``: the blind-index HMAC key (base64, 32 bytes);
- ``contact-share-keys``: the ring intake seals the beneficiaries' contact with for dispatch
  (``s1:<base64 32 bytes>``; INTAKE_/DISPATCH_CONTACT_SHARE_KEYS).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass(frozen=True)
class LocalKeys:
    directory: Path

    @property
    def jwt_private(self) -> Path:
        return self.directory / "jwt-private.pem"

    @property
    def jwt_public(self) -> Path:
        return self.directory / "jwt-public.pem"

    @property
    def pii_keys_file(self) -> Path:
        return self.directory / "pii-keys"

    @property
    def blind_index_file(self) -> Path:
        return self.directory / "pii-blind-index.key"

    @property
    def contact_share_file(self) -> Path:
        return self.directory / "contact-share-keys"

    def private_key_pem(self) -> bytes:
        return self.jwt_private.read_bytes()

    def pii_keys(self) -> str:
        return self.pii_keys_file.read_text().strip()

    def blind_index_key(self) -> str:
        return self.blind_index_file.read_text().strip()

    def contact_share_keys(self) -> str:
        return self.contact_share_file.read_text().strip()


def ensure_keys(directory: Path) -> LocalKeys:
    keys = LocalKeys(directory)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    if not (keys.jwt_private.exists() and keys.jwt_public.exists()):
        private = Ed25519PrivateKey.generate()
        _write(keys.jwt_private, private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))  # fmt: skip
        _write(keys.jwt_public, private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ))  # fmt: skip
    if not keys.pii_keys_file.exists():
        _write(keys.pii_keys_file, f"k1:{_random_key()}\n".encode())
    if not keys.blind_index_file.exists():
        _write(keys.blind_index_file, f"{_random_key()}\n".encode())
    if not keys.contact_share_file.exists():
        _write(keys.contact_share_file, f"s1:{_random_key()}\n".encode())
    return keys


def _random_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    path.chmod(0o600)
