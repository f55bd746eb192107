"""The person (申请人) and the agent (代理人) of an application, and the checks on their identity.

Values here are plaintext: encryption at rest is the repository's job (adapters/pii.py), so the
rules can be tested without keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from uuid import UUID

from eldercare.common.id_numbers import InvalidIdNumber, parse_id_number
from eldercare.common.ids import uuid7
from eldercare.intake.domain.errors import InvalidApplicant
from eldercare.intake.domain.vocabulary import Sex


@dataclass(frozen=True)
class Person:
    """One natural person, identified by the resident identity number (公民身份号码)."""

    name: str
    id_number: str  # normalised: 18 characters, upper-case X
    sex: Sex
    birth_date: date
    phone: str
    address: str
    hukou_region: str
    ethnicity: str | None = None
    # When a reviewer found an application of this person based on false material
    # (wuhai-2017-home-care-measures.md 第三十二条); the flag outlives the application.
    false_declaration_at: datetime | None = None
    id: UUID = field(default_factory=uuid7)

    def with_contact(self, newer: Person) -> Person:
        """The same person with the contact details of a newer application (they may have moved)."""
        return replace(
            self,
            name=newer.name,
            phone=newer.phone,
            address=newer.address,
            hukou_region=newer.hukou_region,
            ethnicity=newer.ethnicity,
        )

    def with_changed_contact(
        self, *, name: str | None = None, phone: str | None = None, address: str | None = None
    ) -> Person:
        """The same person after a change of contact details reported for an enrolled beneficiary
        (they moved, changed phones, a name was misspelt); ``None`` keeps the value."""
        return replace(
            self,
            name=self.name if name is None else name,
            phone=self.phone if phone is None else phone,
            address=self.address if address is None else address,
        )

    def contact_changes(self, newer: Person) -> list[str]:
        """The names (never the values) of the contact fields that differ in ``newer``."""
        return [f for f in ("name", "phone", "address") if getattr(self, f) != getattr(newer, f)]


@dataclass(frozen=True)
class Agent:
    """子女（或代理人）of 附件1: who applies on the person's behalf."""

    name: str
    relation: str
    phone: str
    id_number: str


def normalise_id_number(raw: str, *, today: date, field: str) -> tuple[str, date, Sex]:
    """The 18-character number, its birth date and sex; legacy 15-digit numbers are converted.

    shared/reference/identifiers.md §4.1: GB 11643-1999 MOD 11-2 check digit, a real birth date.
    """
    try:
        parsed = parse_id_number(raw, today=today)
    except InvalidIdNumber as exc:
        raise InvalidApplicant(f"the ID number is not valid: {exc}", field=field) from None
    return parsed.value, parsed.birth_date, Sex(parsed.sex)


def verified_applicant(
    *,
    name: str,
    id_number: str,
    sex: Sex,
    birth_date: date,
    phone: str,
    address: str,
    hukou_region: str,
    ethnicity: str | None,
    today: date,
) -> Person:
    """The applicant after checking that the declared birth date and sex agree with the number."""
    value, born, number_sex = normalise_id_number(id_number, today=today, field="applicant.id_number")
    if birth_date != born:
        raise InvalidApplicant(
            "the birth date does not match the ID number (positions 7-14)", field="applicant.birth_date"
        )
    if sex != number_sex:
        # GB 11643-1999: the 17th digit is odd for a man, even for a woman.
        raise InvalidApplicant("the sex does not match the ID number (17th digit)", field="applicant.sex")
    return Person(
        name=name,
        id_number=value,
        sex=sex,
        birth_date=birth_date,
        phone=phone,
        address=address,
        hukou_region=hukou_region,
        ethnicity=ethnicity,
    )


def verified_agent(*, name: str, relation: str, phone: str, id_number: str, today: date) -> Agent:
    value, _, _ = normalise_id_number(id_number, today=today, field="agent.id_number")
    return Agent(name=name, relation=relation, phone=phone, id_number=value)


def changed_agent(
    current: Agent | None,
    *,
    name: str,
    relation: str,
    phone: str,
    id_number: str | None,
    today: date,
) -> Agent:
    """The agent (代理人) after a change of contact details.

    附件1 identifies the agent by the ID number, so a new agent (none before, or another name)
    must give one; the same agent whose relation or phone changed keeps the recorded number.
    """
    if id_number is not None:
        return verified_agent(name=name, relation=relation, phone=phone, id_number=id_number, today=today)
    if current is None or current.name != name:
        raise InvalidApplicant("a new agent must give their ID number", field="agent.id_number")
    return replace(current, relation=relation, phone=phone)


def agent_changes(current: Agent | None, newer: Agent) -> list[str]:
    """The names of the agent's fields that differ (``agent`` when there was none before)."""
    if current is None:
        return ["agent"]
    return [
        f"agent.{f}"
        for f in ("name", "relation", "phone", "id_number")
        if getattr(current, f) != getattr(newer, f)
    ]


def district_of_community(code: str, *, field: str = "applicant.community_code") -> str:
    """The 6-digit district of a 12-digit community code (statistical code 6 + 3 + 3).

    shared/reference/identifiers.md §4.3: the first six digits are a county-level GB/T 2260 code,
    so neither the prefecture (digits 3-4) nor the county (5-6) part may be ``00``; the township
    (7-9) and village (10-12) parts are sequences starting at 001.
    """
    if len(code) != 12 or not code.isdigit():
        raise InvalidApplicant("a community code has 12 digits", field=field)
    if code[2:4] == "00" or code[4:6] == "00" or code[6:9] == "000" or code[9:12] == "000":
        raise InvalidApplicant(
            "the community code does not start with a district (county-level) code", field=field
        )
    return code[:6]


def age_on(birth_date: date, day: date) -> int:
    """Age in full years (周岁) on ``day``: "aged 100" includes the 100th birthday itself."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
