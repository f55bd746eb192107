"""The fraud signals as pure rules (domain.fraud) and a flag's investigation (domain.visit_flag)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from eldercare.audit.domain.errors import FlagNotResolvable
from eldercare.audit.domain.fraud import (
    DensityPeriod,
    FraudRules,
    HospitalStay,
    InactivePeriod,
    Signal,
    StatusChange,
    VisitRecord,
    china_day,
    density,
    detect,
    haversine_km,
    inactive_periods,
    reused_photos,
    round_point,
)
from eldercare.audit.domain.rectification import FindingSource, FindingType
from eldercare.audit.domain.visit_flag import DEFAULT_FINDING_TYPES, FlagSource, FlagStatus, VisitFlag
from eldercare.common.contracts import VisitCompleted

T0 = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)  # 09:00 in China
CAREGIVER = uuid4()
HOME_A = round_point(28.19, 112.97)
HOME_B = round_point(28.19, 113.27)  # about 29 km east


def visit(start_min: int, minutes: int = 60, **kw: Any) -> VisitRecord:
    values: dict[str, Any] = {
        "visit_id": uuid4(),
        "provider_id": uuid4(),
        "caregiver_id": CAREGIVER,
        "beneficiary_id": uuid4(),
        "district_code": "430102",
        "checked_in_at": T0 + timedelta(minutes=start_min),
        "checked_out_at": T0 + timedelta(minutes=start_min + minutes),
        "planned_minutes": 60,
        "location_ok": True,
        "home": HOME_A,
    }
    return VisitRecord(**(values | kw))


def signals(hits: list[Any], v: VisitRecord) -> set[Signal]:
    return {h.signal for h in hits if h.visit_id == v.visit_id}


class TestOverlappingVisits:
    def test_a_check_in_before_the_previous_check_out_flags_both_visits(self) -> None:
        a, b = visit(0), visit(30)
        hits = detect([b, a])
        assert Signal.overlapping_visits in signals(hits, a)
        assert Signal.overlapping_visits in signals(hits, b)

    def test_an_overlap_within_the_tolerance_is_not_a_signal(self) -> None:
        a, b = visit(0), visit(57)
        assert detect([a, b], rules=FraudRules(overlap_tolerance_minutes=5)) == []

    def test_a_visit_inside_a_long_one_overlaps_it_even_after_a_short_one(self) -> None:
        long, short, inner = visit(0, minutes=240), visit(10, minutes=5), visit(120)
        hits = detect([long, short, inner])
        assert Signal.overlapping_visits in signals(hits, inner)

    def test_visits_of_different_caregivers_never_overlap(self) -> None:
        assert detect([visit(0), visit(30, caregiver_id=uuid4())]) == []


class TestImpossibleTravel:
    def test_29_km_in_15_minutes_flags_the_later_visit(self) -> None:
        a, b = visit(0), visit(75, home=HOME_B)
        hits = detect([a, b])
        assert signals(hits, b) == {Signal.impossible_travel}
        assert signals(hits, a) == set()
        evidence = next(h.evidence for h in hits if h.visit_id == b.visit_id)
        assert evidence["previous_visit_id"] == str(a.visit_id)
        assert evidence["minutes"] == 15

    def test_29_km_in_an_hour_is_possible_at_60_kmh(self) -> None:
        assert detect([visit(0), visit(120, home=HOME_B)]) == []

    def test_the_rounding_of_homes_is_never_counted_as_travel(self) -> None:
        near = round_point(28.195, 112.975)  # another cell of the grid, a few hundred metres away
        assert haversine_km(HOME_A, near) < 1.6
        assert detect([visit(0), visit(60, home=near)]) == []

    def test_an_unknown_home_is_not_judged(self) -> None:
        assert detect([visit(0), visit(75, home=None)]) == []


class TestRepeatedGeofenceMiss:
    def test_three_misses_within_30_days_flag_all_three(self) -> None:
        misses = [visit(day * 24 * 60, location_ok=False) for day in (0, 10, 20)]
        hits = detect([*misses, visit(5 * 24 * 60)])
        assert {h.visit_id for h in hits} == {m.visit_id for m in misses}
        assert {h.signal for h in hits} == {Signal.repeated_geofence_miss}

    def test_misses_spread_over_more_than_the_window_are_not_a_signal(self) -> None:
        misses = [visit(day * 24 * 60, location_ok=False) for day in (0, 20, 40)]
        assert detect(misses) == []

    def test_the_number_of_misses_is_a_setting(self) -> None:
        misses = [visit(day * 24 * 60, location_ok=False) for day in (0, 1)]
        assert len(detect(misses, rules=FraudRules(geofence_misses=2))) == 2


class TestShortVisit:
    def test_under_half_the_plan_is_short(self) -> None:
        v = visit(0, minutes=25)
        hits = detect([v])
        assert signals(hits, v) == {Signal.short_visit}
        assert hits[0].evidence == {"minutes": 25, "planned_minutes": 60}

    def test_half_the_plan_is_not(self) -> None:
        assert detect([visit(0, minutes=30)]) == []

    def test_a_visit_without_a_plan_is_not_judged(self) -> None:
        assert detect([visit(0, minutes=5, planned_minutes=None)]) == []


class TestVisitWhileHospitalised:
    def test_a_visit_after_the_emergency_on_the_day_of_the_stay_is_flagged(self) -> None:
        v = visit(180)
        stay = HospitalStay(v.beneficiary_id, T0 + timedelta(minutes=60), china_day(T0), uuid4())
        assert signals(detect([v], [stay]), v) == {Signal.visit_while_hospitalised}

    def test_the_visit_during_which_the_emergency_was_raised_is_not(self) -> None:
        v = visit(0)
        stay = HospitalStay(v.beneficiary_id, T0 + timedelta(minutes=30), china_day(T0))
        assert detect([v], [stay]) == []

    def test_a_visit_the_day_after_the_stay_ended_is_not(self) -> None:
        v = visit(24 * 60)
        stay = HospitalStay(v.beneficiary_id, T0 - timedelta(hours=1), china_day(T0))
        assert detect([v], [stay]) == []

    def test_another_beneficiarys_stay_does_not_count(self) -> None:
        v = visit(180)
        assert detect([v], [HospitalStay(uuid4(), T0, china_day(T0))]) == []


class TestDetect:
    def test_only_restricts_the_rules_run(self) -> None:
        a, b = visit(0, minutes=20), visit(10, minutes=20)
        assert {h.signal for h in detect([a, b], only=frozenset({Signal.short_visit}))} == {
            Signal.short_visit
        }

    def test_the_china_day_of_a_late_utc_check_in_is_the_next_day(self) -> None:
        assert china_day(datetime(2026, 11, 20, 17, 0, tzinfo=UTC)) == date(2026, 11, 21)


def flag(**kw: Any) -> VisitFlag:
    values: dict[str, Any] = {
        "visit_id": uuid4(),
        "provider_id": uuid4(),
        "caregiver_id": uuid4(),
        "beneficiary_id": uuid4(),
        "district_code": "430102",
        "source": FlagSource.fraud_signal,
        "signal": "overlapping_visits",
        "score": 80,
        "evidence": {"other_visit_id": "x"},
        "raised_at": T0,
    }
    return VisitFlag(**(values | kw))


class TestVisitFlag:
    def test_clearing_opens_no_finding(self) -> None:
        f = flag()
        assert (
            f.resolve(confirmed=False, notes="同一护理员两张工单录入错误", finding_type=None, by="a", at=T0)
            is None
        )
        assert f.status is FlagStatus.cleared and f.finding_id is None

    def test_confirming_an_overlap_opens_a_false_information_finding_on_the_visit(self) -> None:
        f = flag()
        finding = f.resolve(confirmed=True, notes="核实", finding_type=None, by="a", at=T0)
        assert finding is not None
        assert finding.type is FindingType.false_information
        assert finding.basis.endswith("第十八条（四）")
        assert finding.source is FindingSource.fraud_signal and finding.source_id == f.id
        assert finding.visit_ids == (f.visit_id,)
        assert f.finding_id == finding.id

    def test_a_short_visit_confirmed_is_not_per_plan(self) -> None:
        finding = flag(signal="short_visit").resolve(
            confirmed=True, notes="n", finding_type=None, by="a", at=T0
        )
        assert finding is not None and finding.type is FindingType.not_per_plan

    def test_the_investigator_may_name_another_kind(self) -> None:
        finding = flag().resolve(
            confirmed=True, notes="n", finding_type=FindingType.other_serious, by="a", at=T0
        )
        assert finding is not None and finding.type is FindingType.other_serious

    def test_a_flag_is_resolved_once(self) -> None:
        f = flag()
        f.resolve(confirmed=False, notes="n", finding_type=None, by="a", at=T0)
        with pytest.raises(FlagNotResolvable):
            f.resolve(confirmed=True, notes="n", finding_type=None, by="a", at=T0)

    def test_a_cleared_flag_names_no_finding_type(self) -> None:
        with pytest.raises(FlagNotResolvable):
            flag().resolve(confirmed=False, notes="n", finding_type=FindingType.other_serious, by="a", at=T0)


class TestFlagRaisedWithItsFinding:
    def test_confirming_it_opens_no_second_finding(self) -> None:
        linked = uuid4()
        f = flag(source=FlagSource.survey, signal="not_delivered", finding_id=linked)
        assert f.resolve(confirmed=True, notes="n", finding_type=None, by="a", at=T0) is None
        assert (f.status, f.finding_id) == (FlagStatus.confirmed, linked)

    def test_naming_another_kind_requalifies_it_with_a_finding_of_that_kind(self) -> None:
        f = flag(source=FlagSource.survey, signal="not_delivered", finding_id=uuid4())
        finding = f.resolve(
            confirmed=True, notes="n", finding_type=FindingType.false_information, by="a", at=T0
        )
        assert finding is not None and finding.type is FindingType.false_information
        assert (finding.source, f.finding_id) == (FindingSource.survey, finding.id)


def change(beneficiary, status: str, effective_on: date, minute: int = 0) -> StatusChange:  # type: ignore[no-untyped-def]
    return StatusChange(beneficiary, status, effective_on, T0 + timedelta(minutes=minute))


class TestVisitWhileSuspended:
    def test_the_history_gives_each_suspension_until_the_resumption(self) -> None:
        b = uuid4()
        periods = inactive_periods(
            [
                change(b, "suspended", date(2026, 11, 10), 2),
                change(b, "active", date(2026, 10, 1)),
                change(b, "active", date(2026, 11, 15), 3),
                change(b, "terminated", date(2026, 11, 25), 4),
            ]
        )
        assert periods == [
            InactivePeriod(b, "suspended", date(2026, 11, 10), date(2026, 11, 15)),
            InactivePeriod(b, "terminated", date(2026, 11, 25), None),
        ]

    def test_for_one_effective_date_the_change_made_last_wins(self) -> None:
        b = uuid4()
        # Suspended from the 10th, then intake corrected it: active on the 10th after all.
        assert (
            inactive_periods(
                [change(b, "suspended", date(2026, 11, 10), 1), change(b, "active", date(2026, 11, 10), 2)]
            )
            == []
        )

    def test_a_visit_on_a_suspended_or_terminated_day_is_flagged_with_the_period(self) -> None:
        b = uuid4()
        inactive = [InactivePeriod(b, "suspended", date(2026, 11, 18), date(2026, 11, 20))]
        during = visit(-24 * 60, beneficiary_id=b)  # 19 November
        resumed = visit(0, beneficiary_id=b)  # 20 November: active again
        hits = detect([during, resumed], inactive=inactive)
        assert signals(hits, during) == {Signal.visit_while_suspended}
        assert signals(hits, resumed) == set()
        [h] = hits
        assert h.score == 90
        assert h.evidence == {
            "status": "suspended",
            "inactive_from": "2026-11-18",
            "inactive_until": "2026-11-20",
        }

    def test_the_china_day_decides(self) -> None:
        b = uuid4()
        inactive = [InactivePeriod(b, "terminated", date(2026, 11, 21))]
        # 16:30 UTC on the 20th is 00:30 on the 21st in China.
        late = visit(15 * 60 + 30, beneficiary_id=b)
        assert signals(detect([late], inactive=inactive), late) == {Signal.visit_while_suspended}


class TestCaregiverDensity:
    def test_a_caregiver_far_above_the_districts_median_that_day_is_flagged(self) -> None:
        peers = [visit(i * 90, caregiver_id=c) for c in (uuid4(), uuid4(), uuid4()) for i in range(4)]
        busy = uuid4()
        many = [visit(i * 20, minutes=15, caregiver_id=busy) for i in range(13)]
        hits = density([*peers, *many], FraudRules(density_factor=3.0, density_min_visits=10))
        assert {h.visit_id for h in hits} == {v.visit_id for v in many}
        assert hits[0].signal is Signal.caregiver_density and hits[0].score == 60
        assert hits[0].evidence | {"caregiver_id": None} == {
            "period": "day",
            "period_start": "2026-11-20",
            "district_code": "430102",
            "caregiver_id": None,
            "caregiver_visits": 13,
            "peer_median": 4.0,
            "peers": 4,
        }

    def test_at_most_the_factor_or_below_the_minimum_is_not_a_signal(self) -> None:
        peers = [visit(i * 90, caregiver_id=c) for c in (uuid4(), uuid4(), uuid4()) for i in range(4)]
        one = [visit(0, minutes=15, caregiver_id=uuid4())]
        busy = uuid4()
        exactly = [visit(i * 20, minutes=15, caregiver_id=busy) for i in range(12)]  # 3 x 4: not above
        assert density([*peers, *one, *exactly], FraudRules(density_factor=3.0, density_min_visits=10)) == []
        few = [visit(0, caregiver_id=uuid4()), visit(0, caregiver_id=uuid4())]
        five = [visit(i * 20, caregiver_id=busy) for i in range(5)]
        assert density([*few, *five], FraudRules(density_factor=2.0, density_min_visits=10)) == []

    def test_districts_and_weeks_are_counted_apart(self) -> None:
        busy = uuid4()
        rules = FraudRules(density_factor=2.0, density_min_visits=3, density_period=DensityPeriod.week)
        # Mon 16 .. Sun 22 November: 1 visit a day for two peers, 3 a day for the busy one.
        week = [
            visit(d * 24 * 60 - 4 * 24 * 60, caregiver_id=c) for c in (uuid4(), uuid4()) for d in range(7)
        ]
        heavy = [
            visit(d * 24 * 60 - 4 * 24 * 60 + i * 70, caregiver_id=busy) for d in range(7) for i in range(3)
        ]
        elsewhere = [visit(i * 70, caregiver_id=uuid4(), district_code="430103") for i in range(30)]
        hits = density([*week, *heavy, *elsewhere], rules)
        assert {h.visit_id for h in hits} == {v.visit_id for v in heavy}
        assert {h.evidence["period_start"] for h in hits} == {"2026-11-16"}

    def test_detect_never_raises_density(self) -> None:
        assert Signal.caregiver_density not in {
            h.signal for h in detect([visit(i * 5, minutes=4) for i in range(50)])
        }


DOOR, LEAFLET = "d" * 64, "1" * 64
DAY = 24 * 60


class TestReusedPhoto:
    def test_one_photo_on_two_visits_of_different_caregivers_flags_both_naming_each_other(self) -> None:
        first = visit(0, photos=(DOOR,))
        second = visit(3 * DAY, caregiver_id=uuid4(), photos=(LEAFLET, DOOR))
        hits = reused_photos([first, second])
        by_visit = {h.visit_id: h for h in hits}
        assert set(by_visit) == {first.visit_id, second.visit_id}
        assert {h.signal for h in hits} == {Signal.reused_photo} and {h.score for h in hits} == {85}
        assert by_visit[first.visit_id].evidence == {
            "other_visit_id": str(second.visit_id),
            "sha256": DOOR,
            "hours_apart": 72.0,
        }
        assert by_visit[second.visit_id].evidence["other_visit_id"] == str(first.visit_id)

    def test_different_photos_are_nothing(self) -> None:
        assert reused_photos([visit(0, photos=(DOOR,)), visit(60, photos=(LEAFLET,)), visit(90)]) == []

    def test_the_same_photo_twice_on_one_visit_is_nothing(self) -> None:
        assert reused_photos([visit(0, photos=(DOOR, DOOR))]) == []
        # The same visit delivered twice (two records of one id) is still one visit.
        once = visit(0, photos=(DOOR,))
        assert reused_photos([once, once]) == []

    def test_visits_the_window_or_more_apart_are_nothing(self) -> None:
        rules = FraudRules(geofence_window_days=30)
        assert reused_photos([visit(0, photos=(DOOR,)), visit(30 * DAY, photos=(DOOR,))], rules) == []
        assert len(reused_photos([visit(0, photos=(DOOR,)), visit(30 * DAY - 1, photos=(DOOR,))], rules)) == 2

    def test_the_window_defaults_to_the_context_and_is_a_setting(self) -> None:
        assert FraudRules(geofence_window_days=45).photo_window == timedelta(days=45)
        rules = FraudRules(geofence_window_days=30, photo_reuse_days=7)
        assert rules.photo_window == timedelta(days=7)
        assert rules.parameters(Signal.reused_photo) == {"photo_reuse_days": 7}
        assert reused_photos([visit(0, photos=(DOOR,)), visit(8 * DAY, photos=(DOOR,))], rules) == []
        # A window longer than the geofence's widens the context the stream and the batch read.
        assert FraudRules(geofence_window_days=30, photo_reuse_days=60).context == timedelta(days=60)

    def test_one_hit_per_visit_naming_the_nearest_whatever_the_order(self) -> None:
        a, b, c = visit(0, photos=(DOOR,)), visit(DAY, photos=(DOOR,)), visit(5 * DAY, photos=(DOOR,))
        forward, backward = reused_photos([a, b, c]), reused_photos([c, b, a])
        assert len(forward) == 3
        assert {h.visit_id: h.evidence for h in forward} == {h.visit_id: h.evidence for h in backward}
        nearest = {h.visit_id: h.evidence["other_visit_id"] for h in forward}
        assert nearest == {
            a.visit_id: str(b.visit_id),
            b.visit_id: str(a.visit_id),
            c.visit_id: str(b.visit_id),
        }

    def test_detect_leaves_photos_to_their_own_rule_and_a_confirmed_one_is_false_information(self) -> None:
        assert detect([visit(0, photos=(DOOR,)), visit(2 * DAY, photos=(DOOR,))]) == []
        assert DEFAULT_FINDING_TYPES[Signal.reused_photo] is FindingType.false_information


class TestVisitCompletedPhotos:
    def event(self, **kw: Any) -> dict[str, Any]:
        return {
            "visit_id": str(uuid4()),
            "care_plan_id": str(uuid4()),
            "beneficiary_id": str(uuid4()),
            "provider_id": str(uuid4()),
            "caregiver_id": str(uuid4()),
            "district_code": "430102",
            "service_code": "CS22",
            "checked_in_at": T0.isoformat(),
            "checked_out_at": (T0 + timedelta(hours=1)).isoformat(),
            "duration_minutes": 60,
            "verified": True,
            "verification_notes": [],
            **kw,
        }

    def test_an_event_without_photo_hashes_still_validates_with_none(self) -> None:
        assert VisitCompleted.model_validate(self.event()).photo_sha256s == []

    def test_photo_hashes_must_be_lowercase_hex_sha256_and_bounded(self) -> None:
        assert VisitCompleted.model_validate(self.event(photo_sha256s=[DOOR])).photo_sha256s == [DOOR]
        for bad in (["D" * 64], ["d" * 63], ["a photo"], [DOOR] * 33):
            with pytest.raises(ValueError, match="photo_sha256s"):
                VisitCompleted.model_validate(self.event(photo_sha256s=bad))
