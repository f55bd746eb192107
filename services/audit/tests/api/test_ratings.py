"""Rating formulas and provider ratings over HTTP (huzhou-2022 第三十七条)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from eldercare.common.contracts import VisitCompleted, VisitScheduled

OCTOBER = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)
GOOD, POOR = uuid4(), uuid4()
FORMULA = {
    "version": "2026.1",
    "weights": {
        "verification_pass_rate": 0.4,
        "attendance": 0.2,
        "punctuality": 0.2,
        "satisfaction": 0.1,
        "complaints": 0.05,
        "findings": 0.05,
    },
    "grades": [
        {"grade": "A", "min_score": 90},
        {"grade": "B", "min_score": 75},
        {"grade": "C", "min_score": 0},
    ],
    "on_time_minutes": 15,
}


def city(tokens) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("city_admin", region="4301"))


@pytest.fixture
async def october(deliver, make_event) -> None:  # type: ignore[no-untyped-def]
    """GOOD: 4 verified visits on time. POOR: 4 visits, 2 unverified, all 40 minutes late."""
    for provider, verified, late in ((GOOD, (True,) * 4, 0), (POOR, (True, True, False, False), 40)):
        for i, ok in enumerate(verified):
            start = OCTOBER + timedelta(days=i)
            scheduled = make_event(
                VisitScheduled,
                provider_id=provider,
                scheduled_start_at=start,
                scheduled_end_at=start + timedelta(hours=1),
            )
            await deliver(scheduled)
            checked_in = start + timedelta(minutes=late)
            await deliver(
                make_event(
                    VisitCompleted,
                    visit_id=scheduled.visit_id,
                    provider_id=provider,
                    caregiver_id=scheduled.caregiver_id,
                    beneficiary_id=scheduled.beneficiary_id,
                    checked_in_at=checked_in,
                    checked_out_at=checked_in + timedelta(hours=1),
                    verified=ok,
                )
            )


async def publish(client, tokens, **kw: Any):  # type: ignore[no-untyped-def]
    return await client.post("/v1/rating-formulas", json=FORMULA | kw, headers=city(tokens))


class TestFormulas:
    async def test_a_city_admin_publishes_a_version_once(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await publish(client, tokens)
        assert response.status_code == 201, response.text
        assert response.json()["basis"][0] == "huzhou-2022-home-care-regulation.md 第三十七条"
        assert (await publish(client, tokens)).status_code == 409

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"weights": FORMULA["weights"] | {"findings": 0.5}}, "weights"),
            ({"weights": {"popularity": 1.0}}, "weights.popularity"),
            ({"grades": [{"grade": "B", "min_score": 75}, {"grade": "A", "min_score": 90}]}, "grades"),
            ({"grades": []}, "grades"),
        ],
    )
    async def test_bad_formulas_are_422_naming_the_field(self, client, tokens, overrides, field) -> None:  # type: ignore[no-untyped-def]
        response = await publish(client, tokens, **overrides)
        assert response.status_code == 422, response.text
        assert any(e["field"].endswith(field) for e in response.json()["errors"])

    async def test_only_a_city_admin_publishes(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        auditor = tokens.headers("auditor", region="430102")
        assert (await client.post("/v1/rating-formulas", json=FORMULA, headers=auditor)).status_code == 403


class TestRatings:
    async def test_each_provider_is_rated_from_its_visits_with_the_inputs_shown(
        self, client, tokens, october
    ) -> None:  # type: ignore[no-untyped-def]
        await publish(client, tokens)
        run = {"district_code": "430102", "period": "2026-10", "formula_version": "2026.1"}
        response = await client.post("/v1/provider-ratings", json=run, headers=city(tokens))
        assert response.status_code == 201, response.text
        by_provider = {r["provider_id"]: r for r in response.json()["ratings"]}
        good, poor = by_provider[str(GOOD)], by_provider[str(POOR)]
        assert (good["score"], good["grade"]) == (100.0, "A")
        assert poor["metrics"]["verification_pass_rate"] == 0.5
        assert poor["metrics"]["punctuality"] == 0.0
        assert poor["inputs"]["visits_completed"] == 4
        assert poor["grade"] == "C"
        assert poor["weights_used"].keys() == {
            "verification_pass_rate",
            "attendance",
            "punctuality",
            "complaints",
            "findings",
        }

    async def test_the_city_platform_and_the_provider_read_them(self, client, tokens, october) -> None:  # type: ignore[no-untyped-def]
        await publish(client, tokens)
        run = {"district_code": "430102", "period": "2026-10", "formula_version": "2026.1"}
        await client.post("/v1/provider-ratings", json=run, headers=city(tokens))
        platform = tokens.headers("city_platform", region="4301")
        listed = (
            await client.get("/v1/provider-ratings", params={"period": "2026-10"}, headers=platform)
        ).json()
        assert [r["provider_id"] for r in listed] == [str(GOOD), str(POOR)]
        mine = tokens.headers("provider_admin", provider_id=POOR)
        assert [
            r["provider_id"] for r in (await client.get("/v1/provider-ratings", headers=mine)).json()
        ] == [str(POOR)]
        other_city = tokens.headers("city_platform", region="3601")
        assert (await client.get("/v1/provider-ratings", headers=other_city)).json() == []

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"formula_version": "1999"}, "formula_version"),
            ({"period": "2026-11"}, "period"),
            ({"district_code": "360102"}, "district_code"),
        ],
    )
    async def test_bad_runs_are_422_naming_the_field(self, client, tokens, overrides, field) -> None:  # type: ignore[no-untyped-def]
        await publish(client, tokens)
        run = {"district_code": "430102", "period": "2026-10", "formula_version": "2026.1"} | overrides
        response = await client.post("/v1/provider-ratings", json=run, headers=city(tokens))
        assert response.status_code == 422, response.text
        assert any(e["field"].endswith(field) for e in response.json()["errors"])
