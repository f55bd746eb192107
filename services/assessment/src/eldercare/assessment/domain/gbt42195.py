"""The GB/T 42195-2022 老年人能力评估 engine: 26 items, 4 dimensions, 5 levels, the C.4 adjustments.

Pure functions over plain values. The spec is ``shared/reference/gbt42195.md``; section numbers
below (§1.2 ...) refer to it. Higher scores mean better ability; the total ranges over 0..90.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from eldercare.assessment.domain.errors import InvalidScoringInput

STANDARD = "GB/T 42195-2022"


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    maximum: int


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    items: tuple[Item, ...]

    @property
    def maximum(self) -> int:
        return sum(item.maximum for item in self.items)


# gbt42195.md §1.2 and §1.3 (Annex B): item codes, names and maxima. B.2.4 and B.4.4 have no
# score 4; B.3.7-B.3.9 and B.4.1-B.4.2 have short scales. The maxima add up to 90 (能力完好).
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("B.1", "自理能力", (
        Item("B.1.1", "进食", 4), Item("B.1.2", "修饰", 4), Item("B.1.3", "洗澡", 4),
        Item("B.1.4", "穿/脱上衣", 4), Item("B.1.5", "穿/脱裤子和鞋袜", 4),
        Item("B.1.6", "小便控制", 4), Item("B.1.7", "大便控制", 4), Item("B.1.8", "如厕", 4),
    )),
    Dimension("B.2", "基础运动能力", (
        Item("B.2.1", "床上体位转移", 4), Item("B.2.2", "床椅转移", 4),
        Item("B.2.3", "平地行走", 4), Item("B.2.4", "上下楼梯", 3),
    )),
    Dimension("B.3", "精神状态", (
        Item("B.3.1", "时间定向", 4), Item("B.3.2", "空间定向", 4), Item("B.3.3", "人物定向", 4),
        Item("B.3.4", "记忆", 4), Item("B.3.5", "理解能力", 4), Item("B.3.6", "表达能力", 4),
        Item("B.3.7", "攻击行为", 1), Item("B.3.8", "抑郁症状", 1), Item("B.3.9", "意识水平", 2),
    )),
    Dimension("B.4", "感知觉与社会参与", (
        Item("B.4.1", "视力", 2), Item("B.4.2", "听力", 2), Item("B.4.3", "执行日常事务", 4),
        Item("B.4.4", "使用交通工具外出", 3), Item("B.4.5", "社会交往能力", 4),
    )),
)  # fmt: skip

ITEMS: tuple[Item, ...] = tuple(item for dim in DIMENSIONS for item in dim.items)
ITEM_MAXIMA: dict[str, int] = {item.code: item.maximum for item in ITEMS}
TOTAL_MAXIMUM = sum(ITEM_MAXIMA.values())

# gbt42195.md §1.4: the five levels of the report (C.3, C.5).
LEVEL_LABELS: dict[int, str] = {
    0: "能力完好",
    1: "能力轻度受损（轻度失能）",
    2: "能力中度受损（中度失能）",
    3: "能力重度受损（重度失能）",
    4: "能力完全丧失（完全失能）",
}
WORST_LEVEL = 4


class AdjustmentStacking(StrEnum):
    """gbt42195.md §1.5 open point "Stacking": R2-R4 raise by one in total, or one each."""

    single = "single"
    cumulative = "cumulative"


class RiskEventCounting(StrEnum):
    """gbt42195.md §1.5 open point "Counting events for R4": sum across categories, or one category."""

    sum = "sum"
    any_category = "any_category"


@dataclass(frozen=True)
class RuleSettings:
    stacking: AdjustmentStacking = AdjustmentStacking.single
    risk_event_counting: RiskEventCounting = RiskEventCounting.sum

    @property
    def name(self) -> str:
        """The named, versioned rule set these settings make (see :data:`RULE_SETS`)."""
        return _RULE_SET_NAMES[(self.stacking, self.risk_event_counting)]

    def as_record(self) -> dict[str, str]:
        """What is stored with every result, so a later change of setting never rewrites it."""
        return {
            "rule_set": self.name,
            "standard": STANDARD,
            "adjustment_stacking": self.stacking.value,
            "risk_event_counting": self.risk_event_counting.value,
        }


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned reading of the open points of gbt42195.md §1.5.

    A name never changes meaning: a different reading is a new name or a new ``@version``.
    """

    name: str
    settings: RuleSettings
    description: str
    basis: str


