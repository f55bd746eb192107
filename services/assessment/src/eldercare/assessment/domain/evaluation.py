"""A stateless GB/T 42195-2022 evaluation: one score sheet in, report items C.1-C.5 out.

Used by ``POST /v1/evaluations`` (city platforms; the assessor's app preview). Unlike
:func:`scoring.score`, which stops at the first bad field, this collects every offending field,
so a platform sending a whole table learns all its mistakes at once. No partial result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eldercare.assessment.domain import adjustments as adj
from eldercare.assessment.domain import gbt42195 as std
from eldercare.assessment.domain import icd10
from eldercare.assessment.domain.errors import InvalidScoringInput
from eldercare.assessment.domain.options import CONSCIOUSNESS_COMA, option
from eldercare.assessment.domain.scoring import ScoringInput, ScoringResult, score


@dataclass(frozen=True)
class Diagnosis:
    """A.4.1 疾病诊断: an ICD-10 code and whether a psychiatric specialist made it (R3)."""

    icd10: str
    by_psychiatrist: bool = False


@dataclass(frozen=True)
class EvaluationInput:
    items: Mapping[str, object]  # item code -> score (int) or option code (str)
    coma: bool = False  # A.5.11 昏迷
    diagnoses: Sequence[Diagnosis] = ()
    risk_events_30d: Mapping[str, int] | None = None  # A.2.14, adjustments.RISK_EVENT_CATEGORIES
    rule_set: str | None = None


@dataclass(frozen=True)
class Evaluation:
    result: ScoringResult
    rule_set: str
    sheet: ScoringInput  # the validated sheet, scores resolved from option codes


def _item_scores(items: Mapping[str, object], errors: list[dict[str, str]]) -> tuple[dict[str, int], bool]:
    """Scores from scores or option codes; also whether B.3.9 was answered 昏迷 by option code."""
    scores: dict[str, int] = {}
    coma_option = False
    for code in items:
        if code not in std.ITEM_MAXIMA:
            errors.append({"field": f"items.{code}", "message": f"{code} is not a GB/T 42195-2022 item"})
    for item in std.ITEMS:
        field = f"items.{item.code}"
        if item.code not in items:
            errors.append({"field": field, "message": f"{item.code} {item.name} is missing"})
            continue
        value = items[item.code]
        if isinstance(value, str):
            chosen = option(item.code, value)
            if chosen is None:
                errors.append({"field": field, "message": f"{value[:16]!r} is not an option of {item.code}"})
                continue
            scores[item.code] = chosen.score
            coma_option = coma_option or (item.code == "B.3.9" and chosen.code == CONSCIOUSNESS_COMA)
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= item.maximum:
            got = repr(value) if isinstance(value, int | float) else type(value).__name__
            message = f"{item.code} {item.name} takes a score 0..{item.maximum} or an option code; got {got}"
            errors.append({"field": field, "message": message})
        else:
            scores[item.code] = value
    return scores, coma_option


def evaluate(given: EvaluationInput, default_rule_set: str = std.DEFAULT_RULE_SET) -> Evaluation:
    """Validate everything, collecting every offending field, then score under the rule set."""
    errors: list[dict[str, str]] = []
    scores, coma_option = _item_scores(given.items, errors)
    codes: list[str] = []
    for index, diagnosis in enumerate(given.diagnoses):
        code = icd10.normalise(diagnosis.icd10)
        why = icd10.problem(code)
        if why is not None:
            errors.append({"field": f"diagnoses.{index}.icd10", "message": why})
        codes.append(code)
    name = given.rule_set or default_rule_set
    chosen = std.RULE_SETS.get(name)
    if chosen is None:
        known = ", ".join(std.RULE_SETS)
        errors.append({"field": "rule_set", "message": f"unknown rule set {name!r}; known: {known}"})
    risk_events = given.risk_events_30d or dict.fromkeys(adj.RISK_EVENT_CATEGORIES, 0)
    try:
        adj.validate_risk_events(risk_events)
    except InvalidScoringInput as exc:
        errors.extend(exc.errors or [])
    if errors or chosen is None:
        fields = ", ".join(e["field"] for e in errors)
        raise InvalidScoringInput(f"the score sheet has invalid fields: {fields}", errors=errors)
    # R3 needs an F04-F99 diagnosis made by a psychiatric specialist (gbt42195.md §1.5 R3); the
    # specialist flag belongs to the diagnosis, so only a specialist's F04-F99 code sets it.
    by_specialist = any(
        d.by_psychiatrist and adj.has_other_mental_disorder([c])
        for d, c in zip(given.diagnoses, codes, strict=True)
    )
    sheet = ScoringInput(
        items=scores,
        # R1: coma from A.5.11, or B.3.9 answered 昏迷 (gbt42195.md §1.5 engine algorithm).
        coma=given.coma or coma_option,
        diagnoses=codes,
        psychiatric_specialist_diagnosis=by_specialist,
        risk_events_30d=risk_events,
    )
    return Evaluation(result=score(sheet, chosen.settings), rule_set=chosen.name, sheet=sheet)
