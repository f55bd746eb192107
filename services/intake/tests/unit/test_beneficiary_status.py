"""The beneficiary aggregate's status transitions, reasons and dates (no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from eldercare.common.errors import InvalidInput
from eldercare.intake.domain.beneficiary import Beneficiary, BeneficiaryStatus, StatusReason
from eldercare.intake.domain.errors import StatusChangeNotAllowed

AT = datetime(2026, 11, 23, tzinfo=UTC)
S, R = BeneficiaryStatus, StatusReason


def beneficiary() -> Beneficiary:
    return Beneficiary(
        person_id=uuid4(),
        application_id=uuid4(),
        district_code="430102",
        community_code="430102001001",
        pack_id="changsha-2024",
        pack_version="2024.1",
        assessment_level=2,
        monthly_amount_fen=30000,
        service_categories=("daily_living",),
        emergency_help_required=False,
        basis=(),
        effective_on=date(2026, 11, 1),
        enrolled_by="officer",
        enrolled_at=AT,
    )


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([(S.suspended, R.hospitalised)], S.suspended),
        ([(S.suspended, R.away), (S.active, R.resumed)], S.active),
        ([(S.terminated, R.death)], S.terminated),
        ([(S.suspended, R.away), (S.terminated, R.moved_out)], S.terminated),
        ([(S.terminated, R.no_longer_eligible)], S.terminated),
        ([(S.terminated, R.fraud)], S.terminated),
    ],
)
def test_allowed_paths_end_in_their_status_with_a_history_entry_each(
    path: list[tuple[BeneficiaryStatus, StatusReason]], final: BeneficiaryStatus
) -> None:
    b = beneficiary()
    for status, reason in path:
        b.change_status(status, reason, date(2026, 11, 23), "officer", AT)
    assert b.status is final and [(c.to_status, c.reason) for c in b.history] == path


def test_terminated_is_final() -> None:
    b = beneficiary()
    b.change_status(S.terminated, R.death, date(2026, 11, 23), "officer", AT)
    for status, reason in [(S.active, R.resumed), (S.suspended, R.away), (S.terminated, R.fraud)]:
        with pytest.raises(StatusChangeNotAllowed):
            b.change_status(status, reason, date(2026, 11, 24), "officer", AT)


def test_a_change_may_not_take_effect_before_the_previous_one() -> None:
    b = beneficiary()
    b.change_status(S.suspended, R.away, date(2026, 11, 20), "officer", AT)
    with pytest.raises(InvalidInput) as caught:
        b.change_status(S.active, R.resumed, date(2026, 11, 19), "officer", AT)
    assert caught.value.field == "effective_on"
    b.change_status(S.active, R.resumed, date(2026, 11, 20), "officer", AT)
