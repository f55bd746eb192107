"""The visit aggregate: booking rules (第九条), check-in, check-out and verification."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from eldercare.dispatch.domain.care_plans import Agreement, CarePlan
from eldercare.dispatch.domain.errors import CarePlanNotActive, RuleViolations, VisitStateConflict
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.providers import Caregiver, Qualification
from eldercare.dispatch.domain.verification import VerificationPolicy
from eldercare.dispatch.domain.visits import (
    LocationCheck,
    Visit,
    VisitStatus,
    check_location,
    locate,
    overlaps,
)

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)
HOME = Point(28.1941, 112.9761)
RULES = VerificationPolicy()


def plan(**overrides: Any) -> CarePlan:
    fields: dict[str, Any] = {
        "beneficiary_id": uuid4(),
        "provider_id": uuid4(),
        "district_code": "430102",
        "community_code": "430102001001",
        "service_codes": ("CS15", "CS19", "CS22", "CS25"),
        "frequency_per_month": 8,
        "agreement": Agreement(signed_on=date(2026, 11, 20), duration_months=12),
        "activated_at": T0,
        "created_by": "admin",
        **overrides,
    }
    return CarePlan(**fields)


def caregiver(**overrides: Any) -> Caregiver:
    fields: dict[str, Any] = {
        "provider_id": uuid4(),
        "name": "王护理员",
        "phone": "13900001111",
        "qualifications": (Qualification.certified_elderly_care_worker,),
        "health_certificate_valid_until": date(2027, 6, 30),
        **overrides,
    }
    return Caregiver(**fields)


def schedule(
    code: str = "CS22", *, p: CarePlan | None = None, c: Caregiver | None = None, **kw: Any
) -> Visit:
    start = kw.pop("start", T0)
    return Visit.schedule(
        plan=p or plan(),
        caregiver=c or caregiver(),
        service_code=code,
        start=start,
        end=kw.pop("end", start + timedelta(hours=1)),
        start_day=kw.pop("start_day", DAY),
        by="admin",
    )


def fields_of(exc: pytest.ExceptionInfo[RuleViolations]) -> list[str]:
    return [e["field"] for e in exc.value.errors or []]


def at(location: Point = HOME, accuracy_m: float | None = 10) -> LocationCheck:
    return check_location(location, accuracy_m, HOME, 200)


def located(stage: str, location: Point = HOME, policy: VerificationPolicy = RULES) -> dict[str, Any]:
    """The location record and its flags, as the handlers pass them to start and finish."""
    check, flags = locate(policy, policy.rule("CS22"), stage, location, 10, HOME)
    return {"location": check, "flags": flags}


FAR = Point(28.2282, 112.9388)  # Changsha city centre, about 5.3 km from HOME


class TestSchedulingAVisit:
    def test_a_visit_for_an_item_of_the_plan_is_scheduled(self) -> None:
        p, c = plan(), caregiver()
        visit = schedule(p=p, c=c)
        assert visit.status == VisitStatus.scheduled
        assert (visit.care_plan_id, visit.beneficiary_id, visit.caregiver_id) == (
            p.id,
            p.beneficiary_id,
            c.id,
        )
        assert visit.occupied == (T0, T0 + timedelta(hours=1))

    def test_an_item_outside_the_plan_is_refused(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            schedule("CS24")
        assert fields_of(exc) == ["service_code"]

    def test_a_professional_item_needs_a_certified_caregiver(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            schedule("CS19", c=caregiver(qualifications=()))
        assert fields_of(exc) == ["caregiver_id"]
        assert "第九条（八）" in exc.value.detail

    def test_a_certified_caregiver_may_provide_a_professional_item(self) -> None:
        assert schedule("CS19").service_code == "CS19"

    def test_an_uncertified_caregiver_may_provide_an_ordinary_item(self) -> None:
        assert schedule("CS22", c=caregiver(qualifications=())).service_code == "CS22"

    def test_a_caregiver_whose_health_certificate_expired_is_not_booked(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            schedule(c=caregiver(health_certificate_valid_until=DAY - timedelta(days=1)))
        assert fields_of(exc) == ["caregiver_id"]

    def test_a_health_certificate_valid_through_the_visit_day_is_enough(self) -> None:
        assert schedule(c=caregiver(health_certificate_valid_until=DAY)).status == VisitStatus.scheduled

    def test_the_end_must_follow_the_start(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            schedule(end=T0)
        assert fields_of(exc) == ["scheduled_end_at"]

    def test_a_visit_longer_than_twelve_hours_is_refused(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            schedule(end=T0 + timedelta(hours=12, minutes=1))
        assert fields_of(exc) == ["scheduled_end_at"]

    def test_a_visit_after_the_agreement_ended_is_refused(self) -> None:
        with pytest.raises(RuleViolations) as exc:
            schedule(
                start_day=date(2027, 11, 20), c=caregiver(health_certificate_valid_until=date(2028, 6, 30))
            )
        assert fields_of(exc) == ["scheduled_start_at"]

    def test_an_inactive_plan_books_nothing(self) -> None:
        p = plan()
        p.status = "ended"  # type: ignore[assignment]
        with pytest.raises(CarePlanNotActive):
            schedule(p=p)


class TestOverlaps:
    def test_intervals_sharing_a_stretch_overlap(self) -> None:
        assert overlaps((T0, T0 + timedelta(hours=1)), (T0 + timedelta(minutes=30), T0 + timedelta(hours=2)))

    def test_back_to_back_visits_do_not_overlap(self) -> None:
        assert not overlaps((T0, T0 + timedelta(hours=1)), (T0 + timedelta(hours=1), T0 + timedelta(hours=2)))

    def test_a_completed_visit_occupies_its_actual_time(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0 + timedelta(minutes=5))
        visit.finish(
            location=at(),
            notes="",
            items_done=["CS22"],
            plan=plan(),
            policy=RULES,
            now=T0 + timedelta(minutes=35),
        )
        assert visit.occupied == (T0 + timedelta(minutes=5), T0 + timedelta(minutes=35))


class TestLocationCheck:
    def test_a_fix_at_the_home_is_ok(self) -> None:
        check = at()
        assert (check.ok, check.distance_m, check.problem) == (True, 0.0, None)

    def test_a_fix_outside_the_geofence_is_not_ok(self) -> None:
        check = at(FAR)
        assert check.ok is False and check.distance_m is not None and check.distance_m > 5200
        assert check.problem is not None and "geofence 200 m" in check.problem

    def test_a_fix_just_inside_the_geofence_is_ok(self) -> None:
        assert at(Point(HOME.lat + 0.0017, HOME.lon)).ok  # about 189 m north

    def test_a_fix_vaguer_than_the_geofence_proves_nothing(self) -> None:
        check = at(accuracy_m=500)
        assert check.ok is False and check.problem is not None and "accuracy" in check.problem

    def test_without_a_home_point_no_fix_is_ok(self) -> None:
        check = check_location(HOME, 10, None, 200)
        assert (check.ok, check.distance_m) == (False, None)


class TestCheckingInAndOut:
    def test_check_in_starts_the_visit_at_the_server_time(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0)
        assert (visit.status, visit.checked_in_at) == (VisitStatus.in_progress, T0)

    def test_a_second_check_in_is_a_conflict(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0)
        with pytest.raises(VisitStateConflict):
            visit.start(location=at(), now=T0)

    def test_check_out_before_check_in_is_a_conflict(self) -> None:
        with pytest.raises(VisitStateConflict):
            schedule().finish(location=at(), notes="", items_done=["CS22"], plan=plan(), policy=RULES, now=T0)

    def test_a_visit_at_the_home_is_verified_with_its_duration(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0)
        visit.finish(
            location=at(),
            notes="好",
            items_done=["CS22", "CS22"],
            plan=plan(),
            policy=RULES,
            now=T0 + timedelta(minutes=47, seconds=59),
        )
        assert (visit.status, visit.duration_minutes, visit.verified) == (VisitStatus.completed, 47, True)
        assert visit.items_done == ("CS22",) and visit.verification_notes == ()

    def test_a_far_away_check_in_fails_verification(self) -> None:
        visit = schedule()
        visit.start(**located("check_in", FAR), now=T0)
        visit.finish(
            location=at(),
            notes="",
            items_done=["CS22"],
            plan=plan(),
            policy=RULES,
            now=T0 + timedelta(minutes=30),
        )
        assert visit.verified is False
        [note] = visit.verification_notes
        assert note.startswith("check-in: ") and "geofence 200 m" in note
        assert [(f.code, f.action) for f in visit.flags] == [("outside_geofence", "hold")]
        assert visit.review_status == "pending"

    def test_a_far_away_check_out_fails_verification(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0)
        visit.finish(
            **located("check_out", FAR),
            notes="",
            items_done=["CS22"],
            plan=plan(),
            policy=RULES,
            now=T0 + timedelta(minutes=30),
        )
        assert visit.verified is False and visit.verification_notes[0].startswith("check-out: ")

    def test_a_visit_shorter_than_the_minimum_is_completed_but_not_verified(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0)
        rules = VerificationPolicy(min_visit_minutes=30)
        visit.finish(
            location=at(),
            notes="",
            items_done=["CS22"],
            plan=plan(),
            policy=rules,
            now=T0 + timedelta(minutes=29),
        )
        assert (visit.status, visit.verified) == (VisitStatus.completed, False)
        assert visit.verification_notes == ("check-out: duration 29 min is under the minimum 30 min",)

    def test_items_done_outside_the_plan_are_refused_and_the_visit_stays_open(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0)
        with pytest.raises(RuleViolations) as exc:
            visit.finish(
                location=at(), notes="", items_done=["CS22", "CS30"], plan=plan(), policy=RULES, now=T0
            )
        assert fields_of(exc) == ["record.items_done"]
        assert visit.status == VisitStatus.in_progress
