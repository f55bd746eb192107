"""JSON shapes of domain values stored in JSONB columns (steps, decisions, clauses)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eldercare.intake.domain.application import Decision, DecisionOutcome, Step
from eldercare.intake.domain.beneficiary import (
    BeneficiaryStatus,
    EntitlementChange,
    EntitlementReason,
    StatusChange,
    StatusReason,
)
from eldercare.intake.domain.policy import Clause


def clause_to_json(clause: Clause) -> dict[str, Any]:
    return {"source": clause.source, "article": clause.article, "item": clause.item, "text": clause.text}


def clause_from_json(data: dict[str, Any]) -> Clause:
    return Clause(data["source"], data["article"], data.get("item"), data.get("text"))


def step_to_json(step: Step) -> dict[str, Any]:
    return {
        "action": step.action,
        "by": step.by,
        "at": step.at.isoformat(),
        "outcome": step.outcome,
        "comment": step.comment,
    }


def step_from_json(data: dict[str, Any]) -> Step:
    return Step(
        data["action"], data["by"], datetime.fromisoformat(data["at"]), data["outcome"], data["comment"]
    )


def status_change_to_json(change: StatusChange) -> dict[str, Any]:
    return {
        "from": change.from_status.value,
        "to": change.to_status.value,
        "reason": change.reason.value,
        "effective_on": change.effective_on.isoformat(),
        "by": change.by,
        "at": change.at.isoformat(),
        "comment": change.comment,
        "basis": [clause_to_json(c) for c in change.basis],
    }


def status_change_from_json(data: dict[str, Any]) -> StatusChange:
    return StatusChange(
        from_status=BeneficiaryStatus(data["from"]),
        to_status=BeneficiaryStatus(data["to"]),
        reason=StatusReason(data["reason"]),
        effective_on=date.fromisoformat(data["effective_on"]),
        by=data["by"],
        at=datetime.fromisoformat(data["at"]),
        comment=data["comment"],
        basis=tuple(clause_from_json(c) for c in data.get("basis", ())),
    )


def entitlement_change_to_json(change: EntitlementChange) -> dict[str, Any]:
    return {
        "reason": change.reason.value,
        "effective_on": change.effective_on.isoformat(),
        "assessment_id": str(change.assessment_id) if change.assessment_id else None,
        "assessment_level": change.assessment_level,
        "pack_id": change.pack_id,
        "pack_version": change.pack_version,
        "monthly_amount_fen": change.monthly_amount_fen,
        "service_categories": list(change.service_categories),
        "emergency_help_required": change.emergency_help_required,
        "basis": [clause_to_json(c) for c in change.basis],
        "by": change.by,
        "at": change.at.isoformat(),
    }


def entitlement_change_from_json(data: dict[str, Any]) -> EntitlementChange:
    return EntitlementChange(
        reason=EntitlementReason(data["reason"]),
        effective_on=date.fromisoformat(data["effective_on"]),
        assessment_id=UUID(data["assessment_id"]) if data["assessment_id"] else None,
        assessment_level=data["assessment_level"],
        pack_id=data["pack_id"],
        pack_version=data["pack_version"],
        monthly_amount_fen=data["monthly_amount_fen"],
        service_categories=tuple(data["service_categories"]),
        emergency_help_required=data["emergency_help_required"],
        basis=tuple(clause_from_json(c) for c in data["basis"]),
        by=data["by"],
        at=datetime.fromisoformat(data["at"]),
    )


def decision_to_json(decision: Decision) -> dict[str, Any]:
    return {
        "outcome": decision.outcome.value,
        "by": decision.by,
        "at": decision.at.isoformat(),
        "pack_id": decision.pack_id,
        "version": decision.version,
        "basis": [clause_to_json(c) for c in decision.basis],
        "comment": decision.comment,
        "effective_on": decision.effective_on.isoformat() if decision.effective_on else None,
    }


def decision_from_json(data: dict[str, Any]) -> Decision:
    return Decision(
        outcome=DecisionOutcome(data["outcome"]),
        by=data["by"],
        at=datetime.fromisoformat(data["at"]),
        pack_id=data["pack_id"],
        version=data["version"],
        basis=tuple(clause_from_json(c) for c in data["basis"]),
        comment=data["comment"],
        effective_on=date.fromisoformat(data["effective_on"]) if data["effective_on"] else None,
    )
