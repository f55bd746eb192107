"""The beneficiary projection: re-enrolment and status changes arriving in any order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from eldercare.dispatch.domain.beneficiaries import Beneficiary, BeneficiaryStatus
from eldercare.dispatch.domain.geo import Point

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def enrolled(**overrides: Any) -> Beneficiary:
    fields: dict[str, Any] = {
        "id": uuid4(),
        "district_code": "430102",
        "community_code": "430102001001",
        "home_point": Point(28.19, 112.97),
        "service_categories": ("welfare_visit",),
        "emergency_help_required": False,
        "status": BeneficiaryStatus.active,
        "enrolled_at": T0,
        "status_changed_at": T0,
        **overrides,
    }
    return Beneficiary(**fields)


class TestStatusChanges:
    def test_a_later_change_is_applied(self) -> None:
        b = enrolled()
        assert b.change_status(BeneficiaryStatus.suspended, "hospitalised", T0 + timedelta(days=1))
        assert (b.status, b.status_reason, b.is_active) == (
            BeneficiaryStatus.suspended,
            "hospitalised",
            False,
        )

    def test_an_older_change_than_the_last_applied_is_ignored(self) -> None:
        b = enrolled()
        b.change_status(BeneficiaryStatus.terminated, "deceased", T0 + timedelta(days=2))
        assert not b.change_status(BeneficiaryStatus.active, "resumed", T0 + timedelta(days=1))
        assert b.status == BeneficiaryStatus.terminated


class TestReEnrolment:
    def test_a_later_enrolment_refreshes_the_facts_and_reactivates(self) -> None:
        b = enrolled()
        b.change_status(BeneficiaryStatus.terminated, "moved away", T0 + timedelta(days=1))
        later = enrolled(
            id=b.id,
            district_code="430103",
            home_point=None,
            emergency_help_required=True,
            enrolled_at=T0 + timedelta(days=30),
        )
        b.re_enrol(later)
        assert (b.district_code, b.home_point, b.emergency_help_required) == ("430103", None, True)
        assert (b.status, b.status_reason) == (BeneficiaryStatus.active, None)

    def test_a_replayed_older_enrolment_does_not_undo_a_later_suspension(self) -> None:
        b = enrolled()
        b.change_status(BeneficiaryStatus.suspended, "hospitalised", T0 + timedelta(days=1))
        b.re_enrol(enrolled(id=b.id))
        assert b.status == BeneficiaryStatus.suspended
