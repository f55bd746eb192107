"""One GB/T 42195-2022 scoring run: score sheet and Annex A inputs in, report items C.1-C.5 out.

gbt42195.md §1.5 "Engine algorithm":
total = sum of the 26 items; prelim from the bands; coma -> 4; otherwise raise for R2-R4, capped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from eldercare.assessment.domain import adjustments as adj
from eldercare.assessment.domain import gbt42195 as std


@dataclass(frozen=True)
class ScoringInput:
    """Annex B item scores plus the Annex A inputs of C.4 (A.5.11, A.4.1, A.2.14)."""

    items: Mapping[str, object]
    coma: bool = False
    diagnoses: Sequence[str] = ()
    psychiatric_specialist_diagnosis: bool = False
    risk_events_30d: Mapping[str, object] = field(
        default_factory=lambda: dict.fromkeys(adj.RISK_EVENT_CATEGORIES, 0)
    )


@dataclass(frozen=True)
class ScoringResult:
    items: dict[str, int]
    total_score: int
    subtotals: dict[str, int]
    preliminary_level: int
    final_level: int
    adjustments: tuple[adj.Adjustment, ...]
    rule_settings: dict[str, str]
    diagnoses: tuple[str, ...]
    risk_events_30d: dict[str, int]


def score(given: ScoringInput, settings: std.RuleSettings | None = None) -> ScoringResult:
    """Validate every input, then compute total, subtotals, preliminary and final level."""
    settings = settings or std.RuleSettings()
    items = std.validate_items(given.items)
    diagnoses = adj.normalise_diagnoses(given.diagnoses)
    risk_events = adj.validate_risk_events(given.risk_events_30d)
    total = sum(items.values())
    prelim = std.preliminary_level(total)
    matched = adj.matched_adjustments(
        coma=given.coma,
        diagnoses=diagnoses,
        psychiatric_specialist_diagnosis=given.psychiatric_specialist_diagnosis,
        risk_events_30d=risk_events,
        settings=settings,
    )
    return ScoringResult(
        items=items,
        total_score=total,
        subtotals=std.subtotals(items),
        preliminary_level=prelim,
        final_level=adj.final_level(prelim, matched, settings.stacking),
        adjustments=tuple(matched),
        rule_settings=settings.as_record(),
        diagnoses=diagnoses,
        risk_events_30d=risk_events,
    )
