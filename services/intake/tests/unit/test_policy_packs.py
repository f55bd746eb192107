"""Policy packs as data: the shipped Changsha pack, the strict parser and the catalog."""

from __future__ import annotations

import copy
import json
from datetime import date
from importlib import resources
from typing import Any

import pytest

from eldercare.intake.domain.policy import PackCatalog, PackError, parse_pack
from eldercare.intake.policy_packs import catalog, load_packs

SEED = "changsha-2024-purchased-door-to-door-rules.md"


def changsha_document() -> dict[str, Any]:
    text = resources.files("eldercare.intake.policy_packs").joinpath("changsha-2024.json").read_text("utf-8")
    return dict(json.loads(text))


class TestChangshaPack:
    def test_the_pack_is_identified_and_valid_for_five_years_from_august_2024(self) -> None:
        [pack] = [p for p in load_packs() if p.pack_id == "changsha-2024"]
        assert (pack.version, pack.policy, pack.region) == ("2024.1", "changsha", "430100")
        assert (pack.effective_from, pack.expires_on) == (date(2024, 8, 1), date(2029, 7, 31))
        assert (pack.validity_basis.source, pack.validity_basis.article) == (SEED, "第二十二条")

    def test_every_rule_cites_an_article(self) -> None:
        [pack] = load_packs()
        for rule in (*pack.requirements, *pack.qualifying, *pack.exclusions):
            assert rule.basis.source and rule.basis.article.startswith("第") and rule.basis.text

    def test_article_5_has_four_qualifying_items(self) -> None:
        [pack] = load_packs()
        assert [(r.basis.article, r.basis.item) for r in pack.qualifying] == [
            ("第五条", "（一）"),
            ("第五条", "（二）"),
            ("第五条", "（三）"),
            ("第五条", "（四）"),
        ]


class TestCatalog:
    @pytest.mark.parametrize(
        ("day", "found"),
        [
            (date(2024, 7, 31), False),
            (date(2024, 8, 1), True),
            (date(2029, 7, 31), True),
            (date(2029, 8, 1), False),
        ],
    )
    def test_the_pack_is_in_force_only_within_its_validity(self, day: date, found: bool) -> None:
        assert (catalog().in_force("changsha", day) is not None) is found

    def test_an_unknown_policy_has_no_pack(self) -> None:
        assert catalog().in_force("wuhai", date(2026, 1, 1)) is None

    def test_a_later_version_takes_over_from_its_effective_date(self) -> None:
        newer = changsha_document() | {"version": "2026.1", "effective_from": "2026-01-01"}
        packs = PackCatalog([*load_packs(), parse_pack(newer)])
        assert packs.in_force("changsha", date(2025, 12, 31)).version == "2024.1"  # type: ignore[union-attr]
        assert packs.in_force("changsha", date(2026, 1, 1)).version == "2026.1"  # type: ignore[union-attr]

    def test_the_same_pack_version_twice_is_refused(self) -> None:
        with pytest.raises(PackError):
            PackCatalog([*load_packs(), *load_packs()])


class TestParser:
    def test_an_unknown_fact_fails_at_load_time(self) -> None:
        doc = copy.deepcopy(changsha_document())
        doc["qualifying"][0]["when"][0]["fact"] = "income"
        with pytest.raises(PackError, match="income"):
            parse_pack(doc)

    def test_an_unknown_operator_fails_at_load_time(self) -> None:
        doc = copy.deepcopy(changsha_document())
        doc["requirements"][0]["when"][0]["op"] = "~"
        with pytest.raises(PackError, match="operator"):
            parse_pack(doc)

    def test_a_missing_basis_fails_at_load_time(self) -> None:
        doc = copy.deepcopy(changsha_document())
        del doc["qualifying"][3]["basis"]
        with pytest.raises(PackError):
            parse_pack(doc)

    def test_a_pack_expiring_before_it_starts_is_refused(self) -> None:
        with pytest.raises(PackError, match="expires"):
            parse_pack(changsha_document() | {"expires_on": "2024-01-01"})
