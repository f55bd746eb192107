"""Alembic environment of the audit database; the URL comes from settings, never from the ini."""

from eldercare.audit.adapters import models  # noqa: F401  (registers the tables)
from eldercare.audit.adapters.orm import Base
from eldercare.audit.settings import AuditSettings
from eldercare.common.migrations import run_migrations

run_migrations(Base.metadata, AuditSettings().database_url)
