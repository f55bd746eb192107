"""A charge reversed, held on cancellation or released by a review; the entitlement in force for a
month after a change."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from eldercare.billing.domain.accounts import Account, Settlement
from eldercare.billing.domain.charges import Charge, ChargeReason, ChargeStatus, VisitFacts
from eldercare.billing.domain.entitlements import AmountChange, Entitlement, Proration, Provenance
from eldercare.billing.domain.pricing import PriceItem, Unit

pytestmark = pytest.mark.unit

AT = datetime(2026, 3, 20, 2, tzinfo=UTC)


def charge(verified: bool = True) -> Charge:
    return Charge.for_visit(
        VisitFacts(
            visit_id=uuid4(),
            beneficiary_id=uuid4(),
            provider_id=uuid4(),
            district_code="430102",
            service_code="CS22",
            checked_in_at=datetime(2026, 3, 10, 1, tzinfo=UTC),
            duration_minutes=60,
            verified=verified,
        )
    )


def posted(amount: int = 5000, entitlement: int = 3000) -> tuple[Charge, Account, Settlement]:
    c = charge()
    account = Account(c.beneficiary_id, c.period, "430102", entitlement)
    settlement = Settlement(c.provider_id, "430102", c.period)
    c.post(uuid4(), PriceItem("CS22", Unit.visit, amount), account, settlement, AT)
    return c, account, settlement


class TestCancel:
    def test_a_posted_charge_is_reversed_and_gives_its_split_back(self) -> None:
        c, account, settlement = posted()
        assert c.cancel(ChargeReason.visit_voided, "照片造假", AT, account, settlement) is True
        assert (c.status, c.reason, c.outcome_note, c.reversed_at) == (
            ChargeStatus.reversed,
            ChargeReason.visit_voided,
            "照片造假",
            AT,
        )
        assert (c.amount_fen, c.covered_fen, c.beneficiary_pays_fen) == (5000, 3000, 2000)
        assert (account.used_fen, account.beneficiary_pays_fen, account.charge_count) == (0, 0, 0)
        assert (settlement.total_fen, settlement.gross_fen, settlement.charge_count) == (0, 0, 0)

    def test_reversing_twice_reverses_once(self) -> None:
        c, account, settlement = posted()
        c.cancel(ChargeReason.visit_voided, "", AT, account, settlement)
        assert c.cancel(ChargeReason.visit_cancelled, "", AT, account, settlement) is False
        assert (account.used_fen, c.reason) == (0, ChargeReason.visit_voided)

    def test_a_charge_not_posted_is_held_with_the_first_cancelling_reason(self) -> None:
        c = charge(verified=False)
        c.hold(ChargeReason.unverified)
        assert c.cancel(ChargeReason.verification_rejected, "no", AT, None, None) is False
        c.cancel(ChargeReason.visit_voided, "later", AT, None, None)
        assert (c.status, c.reason, c.outcome_note) == (
            ChargeStatus.held,
            ChargeReason.verification_rejected,
            "no",
        )


class TestAcceptVerification:
    def test_only_a_charge_held_as_unverified_goes_back_to_be_decided(self) -> None:
        c = charge(verified=False)
        c.hold(ChargeReason.unverified)
        assert c.accept_verification("ok") is True
        assert (c.status, c.verified, c.decided) == (ChargeStatus.awaiting_entitlement, True, False)
        other = charge()
        other.hold(ChargeReason.beneficiary_suspended)
        assert other.accept_verification("ok") is False


class TestEntitlementChanges:
    def test_a_month_uses_the_latest_change_effective_in_or_before_it(self) -> None:
        e = Entitlement(uuid4(), "430102", 4000, date(2026, 1, 1), AT)
        e.enrol("430102", 4000, date(2026, 1, 1), AT)

        def change(day: date, fen: int, at: datetime = AT) -> AmountChange:
            return AmountChange(day, at, "reassessment", fen, Provenance(None, 2, "changsha-2024", "2024.1"))

        e.amounts = [change(date(2026, 4, 1), 9000), change(date(2026, 6, 1), 1000)]
        assert [e.month_fen(p, Proration.none) for p in ("2026-03", "2026-04", "2026-05", "2026-06")] == [
            4000,
            9000,
            9000,
            1000,
        ]
        e.amounts.append(change(date(2026, 4, 1), 7000, datetime(2026, 3, 30, tzinfo=UTC)))
        assert e.month_fen("2026-04", Proration.none) == 7000  # the later decision for that month
