"""POST /v1/evaluations: a stateless GB/T 42195-2022 evaluation in the shape of issue #4."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from eldercare.common.testing.plugin import Tokens

NO_EVENTS = {"fall": 0, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0}


@pytest.fixture
def body(items_for_total: Callable[[int], dict[str, int]]) -> Callable[..., dict[str, Any]]:
    def build(total: int = 70, **overrides: Any) -> dict[str, Any]:
        return {
            "items": items_for_total(total),
            "coma": False,
            "diagnoses": [],
            "risk_events_30d": dict(NO_EVENTS),
            **overrides,
        }

    return build


def problem_fields(response: httpx.Response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in response.json()["errors"]]


async def test_a_city_platform_gets_the_issue_shape_with_level_name_and_rule_set(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]]
) -> None:
    request = body(70, diagnoses=[{"icd10": "F01", "by_psychiatrist": False}])
    response = await client.post("/v1/evaluations", json=request, headers=tokens.headers("city_platform"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "total": 70,
        "dimensions": {"B.1": 12, "B.2": 15, "B.3": 28, "B.4": 15},
        "preliminary_level": 1,
        "final_level": 2,
        "level_name": "能力中度受损（中度失能）",
        "adjustments": [{"rule": "R2", "reason": "确诊痴呆（ICD-10 F00–F03）：提高一个等级"}],
        "rule_set": "gbt42195-2022/default@1",
    }


@pytest.mark.parametrize("role", ["assessor", "district_officer", "city_platform"])
async def test_assessors_district_officers_and_city_platforms_may_evaluate(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]], role: str
) -> None:
    response = await client.post(
        "/v1/evaluations", json=body(90), headers=tokens.headers(role, region="430102")
    )
    assert response.status_code == 200, response.text
    assert response.json()["final_level"] == 0


@pytest.mark.parametrize("role", ["caregiver", "provider_admin", "street_officer"])
async def test_other_roles_may_not_evaluate(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]], role: str
) -> None:
    response = await client.post(
        "/v1/evaluations", json=body(), headers=tokens.headers(role, region="430102")
    )
    assert response.status_code == 403


async def test_an_anonymous_caller_is_refused(client: httpx.AsyncClient, body: Callable[..., Any]) -> None:
    assert (await client.post("/v1/evaluations", json=body())).status_code == 401


async def test_the_stacking_rule_set_raises_once_per_trigger(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]]
) -> None:
    # gbt42195.md §1.5 test vector: 70 + dementia + 2 falls -> 2 by default, 3 when stacking.
    request = body(70, diagnoses=[{"icd10": "F03", "by_psychiatrist": False}])
    request["risk_events_30d"]["fall"] = 2
    headers = tokens.headers("city_platform")
    default = (await client.post("/v1/evaluations", json=request, headers=headers)).json()
    stacking = (
        await client.post(
            "/v1/evaluations", json={**request, "rule_set": "gbt42195-2022/stacking@1"}, headers=headers
        )
    ).json()
    assert (default["final_level"], default["rule_set"]) == (2, "gbt42195-2022/default@1")
    assert (stacking["final_level"], stacking["rule_set"]) == (3, "gbt42195-2022/stacking@1")
    assert [a["rule"] for a in stacking["adjustments"]] == ["R2", "R4"]


async def test_the_per_category_rule_set_does_not_sum_one_fall_and_one_choking(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]]
) -> None:
    request = body(30, risk_events_30d={**NO_EVENTS, "fall": 1, "choking": 1})
    headers = tokens.headers("city_platform")
    summed = (await client.post("/v1/evaluations", json=request, headers=headers)).json()
    per_category = (
        await client.post(
            "/v1/evaluations", json={**request, "rule_set": "gbt42195-2022/per-category@1"}, headers=headers
        )
    ).json()
    assert (summed["final_level"], per_category["final_level"]) == (4, 3)


async def test_coma_chosen_as_the_b39_option_code_sets_the_worst_level_but_stupor_does_not(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]]
) -> None:
    headers = tokens.headers("assessor", region="430102")
    coma = body(90)
    coma["items"]["B.3.9"] = "coma"
    stupor = body(90)
    stupor["items"]["B.3.9"] = "stupor"
    got_coma = (await client.post("/v1/evaluations", json=coma, headers=headers)).json()
    got_stupor = (await client.post("/v1/evaluations", json=stupor, headers=headers)).json()
    assert (got_coma["total"], got_coma["preliminary_level"], got_coma["final_level"]) == (88, 1, 4)
    assert [a["rule"] for a in got_coma["adjustments"]] == ["R1"]
    assert (got_stupor["total"], got_stupor["final_level"], got_stupor["adjustments"]) == (88, 1, [])


async def test_a_psychiatrists_f20_raises_the_level_but_a_gps_f20_does_not(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]]
) -> None:
    headers = tokens.headers("city_platform")
    by_gp = body(70, diagnoses=[{"icd10": "F20", "by_psychiatrist": False}])
    by_psychiatrist = body(70, diagnoses=[{"icd10": "F20.0", "by_psychiatrist": True}])
    assert (await client.post("/v1/evaluations", json=by_gp, headers=headers)).json()["final_level"] == 1
    got = (await client.post("/v1/evaluations", json=by_psychiatrist, headers=headers)).json()
    assert (got["final_level"], [a["rule"] for a in got["adjustments"]]) == (2, ["R3"])


async def test_every_offending_field_is_named_in_one_422(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]]
) -> None:
    request = body(70, diagnoses=[{"icd10": "F01"}, {"icd10": "U99"}], rule_set="gbt42195-2022/nope@9")
    request["items"]["B.2.4"] = 4
    request["items"]["B.3.9"] = "sleepy"
    del request["items"]["B.1.1"]
    request["items"]["B.5.1"] = 2
    response = await client.post("/v1/evaluations", json=request, headers=tokens.headers("city_platform"))
    assert sorted(problem_fields(response)) == sorted(
        ["items.B.5.1", "items.B.1.1", "items.B.2.4", "items.B.3.9", "diagnoses.1.icd10", "rule_set"]
    )


@pytest.mark.parametrize("code", ["U99", "A00.5", "F0", "memory problems", "Z99.5"])
async def test_an_unknown_or_malformed_icd10_code_is_a_422_naming_the_diagnosis(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]], code: str
) -> None:
    request = body(diagnoses=[{"icd10": "I10"}, {"icd10": code, "by_psychiatrist": True}])
    response = await client.post("/v1/evaluations", json=request, headers=tokens.headers("city_platform"))
    assert problem_fields(response) == ["diagnoses.1.icd10"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda b: b.update(coma="yes"), "coma"),
        (lambda b: b["risk_events_30d"].update(fall=4), "risk_events_30d.fall"),
        (lambda b: b["risk_events_30d"].pop("suicide_self_harm"), "risk_events_30d.suicide_self_harm"),
        (lambda b: b["items"].update({"B.1.1": 2.5}), "items.B.1.1"),
        (lambda b: b["items"].update({"B.1.1": True}), "items.B.1.1"),
        (lambda b: b["items"].update({"B.1.1": [4]}), "items.B.1.1"),
        (lambda b: b.update(extra=1), "extra"),
    ],
)
async def test_a_malformed_body_is_a_422_naming_the_field(
    client: httpx.AsyncClient, tokens: Tokens, body: Callable[..., dict[str, Any]], mutate: Any, field: str
) -> None:
    request = body()
    mutate(request)
    response = await client.post("/v1/evaluations", json=request, headers=tokens.headers("city_platform"))
    assert problem_fields(response) == [field]


async def test_the_item_catalogue_keeps_stupor_and_coma_apart_with_chinese_labels(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    response = await client.get("/v1/evaluation-items", headers=tokens.headers("city_platform"))
    assert response.status_code == 200
    items = {i["code"]: i for i in response.json()}
    assert len(items) == 26
    b39 = {o["code"]: (o["score"], o["label"]) for o in items["B.3.9"]["options"]}
    assert b39["stupor"] == (0, "昏睡")
    assert b39["coma"] == (0, "昏迷")
    assert [o["score"] for o in items["B.4.4"]["options"]] == [3, 2, 1, 0]


async def test_the_rule_sets_are_listed_with_the_default_marked(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    response = await client.get("/v1/rule-sets", headers=tokens.headers("city_platform"))
    listed = {r["name"]: r for r in response.json()}
    assert listed["gbt42195-2022/default@1"]["default"] is True
    assert listed["gbt42195-2022/stacking@1"]["adjustment_stacking"] == "cumulative"
    assert sum(r["default"] for r in listed.values()) == 1
