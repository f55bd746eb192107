"""Request and response bodies for the service catalog, providers and caregivers.

Requests forbid unknown fields and bound every string and list, so hostile input is a 422 naming
the field.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

from eldercare.common.auth import Principal
from eldercare.common.pii import mask_phone
from eldercare.dispatch.domain.catalog import CATALOG, ServiceItem
from eldercare.dispatch.domain.geo import Point, TravelMode
from eldercare.dispatch.domain.providers import (
    CAREGIVER_STATUS_LABELS,
    CONDITION_CLAUSES,
    CONDITION_LABELS,
    PROVIDER_STATUS_LABELS,
    QUALIFICATION_LABELS,
    Caregiver,
    ConditionCode,
    ConditionStatus,
    EmploymentContract,
    Provider,
    Qualification,
    Sex,
    Training,
    Workday,
)

_FORBID = ConfigDict(extra="forbid")

ServiceCode = Annotated[str, StringConstraints(pattern=r"^CS\d{2}$")]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9-]{4,19}$")]
OrganisationName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# A language or dialect as a BCP 47 tag: zh (Mandarin, 普通话), hsn (Xiang, 长沙话), yue (Cantonese).
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")]
# A skill as a short lower-case tag: dementia_care, wheelchair_transfer, stroke_rehabilitation.
SkillTag = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
DocumentRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ClauseRead(BaseModel):
    source: str
    article: str
    item: str | None = None


class ServiceItemRead(BaseModel):
    code: str = Field(examples=["CS22"])
    category: str = Field(examples=["welfare_visit"])
    category_label: str = Field(examples=["探访关爱服务"])
    group: str
    group_zh: str
    name_zh: str
    name_en: str
    description: str
    requires_certified: bool = Field(description="第九条（八）: only a certified caregiver may provide it")
    requires_food_licence: bool = Field(description="第七条（六）: the provider needs a food licence")
    requires_family_consent: bool = Field(description="附件2: only with the family's consent")
    basis: list[ClauseRead]

    @classmethod
    def from_domain(cls, item: ServiceItem) -> ServiceItemRead:
        return cls(
            code=item.code,
            category=item.category.value,
            category_label=CATALOG.category_label(item.category.value),
            group=item.group,
            group_zh=item.group_zh,
            name_zh=item.name_zh,
            name_en=item.name_en,
            description=item.description,
            requires_certified=item.requires_certified,
            requires_food_licence=item.requires_food_licence,
            requires_family_consent=item.requires_family_consent,
            basis=[ClauseRead(source=b.source, article=b.article, item=b.item) for b in item.basis],
        )


class ServiceItemList(BaseModel):
    items: list[ServiceItemRead]


class ProviderCreate(BaseModel):
    model_config = _FORBID

    name: OrganisationName
    credit_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] = (
        Field(description="统一社会信用代码, GB 32100-2015", examples=["521101080000000195"])
    )
    district_code: DistrictCode
    address: Address
    phone: Phone
    service_codes: list[ServiceCode] = Field(min_length=1, max_length=32)
    has_food_licence: StrictBool = Field(
        default=False,
        description="declared only: meal items need the food_licence condition fact (第七条（六）)",
    )
    contracted_district_codes: list[DistrictCode] = Field(
        default_factory=list,
        max_length=30,
        description="第十条: further districts whose bureau entrusted it (district_code is implied)",
    )
    price_list_id: UUID | None = Field(
        default=None, description="billing's price list (PriceListPublished) covering its districts"
    )


class ProviderUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = _FORBID

    contracted_district_codes: list[DistrictCode] = Field(default_factory=list, max_length=30)
    price_list_id: UUID | None = None

    @model_validator(mode="after")
    def _something(self) -> ProviderUpdate:
        if not self.model_fields_set:
            raise ValueError("send contracted_district_codes or price_list_id")
        return self

    def changes(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class EvidenceIn(BaseModel):
    model_config = _FORBID

    document_ref: DocumentRef = Field(
        description="the document in the bureau's file: licence number, inspection report id",
        examples=["营业执照 91430102MA4L0000XX"],
    )
    document_sha256: Sha256 | None = Field(default=None, description="SHA-256 of the uploaded copy, hex")
    note: Note | None = None


class ConditionRecord(BaseModel):
    """PUT /v1/providers/{id}/conditions/{code}: record or renew one 第七条 condition."""

    model_config = _FORBID

    status: ConditionStatus
    evidence: EvidenceIn
    valid_until: date | None = Field(
        default=None, description="last day the evidence holds (a licence's expiry); none: open-ended"
    )


class EvidenceRead(BaseModel):
    document_ref: str
    document_sha256: str | None
    note: str | None
    recorded_by: str
    recorded_at: datetime


class ConditionRead(BaseModel):
    code: ConditionCode
    clause: str = Field(examples=["第七条（三）"])
    label: str
    required: bool = Field(description="（六） only for providers of meal items")
    status: str = Field(description="met, not_met or missing (never recorded)")
    holds_today: bool
    valid_until: date | None
    evidence: EvidenceRead | None


class IneligibilityRead(BaseModel):
    code: str = Field(description="a 第七条 condition code, or suspended (第十八条)")
    clause: str
    reason: str = Field(description="missing, not_met, expired or suspended")


class SuspensionRead(BaseModel):
    sanction_id: UUID = Field(description="audit's sanction that stopped new work")
    measures: list[str] = Field(examples=[["end_contract"]])
    basis: list[str]
    imposed_at: datetime


class ProviderRead(BaseModel):
    id: UUID
    name: str
    credit_code: str
    credit_code_needs_manual_check: bool = Field(
        description="the check character does not match: verify against the national credit registry"
    )
    district_code: str
    address: str
    phone: str
    service_codes: list[str]
    has_food_licence: bool = Field(
        description="第七条（六） holds today: a licence or kitchen contract on record"
    )
    status: str
    status_label: str
    suspended_from_new_work: bool = Field(
        description="changsha-2024-purchased-door-to-door-rules.md 第十八条: no new plan or visit"
    )
    suspension: SuspensionRead | None
    contracted_district_codes: list[str]
    price_list_id: UUID | None
    registered_before_conditions: bool = Field(
        description="registered before the 第七条 facts were tracked: a fact never recorded does not stop it"
    )
    conditions: list[ConditionRead]
    eligible_for_new_work: bool = Field(
        description="not suspended and every 第七条 condition holds today (（六） is asked of meal work only)"
    )
    ineligible_because: list[IneligibilityRead]

    @classmethod
    def from_domain(cls, p: Provider, today: date) -> ProviderRead:
        offers_meals = any(CATALOG[c].requires_food_licence for c in p.service_codes)
        conditions = []
        for code in ConditionCode:
            fact = p.conditions.get(code)
            required = code is not ConditionCode.food_licence or offers_meals
            if not required and fact is None:
                continue
            conditions.append(
                ConditionRead(
                    code=code,
                    clause=CONDITION_CLAUSES[code],
                    label=CONDITION_LABELS[code],
                    required=required,
                    status=fact.status.value if fact else "missing",
                    holds_today=fact.holds_on(today) if fact else False,
                    valid_until=fact.valid_until if fact else None,
                    evidence=EvidenceRead(
                        document_ref=fact.evidence.document_ref,
                        document_sha256=fact.evidence.document_sha256,
                        note=fact.evidence.note,
                        recorded_by=fact.evidence.recorded_by,
                        recorded_at=fact.evidence.recorded_at,
                    )
                    if fact
                    else None,
                )
            )
        because = [
            IneligibilityRead(code=f.code.value, clause=f.clause, reason=f.reason)
            for f in p.condition_failures(today)
        ]
        if p.suspension is not None:
            because.insert(0, IneligibilityRead(code="suspended", clause="第十八条", reason="suspended"))
        return cls(
            contracted_district_codes=list(p.contracted_district_codes),
            price_list_id=p.price_list_id,
            registered_before_conditions=p.registered_before_conditions,
            conditions=conditions,
            eligible_for_new_work=p.eligible_for_new_work(today),
            ineligible_because=because,
            id=p.id,
            name=p.name,
            credit_code=p.credit_code,
            credit_code_needs_manual_check=p.credit_code_needs_manual_check,
            district_code=p.district_code,
            address=p.address,
            phone=p.phone,
            service_codes=list(p.service_codes),
            has_food_licence=p.food_licence_holds(today),
            status=p.status.value,
            status_label=PROVIDER_STATUS_LABELS[p.status],
            suspended_from_new_work=p.suspended_from_new_work,
            suspension=SuspensionRead(
                sanction_id=p.suspension.sanction_id,
                measures=list(p.suspension.measures),
                basis=list(p.suspension.basis),
                imposed_at=p.suspension.imposed_at,
            )
            if p.suspension
            else None,
        )


class HomePoint(BaseModel):
    """WGS-84 degrees of where the caregiver's round starts and ends."""

    model_config = _FORBID

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class WorkdayIn(BaseModel):
    model_config = _FORBID

    home: HomePoint
    shift_start: time = Field(description="local time (Asia/Shanghai)", examples=["08:00"])
    shift_end: time = Field(description="local time, after shift_start", examples=["17:00"])
    max_visits_per_day: int = Field(ge=1, le=24)
    travel_mode: TravelMode = TravelMode.e_bike
    days_off: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=list, max_length=7, description="ISO weekdays off: 1 Monday .. 7 Sunday"
    )


