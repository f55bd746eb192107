"""The billing database: its declarative base and the shared messaging tables."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from eldercare.common.db import messaging_tables, new_metadata


class Base(DeclarativeBase):
    metadata = new_metadata()


MESSAGING = messaging_tables(Base.metadata)
