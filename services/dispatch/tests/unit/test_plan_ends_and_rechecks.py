"""Issue #5 without a database: a termination decided ahead of its day (pending on the beneficiary
projection, reversed by a newer change), and the re-check of a plan in force (over_entitlement)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

import pytest

from eldercare.dispatch.domain.beneficiaries import Beneficiary, BeneficiaryStatus
from eldercare.dispatch.domain.errors import BeneficiaryNotActive
from eldercare.dispatch.domain.plan_fit import (
    Entitlement,
    FitStatus,
    Price,
    PriceList,
    fit_over_time,
    recheck_fit,
)

from .test_beneficiary_projection import T0, enrolled

DAY = date(2026, 12, 1)


def terminated_on(day: date | None, at: datetime = T0 + timedelta(days=1)) -> Beneficiary:
    b = enrolled()
    assert b.change_status(BeneficiaryStatus.terminated, "迁出本市", at, day)
    return b


class TestATerminationOnALaterDay:
    def test_is_kept_pending_and_visits_before_its_day_remain_possible(self) -> None:
        b = terminated_on(DAY)
        assert (b.status, b.termination_effective_on) == (BeneficiaryStatus.terminated, DAY)
        assert b.may_be_visited_on(DAY - timedelta(days=1))
        assert not b.may_be_visited_on(DAY) and not b.may_be_visited_on(DAY + timedelta(days=9))
        assert not b.termination_due(DAY - timedelta(days=1))
        assert b.termination_due(DAY) and b.termination_due(DAY + timedelta(days=1))

    def test_a_visit_on_or_after_the_day_is_refused_naming_its_start(self) -> None:
        b = terminated_on(DAY)
        b.ensure_may_be_visited_on(DAY - timedelta(days=1))
        with pytest.raises(BeneficiaryNotActive) as refused:
            b.ensure_may_be_visited_on(DAY)
        assert refused.value.errors == [
            {
                "field": "scheduled_start_at",
                "message": "the beneficiary's termination takes effect on 2026-12-01:"
                " no visit on or after that day",
            }
        ]

    def test_a_termination_without_a_day_is_due_at_once(self) -> None:
        b = terminated_on(None)
        assert b.termination_due(date(2000, 1, 1)) and not b.may_be_visited_on(date(2000, 1, 1))

    def test_a_newer_change_back_to_active_cancels_it(self) -> None:
        b = terminated_on(DAY)
        assert b.change_status(BeneficiaryStatus.active, "撤销终止", T0 + timedelta(days=2), DAY)
        assert (b.status, b.termination_effective_on) == (BeneficiaryStatus.active, None)
        assert not b.termination_due(DAY + timedelta(days=30))

    def test_a_newer_suspension_replaces_it(self) -> None:
        b = terminated_on(DAY)
        assert b.change_status(BeneficiaryStatus.suspended, "住院", T0 + timedelta(days=2), DAY)
        assert b.termination_effective_on is None and not b.termination_due(DAY)
        assert not b.may_be_visited_on(DAY - timedelta(days=1))

    def test_an_older_reversal_leaves_it(self) -> None:
        b = terminated_on(DAY)
        assert not b.change_status(BeneficiaryStatus.active, "撤销终止", T0 + timedelta(hours=1), DAY)
        assert b.termination_due(DAY)

    def test_a_later_enrolment_clears_it(self) -> None:
        b = terminated_on(DAY)
        b.re_enrol(enrolled(id=b.id, enrolled_at=T0 + timedelta(days=3)))
        assert (b.status, b.termination_effective_on) == (BeneficiaryStatus.active, None)


PRICES = PriceList(
    UUID(int=1),
    "430102",
    date(2024, 1, 1),
    (Price("CS15", "visit", 1000), Price("CS22", "visit", 5000), Price("CS25", "hour", 6000)),
)
CODES = ("CS15", "CS22", "CS25")


def recheck(amount: int | None, minutes: int | None = None, price_list: PriceList | None = PRICES, **kw):  # type: ignore[no-untyped-def]
    args = {"frequency_per_month": 8, "self_paid_per_month": 3, "minutes_per_visit": 60, **kw}
    return recheck_fit(
        service_codes=CODES,
        district_code="430102",
        on=DAY,
        entitlement=Entitlement(date(2026, 11, 1), amount, minutes),
        price_list=price_list,
        **args,
    )


class TestARecheck:
    def test_within_the_entitlement_fits_and_names_the_day(self) -> None:
        fit = recheck(60000)
        assert (fit.status, fit.monthly_cost_fen, fit.note, fit.checked_on) == (
            FitStatus.fits,
            60000,
            None,
            DAY,
        )

    def test_over_the_amount_is_marked_not_refused_with_cost_entitlement_list_and_day(self) -> None:
        fit = recheck(24000)
        assert (fit.status, fit.monthly_cost_fen, fit.monthly_minutes) == (
            FitStatus.over_entitlement,
            60000,
            900,
        )
        assert fit.note == (
            "from 2026-12-01: the plan costs 60000 fen a month at the price list of 2024-01-01 for 430102,"
            " over the monthly entitlement of 24000 fen; mark the excess visits self-paid"
            " (self_paid_per_month) or plan fewer"
        )

    def test_over_the_minutes_is_marked_too(self) -> None:
        fit = recheck(None, minutes=600)
        assert fit.status == FitStatus.over_entitlement and "900 minutes" in (fit.note or "")

    def test_without_prices_it_stays_unchecked(self) -> None:
        fit = recheck(60000, price_list=None)
        assert fit.status == FitStatus.unchecked and fit.monthly_cost_fen is None

    def test_the_self_paid_visits_are_left_out(self) -> None:
        assert recheck(24000, self_paid_per_month=6).status == FitStatus.fits


def over_time(entitlements: list[Entitlement], lists: list[PriceList], **kw):  # type: ignore[no-untyped-def]
    args = {"frequency_per_month": 8, "self_paid_per_month": 4, "minutes_per_visit": 60, **kw}
    return fit_over_time(
        service_codes=CODES,
        district_code="430102",
        on=DAY,
        until=date(2027, 11, 30),
        entitlements=entitlements,
        price_lists=lists,
        **args,
    )


class TestTheFitOverTime:
    """4 covered visits x 12,000 = 48,000 fen a month."""

    def test_fits_when_nothing_later_is_known(self) -> None:
        fit = over_time([Entitlement(date(2026, 11, 1), 60000, None)], [PRICES])
        assert (fit.status, fit.checked_on) == (FitStatus.fits, DAY)

    def test_an_entitlement_reduced_from_a_later_month_marks_it_over_from_that_month(self) -> None:
        fit = over_time(
            [Entitlement(date(2026, 11, 1), 60000, None), Entitlement(date(2027, 2, 1), 30000, None)],
            [PRICES],
        )
        assert (fit.status, fit.checked_on) == (FitStatus.over_entitlement, date(2027, 2, 1))
        assert (fit.note or "").startswith("from 2027-02-01: the plan costs 48000 fen")

    def test_a_dearer_list_published_ahead_marks_it_over_from_its_day(self) -> None:
        dearer = PriceList(
            UUID(int=2), "4301", date(2027, 1, 1), (Price("CS15", "visit", 4000), *PRICES.items[1:])
        )
        fit = over_time([Entitlement(date(2026, 11, 1), 50000, None)], [PRICES, dearer])
        assert (fit.status, fit.monthly_cost_fen, fit.checked_on) == (
            FitStatus.over_entitlement,
            60000,
            date(2027, 1, 1),
        )

    def test_inputs_after_the_agreement_or_of_another_region_are_left_out(self) -> None:
        late = Entitlement(date(2028, 1, 1), 1, None)
        elsewhere = PriceList(UUID(int=3), "430103", date(2027, 1, 1), (Price("CS15", "visit", 99999),))
        fit = over_time([Entitlement(date(2026, 11, 1), 60000, None), late], [PRICES, elsewhere])
        assert fit.status == FitStatus.fits
