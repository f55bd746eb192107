"""The five services of the local stack, their ports and env prefixes, and the topics they use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    port: int

    @property
    def prefix(self) -> str:
        return f"{self.name.upper()}_"

    @property
    def database(self) -> str:
        return f"eldercare_{self.name}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def docs_url(self) -> str:
        return f"{self.url}/docs"


SERVICES = (
    Service("intake", 8101),
    Service("assessment", 8102),
    Service("dispatch", 8103),
    Service("billing", 8104),
    Service("audit", 8105),
)

# Used only when the event registry cannot be imported; the registry is the source of truth.
FALLBACK_TOPICS = (
    "intake.application",
    "intake.beneficiary",
    "assessment.assessment",
    "dispatch.care_plan",
    "dispatch.visit",
    "billing.charge",
    "audit.follow_up",
)


def topics() -> list[str]:
    """Every topic and its ``.dlq``, from the contracts registry when it is importable."""
    try:
        from eldercare.common.contracts import all_topics
    except ImportError:
        return [*FALLBACK_TOPICS, *(f"{topic}.dlq" for topic in FALLBACK_TOPICS)]
    return list(all_topics())
