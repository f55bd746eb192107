"""The suite-wide log scan finds the shapes personal identifiers take in log lines, and redaction
leaves none of them behind."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from eldercare.common.id_numbers import make_id_number
from eldercare.common.observability import JsonFormatter, configure_logging, redact
from eldercare.common.testing.log_scan import find_personal_data

ID_18 = "43010219500101123X"
ID_15 = "430102500101123"  # legacy: born 1950-01-01


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        (f"applicant {ID_18} submitted", "id_number"),
        (f"applicant {ID_18.lower()} submitted", "id_number"),
        (f"id={make_id_number('110101', __import__('datetime').date(1944, 2, 29), 7)}", "id_number"),
        (f'{{"id_number": "{ID_15}"}}', "id_number"),
        ("phone 13812345678", "phone"),
        ("phone +8613812345678", "phone"),
        ("phone +86 138-1234-5678", "phone"),
        ("phone 138 1234 5678.", "phone"),
    ],
)
def test_the_scan_finds_identifiers_in_every_shape_they_are_written(line: str, kind: str) -> None:
    hits = find_personal_data(line)
    assert [hit.kind for hit in hits] == [kind]


def test_a_hit_is_reported_masked_so_the_report_does_not_leak_it() -> None:
    (hit,) = find_personal_data(f"x {ID_18} y")
    assert str(hit) == "id_number 430***********123X"
    assert ID_18 not in str(hit)


@pytest.mark.parametrize(
    "line",
    [
        "visit 0190a7b2-5c1e-7cc3-9a41-123456789012 done",  # uuid
        "hash 3f1c0e9a43010219500101123x7d",  # inside a hex token
        "amount_fen=12345678901 minutes=30",  # 11 digits but not a mobile prefix
        "offset 430102199913451234",  # 18 digits, but month 13 is no birth date
        "masked 430***********1234 and 138****5678",
        "epoch_ms 1732345678901234",  # 16 digits
    ],
)
def test_the_scan_ignores_what_is_not_an_identifier(line: str) -> None:
    assert find_personal_data(line) == []


@pytest.mark.parametrize(
    "line",
    [
        f"applicant {ID_18} phone 13812345678",
        f"legacy {ID_15}",
        "call +86 138-1234-5678 or 0086 13912345678 or 86-13712345678",
    ],
)
def test_redaction_leaves_nothing_the_scan_would_find(line: str) -> None:
    redacted = redact(line)
    assert find_personal_data(redacted) == [], redacted


def test_the_json_log_formatter_redacts_messages_and_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"msg": "submitted %s", "args": (ID_18,), "levelno": logging.INFO, "levelname": "INFO"}
    )
    record.phone = "+86 138-1234-5678"
    line = JsonFormatter("intake").format(record)
    assert find_personal_data(line) == [], line


def test_the_plugin_fails_a_test_that_logs_an_id_number_and_passes_its_clean_neighbour(
    tmp_path: Path,
) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["eldercare.common.testing.plugin"]\n')
    (tmp_path / "test_leaky.py").write_text(
        "import logging, sys\n"
        "def test_leaks_through_a_logger():\n"
        f"    logging.getLogger('intake').warning('duplicate applicant %s', '{ID_18}')\n"
        "def test_leaks_through_stderr():\n"
        "    print('call +86 138-1234-5678', file=sys.stderr)\n"
        "def test_clean():\n"
        "    logging.getLogger('intake').warning('duplicate applicant 430***********123X')\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "2 failed, 1 passed" in out, out
    assert "personal data in the log output of call: id_number 430***********123X" in out
    assert "personal data in the log output of call: phone 138****5678" in out
    assert ID_18 not in out.replace(f"'{ID_18}'", "")  # only the test's own source may show it


def test_uvicorns_own_loggers_write_redacted_json_through_the_service_handler() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    uvicorn_error = logging.getLogger("uvicorn.error")
    saved_uvicorn = (uvicorn_error.handlers[:], uvicorn_error.propagate)
    # as uvicorn leaves it: its own text handler, not propagating
    uvicorn_error.handlers[:] = [logging.StreamHandler(io.StringIO())]
    uvicorn_error.propagate = False
    try:
        configure_logging("intake")
        stream = io.StringIO()
        root.handlers[0].setStream(stream)  # type: ignore[attr-defined]
        uvicorn_error.error("Exception in ASGI application for %s", ID_18)
        (line,) = stream.getvalue().splitlines()
        assert json.loads(line)["logger"] == "uvicorn.error"
        assert find_personal_data(line) == []
    finally:
        root.handlers[:], root.level = saved_handlers, saved_level
        uvicorn_error.handlers[:], uvicorn_error.propagate = saved_uvicorn
