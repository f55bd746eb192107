"""ORM models of the audit service."""

from __future__ import annotations

from eldercare.audit.adapters.orm import Base

__all__ = ["Base"]
