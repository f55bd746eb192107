"""Errors of the intake domain. They carry their HTTP meaning through the shared error classes, so
the API answers problem+json and the consumer runner dead-letters them without retrying."""

from __future__ import annotations

from typing import ClassVar

from eldercare.common.errors import Conflict, InvalidInput


class InvalidApplicant(InvalidInput):
    """Applicant data that parses but breaks a rule (check digit, birth date against the number)."""


class ActiveCaseExists(Conflict):
    """The person already has an application in progress or an active enrolment."""


class ApplicationNotReviewable(Conflict):
    """Only a submitted application gets the street's preliminary review (初审)."""


class ApplicationNotDecidable(Conflict):
    """Only an assessed application gets the district's decision (审定)."""


class StatusChangeNotAllowed(Conflict):
    """A beneficiary status change the register does not allow (terminated is final)."""


class NotEligible(InvalidInput):
    """An approval that the policy pack does not support; ``errors`` lists the unmet clauses."""

    code: ClassVar[str] = "not-eligible"
    title: ClassVar[str] = "The applicant does not meet the policy's conditions"


class PolicySettingMissing(InvalidInput):
    """A local amount the regulation leaves to a later document has not been configured."""

    code: ClassVar[str] = "policy-setting-missing"
    title: ClassVar[str] = "A policy setting is not configured"


class NoPolicyInForce(InvalidInput):
    """No policy pack of the requested policy is in force on the date that matters."""