class WorkdayRead(BaseModel):
    home: HomePoint
    shift_start: time
    shift_end: time
    max_visits_per_day: int
    travel_mode: TravelMode
    days_off: list[int]


class TrainingIn(BaseModel):
    """第九条（六）（七）: safety and emergency handling, assessment and planning, and other trainings."""

    model_config = _FORBID

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    completed_on: date
    hours: float = Field(gt=0, le=2000)
    certificate_ref: DocumentRef | None = None

    def domain(self) -> Training:
        return Training(self.name, self.completed_on, self.hours, self.certificate_ref)


class ContractIn(BaseModel):
    """第九条（一）: the labour or service contract with the provider; no ends_on: open-ended."""

    model_config = _FORBID

    starts_on: date
    ends_on: date | None = None

    @model_validator(mode="after")
    def _in_order(self) -> ContractIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must be on or after starts_on")
        return self

    def domain(self) -> EmploymentContract:
        return EmploymentContract(self.starts_on, self.ends_on)


def _workday(w: WorkdayIn | None) -> Workday | None:
    if w is None:
        return None
    return Workday(
        home=Point(w.home.lat, w.home.lon),
        shift_start=w.shift_start,
        shift_end=w.shift_end,
        max_visits_per_day=w.max_visits_per_day,
        travel_mode=w.travel_mode,
        days_off=tuple(sorted(set(w.days_off))),
    )


