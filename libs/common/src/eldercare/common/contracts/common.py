"""Value types shared by several contracts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

DistrictCode = str  # GB/T 2260, 6 digits
RegionCode = str  # GB/T 2260 6 digits or the 12-digit statistical code (street, community)

DISTRICT_PATTERN = r"^\d{6}$"
REGION_PATTERN = r"^(\d{6}|\d{9}|\d{12})$"


class ClauseRef(BaseModel):
    """Where a rule comes from: the seed file and the article (条), paragraph (款) or item (项)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(examples=["changsha-2024-purchased-door-to-door-rules.md"])
    article: str = Field(examples=["第五条"])
    item: str | None = Field(default=None, examples=["（一）"])
    text: str | None = None


class PolicyRef(BaseModel):
    """The policy pack and version a decision was taken under, so later changes never rewrite it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pack_id: str = Field(examples=["changsha-2024"])
    version: str = Field(examples=["2024.1"])


class GeoPoint(BaseModel):
    """WGS-84 point; dispatch uses it to plan routes and check a caregiver's check-in location."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PersonalDataAccess(BaseModel):
    """What every service's "unmasked personal data was read" event carries (PIPL 第五十一条,
    architecture.md): who read which fields of which record, when and why. It names the record by
    its pseudonymous id and the field names only, never the values. Each producing service
    subclasses it on its own ``<service>.pii_access`` topic; audit records them in the trail."""

    access_id: UUID
    actor: str = Field(description="the token's subject")
    actor_role: str
    actor_region: str | None = None
    resource_type: str = Field(examples=["application", "beneficiary", "assessment"])
    resource_id: UUID
    fields: list[str] = Field(min_length=1, examples=[["id_number", "phone"]])
    reason: str = Field(description="the caller's X-Access-Reason", max_length=500)
    district_code: str | None = Field(default=None, pattern=DISTRICT_PATTERN)
    accessed_at: datetime
