"""Settings of the billing service; environment variables carry the prefix ``BILLING_``."""

from __future__ import annotations

from pydantic import Field

from eldercare.billing.domain.entitlements import Proration
from eldercare.common.settings import ServiceSettings, service_config


class BillingSettings(ServiceSettings):
    model_config = service_config("BILLING_")

    service_name: str = "billing"
    port: int = 8104
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/eldercare_billing"
    # How a month entitled part-way is valued (issue #6: by days unless the policy says otherwise;
    # the seeds say nothing about part months).
    entitlement_proration: Proration = Proration.by_days
    # Claim sampling (audit's ClaimDeductionPublished): deduct failed/sampled of the covered amount of
    # the provider's unsampled visits of the month. Off unless the city's policy enables it: the seeds
    # have spot checks (changsha-2024-purchased-door-to-door-rules.md 第十九条) but no seed provides
    # extrapolating a sample's failure rate (openIMIS-style claim sampling is a policy choice).
    claim_sampling_deductions: bool = False
    # How often the worker closes the accounts of months that are over (AccountClosed). Not a
    # regulated figure: a month's account closes within this many seconds of its end.
    account_sweep_seconds: float = Field(default=300, gt=0, le=86400)
