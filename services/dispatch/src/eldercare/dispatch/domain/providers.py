"""Providers (服务组织) and their caregivers (服务人员): Changsha rules 第七条 and 第九条."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from uuid import UUID

from eldercare.common.credit_codes import CreditCode
from eldercare.common.ids import uuid7
from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.errors import ProviderConditionsFailed, ProviderSuspended, RuleViolations
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


class ConditionCode(StrEnum):
    """The basic conditions of a provider, changsha-2024-purchased-door-to-door-rules.md 第七条."""

    registration = "registration"  # （一）登记注册, business scope with elderly care
    qualification_premises = "qualification_premises"  # （二）资质与能力, fixed office premises
    help_line_24h = "help_line_24h"  # （三）24 小时接收处理求助和风险提示
    staffing = "staffing"  # （四）服务管理人员、服务提供人员
    good_standing = "good_standing"  # （五）not blacklisted, no major safety accident in two years
    food_licence = "food_licence"  # （六）食品经营许可证 or a kitchen contract, for meal items
    management_rules = "management_rules"  # （七）服务管理制度 and an emergency plan


CONDITION_CLAUSES = {
    ConditionCode.registration: "第七条（一）",
    ConditionCode.qualification_premises: "第七条（二）",
    ConditionCode.help_line_24h: "第七条（三）",
    ConditionCode.staffing: "第七条（四）",
    ConditionCode.good_standing: "第七条（五）",
    ConditionCode.food_licence: "第七条（六）",
    ConditionCode.management_rules: "第七条（七）",
}
CONDITION_LABELS = {
    ConditionCode.registration: "已登记注册且业务范围含养老服务",
    ConditionCode.qualification_premises: "具备相应资质与能力并有固定办公场所",
    ConditionCode.help_line_24h: "能 24 小时接收处理求助和风险提示信息",
    ConditionCode.staffing: "配备服务管理人员和服务提供人员",
    ConditionCode.good_standing: "未列入失信名单，近两年无重大安全责任事故",
    ConditionCode.food_licence: "食品经营许可证或供餐协议",
    ConditionCode.management_rules: "建有服务管理制度和突发事件应急预案",
}
# 第七条（一）-（五）,（七） bind every provider; （六） only 提供助餐服务的服务组织, so it is asked only
# of work with a meal item (a plan, a visit, a day's visits holding one).
GENERAL_CONDITIONS = tuple(c for c in ConditionCode if c is not ConditionCode.food_licence)


class ConditionStatus(StrEnum):
    met = "met"
    not_met = "not_met"


@dataclass(frozen=True)
class Evidence:
    """What a condition fact rests on: the document (its reference in the bureau's file, and its
    SHA-256 when a copy was uploaded), who recorded it and when."""

    document_ref: str
    recorded_by: str
    recorded_at: datetime
    document_sha256: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ConditionFact:
    """One 第七条 condition as recorded by the district or city bureau: met or not, on what
    evidence, until when (a licence, a contract or a no-accident attestation runs out)."""

    code: ConditionCode
    status: ConditionStatus
    evidence: Evidence
    valid_until: date | None = None

    def holds_on(self, day: date) -> bool:
        return self.status is ConditionStatus.met and (self.valid_until is None or self.valid_until >= day)


@dataclass(frozen=True)
class ConditionFailure:
    """Why a condition does not hold on a day: ``missing`` (never recorded), ``not_met``, or
    ``expired`` (met, but valid only until before the day)."""

    code: ConditionCode
    reason: str
    valid_until: date | None = None

    @property
    def clause(self) -> str:
        return CONDITION_CLAUSES[self.code]

    def describe(self) -> str:
        if self.reason == "expired" and self.valid_until is not None:
            return f"{self.code.value} ({self.clause}) expired on {self.valid_until.isoformat()}"
        return f"{self.code.value} ({self.clause}) {self.reason.replace('_', ' ')}"


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
    # Issue #5 registry. The 第七条 conditions as recorded facts (the latest per condition).
    conditions: dict[ConditionCode, ConditionFact] = field(default_factory=dict)
    # True for providers registered before the conditions were tracked (migration 0020): a
    # condition never recorded does not stop them (they were selected under 第十条, which checks
    # 第七条), and for meal items their declared has_food_licence stands in for a missing （六）
    # fact. A recorded fact that is not met or has expired stops them like any provider.
    registered_before_conditions: bool = False
    # 第十条 委托服务协议: further districts the provider is entrusted with besides district_code
    # (the district that registered it).
    contracted_district_codes: tuple[str, ...] = ()
    # Billing's price list (PriceListPublished) the provider is paid at; None: the list in force.
    price_list_id: UUID | None = None

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
        contracted_district_codes: list[str] | None = None,
        price_list_id: UUID | None = None,
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
            contracted_district_codes=_others(district_code, contracted_district_codes or []),
            price_list_id=price_list_id,
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

    def ensure_may_take_new_work(self, on: date, service_codes: Iterable[str] = ()) -> None:
        """No new plan, version, visit or day plan for a provider suspended by audit (第十八条) or
        failing a 第七条 condition on ``on`` (the local day the work is given, and for a booked
        visit its day too); （六） only when ``service_codes`` hold a meal item."""
        if self.suspension is not None:
            s = self.suspension
            raise ProviderSuspended(
                f"the provider is suspended from new work by sanction {s.sanction_id} "
                f"({', '.join(s.measures)}; {SANCTION_SOURCE} 第十八条)"
            )
        self.ensure_conditions_hold(on, service_codes)

    def ensure_conditions_hold(self, on: date, service_codes: Iterable[str] = ()) -> None:
        """第七条 alone (ProviderConditionsFailed, 409), naming every failed condition."""
        failures = self.condition_failures(on, service_codes)
        if failures:
            raise ProviderConditionsFailed(
                f"the provider fails conditions of {SANCTION_SOURCE} 第七条 on {on.isoformat()}: "
                + "; ".join(f.describe() for f in failures),
                failed_conditions=[
                    {"code": f.code.value, "clause": f.clause, "reason": f.reason} for f in failures
                ],
            )

    def _required(self, service_codes: Iterable[str]) -> list[ConditionCode]:
        required: list[ConditionCode] = list(GENERAL_CONDITIONS)
        if any(CATALOG[c].requires_food_licence for c in service_codes if CATALOG.get(c) is not None):
            required.insert(5, ConditionCode.food_licence)
        return required

    def conditions_hold_through(self, service_codes: Iterable[str] = ()) -> date | None:
        """The last day the recorded facts the work needs hold (the earliest ``valid_until``);
        None when none of them runs out. Generation creates no visit after it."""
        ends = [
            fact.valid_until
            for code in self._required(service_codes)
            if (fact := self.conditions.get(code)) is not None and fact.valid_until is not None
        ]
        return min(ends, default=None)

    def condition_failures(self, on: date, service_codes: Iterable[str] = ()) -> list[ConditionFailure]:
        """The 第七条 conditions that do not hold on ``on``, in clause order."""
        out = []
        for code in self._required(service_codes):
            fact = self.conditions.get(code)
            if fact is None:
                # The transition (registered_before_conditions): tolerated, but for （六） only with
                # the licence declared at registration.
                tolerated = self.registered_before_conditions and (
                    code in GENERAL_CONDITIONS or self.has_food_licence
                )
                if not tolerated:
                    out.append(ConditionFailure(code, "missing"))
            elif fact.status is ConditionStatus.not_met:
                out.append(ConditionFailure(code, "not_met"))
            elif not fact.holds_on(on):
                out.append(ConditionFailure(code, "expired", fact.valid_until))
        return out

    def eligible_for_new_work(self, on: date) -> bool:
        return self.suspension is None and not self.condition_failures(on)

    def food_licence_holds(self, on: date) -> bool:
        """第七条（六）: a licence or a kitchen contract valid on ``on``."""
        return not self.condition_failures(on, [_A_MEAL_ITEM])

    def record_condition(self, fact: ConditionFact, today: date) -> None:
        """Record or renew a fact on ``today`` (the local day): the new one replaces the current
        one (the history is kept by the repository)."""
        problems = []
        if fact.valid_until is not None and fact.valid_until < today:
            problems.append(("valid_until", "is in the past: record the renewed document instead"))
        if fact.code is ConditionCode.food_licence and not any(
            CATALOG[c].requires_food_licence for c in self.service_codes
        ):
            problems.append(("code", "food_licence (第七条（六）) concerns providers of meal items only"))
        if problems:
            raise RuleViolations.of(problems)
        self.conditions[fact.code] = fact

    @property
    def district_codes(self) -> tuple[str, ...]:
        """The registering district first, then the contracted ones."""
        return (self.district_code, *self.contracted_district_codes)

    def serves_district(self, district_code: str) -> bool:
        return district_code in self.district_codes

    def contract_districts(self, district_codes: list[str]) -> None:
        self.contracted_district_codes = _others(self.district_code, district_codes)

    def offers(self, service_code: str) -> bool:
        return service_code in self.service_codes


def _others(primary: str, district_codes: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(district_codes) - {primary}))


_A_MEAL_ITEM = next(item.code for item in CATALOG.items if item.requires_food_licence)


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


@dataclass(frozen=True)
class Training:
    """A training the caregiver took: 第九条（六） safety and emergency handling, （七） training of
    those who assess and plan, and any other (name, day, hours, certificate reference)."""

    name: str
    completed_on: date
    hours: float
    certificate_ref: str | None = None


@dataclass(frozen=True)
class EmploymentContract:
    """第九条（一）: 与服务组织签订劳动合同或劳务合同. ``ends_on`` None: open-ended."""

    starts_on: date
    ends_on: date | None = None

    def __post_init__(self) -> None:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise RuleViolations.of([("contract.ends_on", "must be on or after contract.starts_on")])

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


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
    # Issue #5 registry: trainings, skills (short tags, e.g. dementia_care) and the employment
    # contract (None: not recorded, as for caregivers registered before it was; not checked then).
    trainings: tuple[Training, ...] = ()
    skills: tuple[str, ...] = ()
    contract: EmploymentContract | None = None

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

    def health_certificate_valid_on(self, day: date) -> bool:
        """第九条（四）: works only with a valid health certificate (健康合格证明)."""
        return self.health_certificate_valid_until >= day

    def under_contract_on(self, day: date) -> bool:
        """第九条（一）: serves only under a contract with the provider (when one is recorded)."""
        return self.contract is None or self.contract.covers(day)

    def fit_for_duty_on(self, day: date) -> bool:
        return (
            self.status == CaregiverStatus.active
            and self.health_certificate_valid_on(day)
            and self.under_contract_on(day)
        )
