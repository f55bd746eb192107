"""Request and response bodies of the billing API.

Requests forbid unknown fields and bound every string, number and list, so hostile input is a 422
naming the field. Money is integer fen; a person reads enumerations through their ``_label``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from eldercare.billing.adapters.export_repository import ExportJob
from eldercare.billing.adapters.statement_repository import StatementLine
from eldercare.billing.api.exports import reason_label
from eldercare.billing.application.queries import AccountView, LineTrace
from eldercare.billing.domain.accounts import SETTLEMENT_STATUS_LABELS, Settlement, SettlementStatus
from eldercare.billing.domain.charges import CHARGE_STATUS_LABELS, REASON_LABELS, Charge, ChargeStatus
from eldercare.billing.domain.entitlements import BeneficiaryStatus
from eldercare.billing.domain.pricing import UNIT_LABELS, PriceItem, PriceList, Unit
from eldercare.billing.domain.statements import (
    LINE_KIND_LABELS,
    STATEMENT_STATUS_LABELS,
    LineKind,
    Statement,
    StatementStatus,
)

PERIOD_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
# 1,000,000 yuan: far above any unit price, far below integer overflow in a month's totals.
MAX_UNIT_PRICE_FEN = 100_000_000

ServiceCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,32}$")]
PriceRegion = Annotated[str, StringConstraints(pattern=r"^\d{2}(\d{2}){0,2}$")]


class PriceItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_code: ServiceCode = Field(description="服务项目代码, as in the service catalog (附件2)")
    unit: Unit = Field(description="visit 按次 | hour 按小时")
    unit_price_fen: Annotated[StrictInt, Field(ge=0, le=MAX_UNIT_PRICE_FEN)]


class PriceListCreate(BaseModel):
    """A region's prices from a date (changsha-2024-purchased-door-to-door-rules.md 第四条)."""

    model_config = ConfigDict(extra="forbid")

    region_code: PriceRegion = Field(description="province, city or district code (GB/T 2260)")
    effective_from: date
    items: list[PriceItemIn] = Field(min_length=1, max_length=200)

    def domain_items(self) -> tuple[PriceItem, ...]:
        return tuple(PriceItem(i.service_code, i.unit, i.unit_price_fen) for i in self.items)


class PriceItemRead(BaseModel):
    service_code: str
    unit: Unit
    unit_label: str
    unit_price_fen: int


class PriceListRead(BaseModel):
    id: UUID
    region_code: str
    effective_from: date
    items: list[PriceItemRead]
    created_by: str
    created_at: datetime

    @classmethod
    def from_domain(cls, pl: PriceList) -> PriceListRead:
        return cls(
            id=pl.id,
            region_code=pl.region_code,
            effective_from=pl.effective_from,
            items=[
                PriceItemRead(
                    service_code=i.service_code,
                    unit=i.unit,
                    unit_label=UNIT_LABELS[i.unit],
                    unit_price_fen=i.unit_price_fen,
                )
                for i in pl.items
            ],
            created_by=pl.created_by,
            created_at=pl.created_at,
        )


class ChargeRead(BaseModel):
    id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    provider_id: UUID
    district_code: str
    service_code: str
    visit_on: date
    period: str
    duration_minutes: int
    verified: bool
    status: ChargeStatus
    status_label: str
    reason: str | None
    reason_label: str | None
    notes: list[str]
    price_list_id: UUID | None
    unit: Unit | None
    unit_price_fen: int | None
    amount_fen: int | None
    covered_fen: int | None
    beneficiary_pays_fen: int | None
    posted_at: datetime | None
    reversed_at: datetime | None = Field(description="when a posted charge was reversed (visit cancelled)")
    outcome_note: str | None = Field(
        description="dispatch's reason for the cancellation, or the review's note"
    )

    @classmethod
    def from_domain(cls, c: Charge) -> ChargeRead:
        return cls(
            **{name: getattr(c, name) for name in _CHARGE_COPIED},
            status_label=CHARGE_STATUS_LABELS[c.status],
            reason=c.reason.value if c.reason else None,
            reason_label=REASON_LABELS[c.reason] if c.reason else None,
            notes=list(c.notes),
        )


