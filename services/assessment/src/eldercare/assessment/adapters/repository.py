"""The assessment repository: maps the ``Assessment`` aggregate to and from ``assessments`` rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from eldercare.assessment.adapters.health_data import DRAFT_COLUMN, HealthData, HealthDataCipher
from eldercare.assessment.adapters.models import AssessmentRow
from eldercare.assessment.domain.adjustments import Adjustment
from eldercare.assessment.domain.assessment import (
    Assessment,
    AssessmentReason,
    AssessmentReport,
    AssessmentStatus,
    Draft,
    InformantRelation,
    InformationProvider,
    Signature,
    SignerKind,
)
from eldercare.assessment.domain.organisations import AssignedAssessor, Assignment
from eldercare.assessment.domain.recognition import ExternalResult
from eldercare.assessment.domain.scoring import ScoringResult


@dataclass(frozen=True)
class Scope:
    """What a caller may see, as the union of its tenancies (application/access.py builds it)."""

    region_prefix: str | None = None  # district officers: their district's tasks
    organisation_id: UUID | None = None  # organisation admins: their organisation's
    assessor_subject: str | None = None  # assessors: the tasks assigned to them
    unassigned_region_prefix: str | None = None  # assessors: the region's unassigned tasks (setting)

    def clause(self) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = []
        if self.region_prefix is not None:
            # Region codes are digits only (auth validates the claim), so the prefix needs no escaping.
            parts.append(AssessmentRow.district_code.startswith(self.region_prefix))
        if self.organisation_id is not None:
            parts.append(AssessmentRow.organisation_id == self.organisation_id)
        if self.assessor_subject is not None:
            parts.append(AssessmentRow.assigned_assessors.contains([{"subject": self.assessor_subject}]))
        if self.unassigned_region_prefix is not None:
            parts.append(
                and_(
                    AssessmentRow.organisation_id.is_(None),
                    AssessmentRow.district_code.startswith(self.unassigned_region_prefix),
                )
            )
        return or_(*parts) if parts else false()


@dataclass(frozen=True)
class AssessmentFilter:
    scope: Scope
    application_id: UUID | None = None
    status: AssessmentStatus | None = None


class AssessmentRepository:
    """Rows to aggregates. Reading or writing a report needs the health-data cipher (its diagnoses are
    encrypted); a repository made without one can still add and look up pending tasks."""

    def __init__(self, session: AsyncSession, cipher: HealthDataCipher | None = None) -> None:
        self.session = session
        self.cipher = cipher

    async def get(self, assessment_id: UUID) -> Assessment | None:
        row = await self.session.get(AssessmentRow, assessment_id)
        return self.to_domain(row) if row else None

    async def has_application(self, application_id: UUID) -> bool:
        query = select(AssessmentRow.id).where(AssessmentRow.application_id == application_id)
        return (await self.session.scalars(query)).first() is not None

    async def has_pending_for_person(self, person_id: UUID) -> bool:
        query = select(AssessmentRow.id).where(
            AssessmentRow.person_id == person_id, AssessmentRow.status == AssessmentStatus.pending.value
        )
        return (await self.session.scalars(query.limit(1))).first() is not None

    async def get_by_trigger(self, trigger_ref: str) -> Assessment | None:
        query = select(AssessmentRow).where(AssessmentRow.trigger_ref == trigger_ref)
        row = (await self.session.scalars(query)).first()
        return self.to_domain(row) if row else None

    async def has_trigger(self, trigger_ref: str) -> bool:
        query = select(AssessmentRow.id).where(AssessmentRow.trigger_ref == trigger_ref)
        return (await self.session.scalars(query)).first() is not None

    async def get_pending_for_person(self, person_id: UUID) -> Assessment | None:
        query = select(AssessmentRow).where(
            AssessmentRow.person_id == person_id, AssessmentRow.status == AssessmentStatus.pending.value
        )
        row = (await self.session.scalars(query.limit(1))).first()
        return self.to_domain(row) if row else None

    async def list_due(self, scope: Scope, *, assessed_on_or_before: date, limit: int) -> list[Assessment]:
        """Signed reports still in force assessed on or before the date, oldest first."""
        query = select(AssessmentRow).where(
            scope.clause(), *_in_force(), AssessmentRow.assessed_on <= assessed_on_or_before
        )
        rows = (
            await self.session.scalars(
                query.order_by(AssessmentRow.assessed_on, AssessmentRow.id).limit(limit)
            )
        ).all()
        return [self.to_domain(row) for row in rows]

    async def claim_due_unannounced(self, *, assessed_on_or_before: date, limit: int) -> list[AssessmentRow]:
        """Reports in force, due by the date, whose ReassessmentDue was never published; locked so
        that two workers never announce one twice (the other skips the locked rows)."""
        query = (
            select(AssessmentRow)
            .where(
                *_in_force(),
                AssessmentRow.assessed_on <= assessed_on_or_before,
                AssessmentRow.reassessment_due_published_at.is_(None),
            )
            .order_by(AssessmentRow.assessed_on, AssessmentRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=AssessmentRow)
        )
        return list((await self.session.scalars(query)).all())

    async def mark_due_announced(self, ids: list[UUID], at: datetime) -> None:
        await self.session.execute(
            update(AssessmentRow)
            .where(AssessmentRow.id.in_(ids))
            .values(reassessment_due_published_at=at, version=AssessmentRow.version + 1)
            .execution_options(synchronize_session=False)
        )

    async def list(self, where: AssessmentFilter, *, after: UUID | None, limit: int) -> list[Assessment]:
        query = select(AssessmentRow).where(where.scope.clause())
        if where.application_id is not None:
            query = query.where(AssessmentRow.application_id == where.application_id)
        if where.status is not None:
            query = query.where(AssessmentRow.status == where.status.value)
        if after is not None:
            query = query.where(AssessmentRow.id > after)
        rows = (await self.session.scalars(query.order_by(AssessmentRow.id).limit(limit))).all()
        return [self.to_domain(row) for row in rows]

    async def add(self, assessment: Assessment) -> None:
        row = AssessmentRow(id=assessment.id)
        self._copy_into(row, assessment)
        self.session.add(row)
        await self.session.flush()

    async def save(self, assessment: Assessment) -> None:
        """Write the aggregate back; the row's version column catches a concurrent writer (412)."""
        row = await self.session.get(AssessmentRow, assessment.id)
        if row is None:
            raise LookupError(f"assessment {assessment.id} was never added")
        self._copy_into(row, assessment)
        await self.session.flush()

    def _cipher(self) -> HealthDataCipher:
        if self.cipher is None:
            raise LookupError("this repository was made without the health-data cipher")
        return self.cipher

    def to_domain(self, row: AssessmentRow) -> Assessment:
        return Assessment(
            id=row.id,
            person_id=row.person_id,
            district_code=row.district_code,
            community_code=row.community_code,
            reason=AssessmentReason(row.reason),
            requested_at=row.requested_at,
            application_id=row.application_id,
            masked_id_number=row.masked_id_number,
            requested_by=row.requested_by,
            status=AssessmentStatus(row.status),
            report=self._report(row) if row.status == AssessmentStatus.completed.value else None,
            draft=self._draft(row),
            signatures=tuple(
                Signature(
                    SignerKind(s["kind"]),
                    s["signer"],
                    datetime.fromisoformat(s["signed_at"]),
                    InformantRelation(s["relation"]) if s.get("relation") else None,
                )
                for s in row.signatures or []
            ),
            supersedes_id=row.supersedes_id,
            superseded_by_id=row.superseded_by_id,
            assignment=_assignment(row),
            reason_note=row.reason_note,
            trigger_ref=row.trigger_ref,
            recognition=_recognition(row.recognition),
        )

    def _draft(self, row: AssessmentRow) -> Draft | None:
        if row.draft_sealed is None:
            return None
        saved = self._cipher().open_json(DRAFT_COLUMN, row.id, row.draft_sealed)
        return Draft(saved["form"], saved["saved_by"], datetime.fromisoformat(saved["saved_at"]))

    def _report(self, row: AssessmentRow) -> AssessmentReport:
        assert row.total_score is not None and row.assessed_on is not None and row.completed_at is not None
        provider = row.information_provider or {}
        # Migration 0003 sealed no row: reports from before it had no diagnoses (it checks).
        health = (
            self._cipher().open(row.id, row.health_data_sealed)
            if row.health_data_sealed is not None
            else HealthData((), False)
        )
        return AssessmentReport(
            scoring=ScoringResult(
                items=dict(row.item_scores or {}),
                total_score=row.total_score,
                subtotals=dict(row.subtotals or {}),
                preliminary_level=row.preliminary_level or 0,
                final_level=row.final_level or 0,
                adjustments=tuple(Adjustment(a["code"], a["reason"]) for a in row.adjustments or []),
                rule_settings=dict(row.rule_settings or {}),
                diagnoses=health.diagnoses,
                risk_events_30d=dict(row.risk_events_30d or {}),
            ),
            coma=bool(row.coma),
            psychiatric_specialist_diagnosis=health.psychiatric_specialist_diagnosis,
            assessors=tuple(row.assessors or ()),
            information_provider=InformationProvider(
                provider["name"], InformantRelation(provider["relation"])
            ),
            assessed_on=row.assessed_on,
            submitted_by=row.submitted_by or "",
            completed_at=row.completed_at,
        )

    def _copy_into(self, row: AssessmentRow, a: Assessment) -> None:
        row.application_id = a.application_id
        row.person_id = a.person_id
        row.district_code = a.district_code
        row.community_code = a.community_code
        row.masked_id_number = a.masked_id_number
        row.reason = a.reason.value
        row.status = a.status.value
        row.requested_at = a.requested_at
        row.requested_by = a.requested_by
        row.draft_sealed = (
            self._cipher().seal_json(
                DRAFT_COLUMN,
                row.id,
                {
                    "form": a.draft.form,
                    "saved_by": a.draft.saved_by,
                    "saved_at": a.draft.saved_at.isoformat(),
                },
            )
            if a.draft is not None
            else None
        )
        row.signatures = [
            {
                "kind": s.kind.value,
                "signer": s.signer,
                "signed_at": s.signed_at.isoformat(),
                "relation": s.relation.value if s.relation else None,
            }
            for s in a.signatures
        ]
        row.supersedes_id = a.supersedes_id
        row.superseded_by_id = a.superseded_by_id
        row.reason_note = a.reason_note
        row.trigger_ref = a.trigger_ref
        if a.recognition is not None:
            row.recognition = {
                **{k: v for k, v in asdict(a.recognition).items() if k not in ("assessed_on", "valid_until")},
                "adjustments": list(a.recognition.adjustments),
                "subtotals": dict(a.recognition.subtotals),
                "assessed_on": a.recognition.assessed_on.isoformat(),
                "valid_until": a.recognition.valid_until.isoformat(),
            }
        if a.assignment is not None:
            row.organisation_id = a.assignment.organisation_id
            row.assigned_assessors = [
                {"id": str(x.id), "subject": x.subject, "medical_background": x.medical_background}
                for x in a.assignment.assessors
            ]
            row.assigned_by = a.assignment.assigned_by
            row.assigned_at = a.assignment.assigned_at
        if a.report is not None:
            self._copy_report(row, a.report)

    def _copy_report(self, row: AssessmentRow, report: AssessmentReport) -> None:
        s = report.scoring
        row.item_scores = s.items
        row.total_score = s.total_score
        row.subtotals = s.subtotals
        row.preliminary_level = s.preliminary_level
        row.final_level = s.final_level
        row.adjustments = [{"code": a.code, "reason": a.reason} for a in s.adjustments]
        row.rule_settings = s.rule_settings
        row.health_data_sealed = self._cipher().seal(
            row.id, HealthData(s.diagnoses, report.psychiatric_specialist_diagnosis)
        )
        row.risk_events_30d = s.risk_events_30d
        row.coma = report.coma
        row.assessors = list(report.assessors)
        row.information_provider = {
            "name": report.information_provider.name,
            "relation": report.information_provider.relation.value,
        }
        row.assessed_on = report.assessed_on
        row.submitted_by = report.submitted_by
        row.completed_at = report.completed_at


