"""The assessment form (gbt42195.md §1.6) as a draft: Annex A, B and the place of Annex C.

Every field is optional while drafting; signing needs the fields the report is computed from
(application/forms.py says which). Strings and lists are bounded, unknown fields refused.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from eldercare.assessment.api.evaluation_schemas import DiagnosisIn, RiskEventsIn
from eldercare.assessment.domain.assessment import InformantRelation, SignerKind

_FORBID = ConfigDict(extra="forbid")
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
HealthProblemCode = Annotated[str, StringConstraints(pattern=r"^A\.5\.([1-9]|10|12)$")]


class PersonInfo(BaseModel):
    """A.2 评估对象基本信息表 (A.2.1-A.2.13; A.2.14 is ``risk_events_30d``)."""

    model_config = _FORBID

    name: Short | None = Field(default=None, description="A.2.1 姓名")
    gender: Literal["male", "female"] | None = Field(default=None, description="A.2.2 性别")
    birth_date: date | None = Field(default=None, description="A.2.3 出生日期")
    height_cm: Annotated[int, Field(ge=50, le=250)] | None = Field(default=None, description="A.2.4")
    weight_kg: Annotated[int, Field(ge=10, le=300)] | None = Field(default=None, description="A.2.5")
    ethnicity: Short | None = Field(default=None, description="A.2.6 民族")
    religion: StrictBool | None = Field(default=None, description="A.2.7 宗教信仰 (有/无)")
    id_number: Annotated[str, StringConstraints(pattern=r"^\d{17}[\dXx]$")] | None = Field(
        default=None, description="A.2.8 公民身份号码"
    )
    education: Short | None = Field(default=None, description="A.2.9 文化程度")
    living: list[Short] = Field(default_factory=list, max_length=8, description="A.2.10 居住情况")
    marital_status: Short | None = Field(default=None, description="A.2.11 婚姻状况")
    medical_payment: list[Short] = Field(default_factory=list, max_length=10, description="A.2.12")
    income_sources: list[Short] = Field(default_factory=list, max_length=10, description="A.2.13")


class InformationProviderForm(BaseModel):
    """A.3 信息提供者及联系人信息表."""

    model_config = _FORBID

    name: Short | None = None
    relation: InformantRelation | None = None
    contact_name: Short | None = None
    contact_phone: Annotated[str, StringConstraints(pattern=r"^[0-9+\- ]{5,20}$")] | None = None


class Medication(BaseModel):
    """A.4.2 用药情况: one row."""

    model_config = _FORBID

    name: Short
    route: Short | None = None
    dose: Short | None = None
    frequency: Short | None = None


class FormDraft(BaseModel):
    """The whole form so far. ``items`` take a score or an option code, as in /v1/evaluations."""

    model_config = _FORBID

    assessment_number: Short | None = Field(default=None, description="A.1.1 评估编号")
    assessed_on: date | None = Field(default=None, description="A.1.2 评估基准日期")
    person: PersonInfo = Field(default_factory=PersonInfo)
    risk_events_30d: RiskEventsIn | None = Field(default=None, description="A.2.14")
    information_provider: InformationProviderForm = Field(default_factory=InformationProviderForm)
    diagnoses: list[DiagnosisIn] = Field(default_factory=list, max_length=50, description="A.4.1")
    medication: list[Medication] = Field(default_factory=list, max_length=50, description="A.4.2")
    health_problems: dict[HealthProblemCode, Text] = Field(
        default_factory=dict, max_length=11, description="A.5.1-A.5.10, A.5.12 (A.5.11 is coma)"
    )
    coma: StrictBool | None = Field(default=None, description="A.5.11 昏迷")
    items: dict[Annotated[str, StringConstraints(max_length=16)], StrictInt | Short] = Field(
        default_factory=dict, max_length=40, description="Annex B, filled as the assessors go"
    )
    place: Text | None = Field(default=None, description="Annex C 评估地点")


class DraftRead(BaseModel):
    form: dict[str, Any]
    saved_by: str
    saved_at: datetime
    missing: list[str] = Field(description="what must be filled in before the report can be signed")


class SignatureCreate(BaseModel):
    """Sign the saved draft: an assessor signs as themself; the information provider signs on the
    assessor's device with the A.3 name and relation of the draft."""

    model_config = _FORBID

    signer: SignerKind


class SignatureRead(BaseModel):
    kind: SignerKind
    signer: str
    signed_at: datetime
