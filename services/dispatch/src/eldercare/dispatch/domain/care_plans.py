"""Care plans (专业照护方案) and service agreements (服务协议): Changsha rules 第十二条 to 第十四条."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from eldercare.common.ids import uuid7
from eldercare.dispatch.domain.beneficiaries import Beneficiary
from eldercare.dispatch.domain.catalog import CATALOG, EMERGENCY_CODES, INTIMATE_CODES
from eldercare.dispatch.domain.errors import BeneficiaryNotActive, CarePlanNotActive, RuleViolations
from eldercare.dispatch.domain.plan_fit import PlanFit
from eldercare.dispatch.domain.plan_schedule import Schedule, schedule_violations
from eldercare.dispatch.domain.providers import Provider, Sex

SOURCE = "changsha-2024-purchased-door-to-door-rules.md"


class CarePlanStatus(StrEnum):
    active = "active"
    ended = "ended"


CARE_PLAN_STATUS_LABELS = {CarePlanStatus.active: "执行中", CarePlanStatus.ended: "已终止"}


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Agreement:
    """第十四条: the agreement fixes content, duration and frequency (and rights, duties, risk
    sharing and disputes, which stay on paper)."""

    signed_on: date
    duration_months: int
    family_consent_obtained: bool = False

    @property
    def ends_on(self) -> date:
        """The last day covered: twelve months from 2026-11-20 run to 2027-11-19."""
        return add_months(self.signed_on, self.duration_months) - timedelta(days=1)


@dataclass(frozen=True)
class CarePlanVersion:
    """One version of a plan as it took effect (read model of ``care_plan_versions``)."""

    version: int
    service_codes: tuple[str, ...]
    frequency_per_month: int
    preferred_caregiver_sex: Sex | None
    agreement: Agreement
    effective_at: datetime
    created_by: str
    # Issue #5: the preferred days and windows of this version (domain/plan_schedule.py).
    schedule: Schedule = ()
    # Issue #5 (revision 0018): the version's visit length, self-paid visits and its fit as checked
    # when it took effect (None: a version older than the check).
    minutes_per_visit: int | None = None
    self_paid_per_month: int | None = None
    fit: PlanFit | None = None


@dataclass
class CarePlan:
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str
    # The beneficiary's community (12 digits): street and community staff see plans of their area.
    community_code: str
    service_codes: tuple[str, ...]
    frequency_per_month: int
    agreement: Agreement
    activated_at: datetime
    created_by: str
    status: CarePlanStatus = CarePlanStatus.active
    id: UUID = field(default_factory=uuid7)
    # Issue #5: the caregiver sex the beneficiary wants for intimate care (INTIMATE_CODES); a hard
    # rule of every booking of those items. None: no preference.
    preferred_caregiver_sex: Sex | None = None
    # 第十四条 and issue #5: a change of plan is a new version with its own signed agreement; the
    # row holds the current version, ``care_plan_versions`` every version.
    version: int = 1
    changed_at: datetime | None = None
    changed_by: str | None = None
    # Ended by the provider or the district, or because the agreement ran out.
    ended_at: datetime | None = None
    ended_by: str | None = None
    end_reason: str | None = None
    # Issue #5, the fit to the monthly entitlement (domain/plan_fit.py): the length of a visit, the
    # visits a month of each item the beneficiary pays himself, and the check of the current
    # version (None: activated before the check existed, or not yet checked).
    minutes_per_visit: int | None = None
    self_paid_per_month: int = 0
    fit: PlanFit | None = None
    # Issue #5: preferred days and time windows (domain/plan_schedule.py); empty: no schedule, so
    # no generated visits (visits are then booked by hand, POST /v1/visits).
    schedule: Schedule = ()

    @classmethod
    def activate(
        cls,
        *,
        beneficiary: Beneficiary,
        provider: Provider,
        service_codes: list[str],
        frequency_per_month: int,
        agreement: Agreement,
        today: date,
        now: datetime,
        by: str,
        preferred_caregiver_sex: Sex | None = None,
    ) -> CarePlan:
        """第十二条: the provider writes the plan and signs the agreement; it takes effect at once."""
        if not beneficiary.is_active:
            raise BeneficiaryNotActive(
                f"the beneficiary is {beneficiary.status.value}", field="beneficiary_id"
            )
        codes = tuple(sorted(set(service_codes)))
        violations = plan_violations(beneficiary, provider, codes, agreement, today)
        violations += preference_violations(codes, preferred_caregiver_sex)
        if violations:
            raise RuleViolations.of(violations)
        return cls(
            beneficiary_id=beneficiary.id,
            provider_id=provider.id,
            district_code=beneficiary.district_code,
            community_code=beneficiary.community_code,
            service_codes=codes,
            frequency_per_month=frequency_per_month,
            agreement=agreement,
            activated_at=now,
            created_by=by,
            preferred_caregiver_sex=preferred_caregiver_sex,
        )

    @property
    def is_active(self) -> bool:
        return self.status == CarePlanStatus.active

    def change(
        self,
        *,
        beneficiary: Beneficiary,
        provider: Provider,
        service_codes: list[str],
        frequency_per_month: int,
        agreement: Agreement,
        preferred_caregiver_sex: Sex | None,
        today: date,
        now: datetime,
        by: str,
    ) -> None:
        """A new version of the plan under a newly signed agreement (第十二条-第十四条; issue #5:
        "a change of plan is a new version"). Every rule of activation holds again."""
        if not self.is_active:
            raise CarePlanNotActive(f"the care plan is {self.status.value}", field="care_plan_id")
        if not beneficiary.is_active:
            raise BeneficiaryNotActive(
                f"the beneficiary is {beneficiary.status.value}", field="beneficiary_id"
            )
        codes = tuple(sorted(set(service_codes)))
        violations = plan_violations(beneficiary, provider, codes, agreement, today)
        violations += preference_violations(codes, preferred_caregiver_sex)
        if agreement.signed_on < self.agreement.signed_on:
            violations.append(
                (
                    "agreement.signed_on",
                    f"a new version is signed on or after the current agreement ({self.agreement.signed_on})",
                )
            )
        if violations:
            raise RuleViolations.of(violations)
        self.service_codes = codes
        self.frequency_per_month = frequency_per_month
        self.agreement = agreement
        self.preferred_caregiver_sex = preferred_caregiver_sex
        self.version += 1
        self.changed_at, self.changed_by = now, by

    def set_schedule(self, schedule: Schedule) -> None:
        """The current version's preferred slots, checked against its frequency and visit length
        (set once ``minutes_per_visit`` is known). 422 naming each field, nothing written."""
        violations = schedule_violations(schedule, self.frequency_per_month, self.minutes_per_visit or 60)
        if violations:
            raise RuleViolations.of(violations)
        self.schedule = tuple(schedule)

    def end(self, *, reason: str, now: datetime, by: str) -> None:
        """The plan stops: no new visit; its visits not yet started are cancelled by the caller."""
        if not self.is_active:
            raise CarePlanNotActive(f"the care plan is already {self.status.value}", field="care_plan_id")
        self.status = CarePlanStatus.ended
        self.ended_at, self.ended_by, self.end_reason = now, by, reason

    def covers(self, service_code: str) -> bool:
        return service_code in self.service_codes

    def required_sex(self, service_code: str) -> Sex | None:
        """The caregiver sex a visit of this item needs: the plan's preference for intimate care."""
        return self.preferred_caregiver_sex if service_code in INTIMATE_CODES else None


