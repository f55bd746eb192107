"""Providers and caregivers."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.ids import uuid7
from eldercare.dispatch.adapters.models import (
    CaregiverRow,
    PriceListRow,
    ProviderConditionFactRow,
    ProviderRow,
)
from eldercare.dispatch.domain.geo import Point, TravelMode
from eldercare.dispatch.domain.providers import (
    Caregiver,
    CaregiverStatus,
    ConditionCode,
    ConditionFact,
    ConditionStatus,
    Decertification,
    EmploymentContract,
    Evidence,
    Provider,
    ProviderStatus,
    Qualification,
    Sex,
    Suspension,
    Training,
    Workday,
)


class ProviderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, provider_id: UUID, *, for_update: bool = False) -> Provider | None:
        row = await self.session.get(ProviderRow, provider_id, with_for_update=for_update or None)
        return await self._with_conditions(provider_from_row(row)) if row else None

    async def _with_conditions(self, provider: Provider) -> Provider:
        """The latest fact per 第七条 condition (facts are never updated; a renewal is a new row)."""
        query = (
            select(ProviderConditionFactRow)
            .where(ProviderConditionFactRow.provider_id == provider.id)
            .order_by(ProviderConditionFactRow.recorded_at, ProviderConditionFactRow.id)
        )
        for row in (await self.session.scalars(query)).all():
            provider.conditions[ConditionCode(row.code)] = ConditionFact(
                code=ConditionCode(row.code),
                status=ConditionStatus(row.status),
                valid_until=row.valid_until,
                evidence=Evidence(
                    document_ref=row.document_ref,
                    document_sha256=row.document_sha256,
                    note=row.note,
                    recorded_by=row.recorded_by,
                    recorded_at=row.recorded_at,
                ),
            )
        return provider

    async def add_condition_fact(self, provider: Provider, fact: ConditionFact) -> None:
        e = fact.evidence
        self.session.add(
            ProviderConditionFactRow(
                id=uuid7(),
                provider_id=provider.id,
                code=fact.code.value,
                status=fact.status.value,
                valid_until=fact.valid_until,
                document_ref=e.document_ref,
                document_sha256=e.document_sha256,
                note=e.note,
                recorded_by=e.recorded_by,
                recorded_at=e.recorded_at,
            )
        )
        await self.session.flush()

    async def price_list_region(self, price_list_id: UUID) -> str | None:
        """The region of one of billing's price lists kept here (PriceListPublished), or None."""
        row = await self.session.get(PriceListRow, price_list_id)
        return row.region_code if row else None

    async def save_contract_terms(self, provider: Provider) -> None:
        """The contracted districts and the price list (PATCH /v1/providers/{id})."""
        row = await self.session.get(ProviderRow, provider.id)
        assert row is not None
        row.contracted_district_codes = list(provider.contracted_district_codes)
        row.price_list_id = provider.price_list_id
        await self.session.flush()

    async def save_suspension(self, provider: Provider) -> None:
        row = await self.session.get(ProviderRow, provider.id)
        assert row is not None
        for key, value in _suspension_columns(provider.suspension).items():
            setattr(row, key, value)
        await self.session.flush()

    async def get_by_credit_code(self, credit_code: str) -> Provider | None:
        row = (
            await self.session.scalars(select(ProviderRow).where(ProviderRow.credit_code == credit_code))
        ).first()
        return await self._with_conditions(provider_from_row(row)) if row else None

    async def add(self, provider: Provider) -> None:
        self.session.add(
            ProviderRow(
                id=provider.id,
                name=provider.name,
                credit_code=provider.credit_code,
                credit_code_needs_manual_check=provider.credit_code_needs_manual_check,
                district_code=provider.district_code,
                address=provider.address,
                phone=provider.phone,
                service_codes=list(provider.service_codes),
                has_food_licence=provider.has_food_licence,
                status=provider.status.value,
                registered_by=provider.registered_by,
                registered_before_conditions=provider.registered_before_conditions,
                contracted_district_codes=list(provider.contracted_district_codes),
                price_list_id=provider.price_list_id,
                **_suspension_columns(provider.suspension),
            )
        )
        await self.session.flush()


def _suspension_columns(s: Suspension | None) -> dict[str, object]:
    if s is None:
        return {
            "suspended_by_sanction_id": None,
            "suspension_measures": None,
            "suspension_basis": None,
            "suspended_at": None,
        }
    return {
        "suspended_by_sanction_id": s.sanction_id,
        "suspension_measures": list(s.measures),
        "suspension_basis": list(s.basis),
        "suspended_at": s.imposed_at,
    }


def provider_from_row(row: ProviderRow) -> Provider:
    return Provider(
        id=row.id,
        name=row.name,
        credit_code=row.credit_code,
        credit_code_needs_manual_check=row.credit_code_needs_manual_check,
        district_code=row.district_code,
        address=row.address,
        phone=row.phone,
        service_codes=tuple(row.service_codes),
        has_food_licence=row.has_food_licence,
        status=ProviderStatus(row.status),
        registered_by=row.registered_by,
        registered_before_conditions=row.registered_before_conditions,
        contracted_district_codes=tuple(row.contracted_district_codes or ()),
        price_list_id=row.price_list_id,
        suspension=Suspension(
            sanction_id=row.suspended_by_sanction_id,
            measures=tuple(row.suspension_measures or ()),
            basis=tuple(row.suspension_basis or ()),
            imposed_at=row.suspended_at,
        )
        if row.suspended_by_sanction_id is not None and row.suspended_at is not None
        else None,
    )


class CaregiverRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, caregiver_id: UUID, *, for_update: bool = False) -> Caregiver | None:
        """``for_update`` locks the caregiver's row: bookings of one caregiver then run one at a
        time, so two racing requests cannot both pass the overlap check."""
        row = await self.session.get(CaregiverRow, caregiver_id, with_for_update=for_update or None)
        return caregiver_from_row(row) if row else None

    async def add(self, caregiver: Caregiver) -> None:
        self.session.add(
            CaregiverRow(
                id=caregiver.id,
                provider_id=caregiver.provider_id,
                name=caregiver.name,
                phone=caregiver.phone,
                qualifications=[q.value for q in caregiver.qualifications],
                health_certificate_valid_until=caregiver.health_certificate_valid_until,
                status=caregiver.status.value,
                decertified_at=caregiver.decertification.decertified_at
                if caregiver.decertification
                else None,
                decertification_basis=caregiver.decertification.basis if caregiver.decertification else None,
                sex=caregiver.sex.value if caregiver.sex else None,
                languages=list(caregiver.languages),
                **_registry_columns(caregiver),
                **_workday_columns(caregiver.workday),
            )
        )
        await self.session.flush()

    async def save_registry(self, caregiver: Caregiver) -> None:
        """What PATCH /v1/caregivers/{id} may change: the whole registry record but the decertification."""
        row = await self.session.get(CaregiverRow, caregiver.id)
        assert row is not None
        row.qualifications = [q.value for q in caregiver.qualifications]
        row.health_certificate_valid_until = caregiver.health_certificate_valid_until
        row.sex = caregiver.sex.value if caregiver.sex else None
        row.languages = list(caregiver.languages)
        columns = {**_registry_columns(caregiver), **_workday_columns(caregiver.workday, clear=True)}
        for key, value in columns.items():
            setattr(row, key, value)
        await self.session.flush()

    async def save_decertification(self, caregiver: Caregiver) -> None:
        row = await self.session.get(CaregiverRow, caregiver.id)
        assert row is not None
        d = caregiver.decertification
        row.decertified_at = d.decertified_at if d else None
        row.decertification_basis = d.basis if d else None
        await self.session.flush()

    async def list_of_provider(self, provider_id: UUID) -> list[Caregiver]:
        """All the provider's caregivers, in id order (not locked)."""
        query = select(CaregiverRow).where(CaregiverRow.provider_id == provider_id).order_by(CaregiverRow.id)
        return [caregiver_from_row(r) for r in (await self.session.scalars(query)).all()]

    async def list_schedulable(self, provider_id: UUID) -> list[Caregiver]:
        """The provider's caregivers with a workday, in id order (the planner's input order), locked
        like ``get(for_update=True)``: no booking by hand slips in while the planner books them."""
        query = (
            select(CaregiverRow)
            .where(CaregiverRow.provider_id == provider_id, CaregiverRow.shift_start.is_not(None))
            .with_for_update()
        )
        return [
            caregiver_from_row(r) for r in (await self.session.scalars(query.order_by(CaregiverRow.id))).all()
        ]


def _registry_columns(c: Caregiver) -> dict[str, object]:
    return {
        "trainings": [
            {
                "name": t.name,
                "completed_on": t.completed_on.isoformat(),
                "hours": t.hours,
                "certificate_ref": t.certificate_ref,
            }
            for t in c.trainings
        ],
        "skills": list(c.skills),
        "contract_starts_on": c.contract.starts_on if c.contract else None,
        "contract_ends_on": c.contract.ends_on if c.contract else None,
    }


def _workday_columns(w: Workday | None, *, clear: bool = False) -> dict[str, object]:
    if w is None:
        if not clear:
            return {}
        return {
            "home_lat": None,
            "home_lon": None,
            "shift_start": None,
            "shift_end": None,
            "max_visits_per_day": None,
            "travel_mode": None,
            "days_off": [],
        }
    return {
        "home_lat": w.home.lat,
        "home_lon": w.home.lon,
        "shift_start": w.shift_start,
        "shift_end": w.shift_end,
        "max_visits_per_day": w.max_visits_per_day,
        "travel_mode": w.travel_mode.value,
        "days_off": sorted(set(w.days_off)),
    }


def caregiver_from_row(row: CaregiverRow) -> Caregiver:
    return Caregiver(
        id=row.id,
        provider_id=row.provider_id,
        name=row.name,
        phone=row.phone,
        qualifications=tuple(Qualification(q) for q in row.qualifications),
        health_certificate_valid_until=row.health_certificate_valid_until,
        status=CaregiverStatus(row.status),
        workday=_workday(row),
        decertification=Decertification(basis=row.decertification_basis, decertified_at=row.decertified_at)
        if row.decertified_at is not None and row.decertification_basis is not None
        else None,
        sex=Sex(row.sex) if row.sex else None,
        languages=tuple(row.languages or ()),
        trainings=tuple(
            Training(
                name=str(t["name"]),
                completed_on=date.fromisoformat(str(t["completed_on"])),
                hours=float(str(t["hours"])),
                certificate_ref=str(t["certificate_ref"]) if t.get("certificate_ref") else None,
            )
            for t in row.trainings or ()
        ),
        skills=tuple(row.skills or ()),
        contract=EmploymentContract(row.contract_starts_on, row.contract_ends_on)
        if row.contract_starts_on is not None
        else None,
    )


def _workday(row: CaregiverRow) -> Workday | None:
    if row.home_lat is None or row.home_lon is None or row.shift_start is None or row.shift_end is None:
        return None
    assert row.max_visits_per_day is not None and row.travel_mode is not None
    return Workday(
        home=Point(row.home_lat, row.home_lon),
        shift_start=row.shift_start,
        shift_end=row.shift_end,
        max_visits_per_day=row.max_visits_per_day,
        travel_mode=TravelMode(row.travel_mode),
        days_off=tuple(row.days_off or ()),
    )
