"""Annex B option codes with Chinese labels, and ICD-10 code checks for A.4.1."""

from __future__ import annotations

import pytest

from eldercare.assessment.domain import gbt42195 as std
from eldercare.assessment.domain import icd10
from eldercare.assessment.domain.options import OPTIONS, label_of, option


class TestOptions:
    def test_every_item_has_a_chinese_labelled_option_for_every_score(self) -> None:
        for item in std.ITEMS:
            scores = sorted({o.score for o in OPTIONS[item.code]})
            assert scores == list(range(item.maximum + 1)), item.code
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in o.label) for o in OPTIONS[item.code])

    def test_b39_keeps_stupor_and_coma_apart_though_both_score_0(self) -> None:
        stupor, coma = option("B.3.9", "stupor"), option("B.3.9", "coma")
        assert stupor is not None and coma is not None
        assert (stupor.score, stupor.label) == (0, "昏睡")
        assert (coma.score, coma.label) == (0, "昏迷")
        assert label_of("B.3.9", 0) == "昏睡/昏迷"

    def test_b39_keeps_somnolence_and_confusion_apart_though_both_score_1(self) -> None:
        assert {o.label for o in OPTIONS["B.3.9"] if o.score == 1} == {"嗜睡", "意识模糊"}

    def test_option_codes_are_unique_within_an_item(self) -> None:
        for code, opts in OPTIONS.items():
            assert len({o.code for o in opts}) == len(opts), code

    def test_a_generic_item_is_coded_by_its_score(self) -> None:
        chosen = option("B.1.2", "3")
        assert chosen is not None and chosen.score == 3
        assert option("B.2.4", "4") is None


class TestIcd10:
    @pytest.mark.parametrize("code", ["F00", "F01.1", "F03", "F20.0", "I10", "E11.9", "C34.1", "M84", "F99"])
    def test_who_categories_and_subdivisions_are_accepted(self, code: str) -> None:
        assert icd10.problem(code) is None

    def test_a_national_extension_of_a_who_code_is_accepted_on_its_who_part(self) -> None:
        assert icd10.problem(icd10.normalise("i10.x00")) is None
        assert icd10.problem("F01.100") is None

    @pytest.mark.parametrize(
        ("code", "why"),
        [("U99", "category"), ("A00.5", "subdivision"), ("F0", "shaped"), ("MEMORY", "shaped")],
    )
    def test_unknown_or_malformed_codes_are_refused_with_the_reason(self, code: str, why: str) -> None:
        problem = icd10.problem(code)
        assert problem is not None and why in problem
