import base64
import os

import pytest
from cryptography.exceptions import InvalidTag

from eldercare.common.observability import redact
from eldercare.common.pii import FieldCipher, blind_index, mask_id_number, mask_phone, parse_keyring


def keyring(*ids: str) -> str:
    return ",".join(f"{i}:{base64.b64encode(os.urandom(32)).decode()}" for i in ids)


class TestFieldCipher:
    @pytest.mark.parametrize("algorithm", ["aes-256-gcm", "sm4-gcm"])
    def test_round_trip(self, algorithm: str) -> None:
        cipher = FieldCipher(parse_keyring(keyring("k1")), algorithm)
        token = cipher.encrypt("13800001234", context="person.phone")
        assert "13800001234" not in token
        assert cipher.decrypt(token, context="person.phone") == "13800001234"

    @pytest.mark.parametrize("algorithm", ["aes-256-gcm", "sm4-gcm"])
    def test_a_ciphertext_moved_to_another_field_does_not_decrypt(self, algorithm: str) -> None:
        cipher = FieldCipher(parse_keyring(keyring("k1")), algorithm)
        token = cipher.encrypt("secret", context="person.phone")
        with pytest.raises(InvalidTag):
            cipher.decrypt(token, context="person.address")

    def test_rotation_keeps_old_rows_readable(self) -> None:
        old = parse_keyring(keyring("k1"))
        token = FieldCipher(old).encrypt("x", context="c")
        rotated = FieldCipher({**parse_keyring(keyring("k2")), **old})
        assert rotated.current_key_id == "k2"
        assert rotated.decrypt(token, context="c") == "x"
        assert rotated.encrypt("y", context="c").startswith("k2:")

    def test_the_same_value_encrypts_differently_each_time(self) -> None:
        cipher = FieldCipher(parse_keyring(keyring("k1")))
        assert cipher.encrypt("x", context="c") != cipher.encrypt("x", context="c")


class TestBlindIndexAndMasks:
    def test_blind_index_is_stable_per_key_and_purpose(self) -> None:
        key = os.urandom(32)
        assert blind_index(key, "a", purpose="id") == blind_index(key, "a", purpose="id")
        assert blind_index(key, "a", purpose="id") != blind_index(key, "a", purpose="phone")
        assert blind_index(key, "a", purpose="id") != blind_index(os.urandom(32), "a", purpose="id")

    def test_masks(self) -> None:
        assert mask_phone("13812345678") == "138****5678"
        assert mask_id_number("430102195001011234") == "430***********1234"

    def test_log_redaction_hides_id_numbers_and_phones(self) -> None:
        line = redact("applicant 43010219500101123X phone 13812345678 count 12")
        assert "43010219500101123X" not in line and "13812345678" not in line
        assert "count 12" in line
