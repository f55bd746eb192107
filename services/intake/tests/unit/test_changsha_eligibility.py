"""The Changsha pack through the pure engine: 第五条 (each item and its boundaries), 第六条,
第二十一条 (the exclusion and its grandfathering), 第十三条 and 第四条 (the entitlement)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from eldercare.intake.domain.eligibility import PersonFacts, entitlement_for, evaluate, require_complete
from eldercare.intake.domain.errors import PolicySettingMissing
from eldercare.intake.domain.policy import PolicyPack
from eldercare.intake.policy_packs import catalog

AS_OF = date(2026, 11, 23)
SETTINGS = {"changsha-2024": {"monthly_service_amount_fen": 30000}}


@pytest.fixture(scope="module")
def pack() -> PolicyPack:
    found = catalog().in_force("changsha", AS_OF)
    assert found is not None
    return found


def facts(**overrides: object) -> PersonFacts:
    base = PersonFacts(
        birth_date=date(1944, 3, 8),
        hukou_region="430102",
        residence_region="430102001001",
        circumstances=frozenset({"subsistence_allowance"}),
        assessment_level=1,
    )
    return replace(base, **overrides)  # type: ignore[arg-type]


def unmet_ids(pack: PolicyPack, f: PersonFacts, as_of: date = AS_OF) -> list[str]:
    return [u.rule_id for u in evaluate(pack, f, as_of).unmet]


class TestArticle5Item1:
    def test_a_partly_disabled_person_on_subsistence_allowance_is_eligible_citing_item_1(
        self, pack: PolicyPack
    ) -> None:
        result = evaluate(pack, facts(), AS_OF)
        assert result.eligible is True
        assert ("第五条", "（一）") in [(c.article, c.item) for c in result.basis]

    def test_level_0_is_not_disabled_so_not_eligible(self, pack: PolicyPack) -> None:
        result = evaluate(pack, facts(assessment_level=0), AS_OF)
        assert result.eligible is False
        assert [u.rule_id for u in result.unmet] == ["art5-1", "art5-2", "art5-3", "art5-4"]
        assert "assessment_level is 0, the rule needs >= 1" in result.unmet[0].reasons

    @pytest.mark.parametrize(
        "circumstance", ["extreme_poverty_at_home", "subsistence_allowance", "near_subsistence"]
    )
    def test_each_family_circumstance_of_item_1_qualifies(self, pack: PolicyPack, circumstance: str) -> None:
        assert evaluate(pack, facts(circumstances=frozenset({circumstance})), AS_OF).eligible

    def test_extreme_poverty_in_an_institution_is_not_item_1(self, pack: PolicyPack) -> None:
        assert not evaluate(pack, facts(circumstances=frozenset({"extreme_poverty"})), AS_OF).eligible

    def test_an_unknown_level_is_named_as_unknown(self, pack: PolicyPack) -> None:
        result = evaluate(pack, facts(assessment_level=None), AS_OF)
        assert "assessment_level is not known" in result.unmet[0].reasons


class TestArticle5Items2And3:
    @pytest.mark.parametrize(
        ("circumstance", "item"),
        [
            ("family_planning_special", "（二）"),
            ("lost_only_child", "（二）"),
            ("model_worker_city", "（三）"),
        ],
    )
    def test_a_disabled_person_of_the_group_qualifies_under_its_item(
        self, pack: PolicyPack, circumstance: str, item: str
    ) -> None:
        result = evaluate(pack, facts(circumstances=frozenset({circumstance})), AS_OF)
        assert result.eligible
        assert item in [c.item for c in result.basis if c.article == "第五条"]

    def test_the_group_without_disability_does_not_qualify(self, pack: PolicyPack) -> None:
        assert not evaluate(
            pack, facts(circumstances=frozenset({"model_worker_city"}), assessment_level=0), AS_OF
        ).eligible


class TestArticle5Item4:
    def test_a_person_qualifies_on_the_100th_birthday(self, pack: PolicyPack) -> None:
        centenarian = facts(birth_date=date(1926, 11, 23), circumstances=frozenset(), assessment_level=0)
        result = evaluate(pack, centenarian, AS_OF)
        assert result.eligible
        assert "（四）" in [c.item for c in result.basis]

    def test_a_person_of_99_the_day_before_does_not(self, pack: PolicyPack) -> None:
        almost = facts(birth_date=date(1926, 11, 24), circumstances=frozenset(), assessment_level=0)
        result = evaluate(pack, almost, AS_OF)
        assert not result.eligible
        assert "age is 99, the rule needs >= 100" in result.unmet[-1].reasons


class TestRequirements:
    def test_a_household_registration_outside_changsha_is_refused_citing_article_5(
        self, pack: PolicyPack
    ) -> None:
        result = evaluate(pack, facts(hukou_region="430202"), AS_OF)
        assert not result.eligible
        assert [(u.rule_id, u.basis.article) for u in result.unmet] == [("changsha_hukou", "第五条")]

    def test_a_changsha_county_level_city_is_within_changsha(self, pack: PolicyPack) -> None:
        assert evaluate(pack, facts(hukou_region="430181"), AS_OF).eligible  # 浏阳市

    def test_habitual_residence_outside_the_city_is_refused_citing_article_6(self, pack: PolicyPack) -> None:
        result = evaluate(pack, facts(residence_region="440103001001"), AS_OF)
        assert [(u.rule_id, u.basis.article) for u in result.unmet] == [
            ("habitual_residence_in_city", "第六条")
        ]

    def test_the_requirements_are_only_those_of_articles_5_and_6(self, pack: PolicyPack) -> None:
        # 第五条 names no minimum age for 老年人: no age rule is borrowed from a law outside the seeds.
        assert [(r.id, r.basis.article) for r in pack.requirements] == [
            ("changsha_hukou", "第五条"),
            ("habitual_residence_in_city", "第六条"),
        ]


class TestArticle21:
    def test_a_recipient_of_extreme_poverty_care_is_excluded(self, pack: PolicyPack) -> None:
        result = evaluate(pack, facts(receives_extreme_poverty_care=True), AS_OF)
        assert not result.eligible
        assert [(u.rule_id, u.basis.article) for u in result.unmet] == [
            ("art21-extreme-poverty-care", "第二十一条")
        ]

    def test_the_circumstance_code_counts_as_receiving_the_care(self, pack: PolicyPack) -> None:
        codes = frozenset({"extreme_poverty_at_home", "receives_extreme_poverty_care"})
        assert unmet_ids(pack, facts(circumstances=codes)) == ["art21-extreme-poverty-care"]

    def test_receiving_both_since_before_the_rules_took_effect_is_grandfathered(
        self, pack: PolicyPack
    ) -> None:
        result = evaluate(
            pack, facts(receives_extreme_poverty_care=True, receiving_since=date(2024, 7, 31)), AS_OF
        )
        assert result.eligible
        assert ("第二十一条", "第一款但书") in [(c.article, c.item) for c in result.basis]

    def test_receiving_both_from_the_effective_date_on_is_not_grandfathered(self, pack: PolicyPack) -> None:
        assert unmet_ids(
            pack, facts(receives_extreme_poverty_care=True, receiving_since=date(2024, 8, 1))
        ) == ["art21-extreme-poverty-care"]


class TestArticle21EarlierPolicy:
    """第二十一条 第二款: those served under 长政办发〔2019〕1号 before the rules keep the service."""

    def test_a_person_served_before_august_2024_keeps_the_service_without_meeting_article_5(
        self, pack: PolicyPack
    ) -> None:
        outside = facts(
            circumstances=frozenset(), assessment_level=0, earlier_service_since=date(2024, 7, 31)
        )
        result = evaluate(pack, outside, AS_OF)
        assert result.eligible
        assert [(c.article, c.item) for c in result.basis] == [("第二十一条", "第二款")]

    def test_a_person_served_from_august_2024_on_must_meet_article_5(self, pack: PolicyPack) -> None:
        later = facts(circumstances=frozenset(), assessment_level=0, earlier_service_since=date(2024, 8, 1))
        assert unmet_ids(pack, later) == ["art5-1", "art5-2", "art5-3", "art5-4"]

    def test_the_extreme_poverty_exclusion_still_applies_to_a_grandfathered_person(
        self, pack: PolicyPack
    ) -> None:
        both = facts(earlier_service_since=date(2020, 1, 1), receives_extreme_poverty_care=True)
        assert unmet_ids(pack, both) == ["art21-extreme-poverty-care"]

    def test_a_grandfathered_person_receiving_both_since_before_august_2024_keeps_both(
        self, pack: PolicyPack
    ) -> None:
        both = facts(
            earlier_service_since=date(2020, 1, 1),
            receives_extreme_poverty_care=True,
            receiving_since=date(2020, 1, 1),
        )
        result = evaluate(pack, both, AS_OF)
        assert result.eligible
        assert [(c.article, c.item) for c in result.basis] == [
            ("第二十一条", "第二款"),
            ("第二十一条", "第一款但书"),
        ]


class TestValidity:
    def test_a_date_outside_the_five_years_of_article_22_is_unmet(self, pack: PolicyPack) -> None:
        assert unmet_ids(pack, facts(), date(2029, 8, 1)) == ["in_force"]


class TestEntitlement:
    def test_the_amount_comes_from_the_setting_with_the_categories_of_article_13(
        self, pack: PolicyPack
    ) -> None:
        e = entitlement_for(pack, facts(), AS_OF, SETTINGS)
        assert e.monthly_amount_fen == 30000
        assert e.service_categories == (
            "daily_living",
            "basic_nursing",
            "health_management",
            "emotional_comfort",
            "welfare_visit",
            "errands",
        )
        assert [c.article for c in e.basis] == ["第四条", "第十三条"]

    @pytest.mark.parametrize(
        ("guardian", "required"),
        [
            ("civil_affairs_bureau", True),
            ("village_committee", True),
            ("residents_committee", True),
            ("family", False),
            (None, False),
        ],
    )
    def test_emergency_help_is_required_when_the_guardian_is_public(
        self, pack: PolicyPack, guardian: str | None, required: bool
    ) -> None:
        assert (
            entitlement_for(pack, facts(guardian=guardian), AS_OF, SETTINGS).emergency_help_required
            is required
        )

    def test_an_unset_amount_is_none_and_named(self, pack: PolicyPack) -> None:
        e = entitlement_for(pack, facts(), AS_OF, {})
        assert e.monthly_amount_fen is None
        assert e.missing_settings == ("policy_settings.changsha-2024.monthly_service_amount_fen",)

    def test_granting_an_unset_amount_is_refused_naming_the_setting(self, pack: PolicyPack) -> None:
        with pytest.raises(PolicySettingMissing) as caught:
            require_complete(entitlement_for(pack, facts(), AS_OF, {"changsha-2024": {}}))
        assert caught.value.field == "policy_settings.changsha-2024.monthly_service_amount_fen"
        assert caught.value.status == 422
