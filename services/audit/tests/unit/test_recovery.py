"""Funds recovery (changsha-2024 第十八条（四）) and its fine (nanchang-2019 第四十四条), as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from eldercare.audit.domain.errors import InvalidRecovery
from eldercare.audit.domain.recovery import FundsRecovery, RecoveryStatus, city_of
from eldercare.audit.domain.rectification import Finding, FindingSource, FindingType

AT = datetime(2026, 11, 20, tzinfo=UTC)
PROVIDER = uuid4()


def finding(**kw: Any) -> Finding:
    values: dict[str, Any] = {
        "district_code": "430102",
        "provider_id": PROVIDER,
        "type": FindingType.false_information,
        "source": FindingSource.fraud_signal,
        "source_id": uuid4(),
        "evidence": ("e",),
        "description": "d",
        "recorded_by": "a",
        "recorded_at": AT,
        "visit_ids": (uuid4(),),
    }
    return Finding(**(values | kw))


def order(findings: list[Finding], **kw: Any) -> FundsRecovery:
    values: dict[str, Any] = {
        "visit_ids": (),
        "fine_rate_percent": None,
        "city_fines": False,
        "by": "o",
        "at": AT,
    }
    return FundsRecovery.order(findings, **(values | kw))


class TestOrder:
    def test_by_default_it_recovers_every_visit_the_findings_name(self) -> None:
        a, b = finding(), finding()
        r = order([a, b])
        assert r.visit_ids == a.visit_ids + b.visit_ids
        assert r.basis == ("changsha-2024-purchased-door-to-door-rules.md 第十八条（四）",)
        assert (r.provider_id, r.status, r.fine_rate_percent) == (PROVIDER, RecoveryStatus.ordered, None)

    def test_only_false_information_findings_recover_funds(self) -> None:
        with pytest.raises(InvalidRecovery) as e:
            order([finding(), finding(type=FindingType.not_per_plan)])
        assert e.value.field == "finding_ids"

    def test_findings_of_two_providers_are_refused(self) -> None:
        with pytest.raises(InvalidRecovery):
            order([finding(), finding(provider_id=uuid4())])

    def test_a_visit_the_findings_do_not_concern_is_refused(self) -> None:
        with pytest.raises(InvalidRecovery) as e:
            order([finding()], visit_ids=(uuid4(),))
        assert e.value.field == "visit_ids"

    def test_a_finding_without_visits_needs_them_named(self) -> None:
        with pytest.raises(InvalidRecovery):
            order([finding(visit_ids=())])
        visit = uuid4()
        assert order([finding(visit_ids=())], visit_ids=(visit,)).visit_ids == (visit,)


class TestFine:
    def test_where_the_city_fines_the_rate_is_named_and_cited(self) -> None:
        r = order([finding()], city_fines=True, fine_rate_percent=30)
        assert r.fine_rate_percent == 30
        assert r.basis[-1] == "nanchang-2019-home-care-regulation.md 第四十四条"

    @pytest.mark.parametrize("rate", [9, 51])
    def test_the_rate_is_10_to_50_percent(self, rate: int) -> None:
        with pytest.raises(InvalidRecovery) as e:
            order([finding()], city_fines=True, fine_rate_percent=rate)
        assert e.value.field == "fine_rate_percent"

    def test_a_fining_city_requires_the_rate(self) -> None:
        with pytest.raises(InvalidRecovery):
            order([finding()], city_fines=True)

    def test_a_city_that_does_not_fine_takes_no_rate(self) -> None:
        with pytest.raises(InvalidRecovery):
            order([finding()], city_fines=False, fine_rate_percent=20)


def test_a_recovery_is_booked_once() -> None:
    r = order([finding()])
    statement = uuid4()
    assert r.book(statement, AT) is True
    assert r.book(uuid4(), AT) is False
    assert (r.status, r.statement_id) == (RecoveryStatus.booked, statement)


def test_the_city_is_the_first_four_digits_of_the_district() -> None:
    assert city_of("360102") == "3601"
