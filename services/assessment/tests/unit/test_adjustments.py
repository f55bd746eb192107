"""Report item C.4: the level adjustments R1-R4 and the rule settings that shape them."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eldercare.assessment.domain import adjustments as adj
from eldercare.assessment.domain.errors import InvalidScoringInput
from eldercare.assessment.domain.gbt42195 import AdjustmentStacking, RiskEventCounting, RuleSettings
from eldercare.assessment.domain.scoring import ScoringInput, score

ItemsForTotal = Callable[[int], dict[str, int]]
NO_EVENTS = {"fall": 0, "wandering": 0, "choking": 0, "self_harm": 0, "other": 0}


def events(**counts: int) -> dict[str, int]:
    return {**NO_EVENTS, **counts}


def codes(result: object) -> list[str]:
    return [a.code for a in result.adjustments]  # type: ignore[attr-defined]


class TestComaR1:
    def test_coma_gives_complete_loss_even_with_a_full_score(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(90), coma=True))
        assert (result.preliminary_level, result.final_level) == (0, 4)
        assert codes(result) == ["R1"]

    def test_coma_is_complete_loss_not_mz_t_039_severe(self, items_for_total: ItemsForTotal) -> None:
        # §1.9: "昏迷 → 重度失能" (level 3) is MZ/T 039 wording; GB/T 42195 C.4 says 完全丧失.
        assert score(ScoringInput(items=items_for_total(40), coma=True)).final_level == 4

    def test_other_matched_reasons_are_recorded_alongside_coma(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(75), coma=True, diagnoses=["F02"]))
        assert codes(result) == ["R1", "R2"]
        assert result.final_level == 4


class TestDiagnosesR2R3:
    @pytest.mark.parametrize("code", ["F00", "F01", "F02", "F03", "F03.9", "f01.1"])
    def test_dementia_f00_to_f03_raises_one_level(self, items_for_total: ItemsForTotal, code: str) -> None:
        result = score(ScoringInput(items=items_for_total(70), diagnoses=[code]))
        assert codes(result) == ["R2"]
        assert result.final_level == 2

    def test_dementia_does_not_need_a_psychiatrist(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(70), diagnoses=["F01"]))
        assert result.final_level == 2

    @pytest.mark.parametrize("code", ["F04", "F20", "F32.1", "F99"])
    def test_other_mental_disorder_raises_only_when_a_psychiatrist_diagnosed_it(
        self, items_for_total: ItemsForTotal, code: str
    ) -> None:
        without = score(ScoringInput(items=items_for_total(70), diagnoses=[code]))
        with_specialist = score(
            ScoringInput(items=items_for_total(70), diagnoses=[code], psychiatric_specialist_diagnosis=True)
        )
        assert (without.final_level, codes(without)) == (1, [])
        assert (with_specialist.final_level, codes(with_specialist)) == (2, ["R3"])

    @pytest.mark.parametrize("code", ["I10", "G30", "G20", "E11"])
    def test_non_mental_diagnoses_change_nothing(self, items_for_total: ItemsForTotal, code: str) -> None:
        result = score(
            ScoringInput(items=items_for_total(70), diagnoses=[code], psychiatric_specialist_diagnosis=True)
        )
        assert (result.final_level, codes(result)) == (1, [])

    def test_free_text_is_not_a_diagnosis(self, items_for_total: ItemsForTotal) -> None:
        # §1.5: a free-text "memory problems" note does not trigger R2.
        with pytest.raises(InvalidScoringInput) as error:
            score(ScoringInput(items=items_for_total(70), diagnoses=["I10", "memory problems"]))
        assert error.value.field == "diagnoses.1"

    def test_diagnoses_are_normalised_and_deduplicated(self) -> None:
        assert adj.normalise_diagnoses([" f01 ", "F01", "i10"]) == ("F01", "I10")


class TestRiskEventsR4:
    def test_one_fall_and_one_choking_add_up_to_two_by_default(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(70), risk_events_30d=events(fall=1, choking=1)))
        assert (result.final_level, codes(result)) == (2, ["R4"])

    def test_one_event_in_total_changes_nothing(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(70), risk_events_30d=events(other=1)))
        assert (result.final_level, codes(result)) == (1, [])

    def test_counting_per_category_needs_two_in_one_category(self, items_for_total: ItemsForTotal) -> None:
        settings = RuleSettings(risk_event_counting=RiskEventCounting.any_category)
        spread = score(
            ScoringInput(items=items_for_total(70), risk_events_30d=events(fall=1, choking=1)), settings
        )
        same = score(ScoringInput(items=items_for_total(70), risk_events_30d=events(wandering=2)), settings)
        assert (spread.final_level, same.final_level) == (1, 2)

    def test_three_or_more_counts_as_three_in_the_reason(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(70), risk_events_30d=events(fall=3, self_harm=1)))
        assert "共4次" in result.adjustments[0].reason

    @pytest.mark.parametrize("value", [4, -1, True, "2"])
    def test_a_count_outside_the_a_2_14_options_is_rejected(self, value: object) -> None:
        with pytest.raises(InvalidScoringInput) as error:
            adj.validate_risk_events({**NO_EVENTS, "fall": value})
        assert error.value.field == "risk_events_30d.fall"

    def test_every_category_must_be_answered(self) -> None:
        with pytest.raises(InvalidScoringInput) as error:
            adj.validate_risk_events({"fall": 0})
        assert error.value.field == "risk_events_30d.wandering"

    def test_an_unknown_category_is_rejected(self) -> None:
        with pytest.raises(InvalidScoringInput) as error:
            adj.validate_risk_events({**NO_EVENTS, "burns": 1})
        assert error.value.field == "risk_events_30d.burns"


class TestStackingAndCap:
    def test_single_stacking_raises_once_but_records_every_reason(
        self, items_for_total: ItemsForTotal
    ) -> None:
        result = score(
            ScoringInput(
                items=items_for_total(70),
                diagnoses=["F01", "F20"],
                psychiatric_specialist_diagnosis=True,
                risk_events_30d=events(fall=2),
            )
        )
        assert codes(result) == ["R2", "R3", "R4"]
        assert result.final_level == 2

    def test_cumulative_stacking_is_capped_at_complete_loss(self, items_for_total: ItemsForTotal) -> None:
        sheet = ScoringInput(
            items=items_for_total(40),
            diagnoses=["F01", "F20"],
            psychiatric_specialist_diagnosis=True,
            risk_events_30d=events(fall=2),
        )
        result = score(sheet, RuleSettings(stacking=AdjustmentStacking.cumulative))
        assert (result.preliminary_level, result.final_level) == (3, 4)

    def test_the_worst_level_is_not_raised_further(self, items_for_total: ItemsForTotal) -> None:
        assert score(ScoringInput(items=items_for_total(10), diagnoses=["F00"])).final_level == 4

    def test_final_level_without_reasons_is_the_preliminary_level(self) -> None:
        assert adj.final_level(2, [], AdjustmentStacking.single) == 2