_CHARGE_COPIED = tuple(
    name
    for name in ChargeRead.model_fields
    if name not in {"status_label", "reason", "reason_label", "notes"}
)


class AccountRead(BaseModel):
    id: UUID
    beneficiary_id: UUID
    period: str
    district_code: str
    entitlement_fen: int
    used_fen: int = Field(description="covered by the entitlement so far")
    remaining_fen: int
    beneficiary_pays_fen: int = Field(description="paid by the beneficiary beyond the entitlement")
    charge_count: int
    closed_at: datetime | None = Field(
        default=None, description="when the month ended or the beneficiary was terminated (AccountClosed)"
    )
    close_reason: str | None = Field(default=None, description="month_ended | terminated")
    lapsed_fen: int | None = Field(
        default=None, description="once closed: what the month left unused; it does not roll over"
    )
    charges: list[ChargeRead]

    @classmethod
    def from_view(cls, view: AccountView) -> AccountRead:
        a = view.account
        return cls(
            id=a.id,
            beneficiary_id=a.beneficiary_id,
            period=a.period,
            district_code=a.district_code,
            entitlement_fen=a.entitlement_fen,
            used_fen=a.used_fen,
            remaining_fen=a.remaining_fen,
            beneficiary_pays_fen=a.beneficiary_pays_fen,
            charge_count=a.charge_count,
            closed_at=a.closed_at,
            close_reason=a.close_reason.value if a.close_reason else None,
            lapsed_fen=a.lapsed_fen if a.closed_at else None,
            charges=[ChargeRead.from_domain(c) for c in view.charges],
        )


class SettlementRead(BaseModel):
    id: UUID
    provider_id: UUID
    district_code: str
    period: str
    status: SettlementStatus
    status_label: str
    total_fen: int = Field(description="owed to the provider: the covered part of its posted charges")
    gross_fen: int
    beneficiary_pays_fen: int
    charge_count: int

    @classmethod
    def from_domain(cls, s: Settlement) -> SettlementRead:
        return cls(
            id=s.id,
            provider_id=s.provider_id,
            district_code=s.district_code,
            period=s.period,
            status=s.status,
            status_label=SETTLEMENT_STATUS_LABELS[s.status],
            total_fen=s.total_fen,
            gross_fen=s.gross_fen,
            beneficiary_pays_fen=s.beneficiary_pays_fen,
            charge_count=s.charge_count,
        )


class SettlementRunCreate(BaseModel):
    """Run (preview) the statement of a provider's month in a district."""

    model_config = ConfigDict(extra="forbid")

    provider_id: UUID
    district_code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] = Field(
        description="the district (GB/T 2260, 6 digits) whose bureau buys the services"
    )
    period: Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)] = Field(
        description="'YYYY-MM', Asia/Shanghai; not a future month"
    )


class MonthRunCreate(BaseModel):
    """Run (preview) every provider's statement of a month in a district or city."""

    model_config = ConfigDict(extra="forbid")

    region_code: PriceRegion = Field(description="district (6 digits) or city (4) code")
    period: Annotated[str, StringConstraints(pattern=PERIOD_PATTERN)] = Field(
        description="'YYYY-MM', Asia/Shanghai; not a future month"
    )


