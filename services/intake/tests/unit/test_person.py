"""Identity checks of the applicant: GB 11643-1999 numbers, birth date and sex, region codes, age."""

from __future__ import annotations

from datetime import date

import pytest

from eldercare.common.id_numbers import make_id_number
from eldercare.intake.domain.errors import InvalidApplicant
from eldercare.intake.domain.person import (
    Agent,
    Person,
    age_on,
    agent_changes,
    changed_agent,
    district_of_community,
    normalise_id_number,
    verified_applicant,
)
from eldercare.intake.domain.vocabulary import Sex

TODAY = date(2026, 11, 23)


def applicant(**overrides: object) -> dict[str, object]:
    return {
        "name": "张三",
        "id_number": make_id_number("430102", date(1950, 1, 1), 123),
        "sex": Sex.male,
        "birth_date": date(1950, 1, 1),
        "phone": "13800001234",
        "address": "芙蓉区示范路1号",
        "hukou_region": "430102",
        "ethnicity": "汉",
        "today": TODAY,
        **overrides,
    }


class TestNormaliseIdNumber:
    def test_the_standards_own_example_gives_its_birth_date_and_sex(self) -> None:
        assert normalise_id_number("11010519491231002X", today=TODAY, field="f") == (
            "11010519491231002X",
            date(1949, 12, 31),
            Sex.female,
        )

    def test_a_lower_case_x_is_normalised(self) -> None:
        assert normalise_id_number("11010519491231002x", today=TODAY, field="f")[0] == "11010519491231002X"

    def test_a_legacy_15_digit_number_is_converted_to_18(self) -> None:
        assert normalise_id_number("110105491231002", today=TODAY, field="f")[0] == "11010519491231002X"

    @pytest.mark.parametrize(
        ("raw", "why"),
        [
            ("110101190001010015", "check digit"),
            ("430102195002301230", "not a real date"),
            ("43010219500101123", "18 characters"),
            ("4301021950010112345", "18 characters"),
            ("43010219500101123A", "check character"),
            ("430102203001011234", "impossible"),
        ],
        ids=["wrong-check-digit", "impossible-date", "17-chars", "19-chars", "bad-char", "future-birth"],
    )
    def test_an_invalid_number_names_the_field_and_the_reason(self, raw: str, why: str) -> None:
        with pytest.raises(InvalidApplicant) as caught:
            normalise_id_number(raw, today=TODAY, field="agent.id_number")
        assert caught.value.field == "agent.id_number"
        assert why in caught.value.detail


class TestVerifiedApplicant:
    def test_a_consistent_applicant_is_accepted_with_the_normalised_number(self) -> None:
        person = verified_applicant(
            **applicant(id_number=make_id_number("430102", date(1950, 1, 1), 123).lower())
        )
        assert person.id_number == make_id_number("430102", date(1950, 1, 1), 123)
        assert (person.sex, person.birth_date) == (Sex.male, date(1950, 1, 1))

    def test_a_birth_date_other_than_the_numbers_is_refused(self) -> None:
        with pytest.raises(InvalidApplicant) as caught:
            verified_applicant(**applicant(birth_date=date(1950, 1, 2)))
        assert caught.value.field == "applicant.birth_date"

    def test_a_sex_other_than_the_17th_digits_is_refused(self) -> None:
        with pytest.raises(InvalidApplicant) as caught:
            verified_applicant(**applicant(sex=Sex.female))
        assert caught.value.field == "applicant.sex"

    def test_a_newer_application_updates_contact_details_but_not_identity(self) -> None:
        known = verified_applicant(**applicant())
        newer = verified_applicant(**applicant(phone="13900009999", address="岳麓区新路2号"))
        merged = known.with_contact(newer)
        assert (merged.id, merged.id_number) == (known.id, known.id_number)
        assert (merged.phone, merged.address) == ("13900009999", "岳麓区新路2号")


class TestDistrictOfCommunity:
    def test_the_district_is_the_first_six_digits(self) -> None:
        assert district_of_community("430102001001") == "430102"

    @pytest.mark.parametrize(
        "code",
        ["430100001001", "430002001001", "430102000001", "430102001000", "43010200100", "43010200100a"],
    )
    def test_a_code_that_does_not_start_with_a_district_is_refused(self, code: str) -> None:
        with pytest.raises(InvalidApplicant) as caught:
            district_of_community(code)
        assert caught.value.field == "applicant.community_code"


class TestAgeOn:
    def test_the_age_turns_on_the_birthday_itself(self) -> None:
        born = date(1926, 11, 23)
        assert age_on(born, date(2026, 11, 22)) == 99
        assert age_on(born, date(2026, 11, 23)) == 100

    def test_a_leap_day_birthday_counts_from_the_first_of_march_in_other_years(self) -> None:
        born = date(1964, 2, 29)
        assert age_on(born, date(2025, 2, 28)) == 60
        assert age_on(born, date(2025, 3, 1)) == 61


class TestContactChange:
    AGENT = Agent(name="李明", relation="儿子", phone="13900001111", id_number="x")

    def test_the_same_agent_keeps_the_recorded_number(self) -> None:
        newer = changed_agent(
            self.AGENT,
            name="李明",
            relation="女婿",
            phone="13911112222",
            id_number=None,
            today=date(2026, 11, 23),
        )
        assert newer == Agent("李明", "女婿", "13911112222", "x")
        assert agent_changes(self.AGENT, newer) == ["agent.relation", "agent.phone"]

    @pytest.mark.parametrize("current", [None, AGENT])
    def test_a_new_agent_needs_an_id_number(self, current: Agent | None) -> None:
        with pytest.raises(InvalidApplicant) as caught:
            changed_agent(
                current, name="王芳", relation="女儿", phone="139", id_number=None, today=date(2026, 1, 1)
            )
        assert caught.value.field == "agent.id_number"

    def test_changed_contact_names_the_fields_only(self) -> None:
        person = Person("张三", "n", Sex.male, date(1944, 3, 8), "13800000001", "旧址", "430102")
        moved = person.with_changed_contact(phone="13700009999", address="新址")
        assert person.contact_changes(moved) == ["phone", "address"]
        assert moved.name == "张三" and moved.id == person.id
