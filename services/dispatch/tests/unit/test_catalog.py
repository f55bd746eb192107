"""The service catalog data (附件2, service-catalog.md)."""

from __future__ import annotations

import pytest

from eldercare.dispatch.domain.catalog import CATALOG, EMERGENCY_CODES, Category


class TestServiceCatalog:
    def test_it_holds_the_32_items_of_annex_2_in_order(self) -> None:
        assert [item.code for item in CATALOG.items] == [f"CS{n:02d}" for n in range(1, 33)]

    def test_every_item_cites_its_row_in_annex_2(self) -> None:
        for n, item in enumerate(CATALOG.items, start=1):
            assert item.basis[0].article == "附件2" and item.basis[0].item == f"序号{n}"

    def test_categories_follow_the_reference(self) -> None:
        assert {c for c in Category} == {item.category for item in CATALOG.items}
        assert CATALOG["CS22"].category == Category.welfare_visit
        assert CATALOG["CS18"].category == Category.basic_nursing
        assert CATALOG["CS32"].category == Category.emotional_comfort

    def test_professional_items_need_a_certified_caregiver(self) -> None:
        assert [i.code for i in CATALOG.items if i.requires_certified] == ["CS18", "CS19", "CS20", "CS32"]

    def test_meal_items_need_a_food_licence(self) -> None:
        assert [i.code for i in CATALOG.items if i.requires_food_licence] == ["CS01", "CS02", "CS03", "CS04"]

    def test_outings_and_medical_accompaniment_need_family_consent(self) -> None:
        assert [i.code for i in CATALOG.items if i.requires_family_consent] == ["CS13", "CS16", "CS17"]

    def test_emergency_help_is_cs14_and_cs15(self) -> None:
        assert {CATALOG[c].group for c in EMERGENCY_CODES} == {"emergency"}
        assert {"CS14", "CS15"} == EMERGENCY_CODES

    def test_unknown_lists_codes_outside_the_catalog_in_order(self) -> None:
        assert CATALOG.unknown(["CS33", "CS01", "CS00"]) == ["CS33", "CS00"]
        with pytest.raises(KeyError):
            CATALOG["CS99"]

    def test_categories_have_chinese_labels_from_article_13(self) -> None:
        assert CATALOG.category_label("basic_nursing") == "基础照护服务"
