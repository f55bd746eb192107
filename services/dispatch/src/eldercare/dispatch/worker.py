"""The dispatch worker: outbox relay and Kafka consumers. ``python -m eldercare.dispatch.worker``."""

from __future__ import annotations

from eldercare.common.worker import run_worker
from eldercare.dispatch.adapters.orm import MESSAGING
from eldercare.dispatch.consumers import SUBSCRIPTIONS
from eldercare.dispatch.settings import DispatchSettings


def main() -> None:
    run_worker(DispatchSettings(), MESSAGING, SUBSCRIPTIONS)


if __name__ == "__main__":
    main()
