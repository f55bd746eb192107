"""The billing worker: outbox relay and Kafka consumers. ``python -m eldercare.billing.worker``."""

from __future__ import annotations

from eldercare.billing.adapters.orm import MESSAGING
from eldercare.billing.consumers import SUBSCRIPTIONS
from eldercare.billing.settings import BillingSettings
from eldercare.common.worker import run_worker


def main() -> None:
    run_worker(BillingSettings(), MESSAGING, SUBSCRIPTIONS)


if __name__ == "__main__":
    main()
