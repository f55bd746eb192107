"""Re-evaluate every beneficiary of a policy under a given pack version: a report (a dry run that
writes nothing) and, given the report's digest, its application to the register."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.clock import local_date, utcnow
from eldercare.common.errors import Conflict, InvalidInput, SettingNotConfigured
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository, to_domain
from eldercare.intake.adapters.models import BeneficiaryRow
from eldercare.intake.adapters.persons import PersonRepository, circumstances_on
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.decisions import facts_of
from eldercare.intake.application.entitlements import Outcome, apply_pack, facts_for
from eldercare.intake.domain.beneficiary import (
    BeneficiaryStatus,
    EntitlementReason,
    first_of_month_on_or_after,
    first_of_next_month,
)
from eldercare.intake.domain.eligibility import Settings
from eldercare.intake.domain.policy import PackCatalog
from eldercare.intake.domain.reevaluation import Effect, Reevaluation, reevaluate


@dataclass(frozen=True)
class ReevaluateBeneficiaries:
    pack_id: str
    version: str
    as_of: date | None
    region_prefix: str
    catalog: PackCatalog
    policy_settings: Settings
    vault: PiiVault
    batch: int = 500


async def reevaluate_beneficiaries(cmd: ReevaluateBeneficiaries, session: AsyncSession) -> list[Reevaluation]:
    """Every active or suspended beneficiary in ``region_prefix`` enrolled under any version of the
    pack's policy, evaluated under (pack_id, version) on ``as_of`` (default: the version's
    effective date) with the facts of their application and their current assessment level.
    Reads only: nothing is written, nothing is published."""
    pack = cmd.catalog.get(cmd.pack_id, cmd.version)
    if pack is None:
        raise InvalidInput(f"there is no pack {cmd.pack_id} version {cmd.version}", field="version")
    as_of = cmd.as_of or pack.effective_from
    same_policy = [p.pack_id for p in cmd.catalog.packs() if p.policy == pack.policy]
    applications = ApplicationRepository(session, cmd.vault)
    persons = PersonRepository(session, cmd.vault)
    report: list[Reevaluation] = []
    after = None
    while True:
        query = select(BeneficiaryRow).where(
            BeneficiaryRow.pack_id.in_(same_policy),
            BeneficiaryRow.status != BeneficiaryStatus.terminated.value,
            BeneficiaryRow.community_code.startswith(cmd.region_prefix),
        )
        if after is not None:
            query = query.where(BeneficiaryRow.id > after)
        rows = (await session.scalars(query.order_by(BeneficiaryRow.id).limit(cmd.batch))).all()
        if not rows:
            return report
        for row in rows:
            beneficiary = to_domain(row)
            person = await persons.get(beneficiary.person_id)
            application = (
                await applications.get(beneficiary.application_id) if beneficiary.application_id else None
            )
            if person is None or application is None or application.assessment is None:
                continue  # enrolled without an application (none yet): nothing to re-evaluate from
            # The level may have changed on reassessment since the application.
            application.assessment = replace(application.assessment, final_level=beneficiary.assessment_level)
            facts = facts_of(application, person)
            marked = await circumstances_on(session, person.id, as_of)
            facts = replace(facts, circumstances=facts.circumstances | marked)
            report.append(reevaluate(beneficiary, facts, pack, as_of, cmd.policy_settings))
        after = rows[-1].id


def report_digest(report: list[Reevaluation]) -> str:
    """A fingerprint of a report: applying it requires the digest of the dry run the bureau read,
    so a register that changed in between (a new enrolment, a reassessment) is refused (409)
    instead of silently applied to people nobody previewed."""
    lines = sorted(
        f"{r.beneficiary_id}|{r.from_pack}|{r.from_version}|{r.effect.value}|{r.amount_before_fen}|"
        f"{r.amount_after_fen}|{','.join(r.categories_added)}|{','.join(r.categories_removed)}|"
        f"{r.emergency_help_after}"
        for r in report
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass(frozen=True)
class ApplyReevaluation:
    """Apply a previewed re-evaluation: ``digest`` is the dry run's."""

    reevaluation: ReevaluateBeneficiaries
    digest: str
    by: str


@dataclass(frozen=True)
class AppliedReevaluation:
    effective_on: date
    outcomes: list[Outcome]


async def apply_reevaluation(cmd: ApplyReevaluation, uow: UnitOfWork) -> AppliedReevaluation:
    """Move every beneficiary of the report to the pack version from the first day of the next
    month (or of the month the version takes effect, if later): a changed entitlement publishes
    BeneficiaryEntitlementChanged (reason policy_reevaluation), a lost eligibility terminates
    citing the clauses no longer met, an unchanged one moves to the version silently. An amount the
    version leaves unset refuses the whole run naming the setting (503), nothing half-applied."""
    r = cmd.reevaluation
    report = await reevaluate_beneficiaries(r, uow.session)
    if report_digest(report) != cmd.digest:
        raise Conflict(
            "the register changed since the dry run: run the report again and apply its digest",
            field="digest",
        )
    unset = sorted(
        {s for item in report if item.effect is Effect.amount_unset for s in item.missing_settings}
    )
    if unset:
        raise SettingNotConfigured(f"{unset[0]} is not configured (INTAKE_POLICY_SETTINGS)", field=unset[0])
    pack = r.catalog.get(r.pack_id, r.version)
    assert pack is not None  # reevaluate_beneficiaries refused an unknown version
    now = utcnow()
    effective_on = max(first_of_next_month(local_date(now)), first_of_month_on_or_after(pack.effective_from))
    as_of = r.as_of or pack.effective_from
    beneficiaries = BeneficiaryRepository(uow.session)
    outcomes = []
    for item in report:
        beneficiary = await beneficiaries.get(item.beneficiary_id, for_update=True)
        assert beneficiary is not None
        facts = await facts_for(uow, beneficiary, beneficiary.assessment_level, as_of)
        assert facts is not None  # the report only holds beneficiaries with facts
        result = apply_pack(
            uow,
            beneficiary,
            pack,
            facts,
            evaluated_on=as_of,
            effective_on=effective_on,
            reason=EntitlementReason.policy_reevaluation,
            assessment_id=None,
            by=cmd.by,
            at=now,
            settings=r.policy_settings,
        )
        if result == "unchanged" and (beneficiary.pack_id, beneficiary.pack_version) != (
            pack.pack_id,
            pack.version,
        ):
            beneficiary.pack_id, beneficiary.pack_version = pack.pack_id, pack.version
        await beneficiaries.save(beneficiary)
        outcomes.append(Outcome(beneficiary.id, result))
    return AppliedReevaluation(effective_on, outcomes)
