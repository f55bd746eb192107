"""Electronic visit verification: the rules per catalog item and the flags a visit record raises.

Changsha rules 第十七条: the provider uploads service records in real time and is supervised on
them; 第十八条（一）: service not delivered per the care plan is a violation, and（四）fraudulent
records recover funds. The verification below decides which records are paid as recorded and which
wait for a person's review. No seed fixes a radius, a duration ratio or an evidence requirement:
the per-item defaults in ``ITEM_RULES`` are this service's choices, each explained where it is made,
and every action is a setting (``DISPATCH_VERIFICATION_ACTIONS``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from eldercare.dispatch.domain.catalog import CATALOG
from eldercare.dispatch.domain.geo import Point, haversine_m


class FlagCode(StrEnum):
    """Reason codes of a verification failure."""

    outside_geofence = "outside_geofence"
    coarse_location = "coarse_location"
    home_unknown = "home_unknown"
    too_short = "too_short"
    too_long = "too_long"
    extra_item = "extra_item"
    clock_skew = "clock_skew"
    photo_missing = "photo_missing"
    signature_missing = "signature_missing"
    impossible_travel = "impossible_travel"


class FlagAction(StrEnum):
    """What a flag does to the record: ``refuse`` the step (422, nothing written), ``hold`` the
    visit for review (``verified`` false), or ``note`` it and accept."""

    refuse = "refuse"
    hold = "hold"
    note = "note"


# The defaults. A location or evidence problem holds the visit: the record alone cannot show the
# care was given at the home (第十七条). Duration: the e2e scenario and a first city deployment check
# out within the minute, so a short visit is noted, not held, until the city sets
# {"too_short": "hold"}; too_long (a forgotten check-out) is noted. Clock skew is noted: the server
# time is the record anyway.
DEFAULT_ACTIONS: dict[FlagCode, FlagAction] = {
    FlagCode.outside_geofence: FlagAction.hold,
    FlagCode.coarse_location: FlagAction.hold,
    FlagCode.home_unknown: FlagAction.hold,
    FlagCode.too_short: FlagAction.note,
    FlagCode.too_long: FlagAction.note,
    # changsha-2024 第十八条（一）: service not per the care plan is a violation unless justified, so
    # an item beyond the plan (with the caregiver's reason) waits for review.
    FlagCode.extra_item: FlagAction.hold,
    FlagCode.clock_skew: FlagAction.note,
    FlagCode.photo_missing: FlagAction.hold,
    FlagCode.signature_missing: FlagAction.hold,
    FlagCode.impossible_travel: FlagAction.hold,
}


@dataclass(frozen=True)
class ItemRule:
    """How a visit of one catalog item is verified.

    ``geofence_m``: the phone within this distance of the home point at check-in (and at check-out
    when ``check_out_at_home``), with a GPS accuracy no coarser than ``max_accuracy_m``.
    Durations are relative to the booked length (the agreement's 服务时长, 第十四条).
    """

    geofence_m: float = 200
    max_accuracy_m: float = 200
    check_out_at_home: bool = True
    min_duration_ratio: float = 0.5
    max_duration_ratio: float = 2.0
    photo_at_check_in: bool = False
    photo_at_check_out: bool = False
    signature_at_check_out: bool = False
    max_clock_skew_seconds: int = 300


# Items the catalog (附件2) describes as done away from the home: outings and medical escort
# (CS13, CS15-CS17, CS30) end wherever the outing ends, so only the check-in is at the door.
_AWAY = {"CS13", "CS15", "CS16", "CS17", "CS30"}
# Errands done for the person (CS26 shopping, CS27 bill payment, CS28 bookings and pick-ups,
# CS04 meal delivery): the proof is a receipt or the delivered goods, so a photo at check-out and
# the person's (or family's) signature that they received it.
_RECEIPTED = {"CS04", "CS26", "CS27", "CS28"}
# House cleaning and seasonal tidying (CS11, CS12) leave a visible result: a photo at check-out.
# Never for intimate care (bathing, hygiene, toileting: CS05-CS10, CS18): photos there would breach
# the dignity and privacy the caregiver owes (第九条（二）保护老年人隐私).
_PHOTO_RESULT = {"CS11", "CS12"}
# Emergency incident response (CS14) is raised by the emergency, not booked: its length is what the
# incident takes, so no duration rule.
_UNTIMED = {"CS14", "CS15"}


def _rule_for(code: str) -> ItemRule:
    rule = ItemRule()
    if code in _AWAY:
        rule = replace(rule, check_out_at_home=False, max_duration_ratio=4.0)
    if code in _RECEIPTED:
        rule = replace(rule, photo_at_check_out=True, signature_at_check_out=True)
    if code in _PHOTO_RESULT:
        rule = replace(rule, photo_at_check_out=True)
    if code in _UNTIMED:
        rule = replace(rule, min_duration_ratio=0.0, max_duration_ratio=0.0)
    return rule


ITEM_RULES: dict[str, ItemRule] = {item.code: _rule_for(item.code) for item in CATALOG.items}


@dataclass(frozen=True)
class VerificationPolicy:
    """The item rules and the action per flag, as configured."""

    actions: dict[FlagCode, FlagAction] = field(default_factory=lambda: dict(DEFAULT_ACTIONS))
    rules: dict[str, ItemRule] = field(default_factory=lambda: dict(ITEM_RULES))
    # A global floor in minutes (DISPATCH_MIN_VISIT_MINUTES): under it a visit is held.
    min_visit_minutes: int = 0
    # Faster than this between one check-out and the next check-in is not a journey a caregiver
    # makes in town (DISPATCH_MAX_TRAVEL_SPEED_M_PER_S).
    max_travel_speed_m_per_s: float = 15.0

    def rule(self, service_code: str) -> ItemRule:
        return self.rules.get(service_code, ItemRule())

    def action(self, code: FlagCode) -> FlagAction:
        return self.actions.get(code, DEFAULT_ACTIONS[code])


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    action: FlagAction
    stage: str  # "check_in" or "check_out"
    message: str

    @property
    def field(self) -> str:
        """The request field a refusal names."""
        return {
            FlagCode.photo_missing: "photos",
            FlagCode.signature_missing: "signature",
            FlagCode.clock_skew: "device_time",
            FlagCode.coarse_location: "accuracy_m",
            FlagCode.extra_item: "record.extra_items",
        }.get(self.code, "location")

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code.value,
            "action": self.action.value,
            "stage": self.stage,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Flag:
        return cls(FlagCode(data["code"]), FlagAction(data["action"]), data["stage"], data["message"])


def flag(policy: VerificationPolicy, code: FlagCode, stage: str, message: str) -> Flag:
    return Flag(code, policy.action(code), stage, f"{stage.replace('_', '-')}: {message}")


def location_flags(
    policy: VerificationPolicy,
    rule: ItemRule,
    stage: str,
    point: Point,
    accuracy_m: float | None,
    home: Point | None,
) -> list[Flag]:
    if home is None:
        return [flag(policy, FlagCode.home_unknown, stage, "the beneficiary's home point is unknown")]
    out = []
    distance = haversine_m(point, home)
    if distance > rule.geofence_m:
        out.append(
            flag(
                policy,
                FlagCode.outside_geofence,
                stage,
                f"{distance:.0f} m from the home point (geofence {rule.geofence_m:.0f} m)",
            )
        )
    limit = min(rule.max_accuracy_m, rule.geofence_m)
    if accuracy_m is not None and accuracy_m > limit:
        # A fix vaguer than the geofence cannot show the caregiver was at the door.
        out.append(
            flag(
                policy,
                FlagCode.coarse_location,
                stage,
                f"location accuracy {accuracy_m:.0f} m is coarser than {limit:.0f} m",
            )
        )
    return out


def skew_flags(
    policy: VerificationPolicy, rule: ItemRule, stage: str, device_at: datetime | None, server_at: datetime
) -> list[Flag]:
    if device_at is None:
        return []
    skew = (device_at - server_at).total_seconds()
    if abs(skew) <= rule.max_clock_skew_seconds:
        return []
    return [
        flag(
            policy,
            FlagCode.clock_skew,
            stage,
            f"the phone's clock is {skew:+.0f} s off the server's (allowed {rule.max_clock_skew_seconds} s);"
            " the server time is recorded",
        )
    ]


def evidence_flags(
    policy: VerificationPolicy, rule: ItemRule, stage: str, photos: int, signed: bool
) -> list[Flag]:
    out = []
    needs_photo = rule.photo_at_check_in if stage == "check_in" else rule.photo_at_check_out
    if needs_photo and photos == 0:
        out.append(flag(policy, FlagCode.photo_missing, stage, "this item needs a photo"))
    if stage == "check_out" and rule.signature_at_check_out and not signed:
        out.append(
            flag(policy, FlagCode.signature_missing, stage, "this item needs the recipient's signature")
        )
    return out


def duration_flags(
    policy: VerificationPolicy, rule: ItemRule, actual_minutes: int, booked_minutes: int
) -> list[Flag]:
    out: list[Flag] = []
    if actual_minutes < policy.min_visit_minutes:
        out.append(
            Flag(
                FlagCode.too_short,
                FlagAction.hold,
                "check_out",
                f"check-out: duration {actual_minutes} min is under the minimum"
                f" {policy.min_visit_minutes} min",
            )
        )
    elif rule.min_duration_ratio and actual_minutes < booked_minutes * rule.min_duration_ratio:
        out.append(
            flag(
                policy,
                FlagCode.too_short,
                "check_out",
                f"{actual_minutes} min is under {rule.min_duration_ratio:.0%}"
                f" of the booked {booked_minutes} min",
            )
        )
    if rule.max_duration_ratio and actual_minutes > booked_minutes * rule.max_duration_ratio:
        out.append(
            flag(
                policy,
                FlagCode.too_long,
                "check_out",
                f"{actual_minutes} min is over {rule.max_duration_ratio:.0%}"
                f" of the booked {booked_minutes} min",
            )
        )
    return out


def travel_flags(
    policy: VerificationPolicy,
    previous: tuple[Point, datetime] | None,
    point: Point,
    at: datetime,
) -> list[Flag]:
    """Impossible travel: from the caregiver's last check-out to this check-in."""
    if previous is None:
        return []
    last_point, last_at = previous
    metres = haversine_m(last_point, point)
    seconds = max((at - last_at).total_seconds(), 1.0)
    if metres < 1000 or metres / seconds <= policy.max_travel_speed_m_per_s:
        return []
    return [
        flag(
            policy,
            FlagCode.impossible_travel,
            "check_in",
            f"{metres:.0f} m from the last check-out in {seconds:.0f} s"
            f" (over {policy.max_travel_speed_m_per_s:.0f} m/s)",
        )
    ]
