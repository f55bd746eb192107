"""Visit flags over HTTP: listing by region, clearing and confirming, and the batch fraud scan."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import select

from eldercare.audit.adapters.models import AuditVisitPhotoRow, AuditVisitRow, BeneficiaryStatusChangeRow
from eldercare.audit.adapters.orm import MESSAGING
from eldercare.audit.application import fraud
from eldercare.audit.domain.fraud import FraudRules
from eldercare.common.contracts import VisitCompleted

FLAGS = "/v1/visit-flags"
SCANS = "/v1/fraud-scans"
AT = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)


def auditor(tokens, region: str = "430102") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(tokens.headers("auditor", region=region))


async def published(sessions, event_type: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox).order_by(MESSAGING.outbox.c.position))).all()
    return [json.loads(r.payload) for r in rows if dict(r.headers)["ce_type"] == event_type]


def visit(make_event, caregiver, start_min: int, district: str = "430102", **kw: Any) -> VisitCompleted:  # type: ignore[no-untyped-def]
    return make_event(  # type: ignore[no-any-return]
        VisitCompleted,
        district=district,
        caregiver_id=caregiver,
        checked_in_at=AT + timedelta(minutes=start_min),
        checked_out_at=AT + timedelta(minutes=start_min + 60),
        **kw,
    )


@pytest.fixture
async def overlap(deliver, make_event) -> tuple[VisitCompleted, VisitCompleted]:  # type: ignore[no-untyped-def]
    caregiver = uuid4()
    a, b = visit(make_event, caregiver, 0), visit(make_event, caregiver, 30)
    await deliver(a)
    await deliver(b)
    return a, b


async def first_flag(client: httpx.AsyncClient, tokens) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await client.get(FLAGS, headers=auditor(tokens))
    assert response.status_code == 200, response.text
    return dict(response.json()["items"][0])


class TestListFlags:
    async def test_an_auditor_sees_the_regions_open_flags_with_their_evidence(
        self, client, tokens, overlap
    ) -> None:  # type: ignore[no-untyped-def]
        response = await client.get(FLAGS, params={"status": "open"}, headers=auditor(tokens))
        items = response.json()["items"]
        assert {i["visit_id"] for i in items} == {str(v.visit_id) for v in overlap}
        assert {i["signal_label"] for i in items} == {"同一护理员服务时间重叠"}
        assert all(i["evidence"]["other_visit_id"] for i in items)

    async def test_another_district_sees_none_and_gets_404(self, client, tokens, overlap) -> None:  # type: ignore[no-untyped-def]
        assert (await client.get(FLAGS, headers=auditor(tokens, "430103"))).json()["items"] == []
        flag = await first_flag(client, tokens)
        assert (
            await client.get(f"{FLAGS}/{flag['id']}", headers=auditor(tokens, "430103"))
        ).status_code == 404

    async def test_providers_and_caregivers_see_no_flags(self, client, tokens, overlap) -> None:  # type: ignore[no-untyped-def]
        provider = tokens.headers("provider_admin", provider_id=overlap[0].provider_id)
        assert (await client.get(FLAGS, headers=provider)).status_code == 403
        assert (
            await client.get(FLAGS, headers=tokens.headers("caregiver", caregiver_id=uuid4()))
        ).status_code == 403


class TestResolveFlag:
    async def test_clearing_tells_billing_and_opens_no_finding(
        self, client, tokens, sessions, overlap
    ) -> None:  # type: ignore[no-untyped-def]
        flag = await first_flag(client, tokens)
        response = await client.post(
            f"{FLAGS}/{flag['id']}/resolutions",
            json={"outcome": "cleared", "notes": "排班系统重复录入，已核实"},
            headers=auditor(tokens),
        )
        assert response.status_code == 201, response.text
        assert (response.json()["status"], response.json()["finding_id"]) == ("cleared", None)
        [event] = await published(sessions, "audit.visit_flag.resolved.v1")
        assert (event["outcome"], event["visit_id"], event["finding_id"]) == (
            "cleared",
            flag["visit_id"],
            None,
        )

    async def test_confirming_opens_a_false_information_finding_naming_the_visit(
        self, client, tokens, sessions, overlap
    ) -> None:  # type: ignore[no-untyped-def]
        flag = await first_flag(client, tokens)
        response = await client.post(
            f"{FLAGS}/{flag['id']}/resolutions",
            json={"outcome": "confirmed", "notes": "老人称该时段无人上门"},
            headers=auditor(tokens),
        )
        assert response.status_code == 201, response.text
        finding_id = response.json()["finding_id"]
        finding = (await client.get(f"/v1/findings/{finding_id}", headers=auditor(tokens))).json()
        assert finding["type"] == "false_information"
        assert finding["basis"] == "changsha-2024-purchased-door-to-door-rules.md 第十八条（四）"
        assert (finding["source"], finding["source_id"]) == ("fraud_signal", flag["id"])
        assert finding["visit_ids"] == [flag["visit_id"]]
        [event] = await published(sessions, "audit.visit_flag.resolved.v1")
        assert (event["outcome"], event["finding_id"]) == ("confirmed", finding_id)

    async def test_a_second_resolution_is_409_and_writes_nothing(
        self, client, tokens, sessions, overlap
    ) -> None:  # type: ignore[no-untyped-def]
        flag = await first_flag(client, tokens)
        url = f"{FLAGS}/{flag['id']}/resolutions"
        await client.post(url, json={"outcome": "cleared", "notes": "n"}, headers=auditor(tokens))
        again = await client.post(url, json={"outcome": "confirmed", "notes": "n"}, headers=auditor(tokens))
        assert again.status_code == 409
        assert len(await published(sessions, "audit.visit_flag.resolved.v1")) == 1

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"outcome": "maybe", "notes": "n"}, "outcome"),
            ({"outcome": "cleared", "notes": ""}, "notes"),
            ({"outcome": "confirmed", "notes": "n", "finding_type": "rudeness"}, "finding_type"),
        ],
    )
    async def test_bad_input_is_422_naming_the_field(self, client, tokens, overlap, body, field) -> None:  # type: ignore[no-untyped-def]
        flag = await first_flag(client, tokens)
        response = await client.post(f"{FLAGS}/{flag['id']}/resolutions", json=body, headers=auditor(tokens))
        assert response.status_code == 422
        assert any(field in e["field"] for e in response.json()["errors"])

    async def test_another_districts_auditor_cannot_resolve(self, client, tokens, overlap) -> None:  # type: ignore[no-untyped-def]
        flag = await first_flag(client, tokens)
        response = await client.post(
            f"{FLAGS}/{flag['id']}/resolutions",
            json={"outcome": "cleared", "notes": "n"},
            headers=auditor(tokens, "430103"),
        )
        assert response.status_code == 404


class TestFraudScan:
    async def test_a_scan_flags_what_the_stream_missed_and_reports_the_rules(
        self, client, tokens, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        caregiver = uuid4()
        a, b = visit(make_event, caregiver, 0), visit(make_event, caregiver, 30)
        # Recorded as facts only (as before the detector existed): the stream judged nothing.
        async with sessions() as s, s.begin():
            for v in (a, b):
                s.add(
                    AuditVisitRow(
                        visit_id=v.visit_id,
                        provider_id=v.provider_id,
                        caregiver_id=caregiver,
                        beneficiary_id=v.beneficiary_id,
                        district_code="430102",
                        checked_in_at=v.checked_in_at,
                        checked_out_at=v.checked_out_at,
                    )
                )
        body = {"district_code": "430102", "from_on": "2026-11-01", "to_on": "2026-11-30"}
        response = await client.post(SCANS, json=body, headers=auditor(tokens))
        assert response.status_code == 201, response.text
        report = response.json()
        assert (report["visits_scanned"], report["flags_raised"]) == (2, 2)
        assert report["hits_by_signal"] == {"overlapping_visits": 2}
        assert {r["signal"] for r in report["rules"]} >= {"impossible_travel", "short_visit"}
        again = await client.post(SCANS, json=body, headers=auditor(tokens))
        assert (again.json()["flags_raised"], again.json()["hits_by_signal"]) == (
            0,
            {"overlapping_visits": 2},
        )
        assert len(await published(sessions, "audit.visit_flag.raised.v1")) == 2

    async def test_a_scan_flags_visits_while_suspended_and_a_caregiver_far_above_peers(
        self, client, tokens, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        suspended = uuid4()
        busy, peers = uuid4(), [uuid4() for _ in range(3)]
        visits = [
            # Peers: 3 visits each on 20 November (China); the busy caregiver 12 (4x the median).
            *(visit(make_event, c, i * 120) for c in peers for i in range(3)),
            *(
                visit(make_event, busy, i * 61, beneficiary_id=suspended if i == 0 else uuid4())
                for i in range(12)
            ),
        ]
        async with sessions() as s, s.begin():
            for v in visits:
                s.add(
                    AuditVisitRow(
                        visit_id=v.visit_id,
                        provider_id=v.provider_id,
                        caregiver_id=v.caregiver_id,
                        beneficiary_id=v.beneficiary_id,
                        district_code="430102",
                        checked_in_at=v.checked_in_at,
                        checked_out_at=v.checked_out_at,
                    )
                )
            s.add(
                BeneficiaryStatusChangeRow(
                    beneficiary_id=suspended,
                    status="suspended",
                    effective_on=date(2026, 11, 1),
                    changed_at=AT - timedelta(days=30),
                    district_code="430102",
                )
            )
        body = {"district_code": "430102", "from_on": "2026-11-01", "to_on": "2026-11-30"}
        report = (await client.post(SCANS, json=body, headers=auditor(tokens))).json()
        assert report["hits_by_signal"] == {"caregiver_density": 12, "visit_while_suspended": 1}
        density = next(r for r in report["rules"] if r["signal"] == "caregiver_density")
        assert density["parameters"] == {
            "density_factor": 3.0,
            "density_min_visits": 10,
            "density_period": "day",
        }
        listed = await client.get(FLAGS, params={"signal": "caregiver_density"}, headers=auditor(tokens))
        evidence = listed.json()["items"][0]["evidence"]
        assert (evidence["caregiver_visits"], evidence["peer_median"], evidence["peers"]) == (12, 3.0, 4)
        assert evidence["caregiver_id"] == str(busy)

    async def test_a_scan_flags_a_photo_reused_across_caregivers_and_districts_in_the_region(
        self, client, tokens, sessions, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        door, leaflet = "d" * 64, "1" * 64
        here = visit(make_event, uuid4(), 0)
        # Another district, eleven days later, after the period: still within the photo window.
        there = visit(make_event, uuid4(), 11 * 24 * 60, district="430103")
        alone = visit(make_event, uuid4(), 60)  # another photo: nothing
        # Recorded as facts only: the stream judged nothing.
        async with sessions() as s, s.begin():
            for v in (here, there, alone):
                s.add(
                    AuditVisitRow(
                        visit_id=v.visit_id,
                        provider_id=v.provider_id,
                        caregiver_id=v.caregiver_id,
                        beneficiary_id=v.beneficiary_id,
                        district_code=v.district_code,
                        checked_in_at=v.checked_in_at,
                        checked_out_at=v.checked_out_at,
                    )
                )
            await s.flush()
            s.add(AuditVisitPhotoRow(sha256=door, visit_id=here.visit_id))
            s.add(AuditVisitPhotoRow(sha256=leaflet, visit_id=here.visit_id))
            s.add(AuditVisitPhotoRow(sha256=door, visit_id=there.visit_id))
            s.add(AuditVisitPhotoRow(sha256="a" * 64, visit_id=alone.visit_id))
        body = {"district_code": "430102", "from_on": "2026-11-20", "to_on": "2026-11-30"}
        report = (await client.post(SCANS, json=body, headers=auditor(tokens))).json()
        # Only the region's visit is flagged; the other district's scan flags its own.
        assert (report["hits_by_signal"], report["flags_raised"]) == ({"reused_photo": 1}, 1)
        rule = next(r for r in report["rules"] if r["signal"] == "reused_photo")
        assert (rule["score"], rule["parameters"]) == (85, {"photo_reuse_days": 30})
        listed = await client.get(FLAGS, params={"signal": "reused_photo"}, headers=auditor(tokens))
        [item] = listed.json()["items"]
        assert item["visit_id"] == str(here.visit_id)
        assert (item["evidence"]["other_visit_id"], item["evidence"]["sha256"]) == (str(there.visit_id), door)
        assert item["signal_label"] == "同一照片用于多次服务"
        elsewhere = {"district_code": "430103", "from_on": "2026-12-01", "to_on": "2026-12-31"}
        other = await client.post(SCANS, json=elsewhere, headers=auditor(tokens, "430103"))
        assert other.json()["hits_by_signal"] == {"reused_photo": 1}

    async def test_a_scan_finds_what_the_stream_flagged_and_raises_nothing_more(
        self, client, tokens, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        door = "d" * 64
        a = visit(make_event, uuid4(), 0, photo_sha256s=[door])
        b = visit(make_event, uuid4(), 3 * 24 * 60, photo_sha256s=[door])
        await deliver(a)
        await deliver(b)
        assert len(await published(sessions, "audit.visit_flag.raised.v1")) == 2
        body = {"district_code": "430102", "from_on": "2026-11-01", "to_on": "2026-11-30"}
        report = (await client.post(SCANS, json=body, headers=auditor(tokens))).json()
        assert (report["hits_by_signal"], report["flags_raised"]) == ({"reused_photo": 2}, 0)

    async def test_visits_outside_the_period_are_not_flagged(self, client, tokens, overlap) -> None:  # type: ignore[no-untyped-def]
        body = {"district_code": "430102", "from_on": "2026-12-01", "to_on": "2026-12-31"}
        report = (await client.post(SCANS, json=body, headers=auditor(tokens))).json()
        assert (report["visits_scanned"], report["flags_raised"]) == (0, 0)

    @pytest.mark.parametrize(
        ("body", "status", "field"),
        [
            (
                {"district_code": "430103", "from_on": "2026-11-01", "to_on": "2026-11-30"},
                422,
                "district_code",
            ),
            ({"district_code": "430102", "from_on": "2026-11-30", "to_on": "2026-11-01"}, 422, "to_on"),
            ({"district_code": "430102", "from_on": "2025-01-01", "to_on": "2026-11-01"}, 422, "to_on"),
            ({"district_code": "4301", "from_on": "2026-11-01", "to_on": "2026-11-30"}, 422, "district_code"),
        ],
    )
    async def test_bad_scans_are_422_naming_the_field(self, client, tokens, body, status, field) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(SCANS, json=body, headers=auditor(tokens))
        assert response.status_code == status
        assert any(field in e["field"] for e in response.json()["errors"])


def test_the_scan_uses_the_rules_of_the_settings(settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.model_copy(update={"fraud_short_visit_ratio": 0.8}).fraud_rules() == FraudRules(
        short_visit_ratio=0.8
    )
    assert fraud.MAX_SCAN_DAYS == 366


class TestAssignFlag:
    async def test_an_open_flag_is_given_to_an_investigator_and_listed_by_assignee(
        self, client, tokens, overlap
    ) -> None:  # type: ignore[no-untyped-def]
        flag = await first_flag(client, tokens)
        response = await client.post(
            f"{FLAGS}/{flag['id']}/assignments", json={"assignee": "investigator-7"}, headers=auditor(tokens)
        )
        assert response.status_code == 201, response.text
        assert response.json()["assignee"] == "investigator-7"
        mine = await client.get(FLAGS, params={"assignee": "investigator-7"}, headers=auditor(tokens))
        assert [f["id"] for f in mine.json()["items"]] == [flag["id"]]

    async def test_a_resolved_flag_is_not_reassigned_and_other_districts_get_404(
        self, client, tokens, overlap
    ) -> None:  # type: ignore[no-untyped-def]
        flag = await first_flag(client, tokens)
        url = f"{FLAGS}/{flag['id']}/assignments"
        other = await client.post(url, json={"assignee": "x"}, headers=auditor(tokens, "430103"))
        assert other.status_code == 404
        await client.post(
            f"{FLAGS}/{flag['id']}/resolutions",
            json={"outcome": "cleared", "notes": "n"},
            headers=auditor(tokens),
        )
        assert (await client.post(url, json={"assignee": "x"}, headers=auditor(tokens))).status_code == 409
        assert (await client.post(url, json={"assignee": ""}, headers=auditor(tokens))).status_code == 422
