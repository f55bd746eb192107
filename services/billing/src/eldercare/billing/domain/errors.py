"""Errors of the billing domain. They carry their HTTP meaning through the shared error classes, so
the API answers problem+json and the consumer runner dead-letters them without retrying."""

from __future__ import annotations

from eldercare.common.errors import Conflict, InvalidInput


class InvalidPriceList(InvalidInput):
    """A price list that cannot be applied (a region code that no visit's district can start with,
    a service priced twice)."""


class ChargeNotPending(Conflict):
    """A charge is decided once: posted, held or unpriced charges do not change here."""


class SettlementNotOpen(Conflict):
    """Only an open settlement takes new charges; issued ones are changed by clawbacks (later work)."""


class PeriodNotRunnable(InvalidInput):
    """A settlement run for a month that has not begun."""


class PeriodNotClosed(Conflict):
    """A statement is issued only after its month is over."""


class StatementAlreadyIssued(Conflict):
    """An issued statement is immutable: corrections go to the next run as adjustment lines."""


class StatementNotRun(Conflict):
    """A statement is issued, exported or traced only after a run has produced it."""
