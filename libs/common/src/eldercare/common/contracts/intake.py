"""Events published by intake: applications and the beneficiary register.

They carry pseudonymous ids (``person_id``) and a masked ID number, never the full ID number,
phone or address (PIPL minimisation; architecture.md).
"""

from __future__ import annotations

import binascii
from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from cryptography.exceptions import InvalidTag
from pydantic import BaseModel, ConfigDict, Field

from eldercare.common.contracts.common import (
    DISTRICT_PATTERN,
    REGION_PATTERN,
    ClauseRef,
    GeoPoint,
    PersonalDataAccess,
    PolicyRef,
)
from eldercare.common.pii import FieldCipher, PiiKeyError
from eldercare.common.registry import IntegrationEvent


class ApplicationSubmitted(IntegrationEvent):
    """A community worker submitted an application for purchased home care (Changsha 第十一条)."""

    event_type: ClassVar[str] = "intake.application.submitted.v1"
    topic: ClassVar[str] = "intake.application"

    application_id: UUID
    person_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    community_code: str = Field(pattern=REGION_PATTERN)
    circumstances: list[str]
    submitted_at: datetime

    def subject(self) -> str:
        return str(self.application_id)


class AssessmentRequested(IntegrationEvent):
    """The street passed the preliminary review; the district orders a GB/T 42195 assessment
    (Changsha 第十一条)."""

    event_type: ClassVar[str] = "intake.application.assessment_requested.v1"
    topic: ClassVar[str] = "intake.application"

    application_id: UUID
    person_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    community_code: str = Field(pattern=REGION_PATTERN)
    masked_id_number: str
    reason: Literal["initial", "routine", "immediate", "dispute", "other"] = "initial"
    requested_at: datetime

    def subject(self) -> str:
        return str(self.application_id)


class ApplicationDecided(IntegrationEvent):
    """The district bureau approved or rejected an application, citing its clauses."""

    event_type: ClassVar[str] = "intake.application.decided.v1"
    topic: ClassVar[str] = "intake.application"

    application_id: UUID
    person_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    decision: Literal["approved", "rejected"]
    policy: PolicyRef
    basis: list[ClauseRef]
    decided_at: datetime

    def subject(self) -> str:
        return str(self.application_id)


