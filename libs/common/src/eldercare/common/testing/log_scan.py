"""Finds personal identifiers in log output: the suite-wide check that logs never contain them.

The pytest plugin runs :func:`find_personal_data` over every test's captured log output (stdout,
stderr and log records) and fails the test that produced a hit (issue #3: "a test scans the log
output of the suite for ID-number-shaped strings"). The patterns are deliberately wider than
:func:`eldercare.common.observability.redact`, which rewrites log lines in production: a shape the
redaction misses (a legacy 15-digit number, a phone written ``+86 138-1234-5678``) is exactly what
this scan exists to catch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from eldercare.common.pii import mask_id_number, mask_phone

# 18 characters (GB 11643-1999) or 15 digits (GB 11643-1989), not part of a longer token such as
# a UUID, a hash or a big integer.
_ID_18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
_ID_15 = re.compile(r"(?<![0-9A-Za-z])(\d{15})(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally with the country code and with spaces or hyphens between
# the 3-4-4 groups.
_PHONE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[ -]?)?(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")


@dataclass(frozen=True)
class Hit:
    kind: str  # "id_number" | "phone"
    masked: str  # safe to print: the report must not leak what it found

    def __str__(self) -> str:
        return f"{self.kind} {self.masked}"


def _is_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return 1880 <= born.year <= 2100


def find_personal_data(text: str) -> list[Hit]:
    """Every ID number or mobile phone number in ``text``, masked.

    An 18-character candidate counts when its digits 7-14 are a real date (whatever its check
    character: a mistyped number is still somebody's); a 15-digit one when its digits 7-12 are a
    real date of the 1900s (how legacy numbers encode it).
    """
    hits: list[Hit] = []
    for match in _ID_18.finditer(text):
        value = match.group(1)
        if _is_date(value[6:14]):
            hits.append(Hit("id_number", mask_id_number(value.upper())))
    for match in _ID_15.finditer(text):
        value = match.group(1)
        if _is_date("19" + value[6:12]):
            hits.append(Hit("id_number", mask_id_number(value)))
    for match in _PHONE.finditer(text):
        hits.append(Hit("phone", mask_phone("".join(match.groups()))))
    return hits
