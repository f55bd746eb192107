"""Verification per catalog item, the review outcome, and the other ends of a visit (cancelled,
missed, voided), on the aggregate with plain objects."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from eldercare.dispatch.domain.errors import RuleViolations, VisitStateConflict
from eldercare.dispatch.domain.geo import Point
from eldercare.dispatch.domain.verification import (
    ITEM_RULES,
    FlagAction,
    FlagCode,
    VerificationPolicy,
    evidence_flags,
    skew_flags,
    travel_flags,
)
from eldercare.dispatch.domain.visits import ReviewStatus, VisitStatus, locate

from .test_visit_lifecycle import FAR, HOME, T0, at, plan, schedule

POLICY = VerificationPolicy()


def finished(policy: VerificationPolicy = POLICY, minutes: int = 60, **kw):  # type: ignore[no-untyped-def]
    visit = schedule()
    visit.start(location=at(), now=T0)
    visit.finish(
        location=at(),
        notes="",
        items_done=["CS22"],
        plan=plan(),
        policy=policy,
        now=T0 + timedelta(minutes=minutes),
        **kw,
    )
    return visit


class TestItemRules:
    def test_every_catalog_item_has_a_rule(self) -> None:
        assert len(ITEM_RULES) == 32

    def test_outings_are_not_judged_at_check_out(self) -> None:
        assert ITEM_RULES["CS16"].check_out_at_home is False and ITEM_RULES["CS22"].check_out_at_home

    def test_errands_need_a_photo_and_a_signature_and_intimate_care_never_a_photo(self) -> None:
        assert ITEM_RULES["CS26"].photo_at_check_out and ITEM_RULES["CS26"].signature_at_check_out
        assert not any(
            ITEM_RULES[c].photo_at_check_in or ITEM_RULES[c].photo_at_check_out for c in ("CS05", "CS18")
        )

    def test_a_missing_photo_and_signature_are_flagged_to_hold(self) -> None:
        flags = evidence_flags(POLICY, ITEM_RULES["CS26"], "check_out", photos=0, signed=False)
        assert [(f.code, f.action, f.field) for f in flags] == [
            (FlagCode.photo_missing, FlagAction.hold, "photos"),
            (FlagCode.signature_missing, FlagAction.hold, "signature"),
        ]
        assert evidence_flags(POLICY, ITEM_RULES["CS26"], "check_out", photos=1, signed=True) == []


class TestFlags:
    def test_a_phone_clock_off_by_more_than_allowed_is_noted(self) -> None:
        rule = ITEM_RULES["CS22"]
        assert skew_flags(POLICY, rule, "check_in", T0 + timedelta(seconds=300), T0) == []
        [flag] = skew_flags(POLICY, rule, "check_in", T0 - timedelta(minutes=20), T0)
        assert (flag.code, flag.action) == (
            FlagCode.clock_skew,
            FlagAction.note,
        ) and "-1200 s" in flag.message

    def test_impossible_travel_is_flagged_and_a_walk_next_door_is_not(self) -> None:
        last = (FAR, T0)
        [flag] = travel_flags(POLICY, last, HOME, T0 + timedelta(minutes=2))  # 5.3 km in 2 min
        assert flag.code == FlagCode.impossible_travel
        assert travel_flags(POLICY, last, HOME, T0 + timedelta(minutes=30)) == []
        assert travel_flags(POLICY, None, HOME, T0) == []

    def test_a_refusing_action_refuses_the_check_in_and_writes_nothing(self) -> None:
        policy = VerificationPolicy(actions={FlagCode.outside_geofence: FlagAction.refuse})
        location, flags = locate(policy, policy.rule("CS22"), "check_in", FAR, 10, HOME)
        visit = schedule()
        with pytest.raises(RuleViolations) as exc:
            visit.start(location=location, flags=flags, now=T0)
        assert [e["field"] for e in exc.value.errors or []] == ["location"]
        assert visit.status == VisitStatus.scheduled and visit.checked_in_at is None

    def test_a_short_visit_is_noted_by_default_and_held_when_the_city_says_so(self) -> None:
        noted = finished(minutes=10)
        assert (noted.verified, noted.review_status, noted.flag_codes) == (True, None, ["too_short"])
        held = finished(VerificationPolicy(actions={FlagCode.too_short: FlagAction.hold}), minutes=10)
        assert (held.verified, held.review_status) == (False, ReviewStatus.pending)

    def test_a_per_item_ratio_applies(self) -> None:
        rules = {**ITEM_RULES, "CS22": replace(ITEM_RULES["CS22"], min_duration_ratio=0.9)}
        assert finished(VerificationPolicy(rules=rules), minutes=50).flag_codes == ["too_short"]
        assert finished(minutes=50).flag_codes == []

    def test_a_forgotten_check_out_is_noted_too_long(self) -> None:
        assert finished(minutes=180).flag_codes == ["too_long"]


class TestReview:
    def held(self):  # type: ignore[no-untyped-def]
        return finished(VerificationPolicy(actions={FlagCode.too_short: FlagAction.hold}), minutes=1)

    def test_acceptance_verifies_the_record(self) -> None:
        visit = self.held()
        visit.resolve_review(accepted=True, by="admin", comment="核实", now=T0)
        assert (visit.status, visit.verified, visit.review_status) == (
            VisitStatus.completed,
            True,
            ReviewStatus.accepted,
        )

    def test_rejection_needs_a_comment_and_voids_the_visit(self) -> None:
        visit = self.held()
        with pytest.raises(RuleViolations):
            visit.resolve_review(accepted=False, by="admin", comment=None, now=T0)
        with pytest.raises(RuleViolations):
            visit.resolve_review(accepted=True, by="admin", comment="", now=T0)
        visit.resolve_review(accepted=False, by="admin", comment="不在家", now=T0)
        assert (visit.status, visit.review_status, visit.ended_at) == (
            VisitStatus.voided,
            ReviewStatus.rejected,
            T0,
        )
        assert "不在家" in (visit.end_reason or "")

    def test_a_verified_visit_or_a_second_review_is_a_conflict(self) -> None:
        with pytest.raises(VisitStateConflict):
            finished().resolve_review(accepted=True, by="admin", comment="核实", now=T0)
        visit = self.held()
        visit.resolve_review(accepted=True, by="admin", comment="核实", now=T0)
        with pytest.raises(VisitStateConflict):
            visit.resolve_review(accepted=False, by="admin", comment="x", now=T0)


class TestOtherEnds:
    def test_a_visit_not_started_is_missed_after_its_window_and_the_grace(self) -> None:
        visit = schedule()
        grace = timedelta(minutes=60)
        assert not visit.mark_missed(now=T0 + timedelta(minutes=119), grace=grace)
        assert visit.mark_missed(now=T0 + timedelta(minutes=120), grace=grace)
        assert visit.status == VisitStatus.missed and "no check-in by" in (visit.end_reason or "")
        assert not visit.mark_missed(now=T0 + timedelta(days=1), grace=grace)

    def test_a_started_visit_is_never_missed_or_cancelled(self) -> None:
        visit = schedule()
        visit.start(location=at(), now=T0)
        assert not visit.mark_missed(now=T0 + timedelta(days=1), grace=timedelta(0))
        assert not visit.cancel(reason="suspended", now=T0)
        assert visit.status == VisitStatus.in_progress

    def test_a_declined_visit_goes_back_to_the_planner(self) -> None:
        visit = schedule()
        visit.accept(now=T0)
        had = visit.decline(by="dispatch:declined")
        assert (visit.caregiver_id, visit.accepted_at, visit.is_unassigned) == (None, None, True)
        assert had is not None and visit.window == (T0, T0 + timedelta(hours=1))

    def test_a_caregiver_on_the_way_cannot_decline(self) -> None:
        visit = schedule()
        visit.start_trip(now=T0)
        with pytest.raises(VisitStateConflict):
            visit.decline(by="x")

    def test_a_cancelled_visit_cannot_be_checked_in(self) -> None:
        visit = schedule()
        assert visit.cancel(reason="beneficiary suspended", now=T0)
        with pytest.raises(VisitStateConflict):
            visit.start(location=at(), now=T0)


def test_points_are_compared_in_metres() -> None:
    location, flags = locate(
        POLICY, POLICY.rule("CS22"), "check_in", Point(HOME.lat + 0.0017, HOME.lon), 10, HOME
    )
    assert location.ok and flags == []
