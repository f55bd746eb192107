"""The assessment worker: outbox relay and Kafka consumers. ``python -m eldercare.assessment.worker``."""

from __future__ import annotations

from eldercare.assessment.adapters.orm import MESSAGING
from eldercare.assessment.consumers import SUBSCRIPTIONS
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.worker import run_worker


def main() -> None:
    run_worker(AssessmentSettings(), MESSAGING, SUBSCRIPTIONS)


if __name__ == "__main__":
    main()
