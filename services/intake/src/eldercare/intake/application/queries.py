"""Read side of the intake service: region-scoped look-ups, and the log of unmasked disclosures.

A caller with the ``pii:read`` scope sees personal data in clear; every such read writes a row to
``pii_access_log`` and publishes ``PersonalDataAccessed`` (``intake.pii_access.recorded.v1``, field
names only, never values) in the same transaction (architecture.md, Identity and access; PIPL),
so a read that cannot be logged is not answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import utcnow
from eldercare.common.contracts import IntakePersonalDataAccessed
from eldercare.common.errors import NotFound
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository
from eldercare.intake.adapters.persons import PersonRepository, PiiAccessLog
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.case import ApplicationCase, BeneficiaryCase
from eldercare.intake.domain.application import ApplicationStatus

# What an unmasked application or beneficiary response discloses.
DISCLOSED = ["id_number", "phone", "address"]


@dataclass(frozen=True)
class Reader:
    principal: Principal
    vault: PiiVault
    access_reason: str | None = None

    @property
    def unmasked(self) -> bool:
        return self.principal.can_read_pii


async def get_application(uow: UnitOfWork, reader: Reader, application_id: UUID) -> ApplicationCase:
    """One application; another region's is answered as not found."""
    application = await ApplicationRepository(uow.session, reader.vault).get(application_id)
    if application is None:
        raise NotFound("application not found")
    reader.principal.ensure_region(application.community_code, "application")
    person = await PersonRepository(uow.session, reader.vault).get(application.person_id)
    assert person is not None
    fields = DISCLOSED + (["agent"] if application.agent else [])
    await _log(uow, reader, person.id, "application", application.id, fields, application.district_code)
    return ApplicationCase(application, person)


async def get_by_external_ref(uow: UnitOfWork, reader: Reader, external_ref: str) -> ApplicationCase:
    """The city platform's status query by its own reference: only the client that submitted it
    finds it (another client's reference is answered as not found)."""
    application = await ApplicationRepository(uow.session, reader.vault).get_by_external_ref(
        reader.principal.subject, external_ref
    )
    if application is None:
        raise NotFound("no application with this reference")
    person = await PersonRepository(uow.session, reader.vault).get(application.person_id)
    assert person is not None
    return ApplicationCase(application, person)


async def list_applications(
    uow: UnitOfWork, reader: Reader, *, status: ApplicationStatus | None, after: UUID | None, limit: int
) -> list[ApplicationCase]:
    """Applications whose community lies in the caller's region, oldest first."""
    if reader.principal.region is None:
        return []  # a principal without a region sees no region-scoped object (auth.covers_region)
    found = await ApplicationRepository(uow.session, reader.vault).list(
        reader.principal.region, status=status, after=after, limit=limit
    )
    persons = await PersonRepository(uow.session, reader.vault).get_many({a.person_id for a in found})
    for a in found:
        await _log(
            uow,
            reader,
            a.person_id,
            "application",
            a.id,
            DISCLOSED + (["agent"] if a.agent else []),
            a.district_code,
        )
    return [ApplicationCase(a, persons[a.person_id]) for a in found]


async def get_beneficiary(uow: UnitOfWork, reader: Reader, beneficiary_id: UUID) -> BeneficiaryCase:
    beneficiary = await BeneficiaryRepository(uow.session).get(beneficiary_id)
    if beneficiary is None:
        raise NotFound("beneficiary not found")
    reader.principal.ensure_region(beneficiary.community_code, "beneficiary")
    person = await PersonRepository(uow.session, reader.vault).get(beneficiary.person_id)
    assert person is not None
    await _log(uow, reader, person.id, "beneficiary", beneficiary.id, DISCLOSED, beneficiary.district_code)
    return BeneficiaryCase(beneficiary, person)


async def list_beneficiaries(
    uow: UnitOfWork, reader: Reader, *, after: UUID | None, limit: int
) -> list[BeneficiaryCase]:
    if reader.principal.region is None:
        return []
    found = await BeneficiaryRepository(uow.session).list(reader.principal.region, after=after, limit=limit)
    persons = await PersonRepository(uow.session, reader.vault).get_many({b.person_id for b in found})
    for b in found:
        await _log(uow, reader, b.person_id, "beneficiary", b.id, DISCLOSED, b.district_code)
    return [BeneficiaryCase(b, persons[b.person_id]) for b in found]


async def _log(
    uow: UnitOfWork,
    reader: Reader,
    person_id: UUID,
    resource: str,
    resource_id: UUID,
    fields: list[str],
    district_code: str,
) -> None:
    if not reader.unmasked:
        return
    principal, at = reader.principal, utcnow()
    access_id = await PiiAccessLog(uow.session).record(
        subject=principal.subject,
        roles=sorted(principal.roles),
        person_id=person_id,
        resource=resource,
        resource_id=resource_id,
        fields=fields,
        reason=reader.access_reason,
        at=at,
    )
    # Audit's copy: the record by its pseudonymous id and the field names; the person id is not
    # needed by audit and stays here.
    uow.publish(
        IntakePersonalDataAccessed(
            access_id=access_id,
            actor=principal.subject,
            actor_role=",".join(sorted(principal.roles)),
            actor_region=principal.region,
            resource_type=resource,
            resource_id=resource_id,
            fields=fields,
            reason=(reader.access_reason or "")[:500],
            district_code=district_code,
            accessed_at=at,
        )
    )
