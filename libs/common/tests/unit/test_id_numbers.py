from datetime import date

import pytest

from eldercare.common.id_numbers import InvalidIdNumber, make_id_number, parse_id_number


class TestResidentIdNumber:
    # Vectors from shared/reference/identifiers.md §4.1.
    def test_accepts_the_standards_own_example(self) -> None:
        parsed = parse_id_number("11010519491231002X")
        assert parsed.birth_date == date(1949, 12, 31)
        assert parsed.sex == "female"

    def test_lower_case_x_is_normalised(self) -> None:
        assert parse_id_number("11010519491231002x").value == "11010519491231002X"

    def test_odd_17th_digit_means_male(self) -> None:
        assert parse_id_number("110101190001010014").sex == "male"
        assert parse_id_number("110101190001010022").sex == "female"

    def test_rejects_a_wrong_check_digit(self) -> None:
        with pytest.raises(InvalidIdNumber, match="check digit"):
            parse_id_number("110101190001010015")

    def test_converts_a_legacy_15_digit_number(self) -> None:
        assert parse_id_number("110105491231002").value == "11010519491231002X"

    @pytest.mark.parametrize("raw", ["1101051949123100", "11010519491231002XX", "", "ABCDEFGHIJKLMNOPQR"])
    def test_rejects_wrong_lengths_and_characters(self, raw: str) -> None:
        with pytest.raises(InvalidIdNumber):
            parse_id_number(raw)

    def test_rejects_an_impossible_birth_date(self) -> None:
        number = make_id_number("430102", date(1950, 1, 1), 123).replace("19500101", "19500231")
        with pytest.raises(InvalidIdNumber, match="not a real date"):
            parse_id_number(number[:17] + "0")

    def test_rejects_a_birth_date_in_the_future(self) -> None:
        with pytest.raises(InvalidIdNumber, match="impossible"):
            parse_id_number(make_id_number("430102", date(2030, 1, 1), 1), today=date(2026, 11, 23))

    def test_masks_all_but_the_prefix_and_the_last_four(self) -> None:
        assert parse_id_number("11010519491231002X").masked() == "110***********002X"

    def test_generated_numbers_are_valid(self) -> None:
        number = make_id_number("430102", date(1940, 5, 6), 77)
        assert parse_id_number(number).birth_date == date(1940, 5, 6)
