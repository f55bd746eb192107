"""The random sample of a period's visits for spot checks (抽查), reproducible from its seed.

changsha-2024-purchased-door-to-door-rules.md 第十九条: 市和区县（市）民政部门应当对政府购买居家养老
上门服务的真实性和服务质量进行抽查. The seed names no sample size or method: the size is a setting
(no default) or the request's; ``uniform`` gives every visit the same chance; ``risk_weighted``
weighs each visit by its provider's record (1 + visit flags + complaints in the district), so
providers with more of either are sampled more, and the weights are shown.

Reproducible: the population is ordered by visit id and the generator seeded from the recorded
seed string (SHA-256), so the same seed over the same population draws the same visits.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eldercare.audit.domain.errors import InvalidSample
from eldercare.common.ids import uuid7

SEED = "changsha-2024-purchased-door-to-door-rules.md"
SAMPLING_BASIS = f"{SEED} 第十九条"


class SamplingMethod(StrEnum):
    uniform = "uniform"
    risk_weighted = "risk_weighted"


@dataclass(frozen=True)
class Candidate:
    visit_id: UUID
    provider_id: UUID


@dataclass(frozen=True)
class ProviderRisk:
    provider_id: UUID
    flags: int
    complaints: int
    visits: int = 0  # the provider's visits in the population

    @property
    def weight(self) -> int:
        return 1 + self.flags + self.complaints


def _rng(seed: str) -> random.Random:
    return random.Random(int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big"))


def draw(
    population: Sequence[Candidate],
    size: int,
    seed: str,
    method: SamplingMethod,
    risks: Mapping[UUID, ProviderRisk] | None = None,
) -> list[Candidate]:
    """``size`` distinct visits; the same seed and population draw the same ones."""
    if size < 1:
        raise InvalidSample("a sample holds at least one visit", field="sample_size")
    if size > len(population):
        raise InvalidSample(
            f"the sample ({size}) is larger than the period's visits ({len(population)})", field="sample_size"
        )
    ordered = sorted(population, key=lambda c: c.visit_id.int)
    rng = _rng(seed)
    if method is SamplingMethod.uniform:
        return rng.sample(ordered, size)
    risks = risks or {}
    # Weighted sampling without replacement (Efraimidis–Spirakis): key u^(1/w), keep the largest.
    keyed = [
        (rng.random() ** (1.0 / (risks[c.provider_id].weight if c.provider_id in risks else 1)), i)
        for i, c in enumerate(ordered)
    ]
    return [ordered[i] for _, i in heapq.nlargest(size, keyed)]


@dataclass(frozen=True)
class ProviderDeduction:
    """Claim sampling for one provider of a sample: its sampled visits and those that failed."""

    provider_id: UUID
    sampled_visit_ids: tuple[UUID, ...]
    failed_visit_ids: tuple[UUID, ...]


@dataclass
class SpotCheckSample:
    district_code: str
    period: str  # YYYY-MM (China months)
    method: SamplingMethod
    seed: str
    sample_size: int
    population: int
    risks: tuple[ProviderRisk, ...]
    drawn_by: str
    drawn_at: datetime
    deductions_published_at: datetime | None = None
    id: UUID = field(default_factory=uuid7)

    def deductions(self, results: Sequence[tuple[UUID, UUID, bool | None]]) -> list[ProviderDeduction]:
        """Once every sampled visit has a result ((visit, provider, delivered)), one deduction per
        provider; before that, or once published, none."""
        if self.deductions_published_at is not None or any(ok is None for _, _, ok in results):
            return []
        by_provider: dict[UUID, tuple[list[UUID], list[UUID]]] = {}
        for visit_id, provider_id, ok in sorted(results, key=lambda r: (r[1].int, r[0].int)):
            sampled, failed = by_provider.setdefault(provider_id, ([], []))
            sampled.append(visit_id)
            if not ok:
                failed.append(visit_id)
        return [ProviderDeduction(p, tuple(s), tuple(f)) for p, (s, f) in by_provider.items()]
