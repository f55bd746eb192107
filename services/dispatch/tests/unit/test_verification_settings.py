"""DISPATCH_VERIFICATION_ACTIONS and DISPATCH_ITEM_RULES: what a city may change, and what refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from eldercare.dispatch.domain.verification import FlagAction, FlagCode
from eldercare.dispatch.settings import DispatchSettings


class TestPolicyFromSettings:
    def test_the_geofence_and_the_overrides_reach_the_item_rules(self) -> None:
        settings = DispatchSettings(
            geofence_m=80,
            verification_actions={"too_short": "hold"},
            item_rules={"CS22": {"min_duration_ratio": 0.8}},
        )
        policy = settings.verification_policy()
        assert policy.action(FlagCode.too_short) == FlagAction.hold
        assert policy.action(FlagCode.outside_geofence) == FlagAction.hold
        assert (policy.rule("CS22").geofence_m, policy.rule("CS22").min_duration_ratio) == (80, 0.8)
        assert policy.rule("CS25").min_duration_ratio == 0.5

    def test_an_unknown_item_field_flag_or_action_refuses_to_start(self) -> None:
        for bad in (
            {"item_rules": {"CS99": {}}},
            {"item_rules": {"CS22": {"radius": 5}}},
            {"verification_actions": {"late": "hold"}},
            {"verification_actions": {"too_short": "ignore"}},
        ):
            with pytest.raises(ValidationError):
                DispatchSettings(**bad)  # type: ignore[arg-type]