class StatementRead(BaseModel):
    settlement_id: UUID = Field(description="the statement's id is its settlement's")
    provider_id: UUID
    district_code: str
    period: str
    status: StatementStatus
    status_label: str
    gross_fen: int = Field(description="sum of the lines' amounts")
    covered_fen: int = Field(description="补贴支付: owed to the provider, adjustments included")
    self_pay_fen: int = Field(description="个人自付: borne by the beneficiaries")
    adjusted_fen: int = Field(description="the covered part of the adjustment lines (part of covered_fen)")
    charge_count: int
    adjustment_count: int
    withheld_count: int = Field(description="charges of the month not paid (held, unpriced, waiting)")
    withheld_fen: int = Field(
        description="covered amounts kept back by withheld lines (audit flags, recovery orders)"
    )
    recovered_fen: int = Field(description="recovery and fine lines (negative; part of covered_fen)")
    deducted_fen: int = Field(description="claim-sampling deductions (negative; part of covered_fen)")
    generated_at: datetime
    issued_at: datetime | None
    issued_by: str | None

    @classmethod
    def from_domain(cls, s: Statement) -> StatementRead:
        return cls(
            settlement_id=s.id,
            status_label=STATEMENT_STATUS_LABELS[s.status],
            **{name: getattr(s, name) for name in _STATEMENT_COPIED},
        )


_STATEMENT_COPIED = tuple(
    name for name in StatementRead.model_fields if name not in {"settlement_id", "status_label"}
)


class StatementLineRead(BaseModel):
    id: UUID
    kind: LineKind
    kind_label: str
    charge_id: UUID
    visit_id: UUID
    beneficiary_id: UUID
    service_code: str
    visit_on: date
    charge_period: str = Field(description="the month the charge belongs to (earlier for adjustments)")
    unit: str | None
    unit_price_fen: int | None
    amount_fen: int
    covered_fen: int
    self_pay_fen: int
    reason: str | None
    reason_label: str | None
    ref_id: UUID | None = Field(
        description="the audit flag, recovery order (recovery_id) or claim sample behind the line"
    )
    withheld_fen: int = Field(description="what a withheld line keeps back from the provider")
    detail: str | None = Field(
        description="dispatch's reason, a fine's rate × base, a sample's failed/sampled"
    )

    @classmethod
    def from_domain(cls, line: StatementLine) -> StatementLineRead:
        return cls(
            kind_label=LINE_KIND_LABELS[line.kind],
            reason_label=reason_label(line.reason) or None,
            **{name: getattr(line, name) for name in _LINE_COPIED},
        )


_LINE_COPIED = tuple(
    name for name in StatementLineRead.model_fields if name not in {"kind_label", "reason_label"}
)


class VisitTrace(BaseModel):
    """The visit as dispatch's VisitCompleted reported it (null where billing did not keep it yet)."""

    visit_id: UUID
    care_plan_id: UUID | None
    caregiver_id: UUID | None
    checked_in_at: datetime | None
    checked_out_at: datetime | None
    duration_minutes: int
    verified: bool
    verification_notes: list[str]


class PriceTrace(BaseModel):
    price_list_id: UUID
    region_code: str
    effective_from: date
    unit: Unit | None
    unit_price_fen: int | None


class ClauseTrace(BaseModel):
    source: str
    article: str
    item: str | None = None
    text: str | None = None


class EntitlementTrace(BaseModel):
    """The entitlement the charge was covered from, and the enrolment decision behind it."""

    beneficiary_id: UUID
    district_code: str
    monthly_amount_fen: int | None
    effective_on: date
    enrolled_at: datetime
    status_on_visit_day: BeneficiaryStatus | None
    monthly_amount_fen_for_period: int | None = Field(
        description="the monthly amount in force for the charge's month (an entitlement change may differ)"
    )
    changed_from: date | None = Field(
        description="when the entitlement in force for the month comes from a change: its effective date"
    )
    change_reason: str | None
    application_id: UUID | None
    assessment_id: UUID | None = Field(description="the assessment result behind the level")
    assessment_level: int | None
    policy_pack_id: str | None
    policy_version: str | None
    basis: list[ClauseTrace]


