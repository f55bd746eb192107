"""Mutual recognition (互认) of assessment results.

Xiangtan 第七条 (seeds/xiangtan-2025-home-care-provisions.md): 老年人能力综合评估 … 评估结果在全市范围内
互认、各部门按需使用. A result from a recognised organisation or region, still within its validity,
is accepted without a new assessment and recorded with its provenance (issue #4). Only an
instrument the city's policy recognises is accepted, and levels are never converted between
instruments: only a GB/T 42195-2022 result can stand for a GB/T 42195-2022 assessment.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from eldercare.assessment.domain.errors import InvalidAssessmentResult, NotRecognised
from eldercare.assessment.domain.gbt42195 import DIMENSIONS, STANDARD, preliminary_level

BASIS = "xiangtan-2025-home-care-provisions.md 第七条"
ADJUSTMENT_CODES = ("R1", "R2", "R3", "R4")


@dataclass(frozen=True)
class ExternalResult:
    """A signed result of another organisation or city, as its report states it (Annex C)."""

    instrument: str
    instrument_version: str | None
    total_score: int
    subtotals: Mapping[str, int]
    preliminary_level: int
    final_level: int
    adjustments: tuple[str, ...]
    assessed_on: date
    valid_until: date
    issuer_name: str
    issuer_credit_code: str
    issuer_region: str
    document_ref: str


def check_consistent(r: ExternalResult) -> None:
    """The report's own figures must agree with GB/T 42195-2022 (gbt42195.md §1.2-§1.5)."""
    problems: list[tuple[str, str]] = []
    expected = {d.code: d.maximum for d in DIMENSIONS}
    if set(r.subtotals) != set(expected):
        problems.append(("subtotals", f"exactly the four dimensions {', '.join(expected)}"))
    else:
        problems += [
            (f"subtotals.{code}", f"must be within 0..{maximum}")
            for code, maximum in expected.items()
            if not 0 <= r.subtotals[code] <= maximum
        ]
        if sum(r.subtotals.values()) != r.total_score:
            problems.append(("total_score", "must be the sum of the four subtotals"))
    if not problems and preliminary_level(r.total_score) != r.preliminary_level:
        problems.append(
            ("preliminary_level", f"the total {r.total_score} is level {preliminary_level(r.total_score)}")
        )
    if r.final_level < r.preliminary_level:
        problems.append(("final_level", "the final level is never better than the preliminary one"))
    if r.final_level > r.preliminary_level and not r.adjustments:
        problems.append(("adjustments", "a final level worse than the preliminary one names its C.4 reasons"))
    problems += [
        (f"adjustments.{i}", f"one of {', '.join(ADJUSTMENT_CODES)}")
        for i, code in enumerate(r.adjustments)
        if code not in ADJUSTMENT_CODES
    ]
    if r.valid_until < r.assessed_on:
        problems.append(("valid_until", "before the assessment date"))
    if problems:
        raise InvalidAssessmentResult(
            "; ".join(f"{f}: {m}" for f, m in problems),
            errors=[{"field": f, "message": m} for f, m in problems],
        )


def check_recognised(
    r: ExternalResult,
    *,
    recognised_instruments: Collection[str],
    issuer_registered: bool,
    recognised_regions: Collection[str],
    today: date,
) -> None:
    """Whether the city accepts this result in place of a new assessment (Xiangtan 第七条)."""
    if r.instrument not in recognised_instruments:
        raise NotRecognised(f"the city's policy does not recognise {r.instrument}", field="instrument")
    if r.instrument != STANDARD:
        # Issue #4: levels are never converted between instruments.
        raise NotRecognised(
            f"a {r.instrument} level is not a {STANDARD} level and is never converted", field="instrument"
        )
    if not (issuer_registered or any(r.issuer_region.startswith(p) for p in recognised_regions)):
        raise NotRecognised(
            "the issuer is neither a registered assessment organisation nor in a recognised region",
            field="issuer_credit_code",
        )
    if r.assessed_on > today:
        raise InvalidAssessmentResult("the assessment date is in the future", field="assessed_on")
    if r.valid_until < today:
        raise NotRecognised(f"the result expired on {r.valid_until}", field="valid_until")
    check_consistent(r)
