"""Assessment organisations (评估机构) and their assessors (评估员).

Xiangtan 第七条 (seeds/xiangtan-2025-home-care-provisions.md): 老年人能力综合评估应当委托专业评估组织实施;
issue #4: a task is assigned to an organisation and two assessors, at least one with a medical
background where the local setting requires it; gbt42195.md §1.7: two assessors per assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from eldercare.assessment.domain.errors import AssignmentRefused, InvalidAssessmentResult
from eldercare.common.credit_codes import InvalidCreditCode, parse_credit_code
from eldercare.common.ids import uuid7


@dataclass
class AssessmentOrganisation:
    """A professional assessment organisation the civil-affairs bureau commissions (Xiangtan 第七条)."""

    name: str
    credit_code: str
    credit_code_needs_manual_check: bool
    qualification: str
    regions: tuple[str, ...]  # GB/T 2260 prefixes it serves: a district (6 digits) or a city (4)
    created_by: str
    id: UUID = field(default_factory=uuid7)

    @classmethod
    def register(
        cls, *, name: str, credit_code: str, qualification: str, regions: Sequence[str], created_by: str
    ) -> AssessmentOrganisation:
        try:
            code = parse_credit_code(credit_code)
        except InvalidCreditCode as exc:
            raise InvalidAssessmentResult(str(exc), field="credit_code") from None
        if not regions:
            raise InvalidAssessmentResult("an organisation serves at least one region", field="regions")
        return cls(
            name=name,
            credit_code=code.value,
            # identifiers.md §4.2 caveat: a check-character mismatch is flagged, not refused.
            credit_code_needs_manual_check=code.needs_manual_check,
            qualification=qualification,
            regions=tuple(dict.fromkeys(regions)),
            created_by=created_by,
        )

    def serves(self, district_code: str) -> bool:
        return any(district_code.startswith(region) for region in self.regions)


@dataclass
class Assessor:
    """An assessor of an organisation: the login subject of their token, their certificate (资格证书)
    with its expiry, and whether they have a medical background (医学/护理 专业背景)."""

    organisation_id: UUID
    subject: str
    name: str
    certificate_number: str
    certificate_expires_on: date
    medical_background: bool
    active: bool = True
    id: UUID = field(default_factory=uuid7)

    def problem_on(self, day: date) -> str | None:
        """Why this assessor cannot assess on ``day``, or None."""
        if not self.active:
            return f"assessor {self.subject} is not active"
        if self.certificate_expires_on < day:
            return f"assessor {self.subject}'s certificate expired on {self.certificate_expires_on}"
        return None


@dataclass(frozen=True)
class AssignedAssessor:
    """The snapshot of an assessor kept on the task: who may edit and sign it."""

    id: UUID
    subject: str
    medical_background: bool


@dataclass(frozen=True)
class Assignment:
    organisation_id: UUID
    assessors: tuple[AssignedAssessor, ...]
    assigned_by: str
    assigned_at: datetime

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(a.subject for a in self.assessors)


def make_assignment(
    organisation: AssessmentOrganisation,
    assessors: Sequence[Assessor],
    *,
    district_code: str,
    require_medical: bool,
    by: str,
    now: datetime,
    today: date,
) -> Assignment:
    """Check that the organisation and the two assessors can take a task in ``district_code``."""
    if not organisation.serves(district_code):
        raise AssignmentRefused(
            f"organisation {organisation.name} does not serve district {district_code}",
            field="organisation_id",
        )
    # gbt42195.md §1.7: two assessors per assessment, one per signature slot of Annex C.
    if len(assessors) != 2 or assessors[0].id == assessors[1].id:
        raise InvalidAssessmentResult("exactly two different assessors", field="assessor_ids")
    problems = []
    for index, assessor in enumerate(assessors):
        if assessor.organisation_id != organisation.id:
            problems.append(
                (index, f"assessor {assessor.subject} is not of organisation {organisation.name}")
            )
        elif (why := assessor.problem_on(today)) is not None:
            problems.append((index, why))
    if problems:
        raise AssignmentRefused(
            "; ".join(why for _, why in problems),
            errors=[{"field": f"assessor_ids.{i}", "message": why} for i, why in problems],
        )
    # Issue #4 (a local setting, on by default): at least one assessor with a medical background.
    if require_medical and not any(a.medical_background for a in assessors):
        raise AssignmentRefused(
            "at least one of the two assessors must have a medical background", field="assessor_ids"
        )
    return Assignment(
        organisation_id=organisation.id,
        assessors=tuple(AssignedAssessor(a.id, a.subject, a.medical_background) for a in assessors),
        assigned_by=by,
        assigned_at=now,
    )
