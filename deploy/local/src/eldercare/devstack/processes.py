"""Child processes of the stack: each in a session of its own, output appended to a log file.

A Ctrl-C in the terminal reaches only ``eldercare up``, which then stops its children in order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ManagedProcess:
    name: str
    args: Sequence[str]
    log_file: Path
    env: dict[str, str]
    cwd: Path
    # A string in the command line that identifies this process, checked before ``eldercare down``
    # signals a recorded pid (pids get reused).
    marker: str = ""
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    reported_exit: bool = False

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def start(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(
                list(self.args), env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def exit_code(self) -> int | None:
        """None while running (or never started)."""
        return self.proc.poll() if self.proc is not None else None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


def stop_processes(processes: Iterable[ManagedProcess], timeout: float = 20) -> None:
    """SIGTERM to all at once, wait up to ``timeout`` for all, then SIGKILL the rest."""
    running = [p for p in processes if p.proc is not None and p.proc.poll() is None]
    for process in running:
        assert process.proc is not None
        _signal(process.proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in running:
        assert process.proc is not None
        try:
            process.proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.proc.kill()
            process.proc.wait(10)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


# ---------------------------------------------------------------- processes by pid (eldercare down)


def cmdline(pid: int) -> str | None:
    """The command line of a live process, or None if there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (FileNotFoundError, ProcessLookupError):
        return None
    except PermissionError:
        return ""
    state = _state(pid)
    if state == "Z":
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def _state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[-1].split()[0]


def is_running(pid: int, marker: str) -> bool:
    """A live process whose command line contains ``marker`` (a recycled pid does not count)."""
    line = cmdline(pid)
    return line is not None and marker in line


def terminate_pid(pid: int, marker: str, timeout: float) -> bool:
    """SIGTERM a process we did not start in this run (verified by ``marker``), SIGKILL after ``timeout``.

    Returns False when there was no such process.
    """
    if not is_running(pid, marker):
        return False
    _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not is_running(pid, marker):
            return True
        time.sleep(0.1)
    _signal(pid, signal.SIGKILL)
    return True
