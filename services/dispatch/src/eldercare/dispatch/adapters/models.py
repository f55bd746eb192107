"""ORM models of the dispatch service."""

from __future__ import annotations

from eldercare.dispatch.adapters.orm import Base

__all__ = ["Base"]
