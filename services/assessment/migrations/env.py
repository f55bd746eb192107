"""Alembic environment of the assessment database; the URL comes from settings, never from the ini."""

from eldercare.assessment.adapters import models  # noqa: F401  (registers the tables)
from eldercare.assessment.adapters.orm import Base
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.migrations import run_migrations

run_migrations(Base.metadata, AssessmentSettings().database_url)
