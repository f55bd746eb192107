"""Alembic environment of the intake database; the URL comes from settings, never from the ini."""

from eldercare.common.migrations import run_migrations
from eldercare.intake.adapters import models  # noqa: F401  (registers the tables)
from eldercare.intake.adapters.orm import Base
from eldercare.intake.settings import IntakeSettings

run_migrations(Base.metadata, IntakeSettings().database_url)
