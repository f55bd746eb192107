"""ORM models of the assessment service."""

from __future__ import annotations

from eldercare.assessment.adapters.orm import Base

__all__ = ["Base"]
