"""The services' databases on a PostgreSQL server, and their Alembic migrations."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from eldercare.devstack.services import Service


def server_url(url: str) -> str:
    """``postgresql[+driver]://user@host:port[/db]`` → ``postgresql+asyncpg://user@host:port``."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise ValueError(f"not a PostgreSQL URL: {url}")
    return urlunsplit(("postgresql+asyncpg", parts.netloc, "", "", ""))


def ensure_databases(url: str, names: Sequence[str]) -> None:
    """``CREATE DATABASE`` for each name that does not exist yet, on the server at ``url``."""
    dsn = server_url(url).replace("postgresql+asyncpg://", "postgresql://") + "/postgres"

    async def create() -> None:
        conn = await asyncpg.connect(dsn, timeout=10)
        try:
            existing = {r["datname"] for r in await conn.fetch("SELECT datname FROM pg_database")}
            for name in names:
                if name not in existing:
                    quoted = name.replace('"', '""')
                    await conn.execute(f'CREATE DATABASE "{quoted}"')
        finally:
            await conn.close()

    asyncio.run(create())


class MigrationError(RuntimeError):
    pass


def migrate(
    services: Sequence[Service],
    env_for: Callable[[Service], dict[str, str]],
    root: Path,
    log_dir: Path,
    report: Callable[[str], None],
) -> None:
    """``alembic upgrade head`` for every service, in parallel (each has its own database)."""
    started = time.monotonic()
    running: list[tuple[Service, subprocess.Popen[bytes], Path]] = []
    for service in services:
        log_file = log_dir / f"{service.name}-migrate.log"
        ini = root / "services" / service.name / "alembic.ini"
        with open(log_file, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
                env=env_for(service), cwd=root, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        running.append((service, proc, log_file))
    failures = []
    try:
        for service, proc, log_file in running:
            code = proc.wait(300)
            if code == 0:
                report(f"migrations {service.name:<11} done ({time.monotonic() - started:.1f} s)")
            else:
                tail = "\n".join(log_file.read_text(errors="replace").splitlines()[-25:])
                failures.append(f"migrations of {service.name} failed ({code}); {log_file}:\n{tail}")
    finally:
        for _, proc, _ in running:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if failures:
        raise MigrationError("\n\n".join(failures))
