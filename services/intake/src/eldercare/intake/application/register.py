"""Command handlers of the beneficiary register: status changes (suspend, resume, terminate)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import utcnow
from eldercare.common.contracts import BeneficiaryStatusChanged
from eldercare.common.errors import NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository
from eldercare.intake.adapters.persons import PersonRepository
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.case import BeneficiaryCase
from eldercare.intake.domain.beneficiary import BeneficiaryStatus, StatusReason


@dataclass(frozen=True)
class ChangeBeneficiaryStatus:
    beneficiary_id: UUID
    status: BeneficiaryStatus
    reason: StatusReason
    effective_on: date
    comment: str | None
    principal: Principal
    vault: PiiVault


async def change_beneficiary_status(cmd: ChangeBeneficiaryStatus, uow: UnitOfWork) -> BeneficiaryCase:
    """The district bureau suspends, resumes or terminates an enrolment in its region; dispatch,
    billing and audit learn it from BeneficiaryStatusChanged."""
    beneficiaries = BeneficiaryRepository(uow.session)
    beneficiary = await beneficiaries.get(cmd.beneficiary_id)
    if beneficiary is None:
        raise NotFound("beneficiary not found")
    cmd.principal.ensure_region(beneficiary.community_code, "beneficiary")
    change = beneficiary.change_status(
        cmd.status, cmd.reason, cmd.effective_on, cmd.principal.subject, utcnow(), cmd.comment
    )
    await beneficiaries.save(beneficiary)
    uow.publish(
        BeneficiaryStatusChanged(
            beneficiary_id=beneficiary.id,
            district_code=beneficiary.district_code,
            status=change.to_status.value,
            reason=change.reason.value,
            effective_on=change.effective_on,
            changed_at=change.at,
        )
    )
    person = await PersonRepository(uow.session, cmd.vault).get(beneficiary.person_id)
    assert person is not None  # the foreign key guarantees it
    return BeneficiaryCase(beneficiary, person)
