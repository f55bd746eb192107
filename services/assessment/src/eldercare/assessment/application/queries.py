"""Read side of the assessment service: region-scoped look-ups, no unit of work."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.adapters.repository import AssessmentFilter, AssessmentRepository
from eldercare.assessment.domain.assessment import Assessment, AssessmentStatus
from eldercare.common.auth import Principal
from eldercare.common.errors import NotFound


async def get_assessment(
    session: AsyncSession, assessment_id: UUID, principal: Principal, cipher: HealthDataCipher
) -> Assessment:
    """One assessment; another district's is answered as not found."""
    assessment = await AssessmentRepository(session, cipher).get(assessment_id)
    if assessment is None:
        raise NotFound("assessment not found")
    principal.ensure_region(assessment.district_code, "assessment")
    return assessment


async def list_assessments(
    session: AsyncSession,
    principal: Principal,
    cipher: HealthDataCipher,
    *,
    application_id: UUID | None,
    status: AssessmentStatus | None,
    after: UUID | None,
    limit: int,
) -> list[Assessment]:
    """Assessments in the caller's region, oldest first; ``limit`` rows at most."""
    if principal.region is None:
        # A principal without a region sees no region-scoped object (auth.Principal.covers_region).
        return []
    where = AssessmentFilter(principal.region, application_id=application_id, status=status)
    return await AssessmentRepository(session, cipher).list(where, after=after, limit=limit)