# gbt42195.md §1.5 "Open points": stacking of R2-R4 and counting of A.2.14 events for R4. The
# default is the reference's reading; the others are the alternative readings it names.
RULE_SETS: dict[str, RuleSet] = {
    rs.name: rs
    for rs in (
        RuleSet(
            "gbt42195-2022/default@1",
            RuleSettings(AdjustmentStacking.single, RiskEventCounting.sum),
            "R2-R4 raise by one level at most; R4 sums A.2.14 events across categories",
            "gbt42195.md §1.5 open points, defaults",
        ),
        RuleSet(
            "gbt42195-2022/stacking@1",
            RuleSettings(AdjustmentStacking.cumulative, RiskEventCounting.sum),
            "each of R2-R4 raises by one level; R4 sums A.2.14 events across categories",
            "gbt42195.md §1.5 open point 'Stacking', alternative reading",
        ),
        RuleSet(
            "gbt42195-2022/per-category@1",
            RuleSettings(AdjustmentStacking.single, RiskEventCounting.any_category),
            "R2-R4 raise by one level at most; R4 needs 2 or more events in one A.2.14 category",
            "gbt42195.md §1.5 open point 'Counting events for R4', alternative reading",
        ),
        RuleSet(
            "gbt42195-2022/stacking-per-category@1",
            RuleSettings(AdjustmentStacking.cumulative, RiskEventCounting.any_category),
            "each of R2-R4 raises by one level; R4 needs 2 or more events in one A.2.14 category",
            "gbt42195.md §1.5 both open points, alternative readings",
        ),
    )
}
DEFAULT_RULE_SET = "gbt42195-2022/default@1"
_RULE_SET_NAMES = {
    (rs.settings.stacking, rs.settings.risk_event_counting): rs.name for rs in RULE_SETS.values()
}


def rule_set(name: str) -> RuleSet:
    """The rule set of that name; an unknown name is invalid input naming ``rule_set``."""
    found = RULE_SETS.get(name)
    if found is None:
        raise InvalidScoringInput(
            f"unknown rule set {name!r}; known: {', '.join(RULE_SETS)}", field="rule_set"
        )
    return found


def validate_items(items: Mapping[str, object]) -> dict[str, int]:
    """Check an Annex B score sheet item by item: every one of the 26 items, an integer in 0..max.

    Returns the scores in the standard's item order; raises :class:`InvalidScoringInput` naming
    the first failing item as ``items.<code>``.
    """
    for code in items:
        if code not in ITEM_MAXIMA:
            raise InvalidScoringInput(f"{code} is not a GB/T 42195-2022 item", field=f"items.{code}")
    scores: dict[str, int] = {}
    for item in ITEMS:
        if item.code not in items:
            raise InvalidScoringInput(f"{item.code} {item.name} is missing", field=f"items.{item.code}")
        value = items[item.code]
        # bool is an int in Python; a score sheet holds whole numbers only (§1.3).
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidScoringInput(f"{item.code} must be a whole number", field=f"items.{item.code}")
        if not 0 <= value <= item.maximum:
            raise InvalidScoringInput(
                f"{item.code} {item.name} scores 0..{item.maximum}; got {value}", field=f"items.{item.code}"
            )
        scores[item.code] = value
    return scores


def subtotals(scores: Mapping[str, int]) -> dict[str, int]:
    """The four first-level subtotals of report item C.1 (recorded only; no per-dimension grading)."""
    return {dim.code: sum(scores[item.code] for item in dim.items) for dim in DIMENSIONS}


def preliminary_level(total: int) -> int:
    """能力初步等级 (C.3) from the total: gbt42195.md §1.4 bands 90 / 66-89 / 46-65 / 30-45 / 0-29."""
    if not 0 <= total <= TOTAL_MAXIMUM:
        raise InvalidScoringInput(f"the total must be within 0..{TOTAL_MAXIMUM}; got {total}")
    if total == TOTAL_MAXIMUM:
        return 0
    if total >= 66:
        return 1
    if total >= 46:
        return 2
    if total >= 30:
        return 3
    return 4


def level_label(level: int) -> str:
    return LEVEL_LABELS[level]
