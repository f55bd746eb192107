"""Who sees and who works on an assessment task (issue #4, tenancy).

- A district officer (or a city admin) sees the tasks of the districts their region covers.
- An organisation admin (role ``assessment_org_admin``, the organisation's id in the token's
  ``provider_id`` claim: the platform's one tenancy claim for a contracted organisation) sees the
  tasks assigned to their organisation.
- An assessor sees the tasks assigned to them (matched on the token's subject); only the two
  assigned assessors edit, sign or submit a task's form.
- A task nobody has been assigned yet is open to the assessors whose token region covers it while
  ``ASSESSMENT_UNASSIGNED_TASKS_OPEN_TO_REGION`` is true (the default: the pre-assignment flow the
  local stack and the end-to-end test use); false means an assessor sees only assigned tasks.

Anything else is answered 404, as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from eldercare.assessment.adapters.repository import Scope
from eldercare.assessment.domain.assessment import Assessment
from eldercare.assessment.domain.organisations import AssessmentOrganisation
from eldercare.common.auth import Principal, Role
from eldercare.common.errors import NotFound

ORG_ADMIN = "assessment_org_admin"
GOVERNMENT = (Role.district_officer.value, Role.city_admin.value)


@dataclass(frozen=True)
class Viewer:
    principal: Principal
    unassigned_open_to_region: bool = True

    @property
    def subject(self) -> str:
        return self.principal.subject

    def scope(self) -> Scope:
        p = self.principal
        government = p.has_role(*GOVERNMENT) and p.region is not None
        assessor = p.has_role(Role.assessor)
        return Scope(
            region_prefix=p.region if government else None,
            organisation_id=p.provider_id if p.has_role(ORG_ADMIN) else None,
            assessor_subject=p.subject if assessor else None,
            unassigned_region_prefix=(
                p.region if assessor and self.unassigned_open_to_region and p.region is not None else None
            ),
        )

    def sees(self, a: Assessment) -> bool:
        p = self.principal
        if p.has_role(*GOVERNMENT) and p.covers_region(a.district_code):
            return True
        if a.assignment is None:
            return (
                p.has_role(Role.assessor)
                and self.unassigned_open_to_region
                and p.covers_region(a.district_code)
            )
        if p.has_role(ORG_ADMIN) and p.provider_id == a.assignment.organisation_id:
            return True
        return p.has_role(Role.assessor) and p.subject in a.assignment.subjects

    def ensure_sees(self, a: Assessment) -> None:
        if not self.sees(a):
            raise NotFound("assessment not found")

    def ensure_works_on(self, a: Assessment) -> None:
        """The caller is an assessor who may edit and sign this task (route roles admit assessors)."""
        self.ensure_sees(a)
        a.ensure_assessor_may_act(self.subject)

    def sees_organisation(self, org: AssessmentOrganisation) -> bool:
        p = self.principal
        if p.has_role(ORG_ADMIN) and p.provider_id == org.id:
            return True
        return (
            p.has_role(*GOVERNMENT)
            and p.region is not None
            and any(r.startswith(p.region) or p.region.startswith(r) for r in org.regions)
        )

    def manages_organisation(self, org: AssessmentOrganisation) -> bool:
        """The organisation's admin, or a government officer whose region covers every region it serves."""
        p = self.principal
        if p.has_role(ORG_ADMIN) and p.provider_id == org.id:
            return True
        return p.has_role(*GOVERNMENT) and all(p.covers_region(r) for r in org.regions)
