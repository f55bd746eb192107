"""Re-evaluate every beneficiary of a policy under a given pack version: a report, no changes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.errors import InvalidInput
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import to_domain
from eldercare.intake.adapters.models import BeneficiaryRow
from eldercare.intake.adapters.persons import PersonRepository
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.decisions import facts_of
from eldercare.intake.domain.beneficiary import BeneficiaryStatus
from eldercare.intake.domain.eligibility import Settings
from eldercare.intake.domain.policy import PackCatalog
from eldercare.intake.domain.reevaluation import Reevaluation, reevaluate


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
            report.append(
                reevaluate(beneficiary, facts_of(application, person), pack, as_of, cmd.policy_settings)
            )
        after = rows[-1].id