class SanctionTrace(BaseModel):
    """The sanction audit imposed that withheld the line (changsha-2024-purchased-door-to-door-rules.md
    第十八条)."""

    sanction_id: UUID
    notice_id: UUID
    measures: list[str]
    finding_ids: list[UUID]
    finding_types: list[str]
    basis: list[str]
    imposed_at: datetime


class FlagTrace(BaseModel):
    """An audit flag on the visit: open or confirmed withholds the charge; cleared releases it."""

    flag_id: UUID
    source: str | None
    signal: str | None
    raised_at: datetime | None
    outcome: str | None
    finding_id: UUID | None
    resolved_at: datetime | None
    withholds: bool


class OutcomeTrace(BaseModel):
    """What dispatch said of the visit after completion: cancelled, missed, voided, or the review's
    accepted / rejected."""

    kind: str
    detail: str | None
    occurred_at: datetime


class RecoveryTrace(BaseModel):
    """Audit's recovery order (changsha-2024-purchased-door-to-door-rules.md 第十八条（四）; fine:
    nanchang-2019-home-care-regulation.md 第四十四条)."""

    recovery_id: UUID
    finding_ids: list[UUID]
    visit_ids: list[UUID]
    fine_rate_percent: int | None
    basis: list[str]
    ordered_at: datetime


class SampleTrace(BaseModel):
    """Audit's claim sample behind a deduction line."""

    sample_id: UUID
    period: str
    seed: str
    sampled: int
    failed: int
    sampled_visit_ids: list[UUID]
    failed_visit_ids: list[UUID]
    basis: list[str]
    published_at: datetime
    applied: bool


class LineTraceRead(BaseModel):
    line: StatementLineRead
    statement: StatementRead
    charge: ChargeRead
    visit: VisitTrace
    price: PriceTrace | None
    entitlement: EntitlementTrace | None
    sanction: SanctionTrace | None = None
    flags: list[FlagTrace] = Field(default_factory=list)
    visit_outcomes: list[OutcomeTrace] = Field(default_factory=list)
    recovery: RecoveryTrace | None = None
    sample: SampleTrace | None = None
    missing: list[str] = Field(description="links of the chain billing cannot show, and why")

    @classmethod
    def from_trace(cls, t: LineTrace) -> LineTraceRead:
        c, e, pl = t.charge, t.entitlement, t.price_list
        p = e.provenance_for(c.period) if e else None
        change = e.change_for(c.period) if e else None
        missing = [
            "care plan version: VisitCompleted carries the care plan id, not its version",
            "verification record: VisitCompleted carries the verified flag and notes only",
        ]
        if c.care_plan_id is None:
            missing.append("visit details: charged before billing kept them")
        if e is not None and p is None:
            missing.append("policy pack and clauses: enrolled before billing kept them")
        if e is not None and (p is None or p.assessment_id is None):
            missing.append("assessment result: the enrolment or change carried no assessment id")
        return cls(
            line=StatementLineRead.from_domain(t.line),
            statement=StatementRead.from_domain(t.statement),
            charge=ChargeRead.from_domain(c),
            visit=VisitTrace(
                visit_id=c.visit_id,
                care_plan_id=c.care_plan_id,
                caregiver_id=c.caregiver_id,
                checked_in_at=c.checked_in_at,
                checked_out_at=c.checked_out_at,
                duration_minutes=c.duration_minutes,
                verified=c.verified,
                verification_notes=list(c.notes),
            ),
            price=PriceTrace(
                price_list_id=pl.id,
                region_code=pl.region_code,
                effective_from=pl.effective_from,
                unit=c.unit,
                unit_price_fen=c.unit_price_fen,
            )
            if pl
            else None,
            entitlement=EntitlementTrace(
                beneficiary_id=e.beneficiary_id,
                district_code=e.district_code,
                monthly_amount_fen=e.monthly_amount_fen,
                effective_on=e.effective_on,
                enrolled_at=e.enrolled_at,
                status_on_visit_day=e.status_on(c.visit_on),
                monthly_amount_fen_for_period=change.monthly_amount_fen if change else e.monthly_amount_fen,
                changed_from=change.effective_on if change else None,
                change_reason=change.reason if change else None,
                application_id=e.provenance.application_id if e.provenance else None,
                assessment_id=p.assessment_id if p else None,
                assessment_level=p.assessment_level if p else None,
                policy_pack_id=p.policy_pack_id if p else None,
                policy_version=p.policy_version if p else None,
                basis=[ClauseTrace(**clause) for clause in p.basis] if p else [],
            )
            if e
            else None,
            sanction=SanctionTrace(
                sanction_id=t.sanction.sanction_id,
                notice_id=t.sanction.notice_id,
                measures=list(t.sanction.measures),
                finding_ids=list(t.sanction.finding_ids),
                finding_types=list(t.sanction.finding_types),
                basis=list(t.sanction.basis),
                imposed_at=t.sanction.imposed_at,
            )
            if t.sanction
            else None,
            flags=[
                FlagTrace(
                    flag_id=f.flag_id,
                    source=f.source,
                    signal=f.signal,
                    raised_at=f.raised_at,
                    outcome=f.outcome,
                    finding_id=f.finding_id,
                    resolved_at=f.resolved_at,
                    withholds=f.withholds,
                )
                for f in t.flags
            ],
            visit_outcomes=[
                OutcomeTrace(kind=o.kind, detail=o.detail, occurred_at=o.occurred_at) for o in t.outcomes
            ],
            recovery=RecoveryTrace(
                recovery_id=t.recovery.recovery_id,
                finding_ids=list(t.recovery.finding_ids),
                visit_ids=list(t.recovery.visit_ids),
                fine_rate_percent=t.recovery.fine_rate_percent,
                basis=list(t.recovery.basis),
                ordered_at=t.recovery.ordered_at,
            )
            if t.recovery
            else None,
            sample=SampleTrace(
                sample_id=t.sample.sample_id,
                period=t.sample.period,
                seed=t.sample.seed,
                sampled=t.sample.sampled,
                failed=t.sample.failed,
                sampled_visit_ids=list(t.sample.sampled_visit_ids),
                failed_visit_ids=list(t.sample.failed_visit_ids),
                basis=list(t.sample.basis),
                published_at=t.sample.published_at,
                applied=t.sample.applied,
            )
            if t.sample
            else None,
            missing=missing,
        )


