"""Alembic environment of the billing database; the URL comes from settings, never from the ini."""

from eldercare.billing.adapters import models  # noqa: F401  (registers the tables)
from eldercare.billing.adapters.orm import Base
from eldercare.billing.settings import BillingSettings
from eldercare.common.migrations import run_migrations

run_migrations(Base.metadata, BillingSettings().database_url)
