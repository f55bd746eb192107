"""Providers (服务组织) and their caregivers (服务人员): Changsha rules 第七条 and 第九条."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from uuid import UUID

from eldercare.common.credit_codes import CreditCode
from eldercare.common.ids import uuid7
from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.errors import ProviderSuspended, RuleViolations
from eldercare.dispatch.domain.geo import Point, TravelMode

SANCTION_SOURCE = "changsha-2024-purchased-door-to-door-rules.md"
# changsha-2024-purchased-door-to-door-rules.md 第十八条: 终止购买服务合同 / 列入失信名单. The other
# measure, recover_funds, concerns money already paid and leaves new work alone.
MEASURES_ENDING_NEW_WORK = frozenset({"end_contract", "blacklist"})


@dataclass(frozen=True)
class Suspension:
    """Why a provider gets no new work: the audit sanction that ended its contract or blacklisted it."""

    sanction_id: UUID
    measures: tuple[str, ...]
    basis: tuple[str, ...]
    imposed_at: datetime


@dataclass(frozen=True)
class Decertification:
    """Why a caregiver may no longer serve (wuhai-2017-home-care-measures.md 第三十一条)."""

    basis: str
    decertified_at: datetime


class ProviderStatus(StrEnum):
    active = "active"


PROVIDER_STATUS_LABELS = {ProviderStatus.active: "服务中"}


@dataclass
class Provider:
    """A registered organisation contracted for purchased home care (第七条（一）: it carries a unified
    social credit code)."""

    name: str
    credit_code: str
    credit_code_needs_manual_check: bool
    district_code: str
    address: str
    phone: str
    service_codes: tuple[str, ...]
    has_food_licence: bool
    registered_by: str
    status: ProviderStatus = ProviderStatus.active
    id: UUID = field(default_factory=uuid7)
    suspension: Suspension | None = None

    @classmethod
    def register(
        cls,
        *,
        name: str,
        credit_code: CreditCode,
        district_code: str,
        address: str,
        phone: str,
        service_codes: list[str],
        has_food_licence: bool,
        registered_by: str,
    ) -> Provider:
        unknown = CATALOG.unknown(service_codes)
        if unknown:
            raise RuleViolations.of([("service_codes", f"not in the service catalog: {', '.join(unknown)}")])
        # A meal provider without a licence is registered all the same: 第七条（六） also accepts a
        # contract with a licensed kitchen, which may come later. The licence is checked when a care
        # plan contracts a meal item, which is when the service is bought.
        return cls(
            name=name,
            credit_code=credit_code.value,
            credit_code_needs_manual_check=credit_code.needs_manual_check,
            district_code=district_code,
            address=address,
            phone=phone,
            service_codes=tuple(sorted(set(service_codes))),
            has_food_licence=has_food_licence,
            registered_by=registered_by,
        )

    @property
    def suspended_from_new_work(self) -> bool:
        return self.suspension is not None

    def suspend_from_new_work(self, suspension: Suspension) -> bool:
        """changsha-2024-purchased-door-to-door-rules.md 第十八条: a provider whose contract is ended
        or who is blacklisted receives no new work. False when already suspended (the first
        sanction stays the one on record); work already done or booked is left as it is."""
        if self.suspension is not None:
            return False
        self.suspension = suspension
        return True

    def ensure_may_take_new_work(self) -> None:
        if self.suspension is not None:
            s = self.suspension
            raise ProviderSuspended(
                f"the provider is suspended from new work by sanction {s.sanction_id} "
                f"({', '.join(s.measures)}; {SANCTION_SOURCE} 第十八条)"
            )

    def serves_district(self, district_code: str) -> bool:
        return self.district_code == district_code

    def offers(self, service_code: str) -> bool:
        return service_code in self.service_codes


class Qualification(StrEnum):
    """Professional qualifications of 第九条（八） (养老护理员、老年社会工作者等)."""

    certified_elderly_care_worker = "certified_elderly_care_worker"
    elderly_social_worker = "elderly_social_worker"
    nurse = "nurse"
    rehabilitation_therapist = "rehabilitation_therapist"
    psychological_counsellor = "psychological_counsellor"


QUALIFICATION_LABELS = {
    Qualification.certified_elderly_care_worker: "养老护理员",
    Qualification.elderly_social_worker: "老年社会工作者",
    Qualification.nurse: "护士",
    Qualification.rehabilitation_therapist: "康复治疗师",
    Qualification.psychological_counsellor: "心理咨询师",
}


class CaregiverStatus(StrEnum):
    active = "active"


CAREGIVER_STATUS_LABELS = {CaregiverStatus.active: "在岗"}


@dataclass(frozen=True)
class Workday:
    """What the planner needs to give a caregiver a round: where it starts and ends (home), the
    shift in local time (Asia/Shanghai), the most visits a day and how the caregiver travels."""

    home: Point
    shift_start: time
    shift_end: time
    max_visits_per_day: int
    travel_mode: TravelMode
    # ISO weekdays (1 Monday .. 7 Sunday) the caregiver does not work.
    days_off: tuple[int, ...] = ()

    def works_on(self, day: date) -> bool:
        return day.isoweekday() not in self.days_off

    def __post_init__(self) -> None:
        problems = []
        if any(not 1 <= d <= 7 for d in self.days_off):
            problems.append(("workday.days_off", "weekdays are 1 (Monday) to 7 (Sunday)"))
        if self.shift_end <= self.shift_start:
            problems.append(("workday.shift_end", "must be after shift_start"))
        if not 1 <= self.max_visits_per_day <= 24:
            problems.append(("workday.max_visits_per_day", "must be between 1 and 24"))
        if problems:
            raise RuleViolations.of(problems)


class Sex(StrEnum):
    """As on the resident identity card (GB 11643; eldercare.common.id_numbers)."""

    female = "female"
    male = "male"


@dataclass
class Caregiver:
    """A person under contract with a provider who serves in the home (第九条（一）)."""

    provider_id: UUID
    name: str
    phone: str
    qualifications: tuple[Qualification, ...]
    health_certificate_valid_until: date
    status: CaregiverStatus = CaregiverStatus.active
    id: UUID = field(default_factory=uuid7)
    # None: the caregiver is booked by hand only; the day planner leaves them out.
    workday: Workday | None = None
    decertification: Decertification | None = None
    # Issue #5 registry: sex (None: not recorded, so never given intimate care with a sex
    # preference) and the languages and dialects spoken, as BCP 47 tags (zh, hsn for Xiang/长沙话).
    sex: Sex | None = None
    languages: tuple[str, ...] = ()

    @property
    def is_decertified(self) -> bool:
        return self.decertification is not None

    def decertify(self, decertification: Decertification) -> bool:
        """wuhai-2017-home-care-measures.md 第三十一条: 3 or more substantiated complaints in a year
        cost the caregiver the right to serve (取消上岗资格). False when already decertified (the
        first decertification stays the one on record)."""
        if self.decertification is not None:
            return False
        self.decertification = decertification
        return True

    @property
    def is_certified(self) -> bool:
        # changsha-2024-purchased-door-to-door-rules.md 第九条（八）: any of the listed professional
        # qualifications lets a caregiver provide the professional items of the catalog.
        return bool(self.qualifications)

    def fit_for_duty_on(self, day: date) -> bool:
        """第九条（四）: works only with a valid health certificate (健康合格证明)."""
        return self.status == CaregiverStatus.active and self.health_certificate_valid_until >= day