class MonthlyEntitlement(BaseModel):
    """What the beneficiary may receive each month under the pack (amount in fen and/or minutes)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    monthly_amount_fen: int | None = Field(default=None, ge=0)
    monthly_minutes: int | None = Field(default=None, ge=0)
    service_categories: list[str]
    emergency_help_required: bool = False
    basis: list[ClauseRef]


class BeneficiaryEnrolled(IntegrationEvent):
    """A person was enrolled as a beneficiary with a monthly entitlement from ``effective_on``."""

    event_type: ClassVar[str] = "intake.beneficiary.enrolled.v1"
    topic: ClassVar[str] = "intake.beneficiary"

    beneficiary_id: UUID
    person_id: UUID
    application_id: UUID | None
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    community_code: str = Field(pattern=REGION_PATTERN)
    masked_id_number: str
    home_point: GeoPoint | None
    assessment_level: int = Field(ge=0, le=4)
    policy: PolicyRef
    entitlement: MonthlyEntitlement
    effective_on: date
    enrolled_at: datetime
    # The GB/T 42195 assessment the level came from, so billing's trace reaches it (issue #6).
    # Optional: enrolments recorded before it was carried have none.
    assessment_id: UUID | None = None

    def subject(self) -> str:
        return str(self.beneficiary_id)


class BeneficiaryStatusChanged(IntegrationEvent):
    """A beneficiary was suspended, resumed or terminated from ``effective_on``."""

    event_type: ClassVar[str] = "intake.beneficiary.status_changed.v1"
    topic: ClassVar[str] = "intake.beneficiary"

    beneficiary_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    status: Literal["active", "suspended", "terminated"]
    reason: str
    effective_on: date
    changed_at: datetime

    def subject(self) -> str:
        return str(self.beneficiary_id)


class BeneficiaryEntitlementChanged(IntegrationEvent):
    """A beneficiary's monthly entitlement changes from ``effective_on`` (always the first day of a
    month, Asia/Shanghai): after a reassessment changed the level, or when a re-evaluation under a
    new policy pack version was applied. The months before keep the entitlement they had; billing
    opens the new account from ``effective_on``; dispatch checks plans against it."""

    event_type: ClassVar[str] = "intake.beneficiary.entitlement_changed.v1"
    topic: ClassVar[str] = "intake.beneficiary"

    beneficiary_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    reason: Literal["reassessment", "policy_reevaluation", "correction"]
    assessment_id: UUID | None = None
    assessment_level: int = Field(ge=0, le=4)
    policy: PolicyRef
    entitlement: MonthlyEntitlement
    effective_on: date
    changed_at: datetime

    def subject(self) -> str:
        return str(self.beneficiary_id)


class BeneficiaryContactGuardian(BaseModel):
    """The agent (代理人, 附件1's 子女或代理人) a caregiver may call: never their ID number."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    relation: str
    phone: str


class BeneficiaryContact(BaseModel):
    """The plaintext inside ``BeneficiaryContactShared.sealed``: what a caregiver needs to find the
    door and greet the person (issue #5). Never the ID number, never health data."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    address: str
    phone: str
    guardian: BeneficiaryContactGuardian | None = None


CONTACT_SHARE_CONTEXT = "intake.beneficiary_contact"


def seal_contact(cipher: FieldCipher, beneficiary_id: UUID, contact: BeneficiaryContact) -> str:
    """One AEAD ciphertext under the shared contact key ring, bound to the beneficiary (a blob
    copied onto another beneficiary does not open)."""
    return cipher.encrypt(contact.model_dump_json(), context=f"{CONTACT_SHARE_CONTEXT}:{beneficiary_id}")


def open_contact(cipher: FieldCipher, beneficiary_id: UUID, sealed: str) -> BeneficiaryContact:
    """The contact inside ``sealed``; PiiKeyError (a ValueError) for an unknown key id or a blob
    that does not open, pydantic's ValidationError (also a ValueError) for one that does not parse."""
    try:
        plain = cipher.decrypt(sealed, context=f"{CONTACT_SHARE_CONTEXT}:{beneficiary_id}")
    except (InvalidTag, binascii.Error, UnicodeDecodeError) as exc:
        raise PiiKeyError(f"the contact does not open: {type(exc).__name__}") from None
    return BeneficiaryContact.model_validate_json(plain)


class BeneficiaryContactShared(IntegrationEvent):
    """The beneficiary's service-relevant contact (name, address, phone, the agent's name, relation
    and phone), sealed for dispatch alone: caregivers must find the door and greet the person.

    Event-carried state transfer of personal data under minimisation (PIPL 第六条, architecture.md):
    ``sealed`` is one ciphertext (``seal_contact``) under the key ring that intake
    (INTAKE_CONTACT_SHARE_KEYS) and dispatch (DISPATCH_CONTACT_SHARE_KEYS) share; its own topic,
    so only dispatch subscribes (``audience``: audit's trail and billing never receive it). Published
    at enrolment and whenever the contact of an enrolled beneficiary changes; the later
    ``shared_at`` wins.
    """

    event_type: ClassVar[str] = "intake.beneficiary_contact.shared.v1"
    topic: ClassVar[str] = "intake.beneficiary_contact"
    audience: ClassVar[frozenset[str] | None] = frozenset({"dispatch"})

    beneficiary_id: UUID
    district_code: str = Field(pattern=DISTRICT_PATTERN)
    sealed: str = Field(min_length=1, max_length=8192, description="seal_contact(BeneficiaryContact)")
    shared_at: datetime

    def subject(self) -> str:
        return str(self.beneficiary_id)


class PersonalDataAccessed(PersonalDataAccess, IntegrationEvent):
    """Someone holding ``pii:read`` read unmasked ID numbers, phones or addresses in intake."""

    event_type: ClassVar[str] = "intake.pii_access.recorded.v1"
    topic: ClassVar[str] = "intake.pii_access"

    def subject(self) -> str:
        return str(self.resource_id)
