"""Alembic environment of the dispatch database; the URL comes from settings, never from the ini."""

from eldercare.common.migrations import run_migrations
from eldercare.dispatch.adapters import models  # noqa: F401  (registers the tables)
from eldercare.dispatch.adapters.orm import Base
from eldercare.dispatch.settings import DispatchSettings

run_migrations(Base.metadata, DispatchSettings().database_url)
