"""Rosters the bureau already keeps (e.g. the 低保 subsistence-allowance list): one row per person
with the ID number, name, category and validity, marking that circumstance on persons intake knows
(issue #3, "A bulk import of rosters"). Pure: a table of cells in, entries or row errors out.

Columns (header names in English or Chinese): ``id_number`` 身份证号, ``name`` 姓名, ``category``
类别 (a vocabulary code or its Chinese label, e.g. ``subsistence_allowance`` / 低保), ``valid_from``
有效期起, ``valid_to`` 有效期止 (empty: open-ended). Row numbers are the file's (the header is row 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eldercare.common.id_numbers import InvalidIdNumber, parse_id_number
from eldercare.intake.domain.vocabulary import CIRCUMSTANCE_LABELS, Circumstance

COLUMNS = {
    "id_number": "id_number",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "name": "name",
    "姓名": "name",
    "category": "category",
    "类别": "category",
    "valid_from": "valid_from",
    "有效期起": "valid_from",
    "valid_to": "valid_to",
    "有效期止": "valid_to",
}
REQUIRED = ("id_number", "name", "category", "valid_from")
CATEGORY_BY_LABEL = {label: code for code, label in CIRCUMSTANCE_LABELS.items()}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class RosterEntry:
    row: int
    id_number: str
    name: str
    category: str
    valid_from: date
    valid_to: date | None


class RosterFormatError(ValueError):
    """The file as a whole cannot be read (no header, a required column missing)."""

    def __init__(self, message: str, column: str = "file") -> None:
        super().__init__(message)
        self.column = column


def header_map(header: list[Any]) -> dict[int, str]:
    """Column index -> field; refuses a header without a required column."""
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        name = str(cell).strip() if cell is not None else ""
        field = COLUMNS.get(name) or COLUMNS.get(name.lower())
        if field is not None:
            found[index] = field
    missing = [c for c in REQUIRED if c not in found.values()]
    if missing:
        raise RosterFormatError(f"the header lacks the column {missing[0]}", column=missing[0])
    return found


def _date(value: Any) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))


def parse_rows(table: list[list[Any]], today: date) -> tuple[list[RosterEntry], list[RowError]]:
    """Every data row validated: an entry, or the errors naming row and column."""
    if not table:
        raise RosterFormatError("the file is empty")
    columns = header_map(table[0])
    entries: list[RosterEntry] = []
    errors: list[RowError] = []
    for number, cells in enumerate(table[1:], start=2):
        raw = {field: cells[i] if i < len(cells) else None for i, field in columns.items()}
        if all(v is None or str(v).strip() == "" for v in raw.values()):
            continue  # a blank line
        entry, row_errors = _entry(number, raw, today)
        if entry is not None:
            entries.append(entry)
        errors.extend(row_errors)
    return entries, errors


def _entry(number: int, raw: dict[str, Any], today: date) -> tuple[RosterEntry | None, list[RowError]]:
    errors: list[RowError] = []
    id_number = ""
    try:
        id_number = parse_id_number(str(raw.get("id_number") or "").strip(), today=today).value
    except InvalidIdNumber as exc:
        errors.append(RowError(number, "id_number", str(exc)))
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > 50:
        errors.append(RowError(number, "name", "a name of 1 to 50 characters is required"))
    category_text = str(raw.get("category") or "").strip()
    code = Circumstance(category_text) if category_text in Circumstance.__members__ else None
    code = code or CATEGORY_BY_LABEL.get(category_text)
    category = code.value if code else None
    if category is None:
        # The cell is not echoed: a misplaced column could hold an ID number or a name.
        errors.append(RowError(number, "category", "not a category code or label of the vocabulary"))
    dates: dict[str, date | None] = {}
    for column in ("valid_from", "valid_to"):
        try:
            dates[column] = _date(raw.get(column))
        except ValueError:
            errors.append(RowError(number, column, "not a date (YYYY-MM-DD)"))
    if "valid_from" in dates and dates["valid_from"] is None:
        errors.append(RowError(number, "valid_from", "required"))
    start, end = dates.get("valid_from"), dates.get("valid_to")
    if start and end and end < start:
        errors.append(RowError(number, "valid_to", "before valid_from"))
    if errors or start is None or category is None:
        return None, errors
    return RosterEntry(number, id_number, name, category, start, end), []
