"""Request and response bodies of the billing API.

Requests forbid unknown fields and bound every string, number and list, so hostile input is a 422
naming the field. Money is integer fen; a person reads enumerations through their ``_label``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from eldercare.billing.application.queries import AccountView
from eldercare.billing.domain.accounts import SETTLEMENT_STATUS_LABELS, Settlement, SettlementStatus
from eldercare.billing.domain.charges import CHARGE_STATUS_LABELS, REASON_LABELS, Charge, ChargeStatus
from eldercare.billing.domain.pricing import UNIT_LABELS, PriceItem, PriceList, Unit

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
