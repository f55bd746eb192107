"""Request bodies of the intake API.

Every model forbids unknown fields and bounds every string and list, so hostile input is a 422
problem naming the field. Rules that need more than a shape (check digits, the birth date against
the ID number) live in the domain and answer 422 naming the field just the same.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from eldercare.common.contracts.common import GeoPoint
from eldercare.intake.application.decisions import DecisionChoice
from eldercare.intake.domain.application import ReviewOutcome
from eldercare.intake.domain.beneficiary import BeneficiaryStatus, StatusReason
from eldercare.intake.domain.vocabulary import Circumstance, Guardian, Sex

_FORBID = ConfigDict(extra="forbid")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
# The parser in the domain names what is wrong (length, characters, date, check digit).
IdNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=18)]
# A mainland mobile number, or a landline with its area code.
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")]
District = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Community = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
Region = Annotated[str, StringConstraints(pattern=r"^(\d{6}|\d{9}|\d{12})$")]
# A city key (``changsha``) or a GB/T 2260 code of the city or a place in it (``430100``).
PolicyKey = Annotated[
    str, StringConstraints(pattern=r"^([a-z][a-z0-9_-]{1,31}|[0-9]{6}|[0-9]{9}|[0-9]{12})$")
]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Relation = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
Circumstances = Annotated[list[Circumstance], Field(default_factory=list, max_length=20)]


class ApplicantIn(BaseModel):
    """申请人 of 附件1."""

    model_config = _FORBID

    name: Name
    id_number: IdNumber = Field(
        description="公民身份号码, 18 characters (15-digit legacy numbers are converted)"
    )
    sex: Sex
    birth_date: date
    ethnicity: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None
    phone: Phone
    address: Address
    hukou_region: District = Field(description="GB/T 2260 code of the household registration (户籍)")
    community_code: Community = Field(description="12-digit code of the community where the person lives")
    home_point: GeoPoint | None = None


class AgentIn(BaseModel):
    """子女（或代理人） of 附件1."""

    model_config = _FORBID

    name: Name
    relation: Relation
    phone: Phone
    id_number: IdNumber


class ApplicationCreate(BaseModel):
    model_config = _FORBID

    policy: PolicyKey = Field(examples=["changsha"])
    external_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/-]{1,64}$")] | None = None
    applicant: ApplicantIn
    circumstances: Circumstances
    agent: AgentIn | None = None
    guardian: Guardian | None = None
    receiving_since: date | None = Field(
        default=None,
        description="with the circumstance receives_extreme_poverty_care: since when the person has "
        "received both this service and 特困人员照料服务 (changsha-2024-purchased-door-to-door-rules.md "
        "第二十一条 第一款)",
    )
    earlier_service_since: date | None = Field(
        default=None,
        description="since when the person has received the purchased service under an earlier policy "
        "(changsha-2024-purchased-door-to-door-rules.md 第二十一条 第二款: 长政办发〔2019〕1号)",
    )
    declaration_accepted: StrictBool = Field(description="申请人监护人声明: the information is true")

    @field_validator("declaration_accepted")
    @classmethod
    def _declared(cls, value: bool) -> bool:
        if not value:
            raise ValueError("the applicant or guardian must accept the declaration of 附件1")
        return value


class ReviewCreate(BaseModel):
    """初审 by the street office."""

    model_config = _FORBID

    outcome: ReviewOutcome
    comment: Comment | None = None


class DecisionCreate(BaseModel):
    """审定 by the district bureau; ``as_of`` is the decision date (today in Asia/Shanghai by default)."""

    model_config = _FORBID

    outcome: DecisionChoice
    comment: Comment | None = None
    as_of: date | None = None


MAX_BULK_ITEMS = 1000


class BulkApplicationsCreate(BaseModel):
    """Up to 1,000 applications; each item has the shape of ``ApplicationCreate`` and is checked on
    its own, so one bad item is reported in its result without refusing the others."""

    model_config = _FORBID

    items: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BULK_ITEMS)


class StatusChangeCreate(BaseModel):
    """A beneficiary's new status: suspended (hospitalised, away), active (resumed) or terminated
    (death, moved_out, no_longer_eligible, fraud), from ``effective_on``."""

    model_config = _FORBID

    status: BeneficiaryStatus = Field(examples=["suspended"])
    reason: StatusReason = Field(examples=["hospitalised"])
    effective_on: date = Field(examples=["2026-12-01"])
    comment: Comment | None = None


class FalseDeclarationCreate(BaseModel):
    model_config = _FORBID

    comment: Comment = Field(examples=["低保证明系伪造（民政核对）"], description="what was false: required")


class PersonFactsIn(BaseModel):
    model_config = _FORBID

    birth_date: date
    hukou_region: District
    residence_region: Region = Field(description="region code of the habitual residence (经常居住地)")
    lives_at_hukou: StrictBool | None = None


class EligibilityCheckCreate(BaseModel):
    model_config = _FORBID

    policy: PolicyKey = Field(examples=["changsha"])
    as_of: date | None = None
    person: PersonFactsIn
    circumstances: Circumstances
    assessment_level: Annotated[StrictInt, Field(ge=0, le=4)] | None = Field(
        default=None, description="GB/T 42195-2022 final level, 0 能力完好 … 4 完全丧失"
    )
    receives_extreme_poverty_care: StrictBool = False
    receiving_since: date | None = Field(
        default=None, description="since when the person has received both this service and 特困人员照料服务"
    )
    guardian: Guardian | None = None
    earlier_service_since: date | None = Field(
        default=None,
        description="since when the person has received the purchased service under an earlier policy "
        "(changsha-2024-purchased-door-to-door-rules.md 第二十一条 第二款: 长政办发〔2019〕1号)",
    )


class AgentContactIn(BaseModel):
    """The agent's (代理人) contact; ``id_number`` is needed only for a new agent (none before, or
    another name): the same agent keeps the recorded number."""

    model_config = _FORBID

    name: Name
    relation: Relation
    phone: Phone
    id_number: IdNumber | None = None


class ContactChange(BaseModel):
    """The enrolled person's new contact details: any of them; an omitted one is kept."""

    model_config = _FORBID

    name: Name | None = Field(default=None, description="a corrected spelling of the person's name")
    phone: Phone | None = None
    address: Address | None = None
    agent: AgentContactIn | None = Field(default=None, description="replaces the agent's contact")

    @model_validator(mode="after")
    def _something(self) -> ContactChange:
        if self.name is None and self.phone is None and self.address is None and self.agent is None:
            raise ValueError("give at least one of name, phone, address, agent")
        return self
