"""Response bodies of the intake API, built from cases with personal data masked or in clear.

Masked (no ``pii:read``): ``430***********1234``, ``138****5678``, the address's first character.
Command responses are always masked: they are stored for Idempotency-Key replays, and that table
is not encrypted.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from eldercare.common.contracts.assessment import LEVEL_LABELS
from eldercare.common.contracts.common import ClauseRef, GeoPoint, PolicyRef
from eldercare.common.pii import mask_id_number, mask_phone, mask_text
from eldercare.intake.application.case import ApplicationCase, BeneficiaryCase
from eldercare.intake.domain.application import STATUS_LABELS, AssessmentResult, Decision, Step
from eldercare.intake.domain.beneficiary import (
    BENEFICIARY_STATUS_LABELS,
    STATUS_REASON_LABELS,
    EntitlementChange,
    StatusChange,
)
from eldercare.intake.domain.person import Agent, Person
from eldercare.intake.domain.policy import Clause
from eldercare.intake.domain.vocabulary import (
    CIRCUMSTANCE_LABELS,
    SERVICE_CATEGORY_LABELS,
    SEX_LABELS,
    Circumstance,
)


def clause_ref(clause: Clause) -> ClauseRef:
    return ClauseRef(source=clause.source, article=clause.article, item=clause.item, text=clause.text)


class PersonRead(BaseModel):
    person_id: UUID
    name: str
    id_number: str
    sex: str
    sex_label: str
    birth_date: date
    ethnicity: str | None
    phone: str
    address: str
    hukou_region: str
    false_declaration_at: datetime | None = None

    @classmethod
    def fields_of(cls, p: Person, unmasked: bool) -> dict[str, object]:
        return {
            "person_id": p.id,
            "name": p.name,
            "id_number": p.id_number if unmasked else mask_id_number(p.id_number),
            "sex": p.sex.value,
            "sex_label": SEX_LABELS[p.sex],
            "birth_date": p.birth_date,
            "ethnicity": p.ethnicity,
            "phone": p.phone if unmasked else mask_phone(p.phone),
            "address": p.address if unmasked else mask_text(p.address),
            "hukou_region": p.hukou_region,
            "false_declaration_at": p.false_declaration_at,
        }


class ApplicantRead(PersonRead):
    community_code: str
    home_point: GeoPoint | None


class AgentRead(BaseModel):
    name: str
    relation: str
    phone: str
    id_number: str

    @classmethod
    def build(cls, a: Agent, unmasked: bool) -> AgentRead:
        return cls(
            name=a.name,
            relation=a.relation,
            phone=a.phone if unmasked else mask_phone(a.phone),
            id_number=a.id_number if unmasked else mask_id_number(a.id_number),
        )


class StepRead(BaseModel):
    action: str
    by: str
    at: datetime
    outcome: str | None
    comment: str | None

    @classmethod
    def build(cls, s: Step) -> StepRead:
        return cls(action=s.action, by=s.by, at=s.at, outcome=s.outcome, comment=s.comment)


class AssessmentSummary(BaseModel):
    assessment_id: UUID
    total_score: int
    final_level: int
    final_level_label: str
    completed_at: datetime

    @classmethod
    def build(cls, r: AssessmentResult) -> AssessmentSummary:
        return cls(
            assessment_id=r.assessment_id,
            total_score=r.total_score,
            final_level=r.final_level,
            final_level_label=LEVEL_LABELS[r.final_level],
            completed_at=r.completed_at,
        )


class DecisionRead(BaseModel):
    outcome: str
    by: str
    at: datetime
    comment: str | None
    policy: PolicyRef
    basis: list[ClauseRef]
    effective_on: date | None

    @classmethod
    def build(cls, d: Decision) -> DecisionRead:
        return cls(
            outcome=d.outcome.value,
            by=d.by,
            at=d.at,
            comment=d.comment,
            policy=PolicyRef(pack_id=d.pack_id, version=d.version),
            basis=[clause_ref(c) for c in d.basis],
            effective_on=d.effective_on,
        )


class ApplicationRead(BaseModel):
    id: UUID
    status: str
    status_label: str
    policy: str
    external_ref: str | None
    applicant: ApplicantRead
    agent: AgentRead | None
    guardian: str | None
    receiving_since: date | None = None
    earlier_service_since: date | None = None
    circumstances: list[str]
    circumstance_labels: list[str]
    district_code: str
    community_code: str
    assessment: AssessmentSummary | None
    decision: DecisionRead | None
    beneficiary_id: UUID | None
    steps: list[StepRead]
    created_at: datetime | None
    version: int

    @classmethod
    def build(cls, case: ApplicationCase, *, unmasked: bool) -> ApplicationRead:
        a, result = case.application, case.application.assessment
        point = GeoPoint(lat=a.home_point[0], lon=a.home_point[1]) if a.home_point else None
        return cls(
            id=a.id,
            status=a.status.value,
            status_label=STATUS_LABELS[a.status],
            policy=a.policy,
            external_ref=a.external_ref,
            applicant=ApplicantRead(
                **PersonRead.fields_of(case.person, unmasked),
                community_code=a.community_code,
                home_point=point,
            ),
            agent=AgentRead.build(a.agent, unmasked) if a.agent else None,
            guardian=a.guardian,
            receiving_since=a.receiving_since,
            earlier_service_since=a.earlier_service_since,
            circumstances=list(a.circumstances),
            circumstance_labels=[CIRCUMSTANCE_LABELS[Circumstance(c)] for c in a.circumstances],
            district_code=a.district_code,
            community_code=a.community_code,
            assessment=AssessmentSummary.build(result) if result else None,
            decision=DecisionRead.build(a.decision) if a.decision else None,
            beneficiary_id=a.beneficiary_id,
            steps=[StepRead.build(s) for s in a.steps],
            created_at=a.created_at,
            version=a.version,
        )


class StatusChangeRead(BaseModel):
    from_status: str
    to_status: str
    reason: str
    reason_label: str
    effective_on: date
    by: str
    at: datetime
    comment: str | None
    basis: list[ClauseRef] = []

    @classmethod
    def build(cls, c: StatusChange) -> StatusChangeRead:
        return cls(
            from_status=c.from_status.value,
            to_status=c.to_status.value,
            reason=c.reason.value,
            reason_label=STATUS_REASON_LABELS[c.reason],
            effective_on=c.effective_on,
            by=c.by,
            at=c.at,
            comment=c.comment,
            basis=[clause_ref(b) for b in c.basis],
        )


class EntitlementChangeRead(BaseModel):
    """What the beneficiary receives from ``effective_on`` and why it changed."""

    reason: str
    effective_on: date
    assessment_id: UUID | None
    assessment_level: int
    policy: PolicyRef
    monthly_amount_fen: int
    service_categories: list[str]
    emergency_help_required: bool
    basis: list[ClauseRef]
    by: str
    at: datetime

    @classmethod
    def build(cls, c: EntitlementChange) -> EntitlementChangeRead:
        return cls(
            reason=c.reason.value,
            effective_on=c.effective_on,
            assessment_id=c.assessment_id,
            assessment_level=c.assessment_level,
            policy=PolicyRef(pack_id=c.pack_id, version=c.pack_version),
            monthly_amount_fen=c.monthly_amount_fen,
            service_categories=list(c.service_categories),
            emergency_help_required=c.emergency_help_required,
            basis=[clause_ref(b) for b in c.basis],
            by=c.by,
            at=c.at,
        )


class BeneficiaryRead(BaseModel):
    id: UUID
    status: str
    status_label: str
    person_id: UUID = Field(description="the pseudonymous id other services know the person by")
    person: PersonRead
    application_id: UUID | None
    district_code: str
    community_code: str
    policy: PolicyRef
    assessment_level: int
    assessment_level_label: str
    monthly_amount_fen: int
    service_categories: list[str]
    service_category_labels: list[str]
    emergency_help_required: bool
    basis: list[ClauseRef]
    effective_on: date
    enrolled_at: datetime
    history: list[StatusChangeRead] = []
    assessment_id: UUID | None = None
    entitlement_history: list[EntitlementChangeRead] = []
    created_at: datetime | None
    version: int

    @classmethod
    def build(cls, case: BeneficiaryCase, *, unmasked: bool) -> BeneficiaryRead:
        b = case.beneficiary
        return cls(
            id=b.id,
            status=b.status.value,
            status_label=BENEFICIARY_STATUS_LABELS[b.status],
            person_id=b.person_id,
            person=PersonRead(**PersonRead.fields_of(case.person, unmasked)),
            application_id=b.application_id,
            district_code=b.district_code,
            community_code=b.community_code,
            policy=PolicyRef(pack_id=b.pack_id, version=b.pack_version),
            assessment_level=b.assessment_level,
            assessment_level_label=LEVEL_LABELS[b.assessment_level],
            monthly_amount_fen=b.monthly_amount_fen,
            service_categories=list(b.service_categories),
            service_category_labels=[SERVICE_CATEGORY_LABELS.get(c, c) for c in b.service_categories],
            emergency_help_required=b.emergency_help_required,
            basis=[clause_ref(c) for c in b.basis],
            effective_on=b.effective_on,
            enrolled_at=b.enrolled_at,
            history=[StatusChangeRead.build(c) for c in b.history],
            assessment_id=b.assessment_id,
            entitlement_history=[EntitlementChangeRead.build(c) for c in b.entitlement_history],
            created_at=b.created_at,
            version=b.version,
        )
