"""Request and response bodies of the assessment API.

Requests forbid unknown fields and bound every string and list, so hostile input is a 422 naming
the field. The Annex B score sheet model is generated from the engine's item table, so the schema
and the engine cannot disagree on an item or its maximum.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    create_model,
)

from eldercare.assessment.domain.adjustments import RISK_EVENT_CATEGORIES, RISK_EVENT_OPTION_MAX
from eldercare.assessment.domain.assessment import (
    REASON_LABELS,
    RELATION_LABELS,
    STATUS_LABELS,
    Assessment,
    AssessmentReason,
    AssessmentStatus,
    InformantRelation,
    SignerKind,
)
from eldercare.assessment.domain.gbt42195 import ITEMS, level_label
from eldercare.assessment.domain.recognition import BASIS
from eldercare.common.auth import Principal
from eldercare.common.pii import mask_text

_FORBID = ConfigDict(extra="forbid")

ItemScores: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "ItemScores",
    __config__=ConfigDict(extra="forbid", populate_by_name=False),
    __doc__="GB/T 42195-2022 Annex B: all 26 items, each a whole number from 0 to its maximum.",
    **{
        item.code.replace(".", "_").lower(): (
            Annotated[StrictInt, Field(alias=item.code, ge=0, le=item.maximum, description=item.name)],
            ...,
        )
        for item in ITEMS
    },
)

_Count = Annotated[StrictInt, Field(ge=0, le=RISK_EVENT_OPTION_MAX)]

# A.2.14.4 自杀、自伤 is ``suicide_self_harm`` on the wire (issue #4), as in /v1/evaluations and
# drafts; the engine calls it ``self_harm``. The older wire name is refused: nothing sends it any more
# (deploy/local's scenario changed in 5760738).
WIRE_RISK_EVENTS = {"fall": "fall", "wandering": "wandering", "choking": "choking",
                    "self_harm": "suicide_self_harm", "other": "other"}  # fmt: skip


class RiskEvents(BaseModel):
    """A.2.14 近30天内照护风险事件: per category 0, 1, 2 or 3 (3 = 3次及以上)."""

    model_config = _FORBID

    fall: _Count = Field(description=RISK_EVENT_CATEGORIES["fall"])
    wandering: _Count = Field(description=RISK_EVENT_CATEGORIES["wandering"])
    choking: _Count = Field(description=RISK_EVENT_CATEGORIES["choking"])
    suicide_self_harm: _Count = Field(description="A.2.14.4 自杀、自伤")
    other: _Count = Field(description=RISK_EVENT_CATEGORIES["other"])

    def as_categories(self) -> dict[str, int]:
        """The engine's category names (adjustments.RISK_EVENT_CATEGORIES)."""
        return {"fall": self.fall, "wandering": self.wandering, "choking": self.choking,
                "self_harm": self.suicide_self_harm, "other": self.other}  # fmt: skip


Diagnosis = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z]\d{2}(\.[0-9A-Za-z]{1,4})?$", max_length=12),
]
AssessorId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._:@-]{1,64}$")]


class InformationProviderIn(BaseModel):
    """A.3 信息提供者."""

    model_config = _FORBID

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
    relation: InformantRelation


class ResultCreate(BaseModel):
    """The signed report: Annex B scores and the Annex A inputs of the C.4 adjustments."""

    model_config = _FORBID

    items: ItemScores  # type: ignore[valid-type]
    coma: StrictBool = Field(description="A.5.11 昏迷")
    diagnoses: list[Diagnosis] = Field(default_factory=list, max_length=50, description="A.4.1, ICD-10")
    psychiatric_specialist_diagnosis: StrictBool = Field(
        default=False, description="the F04-F99 diagnoses were made by a psychiatric specialist (R3)"
    )
    risk_events_30d: RiskEvents
    assessors: list[AssessorId] = Field(min_length=2, max_length=2, description="two different assessors")
    information_provider: InformationProviderIn
    assessed_on: date


class ReassessmentCreate(BaseModel):
    """A new assessment task for a person: routine, immediate (on a change) or on dispute."""

    model_config = _FORBID

    person_id: UUID
    district_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    community_code: Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
    reason: Literal["routine", "immediate", "dispute"]


class RecognitionCreate(BaseModel):
    """An external result to accept instead of a new assessment (Xiangtan 第七条), as its report
    (Annex C) states it, with its provenance."""

    model_config = _FORBID

    instrument: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] = Field(
        examples=["GB/T 42195-2022"]
    )
    instrument_version: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    total_score: StrictInt = Field(ge=0, le=90, description="C.2")
    subtotals: dict[Annotated[str, StringConstraints(max_length=8)], StrictInt] = Field(
        max_length=8, description="C.1: B.1..B.4"
    )
    preliminary_level: StrictInt = Field(ge=0, le=4, description="C.3")
    final_level: StrictInt = Field(ge=0, le=4, description="C.5")
    adjustments: list[Annotated[str, StringConstraints(max_length=4)]] = Field(
        default_factory=list, max_length=4, description="C.4 reasons that fired: R1..R4"
    )
    assessed_on: date
    valid_until: date | None = Field(
        default=None, description="as the result states it; else the local reassessment interval applies"
    )
    issuer_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    issuer_credit_code: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{18}$")]
    issuer_region: Annotated[str, StringConstraints(pattern=r"^\d{4,6}$")] = Field(
        description="GB/T 2260 code of the issuer's city or district"
    )
    document_ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class DisputeCreate(BaseModel):
    """A dispute of a signed result: opens a 复评 task (A.1.3) unless the person has an open task."""

    model_config = _FORBID

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class LevelRead(BaseModel):
    code: int
    label: str

    @classmethod
    def of(cls, level: int | None) -> LevelRead | None:
        return None if level is None else cls(code=level, label=level_label(level))


