"""Care plans, their versions and their agreements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.dispatch.adapters.models import BeneficiaryRow, CarePlanRow, CarePlanVersionRow
from eldercare.dispatch.domain.care_plans import (
    Agreement,
    CarePlan,
    CarePlanStatus,
    CarePlanVersion,
)
from eldercare.dispatch.domain.plan_fit import FitStatus, PlanFit
from eldercare.dispatch.domain.plan_schedule import PreferredSlot
from eldercare.dispatch.domain.providers import Sex


@dataclass(frozen=True)
class CarePlanFilter:
    """What ``GET /v1/care-plans`` asks for; the tenancy (``provider_id`` or ``region``) is set by
    the caller's token, never by the query."""

    provider_id: UUID | None = None
    region: str | None = None
    beneficiary_id: UUID | None = None
    status: CarePlanStatus | None = None
    fit: FitStatus | None = None


class CarePlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, care_plan_id: UUID, *, for_update: bool = False) -> CarePlan | None:
        row = await self.session.get(CarePlanRow, care_plan_id, with_for_update=for_update or None)
        return to_domain(row) if row else None

    async def get_active(self, beneficiary_id: UUID, provider_id: UUID) -> CarePlan | None:
        query = select(CarePlanRow).where(
            CarePlanRow.beneficiary_id == beneficiary_id,
            CarePlanRow.provider_id == provider_id,
            CarePlanRow.status == CarePlanStatus.active.value,
        )
        row = (await self.session.scalars(query)).first()
        return to_domain(row) if row else None

    async def list_active_of_beneficiary(
        self, beneficiary_id: UUID, *, for_update: bool = False
    ) -> list[CarePlan]:
        """The beneficiary's active plans, oldest first (locked when ending or re-checking them:
        one plan is never ended twice by racing paths)."""
        query = select(CarePlanRow).where(
            CarePlanRow.beneficiary_id == beneficiary_id,
            CarePlanRow.status == CarePlanStatus.active.value,
        )
        query = query.order_by(CarePlanRow.activated_at, CarePlanRow.id)
        if for_update:
            query = query.with_for_update()
        return [to_domain(row) for row in (await self.session.scalars(query)).all()]

    async def list_expired(self, today: date, limit: int) -> list[CarePlan]:
        """Active plans whose agreement's last day is before ``today``, locked SKIP LOCKED (the
        worker's sweep: two workers never end one plan twice)."""
        query = (
            select(CarePlanRow)
            .where(CarePlanRow.status == CarePlanStatus.active.value, CarePlanRow.agreement_ends_on < today)
            .order_by(CarePlanRow.agreement_ends_on, CarePlanRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [to_domain(row) for row in (await self.session.scalars(query)).all()]

    async def list_terminated_due(self, today: date, limit: int) -> list[tuple[CarePlan, str, date | None]]:
        """Active plans of beneficiaries whose termination has taken effect by ``today``, with the
        termination's reason and day; the plan rows locked SKIP LOCKED (the worker's sweep)."""
        query = (
            select(CarePlanRow, BeneficiaryRow.status_reason, BeneficiaryRow.termination_effective_on)
            .join(BeneficiaryRow, BeneficiaryRow.id == CarePlanRow.beneficiary_id)
            .where(
                CarePlanRow.status == CarePlanStatus.active.value,
                BeneficiaryRow.status == "terminated",
                or_(
                    BeneficiaryRow.termination_effective_on.is_(None),
                    BeneficiaryRow.termination_effective_on <= today,
                ),
            )
            .order_by(CarePlanRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=CarePlanRow)
        )
        rows = (await self.session.execute(query)).all()
        return [(to_domain(row), reason or "no reason given", on) for row, reason, on in rows]

    async def list_active_in_region(self, region_code: str) -> list[CarePlan]:
        """Active plans whose district lies in ``region_code`` (a province, city or district),
        locked in id order (a re-check runs beside new versions of the same plans)."""
        query = (
            select(CarePlanRow)
            .where(
                CarePlanRow.status == CarePlanStatus.active.value,
                CarePlanRow.district_code.startswith(region_code, autoescape=True),
            )
            .order_by(CarePlanRow.id)
            .with_for_update()
        )
        return [to_domain(row) for row in (await self.session.scalars(query)).all()]

    async def list_page(self, f: CarePlanFilter, *, after: UUID | None, limit: int) -> list[CarePlan]:
        """Plans by id (the cursor), of one provider or of a region, with the filters given."""
        query = select(CarePlanRow)
        if f.provider_id is not None:
            query = query.where(CarePlanRow.provider_id == f.provider_id)
        if f.region is not None:
            query = query.where(CarePlanRow.community_code.startswith(f.region, autoescape=True))
        if f.beneficiary_id is not None:
            query = query.where(CarePlanRow.beneficiary_id == f.beneficiary_id)
        if f.status is not None:
            query = query.where(CarePlanRow.status == f.status.value)
        if f.fit is not None:
            query = query.where(CarePlanRow.fit_status == f.fit.value)
        if after is not None:
            query = query.where(CarePlanRow.id > after)
        rows = await self.session.scalars(query.order_by(CarePlanRow.id).limit(limit))
        return [to_domain(row) for row in rows.all()]

    async def list_versions(self, care_plan_id: UUID) -> list[CarePlanVersion]:
        query = (
            select(CarePlanVersionRow)
            .where(CarePlanVersionRow.care_plan_id == care_plan_id)
            .order_by(CarePlanVersionRow.version)
        )
        return [
            CarePlanVersion(
                version=r.version,
                service_codes=tuple(r.service_codes),
                frequency_per_month=r.frequency_per_month,
                preferred_caregiver_sex=Sex(r.preferred_caregiver_sex) if r.preferred_caregiver_sex else None,
                agreement=Agreement(
                    signed_on=r.agreement_signed_on,
                    duration_months=r.agreement_duration_months,
                    family_consent_obtained=r.family_consent_obtained,
                ),
                effective_at=r.effective_at,
                created_by=r.created_by,
                schedule=tuple(PreferredSlot.from_dict(d) for d in r.schedule or ()),
                minutes_per_visit=r.minutes_per_visit,
                self_paid_per_month=r.self_paid_per_month,
                fit=_fit(r),
            )
            for r in (await self.session.scalars(query)).all()
        ]

    async def add(self, plan: CarePlan) -> None:
        row = CarePlanRow(
            id=plan.id,
            beneficiary_id=plan.beneficiary_id,
            provider_id=plan.provider_id,
            district_code=plan.district_code,
            community_code=plan.community_code,
            activated_at=plan.activated_at,
            created_by=plan.created_by,
        )
        _copy_into(row, plan)
        self.session.add(row)
        await self.session.flush()
        self._add_version(plan, plan.activated_at, plan.created_by)
        await self.session.flush()

    async def save(self, plan: CarePlan) -> None:
        """Write the plan's current state; a new version number also records the version."""
        row = await self.session.get(CarePlanRow, plan.id)
        if row is None:
            raise LookupError(f"care plan {plan.id} was never added")
        new_version = plan.version != row.plan_version
        _copy_into(row, plan)
        if new_version:
            assert plan.changed_at is not None and plan.changed_by is not None
            self._add_version(plan, plan.changed_at, plan.changed_by)
        await self.session.flush()

    def _add_version(self, plan: CarePlan, at: datetime, by: str) -> None:
        a = plan.agreement
        fit = plan.fit
        self.session.add(
            CarePlanVersionRow(
                care_plan_id=plan.id,
                version=plan.version,
                service_codes=list(plan.service_codes),
                frequency_per_month=plan.frequency_per_month,
                preferred_caregiver_sex=plan.preferred_caregiver_sex.value
                if plan.preferred_caregiver_sex
                else None,
                agreement_signed_on=a.signed_on,
                agreement_duration_months=a.duration_months,
                agreement_ends_on=a.ends_on,
                family_consent_obtained=a.family_consent_obtained,
                effective_at=at,
                created_by=by,
                schedule=[slot.as_dict() for slot in plan.schedule],
                minutes_per_visit=plan.minutes_per_visit,
                self_paid_per_month=plan.self_paid_per_month,
                fit_status=fit.status.value if fit else None,
                fit_monthly_cost_fen=fit.monthly_cost_fen if fit else None,
                fit_monthly_minutes=fit.monthly_minutes if fit else None,
                fit_note=fit.note if fit else None,
                fit_checked_on=fit.checked_on if fit else None,
            )
        )


def _copy_into(row: CarePlanRow, plan: CarePlan) -> None:
    a = plan.agreement
    row.service_codes = list(plan.service_codes)
    row.frequency_per_month = plan.frequency_per_month
    row.agreement_signed_on = a.signed_on
    row.agreement_duration_months = a.duration_months
    row.agreement_ends_on = a.ends_on
    row.family_consent_obtained = a.family_consent_obtained
    row.preferred_caregiver_sex = plan.preferred_caregiver_sex.value if plan.preferred_caregiver_sex else None
    row.status = plan.status.value
    row.plan_version = plan.version
    row.changed_at, row.changed_by = plan.changed_at, plan.changed_by
    row.ended_at, row.ended_by, row.end_reason = plan.ended_at, plan.ended_by, plan.end_reason
    row.minutes_per_visit, row.self_paid_per_month = plan.minutes_per_visit, plan.self_paid_per_month
    fit = plan.fit
    row.fit_status = fit.status.value if fit else None
    row.fit_monthly_cost_fen = fit.monthly_cost_fen if fit else None
    row.fit_monthly_minutes = fit.monthly_minutes if fit else None
    row.fit_note = fit.note if fit else None
    row.schedule = [slot.as_dict() for slot in plan.schedule]
    row.fit_checked_on = fit.checked_on if fit else None


def to_domain(row: CarePlanRow) -> CarePlan:
    return CarePlan(
        id=row.id,
        beneficiary_id=row.beneficiary_id,
        provider_id=row.provider_id,
        district_code=row.district_code,
        community_code=row.community_code,
        service_codes=tuple(row.service_codes),
        frequency_per_month=row.frequency_per_month,
        agreement=Agreement(
            signed_on=row.agreement_signed_on,
            duration_months=row.agreement_duration_months,
            family_consent_obtained=row.family_consent_obtained,
        ),
        activated_at=row.activated_at,
        created_by=row.created_by,
        status=CarePlanStatus(row.status),
        preferred_caregiver_sex=Sex(row.preferred_caregiver_sex) if row.preferred_caregiver_sex else None,
        version=row.plan_version,
        changed_at=row.changed_at,
        changed_by=row.changed_by,
        ended_at=row.ended_at,
        ended_by=row.ended_by,
        end_reason=row.end_reason,
        minutes_per_visit=row.minutes_per_visit,
        self_paid_per_month=row.self_paid_per_month,
        fit=_fit(row),
        schedule=tuple(PreferredSlot.from_dict(d) for d in row.schedule or ()),
    )


def _fit(row: CarePlanRow | CarePlanVersionRow) -> PlanFit | None:
    if not row.fit_status:
        return None
    return PlanFit(
        FitStatus(row.fit_status),
        row.fit_monthly_cost_fen,
        row.fit_monthly_minutes or 0,
        row.fit_note,
        row.fit_checked_on,
    )