def _recognition(data: dict[str, Any] | None) -> ExternalResult | None:
    if data is None:
        return None
    return ExternalResult(
        **{
            **data,
            "adjustments": tuple(data["adjustments"]),
            "assessed_on": date.fromisoformat(data["assessed_on"]),
            "valid_until": date.fromisoformat(data["valid_until"]),
        }
    )


def _in_force() -> tuple[ColumnElement[bool], ...]:
    """A signed report in force: completed, not corrected (superseded), and no later signed report
    of the same person (an immediate reassessment or a 复评 replaces it)."""
    later = aliased(AssessmentRow)
    newer = (
        select(later.id)
        .where(
            later.person_id == AssessmentRow.person_id,
            later.status == AssessmentStatus.completed.value,
            later.completed_at > AssessmentRow.completed_at,
        )
        .exists()
    )
    return (
        AssessmentRow.status == AssessmentStatus.completed.value,
        AssessmentRow.superseded_by_id.is_(None),
        ~newer,
    )


def _assignment(row: AssessmentRow) -> Assignment | None:
    if row.organisation_id is None or row.assigned_at is None:
        return None
    return Assignment(
        organisation_id=row.organisation_id,
        assessors=tuple(
            AssignedAssessor(UUID(x["id"]), x["subject"], bool(x["medical_background"]))
            for x in row.assigned_assessors or []
        ),
        assigned_by=row.assigned_by or "",
        assigned_at=row.assigned_at,
    )
