"""Re-evaluation of a beneficiary under another pack version: who gains or loses what (pure).

The decision that enrolled a beneficiary keeps its pack id and version; a new version never
changes it silently. This compares the recorded entitlement with what the new version would
give the same facts, so the bureau sees the effect of a policy change before applying it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

from eldercare.intake.domain.beneficiary import Beneficiary
from eldercare.intake.domain.eligibility import PersonFacts, Settings, entitlement_for, evaluate
from eldercare.intake.domain.policy import PolicyPack


class Effect(StrEnum):
    loses_eligibility = "loses_eligibility"
    loses = "loses"  # a lower amount, fewer categories or no more mandatory emergency help
    gains = "gains"  # a higher amount, more categories or emergency help
    mixed = "mixed"  # gains something and loses something else
    unchanged = "unchanged"
    amount_unset = "amount_unset"  # eligible, but the new version's amount setting is not configured


@dataclass(frozen=True)
class Reevaluation:
    beneficiary_id: UUID
    community_code: str
    from_pack: str
    from_version: str
    to_pack: str
    to_version: str
    effect: Effect
    amount_before_fen: int
    amount_after_fen: int | None
    categories_added: tuple[str, ...]
    categories_removed: tuple[str, ...]
    emergency_help_before: bool
    emergency_help_after: bool
    unmet: tuple[str, ...]  # rule ids, with the reasons in ``reasons``
    reasons: tuple[str, ...]
    missing_settings: tuple[str, ...]


def reevaluate(
    beneficiary: Beneficiary, facts: PersonFacts, pack: PolicyPack, as_of: date, settings: Settings
) -> Reevaluation:
    evaluation = evaluate(pack, facts, as_of, settings)
    before = set(beneficiary.service_categories)
    base = {
        "beneficiary_id": beneficiary.id,
        "community_code": beneficiary.community_code,
        "from_pack": beneficiary.pack_id,
        "from_version": beneficiary.pack_version,
        "to_pack": pack.pack_id,
        "to_version": pack.version,
        "amount_before_fen": beneficiary.monthly_amount_fen,
        "emergency_help_before": beneficiary.emergency_help_required,
    }
    if not evaluation.eligible:
        return Reevaluation(
            **base,  # type: ignore[arg-type]
            effect=Effect.loses_eligibility,
            amount_after_fen=None,
            categories_added=(),
            categories_removed=tuple(sorted(before)),
            emergency_help_after=False,
            unmet=tuple(u.rule_id for u in evaluation.unmet),
            reasons=tuple(r for u in evaluation.unmet for r in u.reasons),
            missing_settings=(),
        )
    after = entitlement_for(pack, facts, as_of, settings)
    added = tuple(sorted(set(after.service_categories) - before))
    removed = tuple(sorted(before - set(after.service_categories)))
    if after.missing_settings:
        effect = Effect.amount_unset
    else:
        amount = after.monthly_amount_fen or 0
        up = (
            amount > beneficiary.monthly_amount_fen
            or bool(added)
            or (after.emergency_help_required and not beneficiary.emergency_help_required)
        )
        down = (
            amount < beneficiary.monthly_amount_fen
            or bool(removed)
            or (beneficiary.emergency_help_required and not after.emergency_help_required)
        )
        effect = {(True, True): Effect.mixed, (True, False): Effect.gains, (False, True): Effect.loses}.get(
            (up, down), Effect.unchanged
        )
    return Reevaluation(
        **base,  # type: ignore[arg-type]
        effect=effect,
        amount_after_fen=after.monthly_amount_fen,
        categories_added=added,
        categories_removed=removed,
        emergency_help_after=after.emergency_help_required,
        unmet=(),
        reasons=(),
        missing_settings=after.missing_settings,
    )
