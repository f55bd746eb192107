"""POST /v1/assessments/{id}/disputes: a disputed result opens a 复评 task (A.1.3), once."""

from __future__ import annotations

from typing import Any

import httpx

from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"
OTHER_DISTRICT = "430103"


async def completed(client: httpx.AsyncClient, tokens: Tokens, make_task, result_body) -> Any:  # type: ignore[no-untyped-def]
    task = await make_task()
    response = await client.post(
        f"/v1/assessments/{task.id}/results",
        json=result_body(70),
        headers=tokens.headers("assessor", region=DISTRICT),
    )
    assert response.status_code == 201, response.text
    return task


async def dispute(
    client: httpx.AsyncClient, tokens: Tokens, task_id: object, region: str = DISTRICT, **body: Any
):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/v1/assessments/{task_id}/disputes",
        json=body or {"reason": "家属认为老人能力下降明显"},
        headers=tokens.headers("district_officer", region=region),
    )


async def test_a_dispute_opens_a_dispute_task_for_the_person(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
) -> None:
    task = await completed(client, tokens, make_task, result_body)
    response = await dispute(client, tokens, task.id)
    assert response.status_code == 201, response.text
    assert response.headers["Eldercare-Task-Opened"] == "true"
    got = response.json()
    assert (got["reason"], got["reason_label"], got["status"]) == (
        "dispute",
        "因对评估结果有疑问进行的复评",
        "pending",
    )
    assert got["person_id"] == str(task.event.person_id)
    assert got["id"] != str(task.id)
    assert "家属认为老人能力下降明显" in got["reason_note"]


async def test_a_second_dispute_answers_the_task_already_open(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
) -> None:
    task = await completed(client, tokens, make_task, result_body)
    first = (await dispute(client, tokens, task.id)).json()
    again = await dispute(client, tokens, task.id, reason="再次申请")
    assert again.headers["Eldercare-Task-Opened"] == "false"
    assert again.json()["id"] == first["id"]
    listed = await client.get(
        "/v1/assessments?status=pending", headers=tokens.headers("district_officer", region=DISTRICT)
    )
    assert [a["id"] for a in listed.json()["items"]] == [first["id"]]


async def test_a_pending_task_cannot_be_disputed_and_another_district_gets_404(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
) -> None:
    pending = await make_task()
    assert (await dispute(client, tokens, pending.id)).status_code == 409
    task = await completed(client, tokens, make_task, result_body)
    assert (await dispute(client, tokens, task.id, region=OTHER_DISTRICT)).status_code == 404


async def test_an_empty_reason_is_a_422_naming_it(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
) -> None:
    task = await completed(client, tokens, make_task, result_body)
    response = await dispute(client, tokens, task.id, reason="")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
