"""Unmasked reads publish intake.pii_access.recorded.v1 (PersonalDataAccessed) in the transaction
of the pii_access_log row: field names only, never values; masked reads publish nothing."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from eldercare.intake.adapters.models import PiiAccessRow
from eldercare.intake.adapters.orm import MESSAGING

DISTRICT = "430102"


async def accesses(sessions) -> list[tuple[dict[str, Any], bytes]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [
        (json.loads(r.payload), bytes(r.payload))
        for r in rows
        if dict(r.headers)["ce_type"] == "intake.pii_access.recorded.v1"
    ]


async def test_an_unmasked_read_publishes_the_access_without_the_values(
    flow, client, tokens, sessions
) -> None:  # type: ignore[no-untyped-def]
    body = flow.body(1)
    app = await flow.submitted(1)
    headers = {
        **tokens.headers("district_officer", region=DISTRICT, scopes=["pii:read"]),
        "X-Access-Reason": quote("回访核实联系方式"),
    }
    assert (await client.get(f"/v1/applications/{app['id']}", headers=headers)).status_code == 200
    [(event, raw)] = await accesses(sessions)
    async with sessions() as s:
        [row] = (await s.scalars(select(PiiAccessRow))).all()
    assert event["access_id"] == str(row.id)
    assert (event["resource_type"], event["resource_id"], event["fields"]) == (
        "application",
        app["id"],
        ["id_number", "phone", "address"],
    )
    assert (event["actor"], event["actor_role"], event["actor_region"], event["district_code"]) == (
        f"district_officer-{DISTRICT}",
        "district_officer",
        DISTRICT,
        DISTRICT,
    )
    assert event["reason"] == "回访核实联系方式"
    text = raw.decode()
    for value in (body["applicant"]["id_number"], body["applicant"]["phone"], body["applicant"]["address"]):
        assert value not in text


async def test_a_masked_read_publishes_nothing(flow, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
    app = await flow.submitted(1)
    headers = tokens.headers("district_officer", region=DISTRICT)
    assert (await client.get(f"/v1/applications/{app['id']}", headers=headers)).status_code == 200
    assert await accesses(sessions) == []


async def test_a_list_publishes_one_access_per_record_shown(flow, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
    for seq in (1, 2):
        app = await flow.assessed(seq, level=1)
        assert (await flow.decide(app["id"])).status_code == 201
    headers = tokens.headers("city_admin", region="4301", scopes=["pii:read"])
    response = await client.get("/v1/beneficiaries", headers=headers)
    assert response.status_code == 200 and len(response.json()["items"]) == 2
    events = [e for e, _ in await accesses(sessions)]
    assert sorted(e["resource_id"] for e in events) == sorted(i["id"] for i in response.json()["items"])
    assert {e["resource_type"] for e in events} == {"beneficiary"} and {e["reason"] for e in events} == {""}