class CaregiverCreate(BaseModel):
    model_config = _FORBID

    name: PersonName
    phone: Phone
    qualifications: list[Qualification] = Field(default_factory=list, max_length=5)
    health_certificate_valid_until: date = Field(description="第九条（四）: 健康合格证明 valid until")
    workday: WorkdayIn | None = Field(
        default=None, description="needed for the day planner (POST /v1/schedules)"
    )
    sex: Sex | None = Field(
        default=None,
        description="female or male; unset, the caregiver is never given intimate care with a sex preference",
    )
    languages: list[LanguageTag] = Field(
        default_factory=list,
        max_length=10,
        description="languages and dialects spoken, BCP 47 tags",
        examples=[["zh", "hsn"]],
    )
    trainings: list[TrainingIn] = Field(default_factory=list, max_length=50)
    skills: list[SkillTag] = Field(
        default_factory=list, max_length=30, examples=[["dementia_care", "wheelchair_transfer"]]
    )
    contract: ContractIn | None = Field(
        default=None,
        description="第九条（一）: outside it the caregiver is never assigned; none: not checked",
    )

    def workday_domain(self) -> Workday | None:
        return _workday(self.workday)

    def command_fields(self) -> dict[str, object]:
        return {
            **self.model_dump(exclude={"workday", "trainings", "contract"}),
            "workday": self.workday_domain(),
            "trainings": [t.domain() for t in self.trainings],
            "contract": self.contract.domain() if self.contract else None,
        }


