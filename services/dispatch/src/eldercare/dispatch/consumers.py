"""Events the dispatch service consumes: event -> command, nothing else."""

from __future__ import annotations

from eldercare.common.consumer import Subscription

SUBSCRIPTIONS: list[Subscription] = []
