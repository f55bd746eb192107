"""The intake worker: outbox relay and Kafka consumers. ``python -m eldercare.intake.worker``."""

from __future__ import annotations

from eldercare.common.worker import run_worker
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.consumers import SUBSCRIPTIONS
from eldercare.intake.settings import IntakeSettings


def main() -> None:
    run_worker(IntakeSettings(), MESSAGING, SUBSCRIPTIONS)


if __name__ == "__main__":
    main()
