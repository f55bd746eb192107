"""The service catalog (参考目录, Changsha rules 附件2) as data: 32 items CS01..CS32.

The items live in ``service_catalog.json`` next to this module, so a city's catalog is data a
reviewer can diff against the regulation, not code. Codes follow the 序号 of 附件2.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any


class Category(StrEnum):
    """GB/T 43153 service categories; Changsha 第十三条 names these six for a care plan."""

    daily_living = "daily_living"
    basic_nursing = "basic_nursing"
    health_management = "health_management"
    emotional_comfort = "emotional_comfort"
    welfare_visit = "welfare_visit"
    errands = "errands"


@dataclass(frozen=True)
class ClauseBasis:
    source: str
    article: str
    item: str | None = None


@dataclass(frozen=True)
class ServiceItem:
    code: str
    category: Category
    group: str
    group_zh: str
    name_zh: str
    name_en: str
    description: str
    requires_certified: bool
    requires_food_licence: bool
    requires_family_consent: bool
    basis: tuple[ClauseBasis, ...]


@dataclass(frozen=True)
class ServiceCatalog:
    items: tuple[ServiceItem, ...]
    category_labels: dict[str, str]

    def get(self, code: str) -> ServiceItem | None:
        return next((item for item in self.items if item.code == code), None)

    def __getitem__(self, code: str) -> ServiceItem:
        item = self.get(code)
        if item is None:
            raise KeyError(code)
        return item

    def unknown(self, codes: Iterable[str]) -> list[str]:
        """The codes that are not catalog items, in the order given."""
        known = {item.code for item in self.items}
        return [code for code in codes if code not in known]

    def category_label(self, category: str) -> str:
        return self.category_labels.get(category, category)


# changsha-2024-purchased-door-to-door-rules.md 第十三条: emergency help (助急) is CS14 and CS15.
EMERGENCY_CODES = frozenset({"CS14", "CS15"})

# Intimate care: the items of /work/shared/reference/service-catalog.md (附件2) done on the
# person's unclothed body: 助浴 CS05 bathing, 助洁 CS06-CS10 (face and hair, hair washing, nails,
# oral care, hands and feet) and 排泄护理 CS18 toileting care. A care plan's preferred caregiver sex
# (issue #5) binds these only; house cleaning (CS11, CS12) is 助洁 too but not done on the body.
# The same set is exempt from photo evidence (verification.py, 第九条（二） privacy).
INTIMATE_CODES = frozenset({"CS05", "CS06", "CS07", "CS08", "CS09", "CS10", "CS18"})


def _item(raw: dict[str, Any]) -> ServiceItem:
    return ServiceItem(
        code=raw["code"],
        category=Category(raw["category"]),
        group=raw["group"],
        group_zh=raw["group_zh"],
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        description=raw["description"],
        requires_certified=raw["requires_certified"],
        requires_food_licence=raw["requires_food_licence"],
        requires_family_consent=raw["requires_family_consent"],
        basis=tuple(ClauseBasis(**b) for b in raw["basis"]),
    )


def load_catalog() -> ServiceCatalog:
    text = resources.files(__package__).joinpath("service_catalog.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return ServiceCatalog(tuple(_item(i) for i in raw["items"]), dict(raw["categories"]))


CATALOG = load_catalog()
