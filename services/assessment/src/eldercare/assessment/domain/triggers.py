"""Reassessment triggers (gbt42195.md §1.7; GB/T 42195 A.1.3 评估原因).

- 即时评估 (immediate): "reassess immediately when ability changes, e.g. after hospitalisation or
  a fall" (§1.7, 'Reassess on change'). Dispatch's closed emergency calls say when that happened:
  an outcome ``hospitalised``, or a call of kind ``fall`` that was real (not a false alarm, and
  the person did not die).
- 复评 (dispute): 因对评估结果有疑问进行的复评, opened when a signed result is disputed.
"""

from __future__ import annotations

KIND_LABELS = {
    "fall": "跌倒",
    "medical": "急症",
    "hospitalisation": "住院",
    "fire": "火情",
    "lost": "走失",
    "other": "其他",
}
OUTCOME_LABELS = {
    "resolved_on_site": "现场处置",
    "hospitalised": "送医住院",
    "false_alarm": "误报",
    "referred": "转介",
    "deceased": "死亡",
}
# A fall that was a false alarm did not happen; a person who died is not reassessed.
_NOT_A_CHANGE = frozenset({"false_alarm", "deceased"})


def emergency_reassessment_note(kind: str, outcome: str) -> str | None:
    """Why a closed emergency call opens an immediate reassessment, or None if it does not."""
    if outcome == "hospitalised" or (kind == "fall" and outcome not in _NOT_A_CHANGE):
        kind_label = KIND_LABELS.get(kind, kind)
        outcome_label = OUTCOME_LABELS.get(outcome, outcome)
        return f"即时评估：紧急呼叫（{kind_label}），处置结果：{outcome_label}"
    return None


def emergency_trigger(emergency_id: object) -> str:
    return f"emergency:{emergency_id}"


def dispute_trigger(assessment_id: object) -> str:
    return f"dispute:{assessment_id}"
