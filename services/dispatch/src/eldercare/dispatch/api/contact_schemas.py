"""The beneficiary's contact as the caregiver app shows it (GET /v1/visits/{id}/beneficiary)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from eldercare.dispatch.application.contacts import ShownContact


class GuardianRead(BaseModel):
    name: str
    relation: str = Field(description="e.g. 儿子, 女儿, 邻居")
    phone: str = Field(description="masked (139****1111) unless the caller holds the pii:read scope")


class BeneficiaryContactRead(BaseModel):
    visit_id: UUID
    beneficiary_id: UUID
    name: str = Field(description="in full: the caregiver greets and identifies the person")
    address: str = Field(description="in full: the caregiver must find the door")
    phone: str = Field(description="masked (139****1111) unless the caller holds the pii:read scope")
    guardian: GuardianRead | None = Field(description="the agent (代理人) of the application, if any")
    masked: bool = Field(description="whether the phones are masked")
    shared_at: datetime = Field(description="when intake shared this version of the contact")

    @classmethod
    def from_shown(cls, shown: ShownContact) -> BeneficiaryContactRead:
        c, g = shown.contact, shown.contact.guardian
        return cls(
            visit_id=shown.visit.id,
            beneficiary_id=shown.visit.beneficiary_id,
            name=c.name,
            address=c.address,
            phone=c.phone,
            guardian=GuardianRead(name=g.name, relation=g.relation, phone=g.phone) if g else None,
            masked=shown.masked,
            shared_at=shown.shared_at,
        )