def preference_violations(codes: tuple[str, ...], sex: Sex | None) -> list[tuple[str, str]]:
    if sex is not None and not INTIMATE_CODES.intersection(codes):
        return [
            (
                "preferred_caregiver_sex",
                "applies to intimate care (CS05-CS10, CS18) and the plan has none of those items",
            )
        ]
    return []


def plan_violations(
    beneficiary: Beneficiary, provider: Provider, codes: tuple[str, ...], agreement: Agreement, today: date
) -> list[tuple[str, str]]:
    """Every rule the plan breaks, as (field, message); empty when the plan may take effect."""
    out: list[tuple[str, str]] = []
    # 第六条: the district where the person lives organises the service, through its contracted
    # providers.
    if not provider.serves_district(beneficiary.district_code):
        out.append(("beneficiary_id", f"the provider does not serve district {beneficiary.district_code}"))
    unknown = CATALOG.unknown(codes)
    if unknown:
        out.append(("service_codes", f"not in the service catalog: {', '.join(unknown)}"))
    known = [c for c in codes if c not in unknown]
    out += _service_violations(beneficiary, provider, known, today)
    if agreement.ends_on < today:
        out.append(("agreement.duration_months", f"the agreement ended on {agreement.ends_on.isoformat()}"))
    consent = [c for c in known if CATALOG[c].requires_family_consent]
    if consent and not agreement.family_consent_obtained:
        # 附件2 序号13, 16, 17: outings and medical accompaniment only with the family's consent.
        out.append(
            ("agreement.family_consent_obtained", f"{', '.join(consent)} need the family's consent (附件2)")
        )
    return out


def _service_violations(
    beneficiary: Beneficiary, provider: Provider, codes: list[str], today: date
) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    not_offered = [c for c in codes if not provider.offers(c)]
    if not_offered:
        out.append(("service_codes", f"the provider does not offer: {', '.join(not_offered)}"))
    entitled = set(beneficiary.service_categories)
    # 第十三条 makes emergency help mandatory for some beneficiaries, so it is always within their
    # entitlement even where the category list does not name daily-living care.
    outside = [
        c
        for c in codes
        if CATALOG[c].category not in entitled
        and not (beneficiary.emergency_help_required and c in EMERGENCY_CODES)
    ]
    if outside:
        out.append(("service_codes", f"outside the beneficiary's entitled categories: {', '.join(outside)}"))
    if beneficiary.emergency_help_required and not EMERGENCY_CODES.intersection(codes):
        # 第十三条: 由民政部门、居民委员会、村民委员会担任监护人的服务对象 ... 必须包含助急服务.
        out.append(
            (
                "service_codes",
                f"emergency help (CS14 or CS15) is mandatory for this beneficiary ({SOURCE} 第十三条)",
            )
        )
    meals = [c for c in codes if CATALOG[c].requires_food_licence]
    if meals and not provider.food_licence_holds(today):
        # 第七条（六）: meal services need a food licence or a contract with a licensed kitchen.
        out.append(
            ("service_codes", f"meal items {', '.join(meals)} need a food licence ({SOURCE} 第七条（六）)")
        )
    return out
