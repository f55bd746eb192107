"""The application repository: maps the ``Application`` aggregate to and from ``applications`` rows.

The agent's personal data is sealed at submission and rewritten only by a change of the enrolled
beneficiary's contact (``save_agent``). A repository built
without the PII vault (the assessment consumer needs none) loads applications without their agent.
"""

from __future__ import annotations

import json
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.intake.adapters.models import ApplicationRow
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.adapters.serialization import (
    decision_from_json,
    decision_to_json,
    step_from_json,
    step_to_json,
)
from eldercare.intake.domain.application import (
    IN_PROGRESS,
    Application,
    ApplicationStatus,
    AssessmentResult,
)
from eldercare.intake.domain.person import Agent

AGENT_CONTEXT = "applications.agent"


class ApplicationRepository:
    def __init__(self, session: AsyncSession, vault: PiiVault | None = None) -> None:
        self.session = session
        self.vault = vault

    async def get(self, application_id: UUID, *, for_update: bool = False) -> Application | None:
        row = await self.session.get(ApplicationRow, application_id, with_for_update=for_update)
        return self._to_domain(row) if row else None

    async def get_by_external_ref(self, submitted_by: str, external_ref: str) -> Application | None:
        """The application a client submitted under its own reference (unique per client)."""
        query = select(ApplicationRow).where(
            ApplicationRow.submitted_by == submitted_by, ApplicationRow.external_ref == external_ref
        )
        row = (await self.session.scalars(query)).first()
        return self._to_domain(row) if row else None

    async def in_progress_for_person(self, person_id: UUID) -> Application | None:
        query = select(ApplicationRow).where(
            ApplicationRow.person_id == person_id,
            ApplicationRow.status.in_([s.value for s in IN_PROGRESS]),
        )
        row = (await self.session.scalars(query.limit(1))).first()
        return self._to_domain(row) if row else None

    async def list(
        self, region_prefix: str, *, status: ApplicationStatus | None, after: UUID | None, limit: int
    ) -> list[Application]:
        # Region codes are digits only (auth validates the claim), so the prefix needs no escaping.
        query = select(ApplicationRow).where(ApplicationRow.community_code.startswith(region_prefix))
        if status is not None:
            query = query.where(ApplicationRow.status == status.value)
        if after is not None:
            query = query.where(ApplicationRow.id > after)
        rows = (await self.session.scalars(query.order_by(ApplicationRow.id).limit(limit))).all()
        return [self._to_domain(row) for row in rows]

    async def add(self, application: Application) -> None:
        row = ApplicationRow(id=application.id)
        self._copy_into(row, application)
        if application.agent is not None:
            row.agent_sealed = self._seal_agent(application.id, application.agent)
        self.session.add(row)
        await self.session.flush()
        await self.session.refresh(row, ["created_at"])
        application.created_at, application.version = row.created_at, row.version

    async def save(self, application: Application) -> None:
        """Write the aggregate back; the row's version column catches a concurrent writer (412)."""
        row = await self.session.get(ApplicationRow, application.id)
        if row is None:
            raise LookupError(f"application {application.id} was never added")
        self._copy_into(row, application)
        await self.session.flush()
        application.version = row.version

    async def save_agent(self, application: Application) -> None:
        """Seal the application's (changed) agent again; ``save`` never touches the sealed column."""
        if application.agent is None:
            raise ValueError("an agent cannot be removed")
        row = await self.session.get(ApplicationRow, application.id)
        if row is None:
            raise LookupError(f"application {application.id} was never added")
        row.agent_sealed = self._seal_agent(application.id, application.agent)

    def _copy_into(self, row: ApplicationRow, a: Application) -> None:
        row.person_id = a.person_id
        row.policy = a.policy
        row.external_ref = a.external_ref
        row.status = a.status.value
        row.district_code = a.district_code
        row.community_code = a.community_code
        row.circumstances = list(a.circumstances)
        row.guardian = a.guardian
        row.receiving_since = a.receiving_since
        row.earlier_service_since = a.earlier_service_since
        row.home_lat, row.home_lon = a.home_point if a.home_point else (None, None)
        row.submitted_by = a.submitted_by
        row.submitted_at = a.submitted_at
        row.steps = [step_to_json(s) for s in a.steps]
        if a.assessment is not None:
            row.assessment_id = a.assessment.assessment_id
            row.assessment_total_score = a.assessment.total_score
            row.assessment_level = a.assessment.final_level
            row.assessed_at = a.assessment.completed_at
        row.decision = decision_to_json(a.decision) if a.decision else None
        row.beneficiary_id = a.beneficiary_id

    def _to_domain(self, row: ApplicationRow) -> Application:
        return Application(
            id=row.id,
            person_id=row.person_id,
            policy=row.policy,
            community_code=row.community_code,
            district_code=row.district_code,
            circumstances=tuple(row.circumstances),
            submitted_by=row.submitted_by,
            submitted_at=row.submitted_at,
            guardian=row.guardian,
            receiving_since=row.receiving_since,
            earlier_service_since=row.earlier_service_since,
            agent=self._open_agent(row.id, row.agent_sealed),
            home_point=(row.home_lat, row.home_lon)
            if row.home_lat is not None and row.home_lon is not None
            else None,
            external_ref=row.external_ref,
            status=ApplicationStatus(row.status),
            steps=[step_from_json(s) for s in row.steps],
            assessment=_assessment(row),
            decision=decision_from_json(row.decision) if row.decision else None,
            beneficiary_id=row.beneficiary_id,
            created_at=row.created_at,
            version=row.version,
        )

    def _seal_agent(self, application_id: UUID, agent: Agent) -> str:
        if self.vault is None:
            raise RuntimeError("sealing an agent needs the PII vault")
        plain = json.dumps(
            {
                "name": agent.name,
                "relation": agent.relation,
                "phone": agent.phone,
                "id_number": agent.id_number,
            },
            ensure_ascii=False,
        )
        return self.vault.seal(AGENT_CONTEXT, application_id, plain)

    def _open_agent(self, application_id: UUID, token: str | None) -> Agent | None:
        if token is None or self.vault is None:
            return None
        return Agent(**json.loads(self.vault.open(AGENT_CONTEXT, application_id, token)))


def _assessment(row: ApplicationRow) -> AssessmentResult | None:
    if row.assessment_id is None:
        return None
    assert row.assessment_total_score is not None and row.assessment_level is not None
    assert row.assessed_at is not None
    return AssessmentResult(
        row.assessment_id, row.assessment_total_score, row.assessment_level, row.assessed_at
    )
