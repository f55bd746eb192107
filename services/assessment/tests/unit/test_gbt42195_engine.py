"""The GB/T 42195-2022 engine: item table, validation, level bands and the reference test vectors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eldercare.assessment.domain import gbt42195 as std
from eldercare.assessment.domain.errors import InvalidScoringInput
from eldercare.assessment.domain.gbt42195 import AdjustmentStacking, RiskEventCounting, RuleSettings
from eldercare.assessment.domain.scoring import ScoringInput, score
from eldercare.common.contracts.assessment import LEVEL_LABELS as CONTRACT_LEVEL_LABELS

ItemsForTotal = Callable[[int], dict[str, int]]
NO_EVENTS = {"fall": 0, "wandering": 0, "choking": 0, "self_harm": 0, "other": 0}


def events(**counts: int) -> dict[str, int]:
    return {**NO_EVENTS, **counts}


class TestItemTable:
    def test_there_are_26_items_in_4_dimensions(self) -> None:
        assert len(std.ITEMS) == 26
        assert [d.code for d in std.DIMENSIONS] == ["B.1", "B.2", "B.3", "B.4"]
        assert [len(d.items) for d in std.DIMENSIONS] == [8, 4, 9, 5]

    def test_item_codes_run_from_b_1_1_to_b_4_5(self) -> None:
        assert std.ITEMS[0].code == "B.1.1"
        assert std.ITEMS[-1].code == "B.4.5"
        assert len(set(std.ITEM_MAXIMA)) == 26

    def test_dimension_maxima_are_32_15_28_15_and_the_total_is_90(self) -> None:
        # §1.9: a printable report with 精神状态 max 29 (total 91) is wrong.
        assert [d.maximum for d in std.DIMENSIONS] == [32, 15, 28, 15]
        assert std.TOTAL_MAXIMUM == 90

    @pytest.mark.parametrize(
        ("code", "maximum"),
        [
            *[(f"B.1.{i}", 4) for i in range(1, 9)],
            ("B.2.1", 4), ("B.2.2", 4), ("B.2.3", 4), ("B.2.4", 3),
            *[(f"B.3.{i}", 4) for i in range(1, 7)],
            ("B.3.7", 1), ("B.3.8", 1), ("B.3.9", 2),
            ("B.4.1", 2), ("B.4.2", 2), ("B.4.3", 4), ("B.4.4", 3), ("B.4.5", 4),
        ],
    )  # fmt: skip
    def test_item_maximum_matches_annex_b(self, code: str, maximum: int) -> None:
        assert std.ITEM_MAXIMA[code] == maximum

    def test_level_labels_are_the_ones_the_contract_publishes(self) -> None:
        assert std.LEVEL_LABELS == CONTRACT_LEVEL_LABELS


class TestItemValidation:
    @pytest.mark.parametrize("code", list(std.ITEM_MAXIMA))
    def test_each_item_accepts_its_maximum_and_zero(self, code: str) -> None:
        sheet = dict(std.ITEM_MAXIMA)
        assert std.validate_items(sheet)[code] == std.ITEM_MAXIMA[code]
        sheet[code] = 0
        assert std.validate_items(sheet)[code] == 0

    @pytest.mark.parametrize("code", list(std.ITEM_MAXIMA))
    def test_each_item_rejects_one_above_its_maximum_naming_the_item(self, code: str) -> None:
        sheet = {**std.ITEM_MAXIMA, code: std.ITEM_MAXIMA[code] + 1}
        with pytest.raises(InvalidScoringInput) as error:
            std.validate_items(sheet)
        assert error.value.field == f"items.{code}"

    def test_stairs_b_2_4_has_no_score_4(self) -> None:
        with pytest.raises(InvalidScoringInput, match=r"B\.2\.4 上下楼梯 scores 0\.\.3") as error:
            std.validate_items({**std.ITEM_MAXIMA, "B.2.4": 4})
        assert error.value.field == "items.B.2.4"

    def test_transport_b_4_4_has_no_score_4(self) -> None:
        with pytest.raises(InvalidScoringInput) as error:
            std.validate_items({**std.ITEM_MAXIMA, "B.4.4": 4})
        assert error.value.field == "items.B.4.4"

    def test_a_negative_score_is_rejected(self) -> None:
        with pytest.raises(InvalidScoringInput) as error:
            std.validate_items({**std.ITEM_MAXIMA, "B.3.2": -1})
        assert error.value.field == "items.B.3.2"

    def test_a_missing_item_is_rejected_naming_it(self) -> None:
        sheet = dict(std.ITEM_MAXIMA)
        del sheet["B.3.9"]
        with pytest.raises(InvalidScoringInput, match="missing") as error:
            std.validate_items(sheet)
        assert error.value.field == "items.B.3.9"

    def test_an_unknown_item_is_rejected_naming_it(self) -> None:
        with pytest.raises(InvalidScoringInput) as error:
            std.validate_items({**std.ITEM_MAXIMA, "B.5.1": 0})
        assert error.value.field == "items.B.5.1"

    @pytest.mark.parametrize("value", [2.0, "3", True, None])
    def test_a_score_that_is_not_a_whole_number_is_rejected(self, value: object) -> None:
        with pytest.raises(InvalidScoringInput) as error:
            std.validate_items({**std.ITEM_MAXIMA, "B.1.2": value})
        assert error.value.field == "items.B.1.2"

    def test_barthel_style_scores_of_10_are_rejected(self) -> None:
        # §1.8/§1.9: items scored 10/5/15 belong to MZ/T 039-2013 (Barthel), not GB/T 42195.
        with pytest.raises(InvalidScoringInput):
            std.validate_items({**std.ITEM_MAXIMA, "B.1.1": 10})

    def test_scores_come_back_in_the_standards_order(self) -> None:
        reversed_sheet = dict(reversed(list(std.ITEM_MAXIMA.items())))
        assert list(std.validate_items(reversed_sheet)) == list(std.ITEM_MAXIMA)


class TestPreliminaryLevel:
    @pytest.mark.parametrize(
        ("total", "level"),
        [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)],
    )
    def test_both_sides_of_every_band(self, total: int, level: int) -> None:
        assert std.preliminary_level(total) == level

    def test_mz_t_039_bands_are_not_used(self) -> None:
        # §1.9: MZ/T 039's "65-95 = 轻度" would make 65 mild; under GB/T 42195 it is 中度.
        assert std.preliminary_level(65) == 2

    @pytest.mark.parametrize("total", [-1, 91])
    def test_a_total_outside_0_to_90_is_rejected(self, total: int) -> None:
        with pytest.raises(InvalidScoringInput):
            std.preliminary_level(total)


class TestSubtotals:
    def test_subtotals_are_the_sums_per_dimension(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(70)))
        assert result.subtotals == {"B.1": 12, "B.2": 15, "B.3": 28, "B.4": 15}
        assert sum(result.subtotals.values()) == result.total_score == 70


class TestReferenceVectors:
    """gbt42195.md §1.5 "Test vectors", with the default rule settings."""

    @pytest.mark.parametrize(
        ("total", "extra", "prelim", "final"),
        [
            (90, {}, 0, 0),
            (89, {}, 1, 1),
            (66, {}, 1, 1),
            (65, {}, 2, 2),
            (46, {}, 2, 2),
            (45, {}, 3, 3),
            (30, {}, 3, 3),
            (29, {}, 4, 4),
            (0, {}, 4, 4),
            (90, {"diagnoses": ["F01"]}, 0, 1),
            (30, {"risk_events_30d": events(fall=1, choking=1)}, 3, 4),
            (20, {"diagnoses": ["F03"]}, 4, 4),
            (75, {"coma": True}, 1, 4),
            (70, {"diagnoses": ["F00"], "risk_events_30d": events(fall=2)}, 1, 2),
            (70, {"risk_events_30d": events(fall=1)}, 1, 1),
        ],
    )
    def test_vector(
        self, items_for_total: ItemsForTotal, total: int, extra: dict[str, object], prelim: int, final: int
    ) -> None:
        result = score(ScoringInput(items=items_for_total(total), **extra))  # type: ignore[arg-type]
        assert (result.total_score, result.preliminary_level, result.final_level) == (total, prelim, final)

    def test_dementia_and_two_falls_raise_two_levels_when_stacking_is_cumulative(
        self, items_for_total: ItemsForTotal
    ) -> None:
        sheet = ScoringInput(items=items_for_total(70), diagnoses=["F00"], risk_events_30d=events(fall=2))
        result = score(sheet, RuleSettings(stacking=AdjustmentStacking.cumulative))
        assert result.final_level == 3

    def test_every_result_records_the_rule_settings_it_used(self, items_for_total: ItemsForTotal) -> None:
        settings = RuleSettings(AdjustmentStacking.cumulative, RiskEventCounting.any_category)
        result = score(ScoringInput(items=items_for_total(70)), settings)
        assert result.rule_settings == {
            "rule_set": "gbt42195-2022/stacking-per-category@1",
            "standard": "GB/T 42195-2022",
            "adjustment_stacking": "cumulative",
            "risk_event_counting": "any_category",
        }

    def test_the_defaults_are_single_raise_and_summed_events(self, items_for_total: ItemsForTotal) -> None:
        result = score(ScoringInput(items=items_for_total(70)))
        assert result.rule_settings["adjustment_stacking"] == "single"
        assert result.rule_settings["risk_event_counting"] == "sum"
        assert result.rule_settings["rule_set"] == "gbt42195-2022/default@1"
