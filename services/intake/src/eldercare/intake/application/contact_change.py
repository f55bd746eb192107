"""Changing an enrolled beneficiary's contact details, and sharing them again with dispatch.

People move and change phones: the person's name, phone and address and the agent's (代理人)
name, relation and phone change here, in ONE transaction with the step that records who changed
which fields (names only) and the ``intake.beneficiary_contact.shared.v1`` that carries the new
sealed contact to the caregivers' view (dispatch keeps the later ``shared_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.errors import NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository
from eldercare.intake.adapters.persons import PersonRepository
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.case import BeneficiaryCase
from eldercare.intake.application.contact_share import share_contact
from eldercare.intake.domain.beneficiary import BeneficiaryStatus
from eldercare.intake.domain.errors import StatusChangeNotAllowed
from eldercare.intake.domain.person import agent_changes, changed_agent


@dataclass(frozen=True)
class AgentContact:
    name: str
    relation: str
    phone: str
    id_number: str | None = None


@dataclass(frozen=True)
class ChangeContact:
    beneficiary_id: UUID
    name: str | None
    phone: str | None
    address: str | None
    agent: AgentContact | None
    principal: Principal
    vault: PiiVault


async def change_contact(cmd: ChangeContact, uow: UnitOfWork) -> BeneficiaryCase:
    """Another region's beneficiary is not found; a terminated one is final (409). Values equal to
    the recorded ones change nothing: no step, no event."""
    beneficiaries = BeneficiaryRepository(uow.session)
    # Locked: two changes of the same beneficiary commit one after the other, each sharing the
    # contact it wrote, so the later shared_at carries the later contact.
    beneficiary = await beneficiaries.get(cmd.beneficiary_id, for_update=True)
    if beneficiary is None:
        raise NotFound("beneficiary not found")
    cmd.principal.ensure_region(beneficiary.community_code, "beneficiary")
    if beneficiary.status is BeneficiaryStatus.terminated:
        raise StatusChangeNotAllowed("a terminated beneficiary's contact is not changed", field="status")
    persons = PersonRepository(uow.session, cmd.vault)
    person = await persons.get(beneficiary.person_id)
    assert person is not None  # the foreign key guarantees it
    applications = ApplicationRepository(uow.session, cmd.vault)
    application = await applications.get(beneficiary.application_id) if beneficiary.application_id else None
    if application is None:
        # Every enrolment comes from an approved application (decisions._approve); the step log
        # and the agent live on it.
        raise StatusChangeNotAllowed("the beneficiary has no enrolling application", field="beneficiary_id")
    now = utcnow()
    changed = person.with_changed_contact(name=cmd.name, phone=cmd.phone, address=cmd.address)
    fields = person.contact_changes(changed)
    agent = application.agent
    if cmd.agent is not None:
        newer = changed_agent(application.agent, **vars(cmd.agent), today=local_date(now))
        fields += agent_changes(application.agent, newer)
        agent = newer
    if not fields:
        return BeneficiaryCase(beneficiary, person)
    if changed != person:
        await persons.save(changed)
    if agent is not None and agent != application.agent:
        application.change_agent(agent)
        await applications.save_agent(application)
    application.record_contact_change(fields, by=cmd.principal.subject, at=now)
    await applications.save(application)
    share_contact(
        uow,
        cmd.vault,
        beneficiary_id=beneficiary.id,
        district_code=beneficiary.district_code,
        person=changed,
        agent=agent,
        at=now,
    )
    return BeneficiaryCase(beneficiary, changed)
