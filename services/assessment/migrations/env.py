"""Alembic environment of the assessment database; the URL comes from settings, never from the ini."""

from eldercare.common.migrations import run_migrations
from eldercare.assessment.adapters import models  # noqa: F401  (registers the tables)
from eldercare.assessment.adapters.orm import Base
from eldercare.assessment.settings import AssessmentSettings

run_migrations(Base.metadata, AssessmentSettings().database_url)
