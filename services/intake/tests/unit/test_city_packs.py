"""The Xiangtan, Huzhou, Nanchang and Wuhai packs through the pure engine, rule by rule: each
qualifying item, both sides of every age and level boundary, registration or residence outside the
city, the other benefits of the same article, and amounts the seeds leave to a later document."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from eldercare.intake.domain.eligibility import (
    PersonFacts,
    benefits_for,
    entitlement_for,
    evaluate,
    require_complete,
)
from eldercare.intake.domain.errors import PolicySettingMissing
from eldercare.intake.domain.policy import PolicyPack
from eldercare.intake.policy_packs import catalog

AS_OF = date(2026, 11, 23)


def pack_of(policy: str) -> PolicyPack:
    found = catalog().in_force(policy, AS_OF)
    assert found is not None
    return found


def born_years_ago(years: int, *, day_after: bool = False) -> date:
    """The birth date of someone who turns ``years`` on AS_OF (or the day after: still years - 1)."""
    return date(AS_OF.year - years, AS_OF.month, AS_OF.day + (1 if day_after else 0))


def person(region: str, *codes: str, age: int = 75, level: int | None = 0, **kw: object) -> PersonFacts:
    return PersonFacts(
        birth_date=born_years_ago(age),
        hukou_region=region,
        residence_region=region + "001001",
        circumstances=frozenset(codes),
        assessment_level=level,
        **kw,  # type: ignore[arg-type]
    )


def cited(pack: PolicyPack, facts: PersonFacts) -> list[tuple[str, str | None]]:
    return [(c.article, c.item) for c in evaluate(pack, facts, AS_OF).basis]


def benefit_ids(
    pack: PolicyPack, facts: PersonFacts, settings: dict[str, dict[str, int]] | None = None
) -> list[str]:
    return [b.id for b in benefits_for(pack, facts, AS_OF, settings or {})]


# ---------------------------------------------------------------- 湘潭 Xiangtan


class TestXiangtan:
    pack = pack_of("xiangtan")
    HOME = "430302"  # 雨湖区

    def test_an_economically_disadvantaged_resident_gets_the_service_subsidy_of_article_8_item_3(
        self,
    ) -> None:
        assert ("第八条", "（三）") in cited(self.pack, person(self.HOME, "economically_disadvantaged"))

    def test_without_economic_hardship_there_is_no_subsidy(self) -> None:
        result = evaluate(self.pack, person(self.HOME, "subsistence_allowance", level=2), AS_OF)
        assert not result.eligible and [u.rule_id for u in result.unmet] == ["art8-3"]

    def test_registration_outside_xiangtan_is_unmet_citing_article_8(self) -> None:
        facts = replace(person(self.HOME, "economically_disadvantaged"), hukou_region="430102")
        result = evaluate(self.pack, facts, AS_OF)
        assert [(u.rule_id, u.basis.article) for u in result.unmet] == [("xiangtan_hukou", "第八条")]
        assert benefit_ids(self.pack, facts) == []

    def test_living_outside_xiangtan_is_unmet(self) -> None:
        facts = replace(person(self.HOME, "economically_disadvantaged"), residence_region="430102001001")
        assert [u.rule_id for u in evaluate(self.pack, facts, AS_OF).unmet] == ["resident_in_city"]

    @pytest.mark.parametrize(("day_after", "listed"), [(False, True), (True, False)])
    def test_the_yearly_health_check_starts_on_the_65th_birthday(self, day_after: bool, listed: bool) -> None:
        facts = replace(person(self.HOME), birth_date=born_years_ago(65, day_after=day_after))
        assert ("art8-1" in benefit_ids(self.pack, facts)) is listed

    @pytest.mark.parametrize(
        ("age", "day_after", "expected"),
        [
            (80, True, ["art8-1"]),
            (80, False, ["art8-1", "art8-2-old-age"]),
            (100, True, ["art8-1", "art8-2-old-age"]),
            (100, False, ["art8-1", "art8-2-old-age", "art8-2-longevity"]),
        ],
    )
    def test_old_age_allowance_from_80_and_longevity_allowance_from_100(
        self, age: int, day_after: bool, expected: list[str]
    ) -> None:
        facts = replace(person(self.HOME), birth_date=born_years_ago(age, day_after=day_after))
        assert benefit_ids(self.pack, facts) == expected

    def test_allowances_without_configured_amounts_are_listed_with_the_settings_named(self) -> None:
        grants = {b.id: b for b in benefits_for(self.pack, person(self.HOME, age=100), AS_OF, {})}
        assert grants["art8-2-longevity"].monthly_amount_fen is None
        assert grants["art8-2-longevity"].missing_settings == (
            "policy_settings.xiangtan-2025.longevity_allowance_fen",
        )

    @pytest.mark.parametrize(
        ("codes", "level", "expected"),
        [
            (("extreme_poverty_at_home",), 0, ["art8-4-extreme-poverty"]),
            (("subsistence_allowance",), 1, ["art8-4-disabled"]),
            (("subsistence_allowance",), 0, []),
            (("subsistence_allowance", "severely_disabled_person"), 0, ["art8-4-severely-disabled"]),
            (("severely_disabled_person",), 0, []),
        ],
    )
    def test_home_adaptation_under_article_8_item_4(
        self, codes: tuple[str, ...], level: int, expected: list[str]
    ) -> None:
        ids = benefit_ids(self.pack, person(self.HOME, *codes, age=70, level=level))
        assert [i for i in ids if i.startswith("art8-4")] == expected

    def test_advanced_age_home_adaptation_waits_for_the_age_setting(self) -> None:
        facts = person(self.HOME, "subsistence_allowance", age=85)
        assert "art8-4-advanced-age" not in benefit_ids(self.pack, facts)
        settings = {"xiangtan-2025": {"advanced_age_min_years": 80}}
        assert "art8-4-advanced-age" in benefit_ids(self.pack, facts, settings)

    def test_granting_the_subsidy_unset_is_refused_naming_the_setting(self) -> None:
        entitlement = entitlement_for(self.pack, person(self.HOME, "economically_disadvantaged"), AS_OF, {})
        with pytest.raises(PolicySettingMissing) as caught:
            require_complete(entitlement)
        assert caught.value.field == "policy_settings.xiangtan-2025.monthly_service_subsidy_fen"

    def test_not_in_force_before_29_october_2025(self) -> None:
        result = evaluate(self.pack, person(self.HOME, "economically_disadvantaged"), date(2025, 10, 28))
        assert [u.rule_id for u in result.unmet] == ["in_force"]


# ---------------------------------------------------------------- 湖州 Huzhou

HUZHOU_LEVELS = {f"monthly_service_amount_fen_level_{n}": 10000 * n for n in range(1, 5)}


class TestHuzhou:
    pack = pack_of("huzhou")
    HOME = "330502"  # 吴兴区

    @pytest.mark.parametrize(("level", "eligible"), [(0, False), (1, True), (4, True)])
    def test_economically_disadvantaged_and_disabled_qualifies_under_article_20_item_1(
        self, level: int, eligible: bool
    ) -> None:
        result = evaluate(self.pack, person(self.HOME, "economically_disadvantaged", level=level), AS_OF)
        assert result.eligible is eligible

    def test_disabled_without_economic_hardship_does_not_qualify(self) -> None:
        assert not evaluate(self.pack, person(self.HOME, level=3), AS_OF).eligible

    def test_no_household_registration_is_required_only_residence(self) -> None:
        facts = replace(person(self.HOME, "economically_disadvantaged", level=1), hukou_region="430102")
        assert evaluate(self.pack, facts, AS_OF).eligible
        outside = replace(facts, residence_region="330102001001")
        assert [u.rule_id for u in evaluate(self.pack, outside, AS_OF).unmet] == ["resident_in_city"]

    @pytest.mark.parametrize("level", [1, 2, 3, 4])
    def test_the_amount_is_the_setting_of_the_assessed_level(self, level: int) -> None:
        facts = person(self.HOME, "economically_disadvantaged", level=level)
        e = entitlement_for(self.pack, facts, AS_OF, {"huzhou-2022": HUZHOU_LEVELS})
        assert e.monthly_amount_fen == 10000 * level

    def test_an_unset_level_amount_is_named(self) -> None:
        facts = person(self.HOME, "economically_disadvantaged", level=3)
        e = entitlement_for(
            self.pack, facts, AS_OF, {"huzhou-2022": {"monthly_service_amount_fen_level_1": 1}}
        )
        assert e.missing_settings == ("policy_settings.huzhou-2022.monthly_service_amount_fen_level_3",)

    def test_advanced_age_benefits_wait_for_the_age_the_seed_leaves_open(self) -> None:
        facts = person(self.HOME, age=90, level=2)
        assert benefit_ids(self.pack, facts) == ["art20-4", "art20-5"]

    @pytest.mark.parametrize(
        ("age", "day_after", "level", "expected"),
        [
            (80, False, 1, ["art20-2", "art20-3", "art20-4", "art20-5"]),
            (80, True, 1, ["art20-4", "art20-5"]),
            (80, False, 0, ["art20-3", "art20-4", "art20-5"]),
        ],
    )
    def test_disabled_advanced_age_care_and_old_age_allowance_with_the_age_set(
        self, age: int, day_after: bool, level: int, expected: list[str]
    ) -> None:
        facts = replace(person(self.HOME, level=level), birth_date=born_years_ago(age, day_after=day_after))
        assert benefit_ids(self.pack, facts, {"huzhou-2022": {"advanced_age_min_years": 80}}) == expected

    @pytest.mark.parametrize(("amount", "granted"), [(7999, None), (8000, 8000)])
    def test_the_80_yuan_floor_of_item_2_refuses_a_lower_setting(
        self, amount: int, granted: int | None
    ) -> None:
        settings = {"huzhou-2022": {"advanced_age_min_years": 80, "advanced_age_disabled_care_fen": amount}}
        [care] = [
            b
            for b in benefits_for(self.pack, person(self.HOME, age=85, level=1), AS_OF, settings)
            if b.id == "art20-2"
        ]
        assert care.monthly_amount_fen == granted


# ---------------------------------------------------------------- 南昌 Nanchang


class TestNanchang:
    pack = pack_of("nanchang")
    HOME = "360102"  # 东湖区

    @pytest.mark.parametrize(
        ("codes", "age", "level", "rule"),
        [
            (("extreme_poverty_at_home",), 65, 0, "art20-2-extreme-poverty"),
            (("lost_only_child",), 65, 0, "art20-2-lost-only-child"),
            (("subsistence_allowance",), 70, 0, "art20-2-subsistence-70"),
            ((), 80, 1, "art20-2-disabled-80"),
            (("model_worker_city",), 65, 0, "art20-3"),
            (("hero_county",), 65, 0, "art20-3"),
            (("disabled_on_duty",), 65, 0, "art20-3"),
        ],
    )
    def test_each_group_of_article_20_items_2_and_3_qualifies(
        self, codes: tuple[str, ...], age: int, level: int, rule: str
    ) -> None:
        result = evaluate(self.pack, person(self.HOME, *codes, age=age, level=level), AS_OF)
        assert result.eligible
        [qualifying] = [r for r in self.pack.qualifying if r.id == rule]
        assert qualifying.basis in result.basis

    def test_subsistence_allowance_qualifies_from_the_70th_birthday_not_the_day_before(self) -> None:
        facts = person(self.HOME, "subsistence_allowance")
        assert evaluate(self.pack, replace(facts, birth_date=born_years_ago(70)), AS_OF).eligible
        assert not evaluate(
            self.pack, replace(facts, birth_date=born_years_ago(70, day_after=True)), AS_OF
        ).eligible

    @pytest.mark.parametrize(
        ("day_after", "level", "eligible"), [(False, 1, True), (True, 1, False), (False, 0, False)]
    )
    def test_disabled_at_80_on_both_sides_of_the_age_and_level_boundaries(
        self, day_after: bool, level: int, eligible: bool
    ) -> None:
        facts = replace(person(self.HOME, level=level), birth_date=born_years_ago(80, day_after=day_after))
        assert evaluate(self.pack, facts, AS_OF).eligible is eligible

    def test_registration_and_residence_in_nanchang_are_both_required(self) -> None:
        facts = person(self.HOME, "lost_only_child")
        assert [
            u.rule_id for u in evaluate(self.pack, replace(facts, hukou_region="430102"), AS_OF).unmet
        ] == ["nanchang_hukou"]
        away = replace(facts, residence_region="430102001001")
        assert [u.rule_id for u in evaluate(self.pack, away, AS_OF).unmet] == ["resident_in_city"]
        assert benefit_ids(self.pack, away) == []

    @pytest.mark.parametrize(("amount", "granted"), [(19999, None), (20000, 20000), (30000, 30000)])
    def test_the_amount_is_a_setting_no_lower_than_200_yuan(self, amount: int, granted: int | None) -> None:
        settings = {"nanchang-2019": {"monthly_service_amount_fen": amount}}
        e = entitlement_for(self.pack, person(self.HOME, "lost_only_child"), AS_OF, settings)
        assert e.monthly_amount_fen == granted
        assert ("第二十条", "（二）（三）") in [(c.article, c.item) for c in e.basis]

    @pytest.mark.parametrize(
        ("age", "day_after", "expected"),
        [
            (70, True, ["art20-1"]),
            (70, False, ["art20-1", "art20-4"]),
            (80, True, ["art20-1", "art20-4"]),
            (80, False, ["art20-1", "art20-4", "art20-7", "art20-8"]),
        ],
    )
    def test_insurance_from_70_and_allowance_and_free_hours_from_80(
        self, age: int, day_after: bool, expected: list[str]
    ) -> None:
        facts = replace(person(self.HOME), birth_date=born_years_ago(age, day_after=day_after))
        assert benefit_ids(self.pack, facts) == expected

    def test_the_free_hours_of_item_8_are_at_least_two_a_month(self) -> None:
        [hours] = [
            b for b in benefits_for(self.pack, person(self.HOME, age=85), AS_OF, {}) if b.id == "art20-8"
        ]
        assert hours.monthly_hours_min == 2 and hours.monthly_amount_fen is None

    def test_extreme_poverty_gets_the_insurance_contribution_and_the_nursing_subsidy(self) -> None:
        ids = benefit_ids(self.pack, person(self.HOME, "extreme_poverty", age=65))
        assert ids == ["art20-1", "art20-5", "art20-6"]

    def test_benefits_are_listed_for_a_person_who_is_not_eligible(self) -> None:
        facts = person(self.HOME, age=85)
        assert not evaluate(self.pack, facts, AS_OF).eligible
        assert "art20-7" in benefit_ids(self.pack, facts)


# ---------------------------------------------------------------- 乌海 Wuhai


class TestWuhai:
    pack = pack_of("wuhai")
    HOME = "150302"  # 海勃湾区

    @pytest.mark.parametrize(
        "code",
        [
            "extreme_poverty",
            "three_min",
            "subsistence_allowance",
            "disabled_person",
            "priority_entitled",
            "model_worker_city",
            "family_planning_special",
        ],
    )
    def test_each_group_of_article_8_qualifies(self, code: str) -> None:
        assert evaluate(self.pack, person(self.HOME, code, lives_at_hukou=True), AS_OF).eligible

    def test_a_group_the_article_does_not_name_does_not_qualify(self) -> None:
        assert not evaluate(
            self.pack, person(self.HOME, "lost_only_child", lives_at_hukou=True), AS_OF
        ).eligible

    @pytest.mark.parametrize(("day_after", "eligible"), [(False, True), (True, False)])
    def test_the_60th_birthday_is_the_boundary(self, day_after: bool, eligible: bool) -> None:
        facts = replace(
            person(self.HOME, "subsistence_allowance", lives_at_hukou=True),
            birth_date=born_years_ago(60, day_after=day_after),
        )
        assert evaluate(self.pack, facts, AS_OF).eligible is eligible

    @pytest.mark.parametrize(
        ("changes", "unmet"),
        [
            ({"hukou_region": "430102"}, ["wuhai_hukou"]),
            ({"lives_at_hukou": False}, ["lives_at_hukou"]),
            ({"lives_at_hukou": None}, ["lives_at_hukou"]),
        ],
    )
    def test_registration_in_wuhai_and_living_there_are_required(
        self, changes: dict[str, object], unmet: list[str]
    ) -> None:
        facts = replace(person(self.HOME, "subsistence_allowance", lives_at_hukou=True), **changes)  # type: ignore[arg-type]
        assert [u.rule_id for u in evaluate(self.pack, facts, AS_OF).unmet] == unmet

    def test_a_false_declaration_cancels_the_entitlement_citing_article_32(self) -> None:
        facts = person(self.HOME, "subsistence_allowance", lives_at_hukou=True, false_declaration=True)
        result = evaluate(self.pack, facts, AS_OF)
        assert [(u.rule_id, u.basis.article) for u in result.unmet] == [
            ("art32-false-declaration", "第三十二条")
        ]

    def test_the_subsidy_amount_is_an_unset_setting(self) -> None:
        facts = person(self.HOME, "subsistence_allowance", lives_at_hukou=True)
        e = entitlement_for(self.pack, facts, AS_OF, {})
        assert e.missing_settings == ("policy_settings.wuhai-2017.monthly_service_subsidy_fen",)
        assert not e.emergency_help_required and e.service_categories == ()

    def test_in_force_from_22_december_2017(self) -> None:
        facts = person(self.HOME, "subsistence_allowance", lives_at_hukou=True)
        assert [u.rule_id for u in evaluate(self.pack, facts, date(2017, 12, 21)).unmet] == ["in_force"]


def test_a_flagged_person_is_excluded_under_wuhai_article_32_when_decided() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    from eldercare.intake.application.decisions import facts_of
    from eldercare.intake.domain.application import Application, AssessmentResult
    from eldercare.intake.domain.person import Person
    from eldercare.intake.domain.vocabulary import Sex

    at = datetime(2026, 11, 1, tzinfo=UTC)
    flagged = Person(
        name="测试",
        id_number="150302194403080011",
        sex=Sex.male,
        birth_date=date(1944, 3, 8),
        phone="13800000000",
        address="海勃湾区",
        hukou_region="150302",
        false_declaration_at=at,
    )
    application = Application(
        person_id=flagged.id,
        policy="wuhai",
        community_code="150302001001",
        district_code="150302",
        circumstances=("subsistence_allowance",),
        submitted_by="worker",
        submitted_at=at,
    )
    application.assessment = AssessmentResult(uuid4(), 70, 1, at)
    facts = facts_of(application, flagged)
    assert facts.false_declaration is True
    unmet = evaluate(pack_of("wuhai"), facts, AS_OF).unmet
    assert [u.rule_id for u in unmet] == ["art32-false-declaration"]
