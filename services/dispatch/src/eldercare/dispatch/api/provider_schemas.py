"""Request and response bodies for the service catalog, providers and caregivers.

Requests forbid unknown fields and bound every string and list, so hostile input is a 422 naming
the field.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from eldercare.common.auth import Principal
from eldercare.common.pii import mask_phone
from eldercare.dispatch.domain.catalog import CATALOG, ServiceItem
from eldercare.dispatch.domain.geo import Point, TravelMode
from eldercare.dispatch.domain.providers import (
    CAREGIVER_STATUS_LABELS,
    PROVIDER_STATUS_LABELS,
    QUALIFICATION_LABELS,
    Caregiver,
    Provider,
    Qualification,
    Sex,
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
    has_food_licence: StrictBool = False


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
    has_food_licence: bool
    status: str
    status_label: str
    suspended_from_new_work: bool = Field(
        description="changsha-2024-purchased-door-to-door-rules.md 第十八条: no new plan or visit"
    )
    suspension: SuspensionRead | None

    @classmethod
    def from_domain(cls, p: Provider) -> ProviderRead:
        return cls(
            id=p.id,
            name=p.name,
            credit_code=p.credit_code,
            credit_code_needs_manual_check=p.credit_code_needs_manual_check,
            district_code=p.district_code,
            address=p.address,
            phone=p.phone,
            service_codes=list(p.service_codes),
            has_food_licence=p.has_food_licence,
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

    def workday_domain(self) -> Workday | None:
        if self.workday is None:
            return None
        w = self.workday
        return Workday(
            home=Point(w.home.lat, w.home.lon),
            shift_start=w.shift_start,
            shift_end=w.shift_end,
            max_visits_per_day=w.max_visits_per_day,
            travel_mode=w.travel_mode,
            days_off=tuple(sorted(set(w.days_off))),
        )


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
        )