class AdjustmentRead(BaseModel):
    code: str
    reason: str


class SignatureOut(BaseModel):
    kind: str = Field(description="assessor or information_provider (Annex C signature fields)")
    signer: str
    signed_at: datetime


class InformationProviderRead(BaseModel):
    name: str
    relation: InformantRelation
    relation_label: str


class AssignedAssessorRead(BaseModel):
    id: UUID
    subject: str
    medical_background: bool


class AssessmentRead(BaseModel):
    id: UUID
    application_id: UUID | None
    person_id: UUID
    district_code: str
    community_code: str
    masked_id_number: str | None
    reason: AssessmentReason
    reason_label: str
    status: AssessmentStatus
    status_label: str
    requested_at: datetime
    requested_by: str | None
    items: dict[str, int] | None = None
    total_score: int | None = None
    subtotals: dict[str, int] | None = None
    preliminary_level: LevelRead | None = None
    final_level: LevelRead | None = None
    adjustments: list[AdjustmentRead] = Field(default_factory=list)
    rule_settings: dict[str, str] | None = None
    coma: bool | None = None
    diagnoses: list[str] | None = Field(default=None, description="only with the pii:read scope")
    psychiatric_specialist_diagnosis: bool | None = Field(default=None, description="only with pii:read")
    risk_events_30d: dict[str, int] | None = None
    assessors: list[str] | None = None
    information_provider: InformationProviderRead | None = None
    assessed_on: date | None = None
    submitted_by: str | None = None
    completed_at: datetime | None = None
    has_draft: bool = False
    signatures: list[SignatureOut] = Field(default_factory=list)
    supersedes_id: UUID | None = None
    superseded_by_id: UUID | None = None
    organisation_id: UUID | None = Field(default=None, description="the assigned organisation")
    assigned_assessors: list[AssignedAssessorRead] = Field(default_factory=list)
    reason_note: str | None = Field(default=None, description="what opened this task, beyond A.1.3's code")
    recognition: dict[str, Any] | None = Field(
        default=None, description="the recognised external result that closed it (Xiangtan 第七条)"
    )

    @classmethod
    def from_domain(cls, a: Assessment, principal: Principal) -> AssessmentRead:
        read = cls(
            id=a.id,
            application_id=a.application_id,
            person_id=a.person_id,
            district_code=a.district_code,
            community_code=a.community_code,
            masked_id_number=a.masked_id_number,
            reason=a.reason,
            reason_label=REASON_LABELS[a.reason],
            status=a.status,
            status_label=STATUS_LABELS[a.status],
            requested_at=a.requested_at,
            requested_by=a.requested_by,
            has_draft=a.draft is not None,
            signatures=[
                SignatureOut(
                    kind=s.kind.value,
                    # The information provider's name is personal data: masked without pii:read.
                    signer=s.signer
                    if s.kind is SignerKind.assessor or principal.can_read_pii
                    else mask_text(s.signer),
                    signed_at=s.signed_at,
                )
                for s in a.signatures
            ],
            supersedes_id=a.supersedes_id,
            superseded_by_id=a.superseded_by_id,
            organisation_id=a.assignment.organisation_id if a.assignment else None,
            assigned_assessors=[
                AssignedAssessorRead(id=x.id, subject=x.subject, medical_background=x.medical_background)
                for x in (a.assignment.assessors if a.assignment else ())
            ],
            reason_note=a.reason_note,
            recognition=_recognition_read(a),
        )
        return read.model_copy(update=_report_fields(a, principal)) if a.report else read


def _recognition_read(a: Assessment) -> dict[str, Any] | None:
    r = a.recognition
    if r is None:
        return None
    return {
        "basis": BASIS,
        "instrument": r.instrument,
        "instrument_version": r.instrument_version,
        "assessed_on": r.assessed_on.isoformat(),
        "valid_until": r.valid_until.isoformat(),
        "issuer_name": r.issuer_name,
        "issuer_credit_code": r.issuer_credit_code,
        "issuer_region": r.issuer_region,
        "document_ref": r.document_ref,
    }


def _report_fields(a: Assessment, principal: Principal) -> dict[str, Any]:
    assert a.report is not None
    report, s = a.report, a.report.scoring
    # Health data (PIPL sensitive personal information) only for callers holding pii:read.
    sensitive = principal.can_read_pii
    provider = report.information_provider
    return {
        "items": s.items,
        "total_score": s.total_score,
        "subtotals": s.subtotals,
        "preliminary_level": LevelRead.of(s.preliminary_level),
        "final_level": LevelRead.of(s.final_level),
        "adjustments": [AdjustmentRead(code=x.code, reason=x.reason) for x in s.adjustments],
        "rule_settings": s.rule_settings,
        "coma": report.coma,
        "diagnoses": list(s.diagnoses) if sensitive else None,
        "psychiatric_specialist_diagnosis": report.psychiatric_specialist_diagnosis if sensitive else None,
        "risk_events_30d": {WIRE_RISK_EVENTS.get(k, k): v for k, v in s.risk_events_30d.items()},
        "assessors": list(report.assessors),
        "information_provider": InformationProviderRead(
            name=provider.name if sensitive else mask_text(provider.name),
            relation=provider.relation,
            relation_label=RELATION_LABELS[provider.relation],
        ),
        "assessed_on": report.assessed_on,
        "submitted_by": report.submitted_by,
        "completed_at": report.completed_at,
    }


class DueList(BaseModel):
    """Signed reports in force whose routine reassessment (常规评估) is due (gbt42195.md §1.7)."""

    on: date
    interval_months: int
    items: list[AssessmentRead]
