"""Timelines of a beneficiary, provider or caregiver across services, from the trail."""

from __future__ import annotations

from uuid import uuid4

from eldercare.common.contracts import BeneficiaryEnrolled, ChargePosted, VisitCompleted


def auditor(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region=region))


async def test_a_beneficiarys_events_from_every_service_in_chain_order(
    client, tokens, deliver, make_event
) -> None:  # type: ignore[no-untyped-def]
    beneficiary, provider = uuid4(), uuid4()
    await deliver(make_event(BeneficiaryEnrolled, beneficiary_id=beneficiary))
    await deliver(make_event(VisitCompleted, beneficiary_id=beneficiary, provider_id=provider))
    await deliver(make_event(ChargePosted, beneficiary_id=beneficiary, provider_id=provider))
    await deliver(make_event(VisitCompleted))  # someone else's
    response = await client.get(f"/v1/timelines/beneficiaries/{beneficiary}", headers=auditor(tokens))
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    types = [i["event_type"] for i in items]
    # The enrolment also opened a follow-up (audit's own event, delivered back through the broker later).
    assert types == [
        "intake.beneficiary.enrolled.v1",
        "dispatch.visit.completed.v1",
        "billing.charge.posted.v1",
    ]
    assert [i["seq"] for i in items] == sorted(i["seq"] for i in items)
    by_provider = await client.get(f"/v1/timelines/providers/{provider}", headers=auditor(tokens))
    assert [i["event_type"] for i in by_provider.json()["items"]] == types[1:]


async def test_another_region_sees_nothing_and_providers_are_refused(
    client, tokens, deliver, make_event
) -> None:  # type: ignore[no-untyped-def]
    event = make_event(VisitCompleted)
    await deliver(event)
    url = f"/v1/timelines/caregivers/{event.caregiver_id}"
    assert len((await client.get(url, headers=auditor(tokens))).json()["items"]) == 1
    assert (await client.get(url, headers=auditor(tokens, "430103"))).json()["items"] == []
    provider = tokens.headers("provider_admin", provider_id=event.provider_id)
    assert (await client.get(url, headers=provider)).status_code == 403
    assert (await client.get(f"/v1/timelines/cats/{uuid4()}", headers=auditor(tokens))).status_code == 422
