"""The beneficiary's contact for the caregiver at the door (issue #5, the caregiver app's API).

A route of its own rather than fields of the caregiver's day list: one read is one beneficiary,
logged as such, asked for when the caregiver opens the visit; the day list stays free of personal
data (and of the 503 an unset ring gives)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from eldercare.common.clock import utcnow
from eldercare.dispatch.adapters.contact_share import contact_ring
from eldercare.dispatch.api.contact_schemas import BeneficiaryContactRead
from eldercare.dispatch.api.dependencies import CaregiverReader, Rt, Settings, problems
from eldercare.dispatch.application import contacts

router = APIRouter(prefix="/v1/visits", tags=["caregiver app"])


@router.get(
    "/{visit_id}/beneficiary",
    response_model=BeneficiaryContactRead,
    summary="The visit's beneficiary: name and address in full, phones masked unless pii:read",
    description=(
        "For the visit's caregiver from the day before the visit to the end of its day while the "
        "visit is scheduled or in progress (403 otherwise), and for the provider's admin. "
        "Government roles read intake (403). 404: another tenant's visit, or no contact shared "
        "yet. 503: DISPATCH_CONTACT_SHARE_KEYS is not set."
    ),
    responses={
        **problems(401, 403, 404),
        503: {
            "description": "DISPATCH_CONTACT_SHARE_KEYS is not set",
            "content": {"application/problem+json": {}},
        },
    },
)
async def get_visit_beneficiary(
    visit_id: UUID, principal: CaregiverReader, rt: Rt, settings: Settings
) -> BeneficiaryContactRead:
    ring = contact_ring(settings)
    async with rt.read_session() as session:
        shown = await contacts.contact_for_visit(session, visit_id, principal, ring, utcnow())
    return BeneficiaryContactRead.from_shown(shown)
