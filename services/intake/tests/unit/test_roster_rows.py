"""Roster rows (pure): headers in English or Chinese, row errors naming row and column."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from eldercare.common.id_numbers import make_id_number
from eldercare.intake.domain.roster import RosterFormatError, parse_rows

TODAY = date(2026, 11, 23)
ID = make_id_number("430102", date(1944, 3, 8), 103)


def test_a_chinese_header_and_a_label_category() -> None:
    entries, errors = parse_rows(
        [["身份证号", "姓名", "类别", "有效期起", "有效期止"], [ID, "张三", "低保", "2026/1/1", ""]], TODAY
    )
    assert errors == []
    [entry] = entries
    assert (entry.row, entry.category, entry.valid_from, entry.valid_to) == (
        2,
        "subsistence_allowance",
        date(2026, 1, 1),
        None,
    )


def test_excel_dates_and_codes() -> None:
    table = [
        ["id_number", "name", "category", "valid_from", "valid_to"],
        [ID, "张三", "extreme_poverty", datetime(2026, 2, 1), datetime(2026, 3, 1)],
    ]
    [entry], _ = parse_rows(table, TODAY)
    assert (entry.valid_from, entry.valid_to) == (date(2026, 2, 1), date(2026, 3, 1))


def test_each_bad_cell_is_named_and_blank_lines_are_skipped() -> None:
    table = [
        ["id_number", "name", "category", "valid_from", "valid_to"],
        ["", None, None, None, None],
        [ID[:-1] + ("0" if ID[-1] != "0" else "1"), "", "rich", "someday", "2026-01-01"],
    ]
    entries, errors = parse_rows(table, TODAY)
    assert entries == []
    assert [(e.row, e.column) for e in errors] == [
        (3, "id_number"),
        (3, "name"),
        (3, "category"),
        (3, "valid_from"),
    ]


def test_a_category_error_does_not_echo_the_cell() -> None:
    _, [error] = parse_rows(
        [["id_number", "name", "category", "valid_from"], [ID, "张三", ID, "2026-01-01"]], TODAY
    )
    assert error.column == "category" and ID not in error.message


def test_a_missing_required_column_is_named() -> None:
    with pytest.raises(RosterFormatError) as raised:
        parse_rows([["id_number", "name", "category"]], TODAY)
    assert raised.value.column == "valid_from"
