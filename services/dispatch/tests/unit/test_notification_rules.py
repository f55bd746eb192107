"""Which visit events tell a caregiver what, and that a notification says nothing personal."""

from __future__ import annotations

from uuid import uuid4

from eldercare.dispatch.domain.notifications import (
    NotificationKind,
    VisitFacts,
    WithdrawnBecause,
    emergency_request,
    emergency_withdrawn,
    from_visit_event,
)

FACTS = VisitFacts("CS22", "430102001001", "2026-11-24T01:00:00+00:00", "2026-11-24T02:00:00+00:00")


def event(**overrides):  # type: ignore[no-untyped-def]
    return {
        "visit_id": str(uuid4()),
        "beneficiary_id": str(uuid4()),
        "provider_id": str(uuid4()),
        "caregiver_id": str(uuid4()),
        "district_code": "430102",
        **overrides,
    }


class TestVisitEvents:
    def test_a_scheduled_visit_is_booked_with_the_events_times(self) -> None:
        data = event(
            service_code="CS25",
            scheduled_start_at="2026-11-24T03:00:00Z",
            scheduled_end_at="2026-11-24T04:00:00Z",
        )
        n = from_visit_event("dispatch.visit.scheduled.v1", data, FACTS)
        assert n is not None and n.kind is NotificationKind.visit_booked
        assert (str(n.caregiver_id), str(n.visit_id)) == (data["caregiver_id"], data["visit_id"])
        assert (n.payload["service_code"], n.payload["scheduled_start_at"]) == (
            "CS25",
            "2026-11-24T03:00:00Z",
        )
        assert n.payload["community_code"] == "430102001001"

    def test_an_unassigned_visit_keeps_out_the_reason(self) -> None:
        n = from_visit_event("dispatch.visit.unassigned.v1", event(reason="家里有事"), FACTS)
        assert n is not None and n.kind is NotificationKind.visit_unassigned
        assert "家里有事" not in str(n.payload)

    def test_a_cancellation_says_its_kind_but_not_its_reason(self) -> None:
        data = event(kind="voided", reason="审核意见：血压记录与病历不符", was_completed=True)
        n = from_visit_event("dispatch.visit.cancelled.v1", data, FACTS)
        assert n is not None and n.payload["cancellation"] == "voided"
        assert "血压" not in str(n.payload)

    def test_a_cancelled_visit_nobody_was_booked_to_tells_nobody(self) -> None:
        data = event(caregiver_id=None, kind="cancelled", reason="plan ended")
        assert from_visit_event("dispatch.visit.cancelled.v1", data, FACTS) is None

    def test_other_events_tell_nobody(self) -> None:
        assert from_visit_event("dispatch.visit.checked_in.v1", event(), FACTS) is None


class TestEmergencies:
    def test_a_request_names_the_call_and_the_community_only(self) -> None:
        n = emergency_request(uuid4(), uuid4(), uuid4(), "430102001001", "2026-11-24T01:00:00+00:00")
        assert set(n.payload) == {"emergency_id", "community_code", "raised_at"}

    def test_a_withdrawal_says_why(self) -> None:
        n = emergency_withdrawn(uuid4(), uuid4(), uuid4(), WithdrawnBecause.taken_by_another)
        assert (n.kind, n.payload["because"]) == (NotificationKind.emergency_withdrawn, "taken_by_another")
