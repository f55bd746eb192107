"""Re-evaluation under another pack version (pure): who keeps, gains or loses what."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any
from uuid import uuid4

from eldercare.intake.domain.beneficiary import Beneficiary
from eldercare.intake.domain.eligibility import PersonFacts
from eldercare.intake.domain.policy import PolicyPack, parse_pack
from eldercare.intake.domain.reevaluation import Effect, reevaluate
from eldercare.intake.policy_packs import catalog
from eldercare.intake.reevaluate import render

AS_OF = date(2026, 11, 23)
SETTINGS = {"changsha-2024": {"monthly_service_amount_fen": 30000, "monthly_service_amount_fen_2026": 36000}}
CATEGORIES = (
    "daily_living",
    "basic_nursing",
    "health_management",
    "emotional_comfort",
    "welfare_visit",
    "errands",
)


def changsha_document() -> dict[str, Any]:
    text = resources.files("eldercare.intake.policy_packs").joinpath("changsha-2024.json").read_text("utf-8")
    return dict(json.loads(text))


def current() -> PolicyPack:
    pack = catalog().get("changsha-2024", "2024.1")
    assert pack is not None
    return pack


def next_version(**changes: Any) -> PolicyPack:
    doc = copy.deepcopy(changsha_document()) | {"version": "2026.1", "effective_from": "2026-01-01"}
    for path, value in changes.items():
        target = doc
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value
    return parse_pack(doc)


def enrolled(level: int = 1) -> tuple[Beneficiary, PersonFacts]:
    b = Beneficiary(
        person_id=uuid4(),
        application_id=uuid4(),
        district_code="430102",
        community_code="430102001001",
        pack_id="changsha-2024",
        pack_version="2024.1",
        assessment_level=level,
        monthly_amount_fen=30000,
        service_categories=CATEGORIES,
        emergency_help_required=False,
        basis=(),
        effective_on=date(2025, 1, 1),
        enrolled_by="officer",
        enrolled_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    facts = PersonFacts(
        birth_date=date(1944, 3, 8),
        hukou_region="430102",
        residence_region="430102001001",
        circumstances=frozenset({"subsistence_allowance"}),
        assessment_level=level,
    )
    return b, facts


def test_the_same_version_changes_nothing() -> None:
    b, facts = enrolled()
    assert reevaluate(b, facts, current(), AS_OF, SETTINGS).effect is Effect.unchanged


def test_a_stricter_level_loses_eligibility_naming_the_unmet_items() -> None:
    stricter = next_version(qualifying__0__when__0__value=2)
    b, facts = enrolled(level=1)
    r = reevaluate(b, facts, stricter, AS_OF, SETTINGS)
    assert r.effect is Effect.loses_eligibility and r.amount_after_fen is None
    assert r.unmet == ("art5-1", "art5-2", "art5-3", "art5-4")
    b2, facts2 = enrolled(level=2)
    assert reevaluate(b2, facts2, stricter, AS_OF, SETTINGS).effect is Effect.unchanged


def test_a_higher_amount_setting_gains() -> None:
    richer = next_version(entitlement__monthly_amount_fen__setting="monthly_service_amount_fen_2026")
    b, facts = enrolled()
    r = reevaluate(b, facts, richer, AS_OF, SETTINGS)
    assert (r.effect, r.amount_before_fen, r.amount_after_fen) == (Effect.gains, 30000, 36000)


def test_an_unset_amount_of_the_new_version_is_reported_not_guessed() -> None:
    unset = next_version(entitlement__monthly_amount_fen__setting="monthly_service_amount_fen_2027")
    b, facts = enrolled()
    r = reevaluate(b, facts, unset, AS_OF, SETTINGS)
    assert r.effect is Effect.amount_unset
    assert r.missing_settings == ("policy_settings.changsha-2024.monthly_service_amount_fen_2027",)


def test_fewer_categories_lose() -> None:
    narrower = next_version(entitlement__service_categories__codes=list(CATEGORIES[:4]))
    b, facts = enrolled()
    r = reevaluate(b, facts, narrower, AS_OF, SETTINGS)
    assert (r.effect, r.categories_removed) == (Effect.loses, ("errands", "welfare_visit"))


def test_the_report_lists_changes_and_counts_every_effect() -> None:
    stricter = next_version(qualifying__0__when__0__value=2)
    report = [reevaluate(*enrolled(level), stricter, AS_OF, SETTINGS) for level in (1, 2, 3)]
    lines = render(report, as_json=False, show_all=False)
    assert len(lines) == 2 and "loses_eligibility" in lines[0]
    assert lines[-1] == "beneficiaries=3 loses_eligibility=1 unchanged=2"
