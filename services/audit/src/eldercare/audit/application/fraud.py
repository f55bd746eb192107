"""Fraud signals and visit flags: the stream detector (on each visit or emergency event), the batch
detector over a period, and the investigation that clears or confirms a flag. Handlers never commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from eldercare.audit.adapters.fraud_repository import HOSPITALISED, FraudRepository
from eldercare.audit.adapters.rectification_repository import RectificationRepository
from eldercare.audit.domain.fraud import (
    FraudRules,
    Signal,
    SignalHit,
    StatusChange,
    VisitRecord,
    china_day,
    density,
    detect,
    reused_photos,
    round_point,
)
from eldercare.audit.domain.rectification import FindingType
from eldercare.audit.domain.visit_flag import FlagSource, VisitFlag
from eldercare.common.auth import Principal
from eldercare.common.clock import DISPLAY_ZONE, utcnow
from eldercare.common.contracts import VisitFlagRaised, VisitFlagResolved
from eldercare.common.errors import InvalidInput, NotFound
from eldercare.common.uow import UnitOfWork

# ---------------------------------------------------------------- what the events tell


@dataclass(frozen=True)
class RecordVisitFacts:
    """What one dispatch.visit event says about a visit (only the fields it carries)."""

    visit_id: UUID
    facts: Mapping[str, Any]
    photo_sha256s: tuple[str, ...] = ()  # from dispatch.visit.completed.v1 (hashes only)


@dataclass(frozen=True)
class RecordBeneficiary:
    beneficiary_id: UUID
    district_code: str
    status: str
    effective_on: date
    changed_at: datetime
    home: tuple[float, float] | None = None
    enrolment: bool = False


@dataclass(frozen=True)
class RecordEmergency:
    emergency_id: UUID
    beneficiary_id: UUID
    district_code: str
    raised_at: datetime | None = None
    outcome: str | None = None
    resolved_at: datetime | None = None


async def record_visit_facts(cmd: RecordVisitFacts, uow: UnitOfWork) -> None:
    repo = FraudRepository(uow.session)
    await repo.upsert_visit(cmd.visit_id, **cmd.facts)
    await repo.add_photos(cmd.visit_id, cmd.photo_sha256s)


async def record_beneficiary(cmd: RecordBeneficiary, uow: UnitOfWork) -> None:
    values: dict[str, Any] = {
        "district_code": cmd.district_code,
        "status": cmd.status,
        "effective_on": cmd.effective_on,
        "changed_at": cmd.changed_at,
    }
    if cmd.enrolment:
        # Kept to about 1 km only (domain.fraud.round_point): the address itself is intake's.
        home = round_point(*cmd.home) if cmd.home else (None, None)
        values |= {"home_lat": home[0], "home_lon": home[1]}
    repo = FraudRepository(uow.session)
    await repo.upsert_beneficiary(cmd.beneficiary_id, **values)
    change = StatusChange(cmd.beneficiary_id, cmd.status, cmd.effective_on, cmd.changed_at)
    await repo.add_status_change(change, cmd.district_code)


async def detect_while_inactive(
    cmd: RecordBeneficiary, uow: UnitOfWork, rules: FraudRules
) -> list[VisitFlag]:
    """Stream: a status change (possibly effective in the past, possibly delivered late) can put
    visits already recorded inside a suspension or termination; judge the beneficiary's visits
    from the earliest inactive day on. A later resumption never clears a flag: the investigator
    does."""
    repo = FraudRepository(uow.session)
    periods = await repo.inactive_of([cmd.beneficiary_id])
    if not periods:
        return []
    first = min(p.from_on for p in periods)
    since = datetime.combine(first, datetime.min.time(), tzinfo=DISPLAY_ZONE)
    visits = await repo.beneficiary_visits_from(cmd.beneficiary_id, since)
    hits = detect(visits, (), rules, inactive=periods, only=frozenset({Signal.visit_while_suspended}))
    return await raise_hits(hits, visits, rules, uow)


async def record_emergency(cmd: RecordEmergency, uow: UnitOfWork, rules: FraudRules) -> list[VisitFlag]:
    """Keep the call; once it ends ``hospitalised``, flag the visits recorded during the stay."""
    repo = FraudRepository(uow.session)
    values: dict[str, Any] = {"beneficiary_id": cmd.beneficiary_id, "district_code": cmd.district_code}
    if cmd.raised_at is not None:
        values["raised_at"] = cmd.raised_at
    if cmd.outcome is not None:
        values |= {"outcome": cmd.outcome, "resolved_at": cmd.resolved_at}
    await repo.upsert_emergency(cmd.emergency_id, **values)
    stay = await repo.get_stay(cmd.emergency_id)
    if cmd.outcome != HOSPITALISED or stay is None:
        return []
    visits = await repo.beneficiary_visits(cmd.beneficiary_id, stay.start_at, stay.last_day)
    hits = detect(visits, [stay], rules, only=frozenset({Signal.visit_while_hospitalised}))
    return await raise_hits(hits, visits, rules, uow)


# ---------------------------------------------------------------- detectors


@dataclass(frozen=True)
class DetectAroundVisit:
    """Stream: a visit was completed; judge it with the caregiver's visits around it."""

    visit_id: UUID
    caregiver_id: UUID
    checked_in_at: datetime


