"""Errors of the dispatch domain. They carry their HTTP meaning through the shared error classes, so
the API answers problem+json and the consumer runner dead-letters them without retrying."""

from __future__ import annotations

from eldercare.common.errors import Conflict, InvalidInput, NotFound


class RuleViolations(InvalidInput):
    """One or more regulation rules refuse the request; ``errors`` names each failing field."""

    @classmethod
    def of(cls, violations: list[tuple[str, str]]) -> RuleViolations:
        errors = [{"field": field, "message": message} for field, message in violations]
        return cls("; ".join(message for _, message in violations), errors=errors)


class BeneficiaryUnknown(NotFound):
    """Dispatch has not (yet) received the beneficiary's enrolment event."""


class BeneficiaryNotActive(Conflict):
    """A suspended or terminated beneficiary gets no new plan and no new visit."""


class DuplicateProvider(Conflict):
    """One registered organisation (one credit code) is one provider."""


class ActiveCarePlanExists(Conflict):
    """A provider holds at most one active care plan per beneficiary."""


class CarePlanNotActive(Conflict):
    """Visits are booked only against an active care plan."""


class CaregiverBusy(Conflict):
    """A caregiver is in one home at a time: visits of one caregiver may not overlap."""


class VisitStateConflict(Conflict):
    """The visit is not in the state this step needs (check in once, check out after checking in)."""


class ProviderSuspended(Conflict):
    """A provider sanctioned with end_contract or blacklist gets no new plan and no new visit
    (changsha-2024-purchased-door-to-door-rules.md 第十八条)."""


class ProviderConditionsFailed(Conflict):
    """A provider failing a basic condition of changsha-2024-purchased-door-to-door-rules.md 第七条
    (not met, never recorded, or expired on the day) gets no new plan, version, visit or day plan."""
