"""Properties of the GB/T 42195-2022 engine over random valid tables (hypothesis), and negative tests
from the reference's list of wrong implementations (gbt42195.md §1.8, §1.9)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eldercare.assessment.domain import gbt42195 as std
from eldercare.assessment.domain.errors import InvalidScoringInput
from eldercare.assessment.domain.evaluation import Diagnosis, EvaluationInput, evaluate
from eldercare.assessment.domain.options import OPTIONS

item_vectors = st.fixed_dictionaries({item.code: st.integers(0, item.maximum) for item in std.ITEMS})
risk_events = st.fixed_dictionaries(
    {name: st.integers(0, 3) for name in ("fall", "wandering", "choking", "self_harm", "other")}
)
diagnoses = st.lists(
    st.builds(
        Diagnosis,
        icd10=st.sampled_from(["F00", "F01.1", "F03", "F20", "F32.9", "I10", "E11", "G20", "M81"]),
        by_psychiatrist=st.booleans(),
    ),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(
    items=item_vectors,
    coma=st.booleans(),
    dx=diagnoses,
    events=risk_events,
    rule_set=st.sampled_from(sorted(std.RULE_SETS)),
)
def test_for_any_valid_table_the_sums_hold_and_the_final_level_is_never_better(
    items: dict[str, int], coma: bool, dx: list[Diagnosis], events: dict[str, int], rule_set: str
) -> None:
    result = evaluate(
        EvaluationInput(items=items, coma=coma, diagnoses=dx, risk_events_30d=events, rule_set=rule_set)
    ).result
    assert result.total_score == sum(items.values())
    assert sum(result.subtotals.values()) == result.total_score
    assert 0 <= result.total_score <= 90
    assert result.preliminary_level == std.preliminary_level(result.total_score)
    assert result.preliminary_level <= result.final_level <= 4
    if coma:
        assert result.final_level == 4
    if not result.adjustments:
        assert result.final_level == result.preliminary_level


@settings(max_examples=200, deadline=None)
@given(items=item_vectors)
def test_a_table_answered_with_option_codes_scores_as_the_same_table_answered_with_scores(
    items: dict[str, int],
) -> None:
    # The first option with each score (B.3.9's 昏迷 comes after 昏睡, so coma is never picked here).
    codes = {code: next(o.code for o in OPTIONS[code] if o.score == score) for code, score in items.items()}
    by_score = evaluate(EvaluationInput(items=items)).result
    by_code = evaluate(EvaluationInput(items=codes)).result
    assert (by_code.total_score, by_code.final_level) == (by_score.total_score, by_score.final_level)


class TestWrongImplementationsCannotCreepIn:
    """gbt42195.md §1.9 'Where the sources disagree (use as negative tests)'."""

    def test_the_maximum_total_is_90_not_89_from_a_b44_scored_0_to_2(self) -> None:
        assert std.ITEM_MAXIMA["B.4.4"] == 3
        assert std.TOTAL_MAXIMUM == 90
        full = evaluate(EvaluationInput(items=dict(std.ITEM_MAXIMA))).result
        assert (full.total_score, full.preliminary_level) == (90, 0)

    def test_89_is_mild_not_intact(self) -> None:
        items = {**std.ITEM_MAXIMA, "B.4.4": 2}
        assert evaluate(EvaluationInput(items=items)).result.preliminary_level == 1

    def test_mental_status_is_28_not_29_so_the_maxima_never_add_up_to_91(self) -> None:
        maxima = {dim.code: dim.maximum for dim in std.DIMENSIONS}
        assert maxima == {"B.1": 32, "B.2": 15, "B.3": 28, "B.4": 15}
        assert sum(maxima.values()) != 91

    def test_a_total_of_91_is_refused(self) -> None:
        with pytest.raises(InvalidScoringInput):
            std.preliminary_level(91)

    @pytest.mark.parametrize(
        ("total", "gbt_level"),
        # MZ/T 039-2013 ADL bands (§1.8): 100 完好, 65-95 轻度, 45-60 中度, <=40 重度.
        [(65, 2), (60, 2), (45, 3), (40, 3)],
    )
    def test_the_2013_bands_are_not_used(self, total: int, gbt_level: int) -> None:
        assert std.preliminary_level(total) == gbt_level

    @pytest.mark.parametrize("total", [95, 100])
    def test_a_rescaled_0_to_100_total_is_refused(self, total: int) -> None:
        with pytest.raises(InvalidScoringInput):
            std.preliminary_level(total)

    def test_higher_is_better_so_a_full_table_is_intact_not_the_worst(self) -> None:
        # The nursing ERP of §1.9 grades "higher = worse"; GB/T 42195 grades higher = better.
        assert evaluate(EvaluationInput(items=dict(std.ITEM_MAXIMA))).result.final_level == 0
        zeros = dict.fromkeys(std.ITEM_MAXIMA, 0)
        assert evaluate(EvaluationInput(items=zeros)).result.final_level == 4

    @pytest.mark.parametrize(("code", "score"), [("B.1.1", 10), ("B.1.3", 5), ("B.2.3", 15)])
    def test_barthel_scores_of_5_10_and_15_are_refused(self, code: str, score: int) -> None:
        with pytest.raises(InvalidScoringInput) as raised:
            evaluate(EvaluationInput(items={**std.ITEM_MAXIMA, code: score}))
        assert [e["field"] for e in raised.value.errors or []] == [f"items.{code}"]

    def test_coma_is_complete_loss_not_the_2013_severe(self) -> None:
        result = evaluate(EvaluationInput(items=dict(std.ITEM_MAXIMA), coma=True)).result
        assert result.final_level == 4
        assert std.level_label(result.final_level) == "能力完全丧失（完全失能）"


class TestRuleSets:
    def test_every_combination_of_the_open_points_has_exactly_one_name(self) -> None:
        pairs = {(rs.settings.stacking, rs.settings.risk_event_counting) for rs in std.RULE_SETS.values()}
        assert len(pairs) == len(std.RULE_SETS) == 4

    def test_a_rule_set_name_round_trips_through_its_settings(self) -> None:
        for name, rs in std.RULE_SETS.items():
            assert rs.settings.name == name
            assert rs.settings.as_record()["rule_set"] == name

    def test_the_default_rule_set_is_the_references_reading(self) -> None:
        default = std.RULE_SETS[std.DEFAULT_RULE_SET].settings
        assert default == std.RuleSettings()
        assert default.stacking is std.AdjustmentStacking.single
        assert default.risk_event_counting is std.RiskEventCounting.sum

    def test_an_unknown_rule_set_is_refused_naming_the_field(self) -> None:
        with pytest.raises(InvalidScoringInput) as raised:
            evaluate(EvaluationInput(items=dict(std.ITEM_MAXIMA), rule_set="gbt42195-2022/default@2"))
        assert [e["field"] for e in raised.value.errors or []] == ["rule_set"]