async def detect_around_visit(cmd: DetectAroundVisit, uow: UnitOfWork, rules: FraudRules) -> list[VisitFlag]:
    repo = FraudRepository(uow.session)
    visits = await repo.caregiver_visits(cmd.caregiver_id, cmd.checked_in_at, rules.context)
    stays = await repo.stays_of(v.beneficiary_id for v in visits)
    inactive = await repo.inactive_of(v.beneficiary_id for v in visits)
    # A photo of this visit on other visits (any caregiver) within the photo window; judged apart
    # from the caregiver's rules, which must see only this caregiver's visits.
    sharing = await repo.photo_partners(cmd.visit_id, rules.photo_window)
    hits = [*detect(visits, stays, rules, inactive=inactive), *reused_photos(sharing, rules)]
    # Any visit of the window may be hit (the other half of an overlap, a window of geofence
    # misses now long enough, the other visit of a photo): each visit and signal is flagged once
    # whichever event revealed it.
    return await raise_hits(hits, [*visits, *sharing], rules, uow)


@dataclass(frozen=True)
class RunFraudScan:
    """Batch: every visit of the region checked in from ``from_on`` to ``to_on`` (China days)."""

    district_code: str
    from_on: date
    to_on: date
    principal: Principal


@dataclass
class FraudScanReport:
    district_code: str
    from_on: date
    to_on: date
    rules: FraudRules
    visits_scanned: int = 0
    hits: Counter[str] = field(default_factory=Counter)
    flags_raised: list[VisitFlag] = field(default_factory=list)


MAX_SCAN_DAYS = 366


async def run_fraud_scan(cmd: RunFraudScan, uow: UnitOfWork, rules: FraudRules) -> FraudScanReport:
    if not cmd.principal.covers_region(cmd.district_code):
        raise InvalidInput("the district is outside the caller's region", field="district_code")
    if cmd.to_on < cmd.from_on:
        raise InvalidInput("the period ends before it starts", field="to_on")
    if (cmd.to_on - cmd.from_on).days >= MAX_SCAN_DAYS:
        raise InvalidInput(f"a scan covers at most {MAX_SCAN_DAYS} days", field="to_on")
    repo = FraudRepository(uow.session)
    start = datetime.combine(cmd.from_on, datetime.min.time(), tzinfo=DISPLAY_ZONE)
    end = datetime.combine(cmd.to_on + timedelta(days=1), datetime.min.time(), tzinfo=DISPLAY_ZONE)
    # The context on both sides lets a visit at the edge be judged with its neighbours; only
    # visits inside the period are flagged.
    visits = [
        v async for v in repo.district_visits(cmd.district_code, start - rules.context, end + rules.context)
    ]
    stays = await repo.stays_in_region(cmd.district_code, start - rules.context, end + rules.context)
    inactive = await repo.inactive_in_region(cmd.district_code)
    inside = [v for v in visits if start <= v.checked_in_at < end]
    inside_ids = {v.visit_id for v in inside}
    # Photos: the region's visits carrying one, with the visits of other regions sharing it.
    photos, elsewhere = await repo.region_photos(
        cmd.district_code, start - rules.context, end + rules.context
    )
    carrying = [replace(v, photos=tuple(sorted(photos[v.visit_id]))) for v in visits if v.visit_id in photos]
    # Density counts whole periods (the context covers a week at either edge); batch only.
    found = [
        *detect(visits, stays, rules, inactive=inactive),
        *density(visits, rules),
        *reused_photos([*carrying, *elsewhere], rules),
    ]
    hits = [h for h in found if h.visit_id in inside_ids]
    report = FraudScanReport(cmd.district_code, cmd.from_on, cmd.to_on, rules, visits_scanned=len(inside))
    report.hits.update(h.signal.value for h in hits)
    report.flags_raised = await raise_hits(hits, inside, rules, uow)
    return report


