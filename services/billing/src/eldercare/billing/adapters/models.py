"""ORM models of the billing service."""

from __future__ import annotations

from eldercare.billing.adapters.orm import Base

__all__ = ["Base"]
