"""Reading an uploaded roster (CSV or XLSX) into a table of cells; nothing about its meaning."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from eldercare.intake.domain.roster import RosterFormatError

XLSX_TYPES = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",)


def read_table(content: bytes, content_type: str, max_rows: int) -> list[list[Any]]:
    """The rows of the first sheet (XLSX) or of the CSV (UTF-8, with or without BOM, or GB18030 as
    Chinese spreadsheets save it); more than ``max_rows`` data rows is refused."""
    if content_type.split(";")[0].strip() in XLSX_TYPES or content.startswith(b"PK\x03\x04"):
        return _xlsx(content, max_rows)
    return _csv(content, max_rows)


def _csv(content: bytes, max_rows: int) -> list[list[Any]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            raise RosterFormatError("the CSV is neither UTF-8 nor GB18030") from None
    rows: list[list[Any]] = []
    for row in csv.reader(io.StringIO(text)):
        rows.append(list(row))
        if len(rows) > max_rows + 1:
            raise TooManyRows(max_rows)
    return rows


def _xlsx(content: bytes, max_rows: int) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise RosterFormatError("the file is not a readable XLSX workbook") from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > max_rows + 1:
                raise TooManyRows(max_rows)
        return rows
    finally:
        book.close()


class TooManyRows(RosterFormatError):
    def __init__(self, max_rows: int) -> None:
        super().__init__(f"at most {max_rows} rows per roster", column="rows")
