"""The stream detector: dispatch's and intake's events, one unit of work per delivery, real database."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select

from eldercare.audit.adapters.models import (
    AuditBeneficiaryRow,
    AuditEntryRow,
    AuditVisitPhotoRow,
    BeneficiaryStatusChangeRow,
    VisitFlagRow,
)
from eldercare.audit.adapters.orm import MESSAGING
from eldercare.common.contracts import (
    AssessmentPersonalDataAccessed,
    BeneficiaryEnrolled,
    BeneficiaryStatusChanged,
    EmergencyRaised,
    EmergencyResolved,
    IntakePersonalDataAccessed,
    VisitCancelled,
    VisitCheckedIn,
    VisitCompleted,
    VisitScheduled,
)

CAREGIVER = uuid4()
PROVIDER = uuid4()
AT = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # as the sample events (conftest)


def completed(make_event, start_min: int, minutes: int = 60, **kw: Any) -> VisitCompleted:  # type: ignore[no-untyped-def]
    return make_event(  # type: ignore[no-any-return]
        VisitCompleted,
        checked_in_at=AT + timedelta(minutes=start_min),
        checked_out_at=AT + timedelta(minutes=start_min + minutes),
        duration_minutes=minutes,
        **({"caregiver_id": CAREGIVER, "provider_id": PROVIDER} | kw),
    )


async def flags(sessions) -> list[VisitFlagRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(VisitFlagRow).order_by(VisitFlagRow.raised_at))).all())


async def raised_events(sessions) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        rows = (await s.execute(select(MESSAGING.outbox))).all()
    return [json.loads(r.payload) for r in rows if dict(r.headers)["ce_type"] == "audit.visit_flag.raised.v1"]


def by_visit(rows: list[VisitFlagRow]) -> dict[UUID, set[str]]:
    out: dict[UUID, set[str]] = {}
    for r in rows:
        out.setdefault(r.visit_id, set()).add(r.signal)
    return out


class TestOverlap:
    async def test_two_overlapping_visits_of_one_caregiver_are_both_flagged_and_billing_told(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        a, b = completed(make_event, 0), completed(make_event, 30)
        await deliver(a)
        assert await flags(sessions) == []
        await deliver(b)
        assert by_visit(await flags(sessions)) == {
            a.visit_id: {"overlapping_visits"},
            b.visit_id: {"overlapping_visits"},
        }
        events = await raised_events(sessions)
        assert sorted(e["visit_id"] for e in events) == sorted([str(a.visit_id), str(b.visit_id)])
        assert {e["source"] for e in events} == {"fraud_signal"}
        assert {e["provider_id"] for e in events} == {str(PROVIDER)}

    async def test_a_redelivery_raises_nothing_more(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        a, b = completed(make_event, 0), completed(make_event, 30)
        await deliver(a)
        await deliver(b)
        await deliver(b)
        await deliver(b, uuid4())
        assert len(await flags(sessions)) == 2
        assert len(await raised_events(sessions)) == 2

    async def test_a_voided_visit_overlaps_nothing(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        a = completed(make_event, 0)
        await deliver(a)
        await deliver(
            make_event(
                VisitCancelled,
                visit_id=a.visit_id,
                provider_id=PROVIDER,
                caregiver_id=CAREGIVER,
                beneficiary_id=a.beneficiary_id,
                kind="voided",
                was_completed=True,
            )
        )
        await deliver(completed(make_event, 30))
        assert await flags(sessions) == []

    async def test_every_event_is_still_in_the_trail(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        await deliver(completed(make_event, 0))
        await deliver(completed(make_event, 30))
        async with sessions() as s:
            assert len((await s.scalars(select(AuditEntryRow))).all()) == 2


class TestImpossibleTravel:
    async def test_homes_29_km_apart_15_minutes_apart_flag_the_later_visit(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        west = make_event(BeneficiaryEnrolled, home_point={"lat": 28.19, "lon": 112.97})
        east = make_event(BeneficiaryEnrolled, home_point={"lat": 28.19, "lon": 113.27})
        await deliver(west)
        await deliver(east)
        a = completed(make_event, 0, beneficiary_id=west.beneficiary_id)
        b = completed(make_event, 75, beneficiary_id=east.beneficiary_id)
        await deliver(b)
        await deliver(a)
        [row] = await flags(sessions)
        assert (row.visit_id, row.signal, row.score) == (b.visit_id, "impossible_travel", 70)
        assert row.evidence["previous_visit_id"] == str(a.visit_id)
        assert row.evidence["parameters"]["max_travel_speed_kmh"] == 60.0

    async def test_the_home_is_kept_only_to_about_a_kilometre(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        event = make_event(BeneficiaryEnrolled, home_point={"lat": 28.19456, "lon": 112.97321})
        await deliver(event)
        async with sessions() as s:
            row = await s.get(AuditBeneficiaryRow, event.beneficiary_id)
        assert row is not None and (row.home_lat, row.home_lon) == (28.19, 112.97)
        assert row.status == "active"


class TestShortVisit:
    async def test_a_visit_under_half_its_planned_hour_is_flagged(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        done = completed(make_event, 0, minutes=20)
        await deliver(
            make_event(
                VisitScheduled,
                visit_id=done.visit_id,
                caregiver_id=CAREGIVER,
                provider_id=PROVIDER,
                beneficiary_id=done.beneficiary_id,
                scheduled_start_at=AT,
                scheduled_end_at=AT + timedelta(hours=1),
            )
        )
        await deliver(done)
        [row] = await flags(sessions)
        assert (row.signal, row.evidence["minutes"], row.evidence["planned_minutes"]) == (
            "short_visit",
            20,
            60,
        )


class TestGeofence:
    async def test_a_third_check_in_away_from_home_within_30_days_flags_all_three(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        visits = [completed(make_event, day * 24 * 60) for day in (0, 7, 14)]
        for v in visits:
            await deliver(
                make_event(
                    VisitCheckedIn,
                    visit_id=v.visit_id,
                    caregiver_id=CAREGIVER,
                    provider_id=PROVIDER,
                    beneficiary_id=v.beneficiary_id,
                    checked_in_at=v.checked_in_at,
                    distance_m=900.0,
                    location_ok=False,
                )
            )
            await deliver(v)
        assert by_visit(await flags(sessions)) == {v.visit_id: {"repeated_geofence_miss"} for v in visits}


class TestHospitalised:
    async def test_a_visit_after_the_call_that_ended_in_hospital_is_flagged_when_the_call_closes(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        v = completed(make_event, 180)
        raised = make_event(
            EmergencyRaised, beneficiary_id=v.beneficiary_id, raised_at=AT + timedelta(hours=1)
        )
        await deliver(raised)
        await deliver(v)
        assert await flags(sessions) == []
        await deliver(
            make_event(
                EmergencyResolved,
                emergency_id=raised.emergency_id,
                beneficiary_id=v.beneficiary_id,
                outcome="hospitalised",
                resolved_at=AT + timedelta(hours=2),
            )
        )
        [row] = await flags(sessions)
        assert (row.visit_id, row.signal, row.score) == (v.visit_id, "visit_while_hospitalised", 90)
        assert row.evidence["emergency_id"] == str(raised.emergency_id)

    async def test_a_visit_recorded_after_the_stay_is_known_is_flagged_on_completion(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        beneficiary = uuid4()
        emergency = uuid4()
        await deliver(
            make_event(EmergencyRaised, emergency_id=emergency, beneficiary_id=beneficiary, raised_at=AT)
        )
        await deliver(
            make_event(
                EmergencyResolved,
                emergency_id=emergency,
                beneficiary_id=beneficiary,
                outcome="hospitalised",
                resolved_at=AT + timedelta(hours=1),
            )
        )
        v = completed(make_event, 240, beneficiary_id=beneficiary)
        await deliver(v)
        assert by_visit(await flags(sessions)) == {v.visit_id: {"visit_while_hospitalised"}}

    async def test_a_call_resolved_on_site_flags_nothing(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        v = completed(make_event, 180)
        await deliver(v)
        await deliver(
            make_event(EmergencyResolved, beneficiary_id=v.beneficiary_id, outcome="resolved_on_site")
        )
        assert await flags(sessions) == []


class TestSuspended:
    """visit_while_suspended (issue #7): intake's status history with effective dates."""

    async def test_a_visit_checked_in_while_suspended_is_flagged_when_it_completes(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        beneficiary = uuid4()
        await deliver(
            make_event(BeneficiaryEnrolled, beneficiary_id=beneficiary, effective_on=date(2026, 10, 1))
        )
        await deliver(
            make_event(
                BeneficiaryStatusChanged,
                beneficiary_id=beneficiary,
                status="suspended",
                effective_on=date(2026, 11, 18),
                changed_at=AT - timedelta(days=3),
            )
        )
        during = completed(make_event, 0, beneficiary_id=beneficiary)  # 20 November
        await deliver(during)
        [flag] = await flags(sessions)
        assert (flag.visit_id, flag.signal, flag.score) == (during.visit_id, "visit_while_suspended", 90)
        assert flag.evidence["status"] == "suspended" and flag.evidence["inactive_from"] == "2026-11-18"
        assert [e["signal"] for e in await raised_events(sessions)] == ["visit_while_suspended"]

    async def test_a_suspension_recorded_late_flags_the_visits_already_in_it_and_not_those_outside(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        beneficiary = uuid4()
        before = completed(make_event, -3 * 24 * 60, beneficiary_id=beneficiary)  # 17 November
        during = completed(make_event, 0, beneficiary_id=beneficiary)  # 20 November
        after = completed(make_event, 3 * 24 * 60, beneficiary_id=beneficiary)  # 23 November
        for v in (before, during, after):
            await deliver(v)
        assert await flags(sessions) == []
        # Intake suspended from the 18th and resumed from the 22nd; the resumption arrives first
        # (had the suspension come alone first, the 23rd would be flagged until an investigator
        # clears it: a resumption never clears a flag).
        for status, effective_on in (("active", date(2026, 11, 22)), ("suspended", date(2026, 11, 18))):
            await deliver(
                make_event(
                    BeneficiaryStatusChanged,
                    beneficiary_id=beneficiary,
                    status=status,
                    effective_on=effective_on,
                    changed_at=AT + timedelta(days=5 if status == "suspended" else 6),
                )
            )
        assert by_visit(await flags(sessions)) == {during.visit_id: {"visit_while_suspended"}}
        assert (await flags(sessions))[0].evidence["inactive_until"] == "2026-11-22"

    async def test_a_redelivered_status_change_adds_nothing(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        beneficiary = uuid4()
        await deliver(completed(make_event, 0, beneficiary_id=beneficiary))
        change = make_event(
            BeneficiaryStatusChanged,
            beneficiary_id=beneficiary,
            status="terminated",
            effective_on=date(2026, 11, 1),
        )
        event_id = await deliver(change)
        await deliver(change, event_id=event_id)
        await deliver(change)  # even past the inbox (another envelope id)
        assert len(await flags(sessions)) == 1
        async with sessions() as s:
            rows = (
                await s.scalars(
                    select(BeneficiaryStatusChangeRow).where(
                        BeneficiaryStatusChangeRow.beneficiary_id == beneficiary
                    )
                )
            ).all()
        assert len(rows) == 1


DOOR, LEAFLET = "d" * 64, "1" * 64


async def photo_rows(sessions) -> set[tuple[str, UUID]]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return {(r.sha256, r.visit_id) for r in (await s.scalars(select(AuditVisitPhotoRow))).all()}


class TestReusedPhoto:
    async def test_one_photo_on_two_caregivers_visits_flags_both_naming_each_other_and_the_hash(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        a = completed(make_event, 0, photo_sha256s=[DOOR, LEAFLET])
        b = completed(make_event, 2 * 24 * 60, caregiver_id=uuid4(), district="430103", photo_sha256s=[DOOR])
        await deliver(a)
        assert await flags(sessions) == []
        await deliver(b)
        rows = await flags(sessions)
        assert by_visit(rows) == {a.visit_id: {"reused_photo"}, b.visit_id: {"reused_photo"}}
        evidence = {r.visit_id: r.evidence for r in rows}
        assert evidence[a.visit_id]["other_visit_id"] == str(b.visit_id)
        assert evidence[b.visit_id]["other_visit_id"] == str(a.visit_id)
        assert {e["sha256"] for e in evidence.values()} == {DOOR}
        assert {e["parameters"]["photo_reuse_days"] for e in evidence.values()} == {30}
        assert {r.score for r in rows} == {85}
        assert {r.district_code for r in rows} == {"430102", "430103"}
        events = await raised_events(sessions)
        assert sorted(e["visit_id"] for e in events) == sorted([str(a.visit_id), str(b.visit_id)])
        assert {e["signal"] for e in events} == {"reused_photo"}

    async def test_a_redelivery_adds_no_flag_event_or_photo_row(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        a = completed(make_event, 0, photo_sha256s=[DOOR, LEAFLET])
        b = completed(make_event, 24 * 60, caregiver_id=uuid4(), photo_sha256s=[DOOR])
        for event in (a, b, b, a):
            await deliver(event)
        await deliver(b, uuid4())
        assert len(await flags(sessions)) == 2
        assert len(await raised_events(sessions)) == 2
        assert await photo_rows(sessions) == {(DOOR, a.visit_id), (LEAFLET, a.visit_id), (DOOR, b.visit_id)}

    async def test_different_photos_or_one_photo_twice_on_a_visit_flag_nothing(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        await deliver(completed(make_event, 0, photo_sha256s=[DOOR, DOOR]))
        await deliver(completed(make_event, 24 * 60, caregiver_id=uuid4(), photo_sha256s=[LEAFLET]))
        assert await flags(sessions) == []

    async def test_visits_the_window_apart_flag_nothing(self, sessions, deliver, make_event) -> None:  # type: ignore[no-untyped-def]
        await deliver(completed(make_event, 0, photo_sha256s=[DOOR]))
        await deliver(completed(make_event, 30 * 24 * 60, caregiver_id=uuid4(), photo_sha256s=[DOOR]))
        assert await flags(sessions) == []

    async def test_an_event_published_before_the_hashes_existed_is_recorded_as_before(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        data = completed(make_event, 0).model_dump(mode="json")
        del data["photo_sha256s"]
        old = VisitCompleted.model_validate(data)
        await deliver(old)
        b = completed(make_event, 24 * 60, caregiver_id=uuid4(), photo_sha256s=[DOOR])
        await deliver(b)
        assert await photo_rows(sessions) == {(DOOR, b.visit_id)}
        assert await flags(sessions) == []


class TestPersonalDataAccess:
    async def test_a_read_naming_no_district_is_listed_under_the_readers_region(
        self, sessions, deliver, make_event
    ) -> None:  # type: ignore[no-untyped-def]
        await deliver(make_event(IntakePersonalDataAccessed, district_code=None, actor_region="430102003"))
        await deliver(make_event(AssessmentPersonalDataAccessed, district_code=None, actor_region=None))
        async with sessions() as s:
            rows = (await s.scalars(select(AuditEntryRow).order_by(AuditEntryRow.seq))).all()
        assert [(r.event_type, r.district_code) for r in rows] == [
            ("intake.pii_access.recorded.v1", "430102"),
            ("assessment.pii_access.recorded.v1", ""),
        ]
        assert rows[0].summary["fields"] == ["id_number", "phone"]
