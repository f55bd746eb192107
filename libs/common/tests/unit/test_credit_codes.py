"""GB 32100-2015 unified social credit codes (identifiers.md §4.2)."""

from __future__ import annotations

import pytest

from eldercare.common.credit_codes import InvalidCreditCode, check_character, parse_credit_code


class TestParseCreditCode:
    @pytest.mark.parametrize(
        "code",
        [
            "521101080000000195",  # 民政/民非, synthetic
            "91110108000000027Y",  # enterprise, synthetic
            "123301060000000A2M",  # public institution, synthetic
            "91350200776049653A",  # real codes
            "9135021359498494XQ",
            "91440101MA5CJQ4N59",
        ],
    )
    def test_reference_vectors_pass_both_check_characters(self, code: str) -> None:
        parsed = parse_credit_code(code)
        assert parsed.check_character_ok and parsed.organisation_code_ok
        assert parsed.needs_manual_check is False

    def test_a_pilot_area_code_failing_the_check_is_accepted_but_flagged(self) -> None:
        parsed = parse_credit_code("91350100M0001TGQXM")
        assert parsed.check_character_ok is False
        assert parsed.needs_manual_check is True

    def test_a_changed_check_character_is_flagged(self) -> None:
        assert parse_credit_code("521101080000000196").needs_manual_check is True

    def test_lower_case_and_surrounding_spaces_are_normalised(self) -> None:
        assert parse_credit_code(" 91110108000000027y ").value == "91110108000000027Y"

    def test_the_registration_region_is_positions_three_to_eight(self) -> None:
        assert parse_credit_code("521101080000000195").registration_region == "110108"

    @pytest.mark.parametrize("code", ["52110108000000019", "5211010800000001955", ""])
    def test_a_wrong_length_is_refused(self, code: str) -> None:
        with pytest.raises(InvalidCreditCode, match="18 characters"):
            parse_credit_code(code)

    @pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
    def test_letters_outside_the_alphabet_are_refused(self, letter: str) -> None:
        with pytest.raises(InvalidCreditCode, match=letter):
            parse_credit_code("52110108000000019" + letter)

    def test_a_letter_in_the_region_positions_is_refused(self) -> None:
        with pytest.raises(InvalidCreditCode, match="positions 3-8"):
            parse_credit_code("5211A1080000000195")

    def test_the_check_character_can_be_a_letter(self) -> None:
        assert check_character("91110108000000027") == "Y"
