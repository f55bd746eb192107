"""ORM models of the intake service."""

from __future__ import annotations

from eldercare.intake.adapters.orm import Base

__all__ = ["Base"]
