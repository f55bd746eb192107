"""Does a care plan fit the beneficiary's monthly entitlement? (issue #5: "The plan must fit the
beneficiary's monthly entitlement from intake (hours and/or money at the price list);
over-entitlement hours are allowed only as marked self-paid.")

The entitlement is intake's (a monthly amount in fen and/or minutes, from the policy pack); the
prices are billing's lists (PriceListPublished): the latest list on or before the day for the
district, its province, city or district, the more local one on the same date (as billing prices a
visit: billing/domain/pricing.py ``latest_applicable``). A visit costs the unit price per visit, or
the hourly price pro rata on the plan's visit length, rounded half-up to the fen (as billing does).

A plan holds its items at ``frequency_per_month`` visits each; ``self_paid_per_month`` of those
visits of every item are paid by the beneficiary and left out of the check. The rest must fit:

* money: the monthly cost of the items that have a price must not exceed the amount;
* minutes: items x (frequency - self-paid) x minutes per visit must not exceed the minutes.

An item with no price in force is not guessed: the plan is accepted "unchecked" naming the item,
since prices are entered by the district when it decides them (the seeds leave them to later
documents, changsha-2024-purchased-door-to-door-rules.md 第四条) and billing itself holds such
visits unpriced until a list arrives. A plan whose priced items alone already exceed the amount is
refused all the same: that excess is certain whatever the missing price turns out to be.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID


class FitStatus(StrEnum):
    fits = "fits"
    unchecked = "unchecked"
    # Only from a re-check (``recheck_fit``): a signed plan that a later price list or a reduced
    # entitlement put over the entitlement. Never the result of activation or a new version (422).
    over_entitlement = "over_entitlement"


FIT_STATUS_LABELS = {
    FitStatus.fits: "在待遇额度内",
    FitStatus.unchecked: "未核定（缺价格或待遇）",
    FitStatus.over_entitlement: "超出待遇额度（需调整方案或标明自费）",
}


def half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half-up (both non-negative), as billing rounds."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class Price:
    service_code: str
    unit: str  # "visit" or "hour"
    unit_price_fen: int

    def visit_fen(self, minutes: int) -> int:
        if self.unit == "visit":
            return self.unit_price_fen
        return half_up_div(self.unit_price_fen * minutes, 60)


@dataclass(frozen=True)
class PriceList:
    id: UUID
    region_code: str
    effective_from: date
    items: tuple[Price, ...]

    def applies_to(self, district_code: str, on: date) -> bool:
        return district_code.startswith(self.region_code) and self.effective_from <= on

    def price_of(self, service_code: str) -> Price | None:
        return next((p for p in self.items if p.service_code == service_code), None)


def list_in_force(lists: list[PriceList], district_code: str, on: date) -> PriceList | None:
    """The latest list on or before ``on``; on the same date the more local one, then the newer."""
    candidates = [pl for pl in lists if pl.applies_to(district_code, on)]
    if not candidates:
        return None
    return max(candidates, key=lambda pl: (pl.effective_from, len(pl.region_code), pl.id))


@dataclass(frozen=True)
class Entitlement:
    effective_on: date
    monthly_amount_fen: int | None
    monthly_minutes: int | None


def entitlement_on(entitlements: list[Entitlement], on: date) -> Entitlement | None:
    """The entitlement in force on ``on``; before the first one, the first (the plan's first month)."""
    if not entitlements:
        return None
    before = [e for e in entitlements if e.effective_on <= on]
    if before:
        return max(before, key=lambda e: e.effective_on)
    return min(entitlements, key=lambda e: e.effective_on)


@dataclass(frozen=True)
class PlanFit:
    status: FitStatus
    monthly_cost_fen: int | None
    monthly_minutes: int
    note: str | None
    # The day the plan was checked for (None: checked before revision 0018 kept it).
    checked_on: date | None = None


def check_fit(
    *,
    service_codes: tuple[str, ...],
    frequency_per_month: int,
    self_paid_per_month: int,
    minutes_per_visit: int,
    district_code: str,
    on: date,
    entitlement: Entitlement | None,
    price_list: PriceList | None,
) -> tuple[PlanFit, list[tuple[str, str]]]:
    """The plan's fit and the violations that refuse it, as (field, message); empty: accepted."""
    covered = frequency_per_month - self_paid_per_month
    minutes = len(service_codes) * covered * minutes_per_visit
    unpriced: list[str] = []
    cost = 0
    for code in service_codes:
        price = price_list.price_of(code) if price_list else None
        if price is None:
            unpriced.append(code)
        else:
            cost += covered * price.visit_fen(minutes_per_visit)
    violations: list[tuple[str, str]] = []
    notes: list[str] = []
    hint = "mark the excess visits self-paid (self_paid_per_month) or plan fewer"
    if entitlement is None or (
        entitlement.monthly_amount_fen is None and entitlement.monthly_minutes is None
    ):
        notes.append("no monthly entitlement known for the beneficiary")
    if entitlement is not None and entitlement.monthly_amount_fen is not None:
        amount = entitlement.monthly_amount_fen
        if cost > amount:
            where = (
                f" at the price list of {price_list.effective_from.isoformat()} for {price_list.region_code}"
                if price_list
                else ""
            )
            violations.append(
                (
                    "frequency_per_month",
                    f"the plan costs {cost} fen a month{where}"
                    + (f" without {', '.join(unpriced)}" if unpriced else "")
                    + f", over the monthly entitlement of {amount} fen; {hint}",
                )
            )
        elif unpriced:
            notes.append(
                f"no price in force for {', '.join(unpriced)} in {district_code} on {on.isoformat()}"
            )
    limit = entitlement.monthly_minutes if entitlement is not None else None
    if limit is not None and minutes > limit:
        violations.append(
            (
                "frequency_per_month",
                f"the plan takes {minutes} minutes a month, over the monthly entitlement of "
                f"{limit} minutes; {hint}",
            )
        )
    fit = PlanFit(
        status=FitStatus.unchecked if notes else FitStatus.fits,
        monthly_cost_fen=None if unpriced else cost,
        monthly_minutes=minutes,
        note="; ".join(notes) or None,
        checked_on=on,
    )
    return fit, violations


def recheck_fit(
    *,
    service_codes: tuple[str, ...],
    frequency_per_month: int,
    self_paid_per_month: int,
    minutes_per_visit: int,
    district_code: str,
    on: date,
    entitlement: Entitlement | None,
    price_list: PriceList | None,
) -> PlanFit:
    """The fit of a plan already in force, when a price list or an entitlement arrives later.

    The plan is not refused, changed or ended: its agreement is signed (第十四条) and only the
    parties change it, by a new version. What would have been a refusal becomes ``over_entitlement``
    with the same message (cost or minutes, the entitlement, the list used) and the day it holds
    from, so the provider can issue a version with ``self_paid_per_month``.
    """
    fit, violations = check_fit(
        service_codes=service_codes,
        frequency_per_month=frequency_per_month,
        self_paid_per_month=self_paid_per_month,
        minutes_per_visit=minutes_per_visit,
        district_code=district_code,
        on=on,
        entitlement=entitlement,
        price_list=price_list,
    )
    if not violations:
        return fit
    return PlanFit(
        status=FitStatus.over_entitlement,
        monthly_cost_fen=fit.monthly_cost_fen,
        monthly_minutes=fit.monthly_minutes,
        note=f"from {on.isoformat()}: " + "; ".join(message for _, message in violations),
        checked_on=on,
    )


def fit_over_time(
    *,
    service_codes: tuple[str, ...],
    frequency_per_month: int,
    self_paid_per_month: int,
    minutes_per_visit: int,
    district_code: str,
    on: date,
    until: date,
    entitlements: list[Entitlement],
    price_lists: list[PriceList],
) -> PlanFit:
    """The fit of a plan in force from ``on`` to ``until`` (its agreement's last day), with every
    price list and entitlement known so far: the fit on ``on``, unless an input already known to
    start later (a list published ahead, an entitlement reduced from next month) puts the plan over
    the entitlement on that day; then ``over_entitlement`` from the first such day. So a plan that
    fits today but not from the 1st of next month says so now, and a re-check caused by one input
    does not hide an excess another input already announced."""

    def at(day: date) -> PlanFit:
        return recheck_fit(
            service_codes=service_codes,
            frequency_per_month=frequency_per_month,
            self_paid_per_month=self_paid_per_month,
            minutes_per_visit=minutes_per_visit,
            district_code=district_code,
            on=day,
            entitlement=entitlement_on(entitlements, day),
            price_list=list_in_force(price_lists, district_code, day),
        )

    first = at(on)
    if first.status == FitStatus.over_entitlement:
        return first
    later = {e.effective_on for e in entitlements if on < e.effective_on <= until}
    later |= {
        pl.effective_from
        for pl in price_lists
        if on < pl.effective_from <= until and district_code.startswith(pl.region_code)
    }
    for day in sorted(later):
        fit = at(day)
        if fit.status == FitStatus.over_entitlement:
            return fit
    return first
