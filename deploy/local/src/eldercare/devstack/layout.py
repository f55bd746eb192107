"""Where the local stack keeps its state: ``.var/`` at the repository root (git-ignored)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def find_repo_root() -> Path:
    """The workspace root: ``ELDERCARE_ROOT``, else the checkout this package lives in, else the cwd."""
    if "ELDERCARE_ROOT" in os.environ:
        return Path(os.environ["ELDERCARE_ROOT"]).resolve()
    for candidate in (Path(__file__).resolve().parents[5], *Path.cwd().resolve().parents, Path.cwd()):
        if (candidate / "services").is_dir() and (candidate / "libs" / "common").is_dir():
            return candidate
    return Path.cwd().resolve()


@dataclass(frozen=True)
class Layout:
    root: Path

    @classmethod
    def default(cls) -> Layout:
        return cls(find_repo_root())

    @property
    def var(self) -> Path:
        return self.root / ".var"

    @property
    def logs(self) -> Path:
        return self.var / "logs"

    @property
    def keys(self) -> Path:
        return self.var / "keys"

    @property
    def postgres_data(self) -> Path:
        return self.var / "postgres"

    @property
    def broker_dir(self) -> Path:
        return self.var / "broker"

    @property
    def stack_file(self) -> Path:
        return self.var / "stack.json"

    def alembic_ini(self, service: str) -> Path:
        return self.root / "services" / service / "alembic.ini"
