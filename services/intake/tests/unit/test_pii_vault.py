"""The PII vault: keys from settings, fail-clearly when unset, ciphertexts bound to their row."""

from __future__ import annotations

import base64
import os
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag
from pydantic import SecretStr

from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.settings import IntakeSettings


def key(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


def settings(**overrides: object) -> IntakeSettings:
    values: dict[str, object] = {
        "pii_keys": SecretStr(f"k1:{key()}"),
        "pii_blind_index_key": SecretStr(key()),
        **overrides,
    }
    return IntakeSettings(**values)  # type: ignore[arg-type]


class TestFromSettings:
    @pytest.mark.parametrize(
        ("overrides", "named"),
        [
            ({"pii_keys": None}, "INTAKE_PII_KEYS"),
            ({"pii_blind_index_key": None}, "INTAKE_PII_BLIND_INDEX_KEY"),
            ({"pii_keys": SecretStr("k1:not base64!")}, "INTAKE_PII_KEYS"),
            ({"pii_keys": SecretStr(f"k1:{key(16)}")}, "INTAKE_PII_KEYS"),
            ({"pii_blind_index_key": SecretStr(key(8))}, "INTAKE_PII_BLIND_INDEX_KEY"),
        ],
        ids=["no-keys", "no-index-key", "keys-not-base64", "aes-key-too-short", "index-key-too-short"],
    )
    def test_an_unusable_setting_fails_naming_it(self, overrides: dict[str, object], named: str) -> None:
        with pytest.raises(RuntimeError, match=named):
            PiiVault.from_settings(settings(**overrides))

    def test_the_error_never_contains_key_material(self) -> None:
        secret = key(16)
        with pytest.raises(RuntimeError) as caught:
            PiiVault.from_settings(settings(pii_keys=SecretStr(f"k1:{secret}")))
        assert secret not in str(caught.value)

    def test_settings_never_show_the_keys(self) -> None:
        s = settings()
        assert s.pii_keys is not None
        assert s.pii_keys.get_secret_value() not in repr(s)

    def test_sm4_accepts_a_16_byte_key(self) -> None:
        vault = PiiVault.from_settings(settings(pii_algorithm="sm4-gcm", pii_keys=SecretStr(f"k1:{key(16)}")))
        row = uuid4()
        assert vault.open("persons.name", row, vault.seal("persons.name", row, "张三")) == "张三"


class TestSealing:
    def test_a_sealed_value_opens_for_its_own_column_and_row_only(self) -> None:
        vault, row = PiiVault.from_settings(settings()), uuid4()
        token = vault.seal("persons.phone", row, "13800001234")
        assert "13800001234" not in token and token.startswith("k1:")
        assert vault.open("persons.phone", row, token) == "13800001234"
        with pytest.raises(InvalidTag):
            vault.open("persons.phone", uuid4(), token)
        with pytest.raises(InvalidTag):
            vault.open("persons.address", row, token)

    def test_a_rotated_keyring_still_opens_values_sealed_under_the_old_key(self) -> None:
        old = settings()
        assert old.pii_keys is not None
        rotated = settings(pii_keys=SecretStr(f"k2:{key()},{old.pii_keys.get_secret_value()}"))
        row = uuid4()
        token = PiiVault.from_settings(old).seal("persons.name", row, "张三")
        assert PiiVault.from_settings(rotated).open("persons.name", row, token) == "张三"
        assert PiiVault.from_settings(rotated).seal("persons.name", row, "张三").startswith("k2:")

    def test_the_blind_index_is_stable_per_key_and_reveals_nothing(self) -> None:
        a, b = PiiVault.from_settings(settings()), PiiVault.from_settings(settings())
        number = "11010519491231002X"
        assert a.id_number_index(number) == a.id_number_index(number)
        assert a.id_number_index(number) != b.id_number_index(number)
        assert number not in a.id_number_index(number)