async def raise_hits(
    hits: Iterable[SignalHit], visits: Iterable[VisitRecord], rules: FraudRules, uow: UnitOfWork
) -> list[VisitFlag]:
    by_id = {v.visit_id: v for v in visits}
    now = utcnow()
    flags = []
    for h in hits:
        v = by_id[h.visit_id]
        flags.append(
            VisitFlag(
                visit_id=v.visit_id,
                provider_id=v.provider_id,
                caregiver_id=v.caregiver_id,
                beneficiary_id=v.beneficiary_id,
                district_code=v.district_code,
                source=FlagSource.fraud_signal,
                signal=h.signal.value,
                score=h.score,
                evidence={
                    **h.evidence,
                    "checked_in_on": china_day(v.checked_in_at).isoformat(),
                    "parameters": rules.parameters(h.signal),
                },
                raised_at=now,
            )
        )
    return await raise_flags(flags, uow)


async def raise_flags(flags: list[VisitFlag], uow: UnitOfWork) -> list[VisitFlag]:
    """Record the flags whose visit does not carry the signal yet; tell billing to withhold them."""
    added = await FraudRepository(uow.session).add_flags_once(flags)
    raised = [f for f in flags if f.id in added]
    for flag in raised:
        uow.publish(
            VisitFlagRaised(
                flag_id=flag.id,
                visit_id=flag.visit_id,
                provider_id=flag.provider_id,
                district_code=flag.district_code,
                source=flag.source.value,
                signal=flag.signal,
                raised_at=flag.raised_at,
            )
        )
    return raised


async def raise_flag(flag: VisitFlag, uow: UnitOfWork) -> bool:
    return bool(await raise_flags([flag], uow))


# ---------------------------------------------------------------- investigation


@dataclass(frozen=True)
class ResolveFlag:
    flag_id: UUID
    confirmed: bool
    notes: str
    finding_type: FindingType | None
    principal: Principal


async def resolve_flag(cmd: ResolveFlag, uow: UnitOfWork) -> VisitFlag:
    """Clear (billing releases the charge) or confirm (a 第十八条 finding is opened)."""
    repo = FraudRepository(uow.session)
    flag = await repo.get_flag(cmd.flag_id)
    if flag is None:
        raise NotFound("visit flag not found")
    cmd.principal.ensure_region(flag.district_code, "visit flag")
    now = utcnow()
    finding = flag.resolve(
        confirmed=cmd.confirmed,
        notes=cmd.notes,
        finding_type=cmd.finding_type,
        by=cmd.principal.subject,
        at=now,
    )
    if finding is not None:
        await RectificationRepository(uow.session).add_finding(finding)
    await repo.save_flag(flag)
    uow.publish(
        VisitFlagResolved(
            flag_id=flag.id,
            visit_id=flag.visit_id,
            provider_id=flag.provider_id,
            district_code=flag.district_code,
            outcome="confirmed" if cmd.confirmed else "cleared",
            finding_id=flag.finding_id,
            resolved_at=now,
        )
    )
    return flag


@dataclass(frozen=True)
class AssignFlag:
    flag_id: UUID
    assignee: str
    principal: Principal


async def assign_flag(cmd: AssignFlag, uow: UnitOfWork) -> VisitFlag:
    """Give the investigation of a flag to a member of staff."""
    repo = FraudRepository(uow.session)
    flag = await repo.get_flag(cmd.flag_id)
    if flag is None:
        raise NotFound("visit flag not found")
    cmd.principal.ensure_region(flag.district_code, "visit flag")
    flag.assign(cmd.assignee)
    await repo.save_flag(flag)
    return flag
