"""Sharing the beneficiary's service-relevant contact with dispatch (issue #5, the caregiver app).

Event-carried state transfer under PIPL minimisation (architecture.md): the caregiver must find
the door and greet the person, so dispatch receives the name, address and phone, and the agent's
(代理人) name, relation and phone — never the ID number nor health data — sealed as ONE ciphertext
under the key ring intake and dispatch share (INTAKE_CONTACT_SHARE_KEYS). Published through the
outbox in the transaction that enrols the beneficiary; any path that changes the contact of an
enrolled beneficiary must call ``share_contact`` in its own transaction.

Two paths change a person's contact: ``PATCH /v1/beneficiaries/{id}/contact``
(application/contact_change.py), which shares the new contact in its own transaction, and a newer
application (``Person.with_contact``), which is refused with 409 while the person has an active or
suspended enrolment (handlers._ensure_no_open_case), so its change never commits; a re-enrolment
after termination enrols a new beneficiary and shares anew.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eldercare.common.contracts import BeneficiaryContactShared
from eldercare.common.contracts.intake import BeneficiaryContact, BeneficiaryContactGuardian, seal_contact
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository
from eldercare.intake.adapters.persons import PersonRepository
from eldercare.intake.adapters.pii import PiiSettingsInvalid, PiiVault
from eldercare.intake.domain.beneficiary import BeneficiaryStatus
from eldercare.intake.domain.person import Agent, Person


def contact_of(person: Person, agent: Agent | None) -> BeneficiaryContact:
    """What a caregiver needs: never the ID numbers of the person or the agent."""
    guardian = (
        BeneficiaryContactGuardian(name=agent.name, relation=agent.relation, phone=agent.phone)
        if agent is not None
        else None
    )
    return BeneficiaryContact(name=person.name, address=person.address, phone=person.phone, guardian=guardian)


def share_contact(
    uow: UnitOfWork,
    vault: PiiVault,
    *,
    beneficiary_id: UUID,
    district_code: str,
    person: Person,
    agent: Agent | None,
    at: datetime,
) -> bool:
    """Publish the sealed contact (with the ring's current key); False when the ring is unset."""
    if vault.contact_share is None:
        return False
    sealed = seal_contact(vault.contact_share, beneficiary_id, contact_of(person, agent))
    uow.publish(
        BeneficiaryContactShared(
            beneficiary_id=beneficiary_id, district_code=district_code, sealed=sealed, shared_at=at
        )
    )
    return True


async def reshare_batch(
    uow: UnitOfWork, vault: PiiVault, *, region_prefix: str, after: UUID | None, limit: int, at: datetime
) -> tuple[int, UUID | None]:
    """Share again the contact of the next ``limit`` beneficiaries by id (terminated ones skipped);
    how many were shared and the last id seen (None: no more)."""
    if vault.contact_share is None:
        raise PiiSettingsInvalid("intake: INTAKE_CONTACT_SHARE_KEYS is not set; nothing can be shared")
    batch = await BeneficiaryRepository(uow.session).list(region_prefix, after=after, limit=limit)
    persons = PersonRepository(uow.session, vault)
    applications = ApplicationRepository(uow.session, vault)
    shared = 0
    for b in batch:
        if b.status is BeneficiaryStatus.terminated:
            continue
        person = await persons.get(b.person_id)
        assert person is not None  # the foreign key guarantees it
        application = await applications.get(b.application_id) if b.application_id else None
        agent = application.agent if application is not None else None
        share_contact(
            uow, vault, beneficiary_id=b.id, district_code=b.district_code, person=person, agent=agent, at=at
        )
        shared += 1
    return shared, (batch[-1].id if batch else None)
