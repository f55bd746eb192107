"""能力等级变更依据 (report item C.4): the adjustments R1-R4 from Annex A inputs to the final level.

gbt42195.md §1.5: R1 coma (A.5.11) sets the worst level; R2 dementia (ICD-10 F00-F03), R3 another
mental or behavioural disorder (F04-F99) diagnosed by a psychiatric specialist, and R4 two or more
care-risk events in the last 30 days (A.2.14) each raise the preliminary level; no level beyond
能力完全丧失.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eldercare.assessment.domain import icd10
from eldercare.assessment.domain.errors import InvalidScoringInput
from eldercare.assessment.domain.gbt42195 import (
    WORST_LEVEL,
    AdjustmentStacking,
    RiskEventCounting,
    RuleSettings,
)

# gbt42195.md §1.6, A.2.14 近30天内照护风险事件: 跌倒, 走失, 噎食, 自杀/自伤, 其他.
RISK_EVENT_CATEGORIES: dict[str, str] = {
    "fall": "跌倒",
    "wandering": "走失",
    "choking": "噎食",
    "self_harm": "自杀、自伤",
    "other": "其他",
}
# A.2.14 options are 无 / 1次 / 2次 / 3次及以上: "3 or more" is recorded, and counted, as 3.
RISK_EVENT_OPTION_MAX = 3
RISK_EVENT_THRESHOLD = 2

_ICD10 = re.compile(r"^([A-Z])(\d{2})(?:\.[0-9A-Z]{1,4})?$")


@dataclass(frozen=True)
class Adjustment:
    code: str  # "R1".."R4"
    reason: str  # Chinese, as printed on the report (C.4)


def normalise_diagnoses(codes: Iterable[str]) -> tuple[str, ...]:
    """ICD-10 codes of A.4.1 疾病诊断, upper-cased and de-duplicated in order.

    Only a recorded code can trigger R2/R3 (gbt42195.md §1.5: a free-text "memory problems" note
    does not), so anything that is not a known ICD-10 code is refused, naming its position.
    """
    seen: dict[str, None] = {}
    for index, raw in enumerate(codes):
        code = icd10.normalise(raw)
        why = icd10.problem(code)
        if why is not None:
            raise InvalidScoringInput(why, field=f"diagnoses.{index}")
        seen.setdefault(code, None)
    return tuple(seen)


def _category(code: str) -> tuple[str, int]:
    match = _ICD10.match(code)
    if match is None:  # normalise_diagnoses has run; kept as a guard for direct callers
        raise InvalidScoringInput(f"{code!r} is not an ICD-10 code", field="diagnoses")
    return match.group(1), int(match.group(2))


def has_dementia(diagnoses: Iterable[str]) -> bool:
    """R2: 痴呆, ICD-10 F00-F03."""
    return any(letter == "F" and 0 <= number <= 3 for letter, number in map(_category, diagnoses))


def has_other_mental_disorder(diagnoses: Iterable[str]) -> bool:
    """R3's diagnosis part: 其他精神和行为障碍, ICD-10 F04-F99."""
    return any(letter == "F" and 4 <= number <= 99 for letter, number in map(_category, diagnoses))


def validate_risk_events(counts: Mapping[str, object]) -> dict[str, int]:
    """A.2.14 counts per category, each an option 0..3; every category must be answered."""
    for name in counts:
        if name not in RISK_EVENT_CATEGORIES:
            raise InvalidScoringInput(f"{name} is not an A.2.14 category", field=f"risk_events_30d.{name}")
    result: dict[str, int] = {}
    for name in RISK_EVENT_CATEGORIES:
        value = counts.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= RISK_EVENT_OPTION_MAX:
            raise InvalidScoringInput(
                f"{name} must be 0..{RISK_EVENT_OPTION_MAX} (3 = 3次及以上)", field=f"risk_events_30d.{name}"
            )
        result[name] = value
    return result


def risk_events_trigger(counts: Mapping[str, int], counting: RiskEventCounting) -> bool:
    """R4: ≥2 care-risk events in 30 days; summed across categories by default (§1.5 open point)."""
    capped = [min(value, RISK_EVENT_OPTION_MAX) for value in counts.values()]
    if counting is RiskEventCounting.sum:
        return sum(capped) >= RISK_EVENT_THRESHOLD
    return any(value >= RISK_EVENT_THRESHOLD for value in capped)


def matched_adjustments(
    *,
    coma: bool,
    diagnoses: tuple[str, ...],
    psychiatric_specialist_diagnosis: bool,
    risk_events_30d: Mapping[str, int],
    settings: RuleSettings,
) -> list[Adjustment]:
    """Every C.4 reason that applies; all are recorded even when only one changes the level."""
    found: list[Adjustment] = []
    if coma:
        reason = "昏迷（A.5.11，或 B.3.9 意识水平为昏迷）：直接评定为能力完全丧失（完全失能）"
        found.append(Adjustment("R1", reason))
    if has_dementia(diagnoses):
        found.append(Adjustment("R2", "确诊痴呆（ICD-10 F00–F03）：提高一个等级"))
    if psychiatric_specialist_diagnosis and has_other_mental_disorder(diagnoses):
        found.append(
            Adjustment("R3", "精神科专科医生诊断的其他精神和行为障碍（ICD-10 F04–F99）：提高一个等级")
        )
    if risk_events_trigger(risk_events_30d, settings.risk_event_counting):
        total = sum(min(v, RISK_EVENT_OPTION_MAX) for v in risk_events_30d.values())
        found.append(Adjustment("R4", f"近30天内发生照护风险事件（共{total}次）：提高一个等级"))
    return found


def final_level(preliminary: int, adjustments: Iterable[Adjustment], stacking: AdjustmentStacking) -> int:
    """能力最终等级 (C.5): R1 overrides; R2-R4 raise once (or once each when cumulative); capped."""
    codes = [a.code for a in adjustments]
    # gbt42195.md §1.5 R1 and §1.9: coma gives 完全丧失, not MZ/T 039's 重度失能.
    if "R1" in codes:
        return WORST_LEVEL
    raises = sum(1 for code in codes if code in {"R2", "R3", "R4"})
    if stacking is AdjustmentStacking.single:
        raises = min(raises, 1)
    return min(WORST_LEVEL, preliminary + raises)
