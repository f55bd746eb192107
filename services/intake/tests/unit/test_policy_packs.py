"""Policy packs as data: the shipped Changsha pack, the strict parser and the catalog."""

from __future__ import annotations

import copy
import json
from datetime import date
from importlib import resources
from typing import Any

import pytest

from eldercare.intake.domain.policy import PackCatalog, PackError, PolicyPack, parse_pack
from eldercare.intake.domain.vocabulary import Circumstance
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

    def test_article_5_has_four_qualifying_items(self) -> None:
        [pack] = [p for p in load_packs() if p.pack_id == "changsha-2024"]
        assert [(r.basis.article, r.basis.item) for r in pack.qualifying] == [
            ("第五条", "（一）"),
            ("第五条", "（二）"),
            ("第五条", "（三）"),
            ("第五条", "（四）"),
        ]


SEEDS = {
    "changsha-2024": "changsha-2024-purchased-door-to-door-rules.md",
    "xiangtan-2025": "xiangtan-2025-home-care-provisions.md",
    "huzhou-2022": "huzhou-2022-home-care-regulation.md",
    "nanchang-2019": "nanchang-2019-home-care-regulation.md",
    "wuhai-2017": "wuhai-2017-home-care-measures.md",
}


class TestEveryPack:
    def test_one_pack_per_seed_city(self) -> None:
        assert {p.pack_id: p.region for p in load_packs()} == {
            "changsha-2024": "430100",
            "xiangtan-2025": "430300",
            "huzhou-2022": "330500",
            "nanchang-2019": "360100",
            "wuhai-2017": "150300",
        }

    @pytest.mark.parametrize("pack", load_packs(), ids=lambda p: p.pack_id)
    def test_every_clause_cites_an_article_of_its_own_seed(self, pack: PolicyPack) -> None:
        terms = pack.entitlement
        clauses = [
            pack.validity_basis,
            pack.decision_basis,
            terms.amount_basis,
            terms.categories_basis,
            *[
                r.basis
                for r in (*pack.requirements, *pack.qualifying, *pack.exclusions, *pack.grandfathering)
            ],
            *[r.unless_basis for r in pack.exclusions if r.unless_basis],
            *[b.basis for b in pack.benefits],
        ]
        for clause in clauses:
            assert clause.source == SEEDS[pack.pack_id]
            assert clause.article.startswith("第") and clause.article.endswith("条")
            assert clause.text

    @pytest.mark.parametrize(
        ("pack_id", "effective_from", "expires_on"),
        [
            ("changsha-2024", date(2024, 8, 1), date(2029, 7, 31)),
            ("xiangtan-2025", date(2025, 10, 29), None),
            ("huzhou-2022", date(2023, 1, 1), None),
            ("nanchang-2019", date(2020, 1, 1), None),
            ("wuhai-2017", date(2017, 12, 22), None),
        ],
    )
    def test_effective_dates_come_from_the_seeds(
        self, pack_id: str, effective_from: date, expires_on: date | None
    ) -> None:
        [pack] = [p for p in load_packs() if p.pack_id == pack_id]
        assert (pack.effective_from, pack.expires_on) == (effective_from, expires_on)

    @pytest.mark.parametrize("pack", load_packs(), ids=lambda p: p.pack_id)
    def test_circumstance_codes_are_from_the_vocabulary(self, pack: PolicyPack) -> None:
        tests = [t for r in (*pack.qualifying, *pack.requirements) for t in r.when]
        tests += [t for b in pack.benefits for t in b.when]
        codes = {c for t in tests if t.fact == "circumstances" for c in t.value}
        assert codes <= {c.value for c in Circumstance}


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
        assert catalog().in_force("shenzhen", date(2026, 1, 1)) is None

    @pytest.mark.parametrize(
        ("key", "policy"),
        [
            ("changsha", "changsha"),
            ("430100", "changsha"),
            ("430102", "changsha"),
            ("430102001001", "changsha"),
            ("430300", "xiangtan"),
            ("330500", "huzhou"),
            ("360100", "nanchang"),
            ("150300", "wuhai"),
            ("440300", None),
            ("shenzhen", None),
        ],
    )
    def test_a_policy_is_named_by_its_key_or_a_gbt_2260_code_in_the_city(
        self, key: str, policy: str | None
    ) -> None:
        assert catalog().resolve(key) == policy

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

    def test_a_setting_valued_test_takes_no_value(self) -> None:
        doc = copy.deepcopy(changsha_document())
        doc["qualifying"][3]["when"][0]["setting"] = "min_age"
        with pytest.raises(PackError, match="setting"):
            parse_pack(doc)

    def test_a_pack_expiring_before_it_starts_is_refused(self) -> None:
        with pytest.raises(PackError, match="expires"):
            parse_pack(changsha_document() | {"expires_on": "2024-01-01"})
