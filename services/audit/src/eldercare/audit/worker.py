"""The audit worker: outbox relay and Kafka consumers. ``python -m eldercare.audit.worker``."""

from __future__ import annotations

from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.consumers import SUBSCRIPTIONS
from eldercare.audit.settings import AuditSettings
from eldercare.common.worker import run_worker


def main() -> None:
    run_worker(AuditSettings(), MESSAGING, SUBSCRIPTIONS)


if __name__ == "__main__":
    main()
