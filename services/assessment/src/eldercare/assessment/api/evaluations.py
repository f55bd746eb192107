"""Stateless GB/T 42195-2022 evaluation, for city platforms and the assessor app's preview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from eldercare.assessment.api.dependencies import reject_duplicate_keys
from eldercare.assessment.api.evaluation_schemas import (
    EvaluationCreate,
    EvaluationRead,
    ItemRead,
    OptionRead,
    RuleSetRead,
)
from eldercare.assessment.domain.evaluation import evaluate
from eldercare.assessment.domain.gbt42195 import ITEMS, RULE_SETS
from eldercare.assessment.domain.options import OPTIONS
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.auth import Principal, Role, require

router = APIRouter(tags=["evaluations"])

Evaluator = Annotated[Principal, Depends(require(Role.assessor, Role.district_officer, Role.city_platform))]


@router.post(
    "/v1/evaluations",
    response_model=EvaluationRead,
    summary="Evaluate one GB/T 42195-2022 table: subtotals, total, preliminary and final level",
)
async def create_evaluation(
    body: EvaluationCreate,
    request: Request,
    _principal: Evaluator,
    _unique_keys: Annotated[None, Depends(reject_duplicate_keys)],
) -> EvaluationRead:
    # Stateless and side-effect free: nothing is stored, so no unit of work and no idempotency key.
    settings: AssessmentSettings = request.app.state.settings
    return EvaluationRead.from_domain(evaluate(body.to_domain(), default_rule_set=settings.rule_set))


@router.get("/v1/evaluation-items", response_model=list[ItemRead], summary="The 26 items and their options")
async def list_evaluation_items(_principal: Evaluator) -> list[ItemRead]:
    return [
        ItemRead(
            code=item.code,
            name=item.name,
            maximum=item.maximum,
            options=[OptionRead(code=o.code, score=o.score, label=o.label) for o in OPTIONS[item.code]],
        )
        for item in ITEMS
    ]


@router.get("/v1/rule-sets", response_model=list[RuleSetRead], summary="The named GB/T 42195 rule sets")
async def list_rule_sets(_principal: Evaluator, request: Request) -> list[RuleSetRead]:
    settings: AssessmentSettings = request.app.state.settings
    return [
        RuleSetRead(
            name=rs.name,
            adjustment_stacking=rs.settings.stacking.value,
            risk_event_counting=rs.settings.risk_event_counting.value,
            description=rs.description,
            basis=rs.basis,
            default=rs.name == settings.rule_set,
        )
        for rs in RULE_SETS.values()
    ]
