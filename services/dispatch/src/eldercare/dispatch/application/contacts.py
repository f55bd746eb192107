"""The beneficiary's contact for the caregiver at the door (issue #5): kept from intake's sealed
share, shown to the visit's caregiver in its window and to the provider's admin."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.common.auth import Principal
from eldercare.common.errors import Forbidden, InvalidInput, NotFound, SettingNotConfigured
from eldercare.common.pii import FieldCipher
from eldercare.common.uow import UnitOfWork
from eldercare.dispatch.adapters.contact_share import SETTING, open_sealed
from eldercare.dispatch.adapters.repositories.contacts import ContactRepository, SealedContact
from eldercare.dispatch.adapters.repositories.visits import VisitRepository
from eldercare.dispatch.application.access import ensure, is_the_caregiver, provider_admin_of
from eldercare.dispatch.domain.contacts import Contact, caregiver_refusal
from eldercare.dispatch.domain.visits import Visit

log = logging.getLogger("eldercare.dispatch.contacts")


class ContactDoesNotOpen(InvalidInput):
    """A share that does not open under DISPATCH_CONTACT_SHARE_KEYS: dead-lettered (replayable once
    the ring holds its key), never stored over a readable one."""


@dataclass(frozen=True)
class RecordContactShare:
    beneficiary_id: UUID
    district_code: str
    sealed: str
    shared_at: datetime


async def record_contact_share(cmd: RecordContactShare, uow: UnitOfWork, ring: FieldCipher | None) -> bool:
    """Keep the sealed contact as received. With the ring, check first that it opens for this
    beneficiary; without it (DISPATCH_CONTACT_SHARE_KEYS unset), keep it untouched."""
    if ring is not None:
        try:
            open_sealed(ring, cmd.beneficiary_id, cmd.sealed)
        except ValueError as exc:  # PiiKeyError, ValidationError: the message names no value
            raise ContactDoesNotOpen(
                f"the contact shared for beneficiary {cmd.beneficiary_id} does not open under "
                f"{SETTING} ({type(exc).__name__})"
            ) from None
    kept = await ContactRepository(uow.session).record(
        SealedContact(cmd.beneficiary_id, cmd.district_code, cmd.sealed, cmd.shared_at)
    )
    if not kept:
        log.info("an older contact share was ignored", extra={"beneficiary_id": str(cmd.beneficiary_id)})
    return kept


@dataclass(frozen=True)
class ShownContact:
    visit: Visit
    contact: Contact
    shared_at: datetime
    masked: bool


async def contact_for_visit(
    session: AsyncSession, visit_id: UUID, principal: Principal, ring: FieldCipher | None, now: datetime
) -> ShownContact:
    """The provider's admin, or the visit's caregiver within its window (403 outside it); anyone
    else 404. Phones masked unless ``pii:read``; every read is logged (who, whom, which fields in
    clear, never the values)."""
    visit = await VisitRepository(session).get(visit_id)
    ensure(
        visit is not None
        and (
            provider_admin_of(principal, visit.provider_id)
            or is_the_caregiver(principal, visit.provider_id, visit.caregiver_id)
        ),
        "visit",
    )
    assert visit is not None
    if not provider_admin_of(principal, visit.provider_id):
        refusal = caregiver_refusal(visit, now)
        if refusal is not None:
            raise Forbidden(refusal)
    if ring is None:
        raise SettingNotConfigured(
            f"{SETTING} is not set; the beneficiary's contact cannot be read", field=SETTING
        )
    sealed = await ContactRepository(session).get(visit.beneficiary_id)
    if sealed is None:
        raise NotFound("intake has not shared this beneficiary's contact (yet)")
    try:
        contact = open_sealed(ring, visit.beneficiary_id, sealed.sealed)
    except ValueError as exc:
        log.warning(
            "a stored beneficiary contact does not open",
            extra={"beneficiary_id": str(visit.beneficiary_id), "error": type(exc).__name__},
        )
        raise SettingNotConfigured(
            f"the beneficiary's contact does not open under {SETTING} (a key id it lacks?)", field=SETTING
        ) from None
    unmasked = principal.can_read_pii
    shown, clear = contact.shown(unmasked=unmasked)
    # Who read whose contact and which fields in clear, never the values (PIPL; logs carry none).
    log.info(
        "beneficiary contact read",
        extra={
            "subject": principal.subject,
            "visit_id": str(visit.id),
            "beneficiary_id": str(visit.beneficiary_id),
            "fields": clear,
            "pii_read": unmasked,
        },
    )
    return ShownContact(visit, shown, sealed.shared_at, masked=not unmasked)
