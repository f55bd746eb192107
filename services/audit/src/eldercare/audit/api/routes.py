"""HTTP routes of the audit service (thin: parse -> command -> handler -> response)."""

from __future__ import annotations

from fastapi import APIRouter

from eldercare.audit.api import (
    complaints,
    follow_up_rounds,
    follow_ups,
    ratings,
    recoveries,
    rectification,
    samples,
    spot_checks,
    surveys,
    trail,
    visit_flags,
)

ROUTERS: list[APIRouter] = [
    trail.router,
    trail.timelines,
    follow_ups.router,
    follow_up_rounds.rounds,
    follow_up_rounds.coverage,
    spot_checks.router,
    complaints.router,
    complaints.caregivers,
    rectification.findings,
    rectification.notices,
    visit_flags.flags,
    visit_flags.scans,
    recoveries.router,
    samples.samples,
    samples.results,
    surveys.questionnaires,
    surveys.responses,
    ratings.formulas,
    ratings.ratings,
]
