"""Price lists (价格表): what the bureau pays per unit of each catalogued service.

The seeds leave subsidy standards to later city documents (changsha-2024-purchased-door-to-door-rules.md
第四条), so no price is built in: a city or district enters its lists, each effective from a date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.billing.domain.errors import InvalidPriceList
from eldercare.common.ids import uuid7

# GB/T 2260: province (2), city (4) or district (6) digits; visits carry a 6-digit district code,
# so a longer (street) code could never be a prefix of it and would never apply.
PRICE_REGION = re.compile(r"^\d{2}(\d{2}){0,2}$")


class Unit(StrEnum):
    visit = "visit"
    hour = "hour"


UNIT_LABELS: dict[Unit, str] = {Unit.visit: "按次", Unit.hour: "按小时"}


def half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up to an integer (both non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class PriceItem:
    service_code: str
    unit: Unit
    unit_price_fen: int

    def amount_fen(self, duration_minutes: int) -> int:
        """The price of one visit: the unit price per visit, or pro rata per minute for hourly
        items, rounded half-up to the fen (money is integer fen; architecture.md, Data)."""
        if self.unit is Unit.visit:
            return self.unit_price_fen
        return half_up_div(self.unit_price_fen * duration_minutes, 60)


@dataclass
class PriceList:
    region_code: str
    effective_from: date
    items: tuple[PriceItem, ...]
    created_by: str
    created_at: datetime
    id: UUID = field(default_factory=uuid7)

    def __post_init__(self) -> None:
        if not PRICE_REGION.fullmatch(self.region_code):
            raise InvalidPriceList(
                "region_code must be a province, city or district code (2, 4 or 6 digits)",
                field="region_code",
            )
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            if item.service_code in seen:
                raise InvalidPriceList(
                    f"service {item.service_code} is priced twice in this list",
                    field=f"items.{index}.service_code",
                )
            seen.add(item.service_code)

    def applies_to(self, district_code: str, on: date) -> bool:
        return district_code.startswith(self.region_code) and self.effective_from <= on

    def item_for(self, service_code: str) -> PriceItem | None:
        return next((i for i in self.items if i.service_code == service_code), None)


def latest_applicable(lists: Iterable[PriceList], district_code: str, on: date) -> PriceList | None:
    """The list that prices a visit in ``district_code`` on ``on``: the latest ``effective_from``;
    on the same date the more local list (a district's over its city's), then the newer entry."""
    candidates = [pl for pl in lists if pl.applies_to(district_code, on)]
    if not candidates:
        return None
    return max(candidates, key=lambda pl: (pl.effective_from, len(pl.region_code), pl.id))


def region_prefixes(district_code: str) -> list[str]:
    """The region codes whose lists can apply in a district: its province, city and itself."""
    return [district_code[:n] for n in (2, 4, 6)]
