"""POST /v1/policy-reevaluations: the city bureau's report of who gains or loses under a version."""

from __future__ import annotations

import copy
import json
from importlib import resources

import pytest

from eldercare.common.testing.plugin import api_client
from eldercare.intake.domain.policy import PackCatalog, parse_pack
from eldercare.intake.main import create_app
from eldercare.intake.policy_packs import catalog, load_packs

URL = "/v1/policy-reevaluations"


def with_draft() -> PackCatalog:
    """The shipped packs and Changsha 2026.1 (a draft): item (一) needs level 2 or worse."""
    text = resources.files("eldercare.intake.policy_packs").joinpath("changsha-2024.json").read_text("utf-8")
    doc = copy.deepcopy(json.loads(text)) | {"version": "2026.1", "effective_from": "2026-01-01"}
    doc["qualifying"][0]["when"][0]["value"] = 2
    return PackCatalog([*load_packs(), parse_pack(doc)])


async def enrol(flow, seq: int, level: int) -> str:  # type: ignore[no-untyped-def]
    app = await flow.assessed(seq, level=level)
    return str((await flow.decide(app["id"])).json()["beneficiary_id"])


async def test_the_current_version_changes_nothing(flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
    await enrol(flow, 1, 1)
    body = {"pack_id": "changsha-2024", "version": "2024.1"}
    response = await client.post(URL, json=body, headers=tokens.headers("city_admin", region="4301"))
    assert response.status_code == 200, response.text
    assert response.json()["counts"] == {"unchanged": 1} and response.json()["items"] == []


async def test_a_stricter_draft_lists_who_loses_eligibility(flow, settings, sessions, tokens) -> None:  # type: ignore[no-untyped-def]
    loses, keeps = await enrol(flow, 1, 1), await enrol(flow, 2, 3)
    app = create_app(settings)
    app.dependency_overrides[catalog] = with_draft
    body = {"pack_id": "changsha-2024", "version": "2026.1"}
    async with api_client(app, sessions) as client:
        answer = (
            await client.post(URL, json=body, headers=tokens.headers("city_admin", region="4301"))
        ).json()
    assert answer["counts"] == {"loses_eligibility": 1, "unchanged": 1}
    [item] = answer["items"]
    assert item["beneficiary_id"] == loses != keeps
    assert item["unmet"] == ["art5-1", "art5-2", "art5-3", "art5-4"]


async def test_another_citys_admin_sees_none_of_them(flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
    await enrol(flow, 1, 1)
    body = {"pack_id": "changsha-2024", "version": "2024.1"}
    answer = (await client.post(URL, json=body, headers=tokens.headers("city_admin", region="3601"))).json()
    assert answer["counts"] == {}


async def test_an_unknown_version_is_422_naming_it(client, tokens) -> None:  # type: ignore[no-untyped-def]
    body = {"pack_id": "changsha-2024", "version": "1999.1"}
    response = await client.post(URL, json=body, headers=tokens.headers("city_admin", region="4301"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "version"


async def test_a_district_officer_may_ask_for_the_district(flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
    await enrol(flow, 1, 1)
    body = {"pack_id": "changsha-2024", "version": "2024.1"}
    own = await client.post(URL, json=body, headers=tokens.headers("district_officer", region="430102"))
    other = await client.post(URL, json=body, headers=tokens.headers("district_officer", region="430103"))
    assert (own.json()["counts"], other.json()["counts"]) == ({"unchanged": 1}, {})


@pytest.mark.parametrize(
    ("role", "region"), [("community_worker", "430102001001"), ("city_platform", "4301")]
)
async def test_only_the_bureau_may_ask(client, tokens, role: str, region: str) -> None:  # type: ignore[no-untyped-def]
    body = {"pack_id": "changsha-2024", "version": "2024.1"}
    assert (await client.post(URL, json=body, headers=tokens.headers(role, region=region))).status_code == 403
