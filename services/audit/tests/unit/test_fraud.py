"""The fraud signals as pure rules (domain.fraud) and a flag's investigation (domain.visit_flag)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from eldercare.audit.domain.errors import FlagNotResolvable
from eldercare.audit.domain.fraud import (
    FraudRules,
    HospitalStay,
    Signal,
    VisitRecord,
    china_day,
    detect,
    haversine_km,
    round_point,
)
from eldercare.audit.domain.rectification import FindingSource, FindingType
from eldercare.audit.domain.visit_flag import FlagSource, FlagStatus, VisitFlag

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
