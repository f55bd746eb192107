"""Resident identity numbers (公民身份号码), GB 11643-1999: check digit, birth date, sex.

See shared/reference/identifiers.md §4.1. Legacy 15-digit numbers (GB 11643-1989) are converted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eldercare.common.clock import local_date, utcnow
from eldercare.common.pii import mask_id_number

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


class InvalidIdNumber(ValueError):
    pass


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    sex: str  # "male" | "female"

    @property
    def address_code(self) -> str:
        return self.value[:6]

    def masked(self) -> str:
        """``430***********1234``: the province and prefecture digits and the last four stay."""
        return mask_id_number(self.value)


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    value = raw.strip().upper()
    if len(value) == 15 and value.isdigit():
        first17 = value[:6] + "19" + value[6:]
        value = first17 + check_char(first17)
    if len(value) != 18:
        raise InvalidIdNumber("must have 18 characters (or 15 for a legacy number)")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber("must be 17 digits and a check character 0-9 or X")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber("the birth date in the number is not a real date") from None
    if born > (today or local_date(utcnow())) or born.year < 1880:
        raise InvalidIdNumber("the birth date in the number is impossible")
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("the check digit does not match (GB 11643 MOD 11-2)")
    return IdNumber(value, born, "male" if int(value[16]) % 2 else "female")


def make_id_number(address_code: str, born: date, sequence: int) -> str:
    """A synthetic number with a valid check digit (for demo data and tests; no real person)."""
    first17 = f"{address_code}{born:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