_NOT_NULL = ("health_certificate_valid_until", "qualifications", "trainings", "skills", "languages")


class CaregiverUpdate(BaseModel):
    """PATCH /v1/caregivers/{id}: only the fields sent change; null clears workday, sex or contract.
    Lists replace the whole list."""

    model_config = _FORBID

    health_certificate_valid_until: date | None = Field(default=None, description="第九条（四）: renewed")
    qualifications: list[Qualification] | None = Field(default=None, max_length=5)
    trainings: list[TrainingIn] | None = Field(default=None, max_length=50)
    skills: list[SkillTag] | None = Field(default=None, max_length=30)
    languages: list[LanguageTag] | None = Field(default=None, max_length=10)
    sex: Sex | None = None
    workday: WorkdayIn | None = None
    contract: ContractIn | None = None

    @model_validator(mode="after")
    def _not_null(self) -> CaregiverUpdate:
        if not self.model_fields_set:
            raise ValueError("send at least one field to change")
        nulls = [name for name in _NOT_NULL if name in self.model_fields_set and getattr(self, name) is None]
        if nulls:
            raise ValueError(f"may not be null: {', '.join(nulls)}")
        return self

    def changes(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for name in self.model_fields_set:
            value = getattr(self, name)
            if name == "workday":
                value = _workday(value)
            elif name == "contract":
                value = value.domain() if value else None
            elif name == "trainings":
                value = [t.domain() for t in value]
            out[name] = value
        return out


class TrainingRead(BaseModel):
    name: str
    completed_on: date
    hours: float
    certificate_ref: str | None


class ContractRead(BaseModel):
    starts_on: date
    ends_on: date | None


class QualificationRead(BaseModel):
    code: str
    label: str


class CaregiverRead(BaseModel):
    id: UUID
    provider_id: UUID
    name: str
    phone: str = Field(description="masked unless the caller holds the pii:read scope")
    qualifications: list[QualificationRead]
    certified: bool = Field(description="may provide the professional items (第九条（八）)")
    health_certificate_valid_until: date
    status: str
    status_label: str
    workday: WorkdayRead | None
    decertified_at: datetime | None = Field(
        description="wuhai-2017-home-care-measures.md 第三十一条: set once decertified; never assigned after"
    )
    decertification_basis: str | None
    sex: Sex | None
    languages: list[str]
    trainings: list[TrainingRead]
    skills: list[str]
    contract: ContractRead | None

    @classmethod
    def from_domain(cls, c: Caregiver, principal: Principal) -> CaregiverRead:
        return cls(
            id=c.id,
            provider_id=c.provider_id,
            name=c.name,
            phone=c.phone if principal.can_read_pii else mask_phone(c.phone),
            qualifications=[
                QualificationRead(code=q.value, label=QUALIFICATION_LABELS[q]) for q in c.qualifications
            ],
            certified=c.is_certified,
            health_certificate_valid_until=c.health_certificate_valid_until,
            status=c.status.value,
            status_label=CAREGIVER_STATUS_LABELS[c.status],
            workday=WorkdayRead(
                home=HomePoint(lat=c.workday.home.lat, lon=c.workday.home.lon),
                shift_start=c.workday.shift_start,
                shift_end=c.workday.shift_end,
                max_visits_per_day=c.workday.max_visits_per_day,
                travel_mode=c.workday.travel_mode,
                days_off=list(c.workday.days_off),
            )
            if c.workday
            else None,
            decertified_at=c.decertification.decertified_at if c.decertification else None,
            decertification_basis=c.decertification.basis if c.decertification else None,
            sex=c.sex,
            languages=list(c.languages),
            trainings=[
                TrainingRead(
                    name=t.name, completed_on=t.completed_on, hours=t.hours, certificate_ref=t.certificate_ref
                )
                for t in c.trainings
            ],
            skills=list(c.skills),
            contract=ContractRead(starts_on=c.contract.starts_on, ends_on=c.contract.ends_on)
            if c.contract
            else None,
        )
