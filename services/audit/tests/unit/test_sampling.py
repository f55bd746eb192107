"""Seeded spot-check sampling (changsha-2024 第十九条) and claim deductions, as pure rules."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest

from eldercare.audit.domain.errors import InvalidSample
from eldercare.audit.domain.sampling import (
    Candidate,
    ProviderRisk,
    SamplingMethod,
    SpotCheckSample,
    draw,
)

RISKY, CLEAN = UUID(int=1), UUID(int=2)
POPULATION = [Candidate(UUID(int=1000 + i), RISKY if i % 2 else CLEAN) for i in range(200)]


class TestDraw:
    def test_the_same_seed_draws_the_same_visits_whatever_the_order_given(self) -> None:
        first = draw(POPULATION, 20, "s1", SamplingMethod.uniform)
        again = draw(list(reversed(POPULATION)), 20, "s1", SamplingMethod.uniform)
        assert first == again
        assert len(set(first)) == 20

    def test_another_seed_draws_another_sample(self) -> None:
        assert draw(POPULATION, 20, "s1", SamplingMethod.uniform) != draw(
            POPULATION, 20, "s2", SamplingMethod.uniform
        )

    def test_risk_weighting_samples_the_risky_provider_more(self) -> None:
        risks = {RISKY: ProviderRisk(RISKY, flags=6, complaints=3), CLEAN: ProviderRisk(CLEAN, 0, 0)}
        risky = sum(
            Counter(
                c.provider_id for c in draw(POPULATION, 20, f"s{i}", SamplingMethod.risk_weighted, risks)
            )[RISKY]
            for i in range(20)
        )
        assert risky > 0.75 * 20 * 20  # weight 10 against 1 over an even population

    def test_a_sample_larger_than_the_population_is_refused_naming_the_size(self) -> None:
        with pytest.raises(InvalidSample) as e:
            draw(POPULATION[:3], 4, "s", SamplingMethod.uniform)
        assert e.value.field == "sample_size"

    def test_the_weight_is_one_plus_flags_and_complaints(self) -> None:
        assert ProviderRisk(RISKY, flags=2, complaints=1).weight == 4


def sample() -> SpotCheckSample:
    return SpotCheckSample(
        district_code="430102",
        period="2026-11",
        method=SamplingMethod.uniform,
        seed="s",
        sample_size=3,
        population=10,
        risks=(),
        drawn_by="a",
        drawn_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


class TestDeductions:
    def test_none_while_a_visit_is_unchecked(self) -> None:
        assert sample().deductions([(uuid4(), RISKY, True), (uuid4(), RISKY, None)]) == []

    def test_one_per_provider_with_its_failed_visits(self) -> None:
        bad, good, other = uuid4(), uuid4(), uuid4()
        found = {
            d.provider_id: d
            for d in sample().deductions([(bad, RISKY, False), (good, RISKY, True), (other, CLEAN, True)])
        }
        assert set(found[RISKY].sampled_visit_ids) == {bad, good}
        assert found[RISKY].failed_visit_ids == (bad,)
        assert (found[CLEAN].sampled_visit_ids, found[CLEAN].failed_visit_ids) == ((other,), ())

    def test_none_once_published(self) -> None:
        s = sample()
        s.deductions_published_at = s.drawn_at
        assert s.deductions([(uuid4(), RISKY, False)]) == []
