"""From a saved form (api/form_schemas.FormDraft, stored as JSON) to what the report needs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from eldercare.assessment.domain.assessment import InformantRelation, InformationProvider
from eldercare.assessment.domain.errors import InvalidAssessmentResult
from eldercare.assessment.domain.evaluation import Diagnosis, Evaluation, EvaluationInput, evaluate
from eldercare.assessment.domain.gbt42195 import ITEMS

# The wire names of A.2.14 (issue #4) -> the engine's categories.
_RISK_EVENTS = {"fall": "fall", "wandering": "wandering", "choking": "choking",
                "suicide_self_harm": "self_harm", "other": "other"}  # fmt: skip


def missing_fields(form: Mapping[str, Any]) -> list[str]:
    """What the report is computed from and is still empty (Annex C needs all of it)."""
    missing = [name for name in ("assessed_on", "risk_events_30d", "coma") if form.get(name) is None]
    provider = form.get("information_provider") or {}
    missing += [f"information_provider.{k}" for k in ("name", "relation") if provider.get(k) is None]
    items = form.get("items") or {}
    missing += [f"items.{item.code}" for item in ITEMS if item.code not in items]
    return missing


def evaluate_form(form: Mapping[str, Any], rule_set: str) -> Evaluation:
    """Score a complete form; incomplete or invalid fields are one 422 naming each of them."""
    missing = missing_fields(form)
    if missing:
        raise InvalidAssessmentResult(
            f"the form is incomplete: {', '.join(missing)}",
            errors=[{"field": f, "message": "required before signing"} for f in missing],
        )
    events = form["risk_events_30d"]
    diagnoses = tuple(Diagnosis(d["icd10"], d.get("by_psychiatrist", False)) for d in form["diagnoses"])
    return evaluate(
        EvaluationInput(
            items=form["items"],
            coma=bool(form["coma"]),
            diagnoses=diagnoses,
            risk_events_30d={engine: events[wire] for wire, engine in _RISK_EVENTS.items()},
            rule_set=rule_set,
        )
    )


def information_provider(form: Mapping[str, Any]) -> InformationProvider:
    provider = form["information_provider"]
    return InformationProvider(provider["name"], InformantRelation(provider["relation"]))


def assessed_on(form: Mapping[str, Any]) -> date:
    return date.fromisoformat(form["assessed_on"])
