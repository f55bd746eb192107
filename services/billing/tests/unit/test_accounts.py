"""The monthly account's split of a charge, and the provider's running settlement."""

from __future__ import annotations

from uuid import uuid4

import pytest

from eldercare.billing.domain.accounts import Account, Settlement, SettlementStatus, Split

pytestmark = pytest.mark.unit


def account(entitlement_fen: int = 10000) -> Account:
    return Account(
        beneficiary_id=uuid4(), period="2026-03", district_code="430102", entitlement_fen=entitlement_fen
    )


class TestAccountCharge:
    def test_within_the_entitlement_everything_is_covered(self) -> None:
        a = account(10000)
        assert a.charge(4000) == Split(4000, 4000, 0)
        assert (a.used_fen, a.remaining_fen, a.beneficiary_pays_fen) == (4000, 6000, 0)

    def test_the_charge_that_exhausts_the_entitlement_is_split(self) -> None:
        a = account(10000)
        a.charge(8000)
        split = a.charge(5000)
        assert split == Split(5000, 2000, 3000)
        assert split.covered_fen + split.beneficiary_pays_fen == split.amount_fen
        assert (a.used_fen, a.remaining_fen, a.beneficiary_pays_fen) == (10000, 0, 3000)

    def test_after_exhaustion_the_beneficiary_pays_everything(self) -> None:
        a = account(5000)
        a.charge(5000)
        assert a.charge(3000) == Split(3000, 0, 3000)
        assert a.charge_count == 2

    def test_an_exact_fit_leaves_nothing_to_pay(self) -> None:
        assert account(5000).charge(5000) == Split(5000, 5000, 0)

    def test_a_zero_entitlement_covers_nothing(self) -> None:
        assert account(0).charge(5000) == Split(5000, 0, 5000)

    def test_a_free_service_is_counted_but_costs_nothing(self) -> None:
        a = account(5000)
        assert a.charge(0) == Split(0, 0, 0)
        assert (a.charge_count, a.remaining_fen) == (1, 5000)

    def test_a_negative_amount_is_a_bug(self) -> None:
        with pytest.raises(ValueError):
            account().charge(-1)


class TestSettlement:
    def test_a_settlement_accumulates_what_the_entitlements_cover(self) -> None:
        s = Settlement(provider_id=uuid4(), district_code="430102", period="2026-03")
        s.add(Split(5000, 5000, 0))
        s.add(Split(5000, 2000, 3000))
        assert (s.status, s.total_fen, s.gross_fen, s.beneficiary_pays_fen, s.charge_count) == (
            SettlementStatus.open,
            7000,
            10000,
            3000,
            2,
        )


class TestLapsed:
    def test_what_the_month_left_unused_lapses_and_is_never_negative(self) -> None:
        a = account(10000)
        a.charge(3000)
        assert a.lapsed_fen == 7000
        a.charge(9000)  # 7,000 covered, 2,000 self-pay
        assert a.lapsed_fen == 0
