"""Errors of the audit domain. They carry their HTTP meaning through the shared error classes, so
the API answers problem+json and the consumer runner dead-letters them without retrying."""

from __future__ import annotations

from eldercare.common.errors import Conflict, InvalidInput


class FollowUpClosed(Conflict):
    """A completed or escalated follow-up takes no more calls."""


class InvalidCall(InvalidInput):
    """A call record that contradicts itself (a satisfaction score for a call nobody answered)."""


class InvalidComplaint(InvalidInput):
    """A complaint that names nothing to complain about, or a subject outside the caller's region."""


class ComplaintClosed(Conflict):
    """A complaint with an outcome takes no more assignments, notes or outcomes."""


class ComplaintSettingMissing(InvalidInput):
    """An amount the seed leaves open (a handling deadline) is used while its setting is unset."""


class InvalidNotice(InvalidInput):
    """A rectification notice that rests on no finding, mixes providers, or is due in the past."""


class NoticeNotDecidable(Conflict):
    """A transition the notice's state does not allow (a second verification, an early
    not-rectified, a sanction decision on a notice not found unrectified)."""


class FindingAlreadyNoticed(Conflict):
    """A finding already rests under another rectification notice."""


class DayNotOver(Conflict):
    """A day's chain head is published only once the day is over (Asia/Shanghai)."""


class FlagNotResolvable(Conflict):
    """A flag already cleared or confirmed, or a resolution that contradicts itself."""


class InvalidRecovery(InvalidInput):
    """A funds recovery on findings that are not （四）, of several providers, or naming no visit."""


class RecoveryConflict(Conflict):
    """A visit already under another funds recovery."""


class SpotCheckClosed(Conflict):
    """A spot check with a result takes no other."""


class InvalidSample(InvalidInput):
    """A sample larger than its population, of a period not yet begun, outside the caller's region."""


class SampleNotSettled(Conflict):
    """A claim deduction asked of a sample with visits still unchecked, or published already."""


class InvalidPeriod(InvalidInput):
    """A follow-up period that does not start where the configured periods start."""


class InvalidSurvey(InvalidInput):
    """An unknown questionnaire version, an answer out of range, answers from nobody reached."""


class InvalidFormula(InvalidInput):
    """A rating formula whose weights do not sum to 1, name an unknown metric, or grades out of order."""


class RatingConflict(Conflict):
    """A formula version published twice (a published formula never changes)."""
