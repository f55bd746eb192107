"""Price items, price-list validation and which list prices a visit."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from eldercare.billing.domain.errors import InvalidPriceList
from eldercare.billing.domain.pricing import PriceItem, PriceList, Unit, half_up_div, latest_applicable

pytestmark = pytest.mark.unit

AT = datetime(2026, 1, 1, tzinfo=UTC)


def price_list(region: str = "430102", since: date = date(2026, 1, 1), *items: PriceItem) -> PriceList:
    items = items or (PriceItem("CS22", Unit.visit, 5000),)
    return PriceList(region_code=region, effective_from=since, items=items, created_by="t", created_at=AT)


class TestHalfUpDivision:
    @pytest.mark.parametrize(
        ("numerator", "denominator", "expected"),
        [(0, 60, 0), (29, 60, 0), (30, 60, 1), (31, 60, 1), (89, 60, 1), (90, 60, 2), (120, 60, 2)],
    )
    def test_rounds_halves_up_and_the_rest_to_nearest(
        self, numerator: int, denominator: int, expected: int
    ) -> None:
        assert half_up_div(numerator, denominator) == expected


class TestPriceItem:
    def test_a_per_visit_item_costs_its_unit_price_whatever_the_duration(self) -> None:
        item = PriceItem("CS22", Unit.visit, 5000)
        assert [item.amount_fen(m) for m in (0, 15, 60, 240)] == [5000] * 4

    @pytest.mark.parametrize(
        ("minutes", "expected"),
        [(60, 6000), (90, 9000), (45, 4500), (1, 100), (0, 0)],
    )
    def test_an_hourly_item_costs_pro_rata_by_the_minute(self, minutes: int, expected: int) -> None:
        assert PriceItem("CS25", Unit.hour, 6000).amount_fen(minutes) == expected

    @pytest.mark.parametrize(
        ("unit_price", "minutes", "expected"),
        [(6001, 90, 9002), (6001, 30, 3001), (5999, 30, 3000), (1, 30, 1), (1, 29, 0), (3333, 20, 1111)],
    )
    def test_an_hourly_amount_is_rounded_half_up_to_the_fen(
        self, unit_price: int, minutes: int, expected: int
    ) -> None:
        assert PriceItem("CS25", Unit.hour, unit_price).amount_fen(minutes) == expected


class TestPriceListValidation:
    @pytest.mark.parametrize("region", ["43", "4301", "430102"])
    def test_province_city_and_district_codes_are_accepted(self, region: str) -> None:
        assert price_list(region).region_code == region

    @pytest.mark.parametrize("region", ["4", "430", "430102001", "43010a", ""])
    def test_a_code_that_cannot_prefix_a_district_is_refused(self, region: str) -> None:
        with pytest.raises(InvalidPriceList) as raised:
            price_list(region)
        assert raised.value.field == "region_code"

    def test_a_service_priced_twice_is_refused_naming_the_second_item(self) -> None:
        with pytest.raises(InvalidPriceList) as raised:
            price_list(
                "430102",
                date(2026, 1, 1),
                PriceItem("CS22", Unit.visit, 5000),
                PriceItem("CS25", Unit.hour, 6000),
                PriceItem("CS22", Unit.hour, 5000),
            )
        assert raised.value.field == "items.2.service_code"

    def test_item_for_finds_a_service_or_nothing(self) -> None:
        pl = price_list("430102", date(2026, 1, 1), PriceItem("CS25", Unit.hour, 6000))
        assert pl.item_for("CS25") == PriceItem("CS25", Unit.hour, 6000)
        assert pl.item_for("CS22") is None


class TestLatestApplicable:
    def test_no_list_before_its_effective_date(self) -> None:
        assert latest_applicable([price_list(since=date(2026, 3, 11))], "430102", date(2026, 3, 10)) is None

    def test_a_list_applies_from_its_effective_date_inclusive(self) -> None:
        pl = price_list(since=date(2026, 3, 10))
        assert latest_applicable([pl], "430102", date(2026, 3, 10)) is pl

    def test_another_districts_list_never_applies(self) -> None:
        assert latest_applicable([price_list("430103")], "430102", date(2026, 3, 10)) is None

    def test_the_latest_effective_date_wins_even_over_a_more_local_list(self) -> None:
        district = price_list("430102", date(2025, 1, 1))
        city = price_list("4301", date(2026, 1, 1))
        assert latest_applicable([district, city], "430102", date(2026, 3, 10)) is city

    def test_on_the_same_date_the_more_local_list_wins(self) -> None:
        province = price_list("43", date(2026, 1, 1))
        district = price_list("430102", date(2026, 1, 1))
        city = price_list("4301", date(2026, 1, 1))
        assert latest_applicable([province, district, city], "430102", date(2026, 3, 10)) is district

    def test_for_the_same_region_and_date_the_newer_entry_wins(self) -> None:
        first = price_list()
        second = price_list()
        assert latest_applicable([second, first], "430102", date(2026, 3, 10)) is second
