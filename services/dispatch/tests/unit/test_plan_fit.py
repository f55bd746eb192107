"""The plan-fit rule (issue #5) without a database: prices in force, rounding, self-paid visits."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eldercare.dispatch.domain.plan_fit import (
    Entitlement,
    FitStatus,
    Price,
    PriceList,
    check_fit,
    entitlement_on,
    list_in_force,
)

DAY = date(2026, 11, 23)


def plist(n: int, region: str, since: date, *items: Price) -> PriceList:
    return PriceList(UUID(int=n), region, since, items)


def fit(codes: tuple[str, ...], entitlement: Entitlement | None, price_list: PriceList | None, **kw):  # type: ignore[no-untyped-def]
    args = {"frequency_per_month": 4, "self_paid_per_month": 0, "minutes_per_visit": 60, **kw}
    return check_fit(
        service_codes=codes,
        district_code="430102",
        on=DAY,
        entitlement=entitlement,
        price_list=price_list,
        **args,
    )


def test_hourly_prices_are_pro_rata_half_up() -> None:
    assert Price("CS25", "hour", 6001).visit_fen(45) == 4501  # 4,500.75
    assert Price("CS25", "hour", 6002).visit_fen(15) == 1501  # 1,500.5 -> up
    assert Price("CS22", "visit", 5000).visit_fen(15) == 5000


def test_the_latest_most_local_list_on_or_before_the_day() -> None:
    city = plist(1, "4301", date(2026, 1, 1))
    district = plist(2, "430102", date(2026, 1, 1))
    later = plist(3, "4301", date(2026, 6, 1))
    future = plist(4, "430102", date(2026, 12, 1))
    other = plist(5, "430103", date(2026, 10, 1))
    assert list_in_force([city, district], "430102", DAY) is district
    assert list_in_force([city, district, later, future, other], "430102", DAY) is later
    assert list_in_force([other, future], "430102", DAY) is None


def test_the_entitlement_in_force_or_else_the_first() -> None:
    first = Entitlement(date(2026, 12, 1), 30000, None)
    assert entitlement_on([first], DAY) is first
    now = Entitlement(date(2026, 11, 1), 20000, None)
    assert entitlement_on([first, now], DAY) is now
    assert entitlement_on([], DAY) is None


def test_self_paid_visits_are_outside_the_amount() -> None:
    prices = plist(1, "430102", date(2026, 1, 1), Price("CS22", "visit", 5000))
    _, violations = fit(("CS22",), Entitlement(DAY, 10000, None), prices)
    assert [f for f, _ in violations] == ["frequency_per_month"]
    ok, violations = fit(("CS22",), Entitlement(DAY, 10000, None), prices, self_paid_per_month=2)
    assert violations == [] and (ok.status, ok.monthly_cost_fen, ok.monthly_minutes) == (
        FitStatus.fits,
        10000,
        120,
    )


def test_no_entitlement_known_is_unchecked_never_refused() -> None:
    result, violations = fit(("CS22",), None, None)
    assert violations == [] and result.status is FitStatus.unchecked
    assert result.note is not None and "no monthly entitlement" in result.note
