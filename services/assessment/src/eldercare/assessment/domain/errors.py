"""Errors of the assessment domain. They carry their HTTP meaning through the shared error classes,
so the API answers problem+json and the consumer runner dead-letters them without retrying."""

from __future__ import annotations

from eldercare.common.errors import Conflict, Forbidden, InvalidInput


class InvalidScoringInput(InvalidInput):
    """A score sheet or an Annex A input that GB/T 42195-2022 does not allow."""


class InvalidAssessmentResult(InvalidInput):
    """A result that breaks a process rule (two assessors, a date in the future)."""


class AssessmentNotPending(Conflict):
    """Only a pending assessment task can receive results (one signed report per task)."""


class PendingAssessmentExists(Conflict):
    """The person already has an open assessment task; a second one would duplicate the work."""


class AlreadySigned(Conflict):
    """A signature field of the report (Annex C) is already signed by that signer."""


class AssessmentNotCompleted(Conflict):
    """Only a signed (completed) assessment can be corrected."""


class AssessmentAlreadySuperseded(Conflict):
    """A signed assessment is corrected once; correct its successor instead."""


class AssignmentRefused(Conflict):
    """The organisation or assessors cannot take this task (region not served, an assessor
    inactive, certificate expired, of another organisation, or no medical background)."""


class NotAnAssignedAssessor(Forbidden):
    """Only the two assessors assigned to a task edit and sign its form."""


class NotRecognised(Conflict):
    """An external result the city does not accept in place of its own assessment (Xiangtan 第七条)."""
