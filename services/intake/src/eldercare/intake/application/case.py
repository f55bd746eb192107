"""What handlers and queries hand to the API: an aggregate with the person it concerns."""

from __future__ import annotations

from dataclasses import dataclass

from eldercare.intake.domain.application import Application
from eldercare.intake.domain.beneficiary import Beneficiary
from eldercare.intake.domain.person import Person


@dataclass(frozen=True)
class ApplicationCase:
    application: Application
    person: Person


@dataclass(frozen=True)
class BeneficiaryCase:
    beneficiary: Beneficiary
    person: Person
