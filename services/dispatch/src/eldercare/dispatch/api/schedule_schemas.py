"""Request and response bodies of the day planner."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from eldercare.dispatch.application.schedules import DayReplan, DaySchedule

DistrictCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class ScheduleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    date: dt.date = Field(description="the local (Asia/Shanghai) day to plan")
    district_code: DistrictCode
    seconds: float = Field(default=10, gt=0, le=30, description="wall-time budget of the optimiser")


class PlannedVisitRead(BaseModel):
    visit_id: UUID
    service_code: str
    scheduled_start_at: dt.datetime
    scheduled_end_at: dt.datetime


class RouteRead(BaseModel):
    caregiver_id: UUID
    visits: list[PlannedVisitRead]


class UnassignedRead(BaseModel):
    visit_id: UUID
    reason: str


class ScheduleRead(BaseModel):
    date: dt.date
    district_code: str
    provider_id: UUID
    caregivers_available: int
    routes: list[RouteRead]
    unassigned: list[UnassignedRead]
    travel_seconds: int = Field(description="planned travel of all routes, from the travel matrix")
    solver_seconds: float

    @classmethod
    def from_domain(cls, s: DaySchedule) -> ScheduleRead:
        return cls(
            date=s.day,
            district_code=s.district_code,
            provider_id=s.provider_id,
            caregivers_available=s.caregivers_available,
            routes=[
                RouteRead(
                    caregiver_id=cid,
                    visits=[
                        PlannedVisitRead(
                            visit_id=v.id,
                            service_code=v.service_code,
                            scheduled_start_at=v.scheduled_start_at,
                            scheduled_end_at=v.scheduled_end_at,
                        )
                        for v in visits
                    ],
                )
                for cid, visits in s.routes.items()
            ],
            unassigned=[UnassignedRead(visit_id=u.visit_id, reason=u.reason) for u in s.unassigned],
            travel_seconds=s.travel_seconds,
            solver_seconds=s.solver_seconds,
        )


class ReplanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(description="the local (Asia/Shanghai) day to re-plan, usually today")
    district_code: DistrictCode
    unavailable_caregiver_ids: list[UUID] = Field(
        default_factory=list,
        max_length=500,
        description="caregivers who drop out for the rest of the day (sick, ...): their visits not yet "
        "started go to others. Decertified caregivers are out whether listed or not. Empty: only "
        "place the visits of the day still without a caregiver",
    )
    seconds: float = Field(
        default=5, gt=0, le=30, description="wall-time budget of the re-plan (capped by the setting, 5 s)"
    )


class ReplanRead(BaseModel):
    date: dt.date
    district_code: str
    provider_id: UUID
    unavailable_caregiver_ids: list[UUID]
    routes: list[RouteRead] = Field(description="the visits given a new caregiver or time, per caregiver")
    moved: list[UUID] = Field(description="visits now with another caregiver (or newly placed)")
    retimed: list[UUID] = Field(description="visits kept with their caregiver at a new time")
    kept: int = Field(description="visits left with their caregiver at their time")
    pinned: int = Field(description="of those, visits started, completed or about to start")
    helpers: int = Field(description="caregivers whose routes were re-planned to take the visits")
    unassigned: list[UnassignedRead]
    solver_seconds: float

    @classmethod
    def from_domain(cls, r: DayReplan) -> ReplanRead:
        return cls(
            date=r.day,
            district_code=r.district_code,
            provider_id=r.provider_id,
            unavailable_caregiver_ids=list(r.unavailable),
            routes=[
                RouteRead(
                    caregiver_id=cid,
                    visits=[
                        PlannedVisitRead(
                            visit_id=v.id,
                            service_code=v.service_code,
                            scheduled_start_at=v.scheduled_start_at,
                            scheduled_end_at=v.scheduled_end_at,
                        )
                        for v in visits
                    ],
                )
                for cid, visits in r.routes.items()
            ],
            moved=r.moved,
            retimed=r.retimed,
            kept=r.kept,
            pinned=r.pinned,
            helpers=r.helpers,
            unassigned=[UnassignedRead(visit_id=u.visit_id, reason=u.reason) for u in r.unassigned],
            solver_seconds=r.solver_seconds,
        )