class ExportCreate(BaseModel):
    """A background export of a statement."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["csv", "xlsx", "pdf"] = Field(
        description="csv (UTF-8 with BOM), xlsx, or pdf (结算单 for signing)"
    )


EXPORT_STATUS_LABELS = {"queued": "排队中", "running": "生成中", "ready": "可下载", "failed": "失败"}


class ExportJobRead(BaseModel):
    id: UUID
    settlement_id: UUID
    format: str
    status: str = Field(description="queued | running | ready | failed")
    status_label: str
    total_lines: int
    done_lines: int
    progress_percent: int
    created_at: datetime
    finished_at: datetime | None
    error: str | None
    size_bytes: int | None
    download_url: str | None = Field(description="GET it once the job is ready")

    @classmethod
    def from_job(cls, job: ExportJob) -> ExportJobRead:
        percent = (
            100
            if job.status == "ready"
            else (job.done_lines * 100 // job.total_lines if job.total_lines else 0)
        )
        return cls(
            id=job.id,
            settlement_id=job.statement_id,
            format=job.format,
            status=job.status,
            status_label=EXPORT_STATUS_LABELS.get(job.status, job.status),
            total_lines=job.total_lines,
            done_lines=job.done_lines,
            progress_percent=percent,
            created_at=job.created_at,
            finished_at=job.finished_at,
            error=job.error,
            size_bytes=job.size_bytes,
            download_url=f"/v1/export-jobs/{job.id}/content" if job.status == "ready" else None,
        )


class MonthRunRead(BaseModel):
    statements: list[StatementRead]
