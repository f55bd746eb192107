"""Request and response bodies of assessment organisations, assessors and assignments."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from eldercare.assessment.domain.organisations import AssessmentOrganisation, Assessor

_FORBID = ConfigDict(extra="forbid")
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{4}(\d{2})?$")]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9._:@-]{1,64}$")]


class OrganisationCreate(BaseModel):
    model_config = _FORBID

    name: Name
    credit_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = (
        Field(description="统一社会信用代码 (GB 32100-2015)")
    )
    qualification: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] = (
        Field(description="资质: the qualification the organisation holds for capability assessment")
    )
    regions: list[RegionCode] = Field(
        min_length=1,
        max_length=50,
        description="GB/T 2260 codes it serves: a city (4 digits) or districts (6)",
    )


class OrganisationRead(BaseModel):
    id: UUID
    name: str
    credit_code: str
    credit_code_needs_manual_check: bool
    qualification: str
    regions: list[str]
    created_by: str

    @classmethod
    def from_domain(cls, o: AssessmentOrganisation) -> OrganisationRead:
        return cls(
            id=o.id,
            name=o.name,
            credit_code=o.credit_code,
            credit_code_needs_manual_check=o.credit_code_needs_manual_check,
            qualification=o.qualification,
            regions=list(o.regions),
            created_by=o.created_by,
        )


class AssessorCreate(BaseModel):
    model_config = _FORBID

    subject: Subject = Field(description="the login subject (sub claim) of the assessor's token")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    certificate_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
    certificate_expires_on: date
    medical_background: StrictBool = Field(description="医学/护理 professional background")


class AssessorRead(BaseModel):
    id: UUID
    organisation_id: UUID
    subject: str
    name: str
    certificate_number: str
    certificate_expires_on: date
    medical_background: bool
    active: bool

    @classmethod
    def from_domain(cls, a: Assessor) -> AssessorRead:
        return cls(
            id=a.id,
            organisation_id=a.organisation_id,
            subject=a.subject,
            name=a.name,
            certificate_number=a.certificate_number,
            certificate_expires_on=a.certificate_expires_on,
            medical_background=a.medical_background,
            active=a.active,
        )


class AssignmentCreate(BaseModel):
    model_config = _FORBID

    organisation_id: UUID
    assessor_ids: list[UUID] = Field(min_length=2, max_length=2, description="two different assessors")
