"""Bodies of visit generation: the run the provider's admin asks for, and what it did."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from eldercare.dispatch.application.visit_generation import GenerationRun


class VisitGenerationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    through: date | None = Field(
        default=None,
        description="the last day to generate (local); at most, and by default, DISPATCH_VISIT_HORIZON_DAYS"
        " ahead",
    )


class PlanGenerationRead(BaseModel):
    care_plan_id: UUID
    created: int
    visit_ids: list[UUID]
    skipped: str | None = Field(description="why the plan got no new visit (beneficiary suspended, ...)")


class VisitGenerationRead(BaseModel):
    through: date
    created: int
    plans: list[PlanGenerationRead]

    @classmethod
    def from_domain(cls, run: GenerationRun) -> VisitGenerationRead:
        plans = [
            PlanGenerationRead(
                care_plan_id=p.care_plan_id, created=len(p.created), visit_ids=p.created, skipped=p.skipped
            )
            for p in run.plans
        ]
        return cls(through=run.through, created=sum(p.created for p in plans), plans=plans)
