"""A charge's day and month, why it may be held, and its one-way decision."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from eldercare.billing.domain.accounts import Account, Settlement
from eldercare.billing.domain.charges import Charge, ChargeReason, ChargeStatus, VisitFacts, eligibility_hold
from eldercare.billing.domain.entitlements import BeneficiaryStatus
from eldercare.billing.domain.errors import ChargeNotPending
from eldercare.billing.domain.pricing import PriceItem, Unit

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 10, 3, tzinfo=UTC)


def visit(checked_in_at: datetime = datetime(2026, 3, 10, 1, tzinfo=UTC), **kw: object) -> VisitFacts:
    fields: dict[str, object] = {
        "visit_id": uuid4(),
        "beneficiary_id": uuid4(),
        "provider_id": uuid4(),
        "district_code": "430102",
        "service_code": "CS25",
        "checked_in_at": checked_in_at,
        "duration_minutes": 90,
        "verified": True,
        **kw,
    }
    return VisitFacts(**fields)  # type: ignore[arg-type]


class TestChargeForVisit:
    def test_the_day_and_month_are_those_of_shanghai(self) -> None:
        # 16:30 UTC on 31 March is 00:30 on 1 April in Asia/Shanghai.
        charge = Charge.for_visit(visit(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)))
        assert (str(charge.visit_on), charge.period) == ("2026-04-01", "2026-04")

    def test_a_new_charge_waits_for_its_decision(self) -> None:
        charge = Charge.for_visit(visit())
        assert (charge.status, charge.decided, charge.amount_fen) == (
            ChargeStatus.awaiting_entitlement,
            False,
            None,
        )


class TestEligibilityHold:
    @pytest.mark.parametrize(
        ("verified", "status", "reason"),
        [
            (False, BeneficiaryStatus.active, ChargeReason.unverified),
            (False, None, ChargeReason.unverified),
            (True, None, ChargeReason.not_yet_entitled),
            (True, BeneficiaryStatus.suspended, ChargeReason.beneficiary_suspended),
            (True, BeneficiaryStatus.terminated, ChargeReason.beneficiary_terminated),
            (True, BeneficiaryStatus.active, None),
        ],
    )
    def test_only_a_verified_visit_of_an_active_beneficiary_may_be_charged(
        self, verified: bool, status: BeneficiaryStatus | None, reason: ChargeReason | None
    ) -> None:
        assert eligibility_hold(verified, status) is reason


class TestPosting:
    def test_posting_prices_splits_and_settles_the_visit(self) -> None:
        v = visit()
        charge = Charge.for_visit(v)
        account = Account(v.beneficiary_id, charge.period, "430102", entitlement_fen=5000)
        settlement = Settlement(v.provider_id, "430102", charge.period)
        list_id = uuid4()
        split = charge.post(list_id, PriceItem("CS25", Unit.hour, 6000), account, settlement, NOW)
        assert (split.amount_fen, split.covered_fen, split.beneficiary_pays_fen) == (9000, 5000, 4000)
        assert (charge.status, charge.reason, charge.price_list_id, charge.posted_at) == (
            ChargeStatus.posted,
            None,
            list_id,
            NOW,
        )
        assert (charge.unit, charge.unit_price_fen, charge.amount_fen) == (Unit.hour, 6000, 9000)
        assert (account.used_fen, settlement.total_fen, settlement.gross_fen) == (5000, 5000, 9000)

    def test_a_decided_charge_cannot_be_decided_again(self) -> None:
        v = visit()
        charge = Charge.for_visit(v)
        charge.hold(ChargeReason.unverified)
        account = Account(v.beneficiary_id, charge.period, "430102", entitlement_fen=5000)
        with pytest.raises(ChargeNotPending):
            charge.post(
                uuid4(),
                PriceItem("CS25", Unit.hour, 6000),
                account,
                Settlement(v.provider_id, "430102", "2026-03"),
                NOW,
            )
        assert (account.used_fen, charge.status) == (0, ChargeStatus.held)

    def test_an_unpriced_charge_keeps_its_reason_and_no_amount(self) -> None:
        charge = Charge.for_visit(visit())
        charge.leave_unpriced(ChargeReason.no_price_list)
        assert (charge.status, charge.reason, charge.amount_fen) == (
            ChargeStatus.unpriced,
            ChargeReason.no_price_list,
            None,
        )
