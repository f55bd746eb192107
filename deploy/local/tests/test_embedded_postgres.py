"""EmbeddedPostgres: a real server on 127.0.0.1 whose data survives a stop and a new start."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from eldercare.common.testing.postgres import EmbeddedPostgres

pytestmark = pytest.mark.integration


def dsn(server: EmbeddedPostgres, name: str) -> str:
    return server.database_url(name).replace("postgresql+asyncpg://", "postgresql://")


async def test_data_survives_stop_and_start_on_the_same_data_dir(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path / "data")
    server.start()
    try:
        server.start()  # idempotent
        assert server.server_url() == f"postgresql+asyncpg://postgres@127.0.0.1:{server.port}"
        server.create_database("kept")
        server.create_database("kept")  # already there: no error
        conn = await asyncpg.connect(dsn(server, "kept"))
        try:
            await conn.execute("CREATE TABLE notes (body text)")
            await conn.execute("INSERT INTO notes VALUES ('居家养老')")
        finally:
            await conn.close()
    finally:
        server.stop()

    again = EmbeddedPostgres(tmp_path / "data")
    again.start()
    try:
        conn = await asyncpg.connect(dsn(again, "kept"))
        try:
            assert await conn.fetchval("SELECT body FROM notes") == "居家养老"
            assert await conn.fetchval("SHOW server_encoding") == "UTF8"
        finally:
            await conn.close()
    finally:
        again.stop()
    assert not (tmp_path / "data" / "postmaster.pid").exists()
