"""Findings, rectification notices (整改通知书) and sanctions against a provider.

changsha-2024-purchased-door-to-door-rules.md 第十八条: where a provider shows one of the five kinds
of conduct below, the district bureau issues a rectification notice with a deadline (下发整改通知书，
责令限期整改); if it is not rectified (整改不到位) the contract may be ended unilaterally and the
provider put on the dishonesty list (列入失信名单，实施联合惩戒); funds obtained by false information
are recovered (追回资金).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.audit.domain.complaint import ComplaintCategory
from eldercare.audit.domain.errors import InvalidNotice, NoticeNotDecidable
from eldercare.common.ids import uuid7

SEED = "changsha-2024-purchased-door-to-door-rules.md"


class FindingType(StrEnum):
    """The five kinds of 第十八条."""

    not_per_plan = "not_per_plan"  # （一）
    selling_or_fraud = "selling_or_fraud"  # （二）
    gambling_or_superstition = "gambling_or_superstition"  # （三）
    false_information = "false_information"  # （四）
    other_serious = "other_serious"  # （五）


FINDING_ITEMS = {
    FindingType.not_per_plan: "（一）",
    FindingType.selling_or_fraud: "（二）",
    FindingType.gambling_or_superstition: "（三）",
    FindingType.false_information: "（四）",
    FindingType.other_serious: "（五）",
}
FINDING_LABELS = {
    FindingType.not_per_plan: "经抽查或投诉举报查实，未按照护方案和标准要求提供服务",
    FindingType.selling_or_fraud: "兜售保健品或组织、诱导参与非法集资，实施或便利养老诈骗",
    FindingType.gambling_or_superstition: "引导服务对象参与赌博、宗教迷信等违法违规活动",
    FindingType.false_information: "通过提供虚假信息等方式骗取政府补助",
    FindingType.other_serious: "严重侵犯老年人合法权益等其他违法违规行为",
}


def finding_basis(kind: FindingType) -> str:
    return f"{SEED} 第十八条{FINDING_ITEMS[kind]}"


class FindingSource(StrEnum):
    survey = "survey"
    complaint = "complaint"
    spot_check = "spot_check"
    fraud_signal = "fraud_signal"


# A substantiated complaint against a provider is a finding of its own accord where 第十八条 names
# the conduct: （一） 经抽查或投诉举报查实，未按照护方案和标准要求提供服务; （二） selling health products or
# fraud. Other categories need an officer to judge which kind, if any, applies.
COMPLAINT_FINDINGS: dict[ComplaintCategory, FindingType] = {
    ComplaintCategory.service_not_delivered: FindingType.not_per_plan,
    ComplaintCategory.service_quality: FindingType.not_per_plan,
    ComplaintCategory.selling_or_fraud: FindingType.selling_or_fraud,
}


class NoticeStatus(StrEnum):
    issued = "issued"
    rectified = "rectified"
    not_rectified = "not_rectified"  # a sanction is recommended and awaits the district officer
    sanctioned = "sanctioned"
    sanction_declined = "sanction_declined"


NOTICE_STATUS_LABELS = {
    NoticeStatus.issued: "已下发整改通知书",
    NoticeStatus.rectified: "整改到位",
    NoticeStatus.not_rectified: "整改不到位，建议终止协议并列入失信名单",
    NoticeStatus.sanctioned: "已终止委托服务协议并列入失信名单",
    NoticeStatus.sanction_declined: "区县民政部门未采纳处理建议",
}


class SanctionMeasure(StrEnum):
    end_contract = "end_contract"  # 单方面终止委托服务协议
    blacklist = "blacklist"  # 列入失信名单，实施联合惩戒
    recover_funds = "recover_funds"  # 追回资金 (only for （四）)


@dataclass(frozen=True)
class Finding:
    district_code: str
    provider_id: UUID
    type: FindingType
    source: FindingSource
    source_id: UUID | None
    evidence: tuple[str, ...]
    description: str
    recorded_by: str
    recorded_at: datetime
    notice_id: UUID | None = None  # the rectification notice that rests on it, once issued
    visit_ids: tuple[UUID, ...] = ()  # the visits it concerns (a funds recovery names them)
    id: UUID = field(default_factory=uuid7)

    @property
    def basis(self) -> str:
        return finding_basis(self.type)


@dataclass(frozen=True)
class ProviderResponse:
    text: str
    by: str
    at: datetime


@dataclass(frozen=True)
class Sanction:
    measures: tuple[SanctionMeasure, ...]
    basis: tuple[str, ...]


def recommended_sanction(findings: list[Finding]) -> Sanction:
    """第十八条: end the contract and blacklist; recover the funds where subsidies were obtained by
    false information (（四）)."""
    measures = [SanctionMeasure.end_contract, SanctionMeasure.blacklist]
    if any(f.type is FindingType.false_information for f in findings):
        measures.append(SanctionMeasure.recover_funds)
    basis = sorted({f.basis for f in findings})
    return Sanction(tuple(measures), (f"{SEED} 第十八条", *basis))


@dataclass
class RectificationNotice:
    district_code: str
    provider_id: UUID
    finding_ids: tuple[UUID, ...]
    requirements: str
    deadline_on: date
    issued_by: str
    issued_at: datetime
    status: NoticeStatus = NoticeStatus.issued
    responses: list[ProviderResponse] = field(default_factory=list)
    verified_by: str | None = None
    verified_at: datetime | None = None
    verification_notes: str | None = None
    recommendation: Sanction | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_notes: str | None = None
    sanction_id: UUID | None = None
    id: UUID = field(default_factory=uuid7)

    @classmethod
    def issue(
        cls,
        findings: list[Finding],
        *,
        requirements: str,
        deadline_on: date,
        by: str,
        at: datetime,
        today: date,
    ) -> RectificationNotice:
        """整改通知书 for findings against one provider in one district, due on ``deadline_on``."""
        if not findings:
            raise InvalidNotice("a notice rests on at least one finding", field="finding_ids")
        if len({(f.provider_id, f.district_code) for f in findings}) != 1:
            raise InvalidNotice(
                "the findings of one notice concern one provider in one district", field="finding_ids"
            )
        if deadline_on <= today:
            raise InvalidNotice("the rectification deadline lies in the future", field="deadline_on")
        return cls(
            district_code=findings[0].district_code,
            provider_id=findings[0].provider_id,
            finding_ids=tuple(f.id for f in findings),
            requirements=requirements,
            deadline_on=deadline_on,
            issued_by=by,
            issued_at=at,
        )

    def respond(self, text: str, *, by: str, at: datetime) -> ProviderResponse:
        if self.status is not NoticeStatus.issued:
            raise NoticeNotDecidable(f"the notice is {self.status.value}; it takes no response")
        response = ProviderResponse(text, by, at)
        self.responses.append(response)
        return response

    def verify(
        self, *, rectified: bool, notes: str, findings: list[Finding], by: str, at: datetime, today: date
    ) -> None:
        """整改验收. Not rectified can only be found once the deadline has passed; it recommends the
        第十八条 sanction to the district officer."""
        if self.status is not NoticeStatus.issued:
            raise NoticeNotDecidable(f"the notice is already {self.status.value}")
        if not rectified and today <= self.deadline_on:
            raise NoticeNotDecidable(
                f"the provider has until {self.deadline_on.isoformat()} to rectify", field="rectified"
            )
        self.verified_by, self.verified_at, self.verification_notes = by, at, notes
        if rectified:
            self.status = NoticeStatus.rectified
        else:
            self.status = NoticeStatus.not_rectified
            self.recommendation = recommended_sanction(findings)

    def decide_sanction(self, *, confirmed: bool, notes: str, by: str, at: datetime) -> Sanction | None:
        """The district officer confirms (or declines) the recommended sanction."""
        if self.status is not NoticeStatus.not_rectified or self.recommendation is None:
            raise NoticeNotDecidable("only a notice found not rectified has a sanction to decide")
        self.decided_by, self.decided_at, self.decision_notes = by, at, notes
        if not confirmed:
            self.status = NoticeStatus.sanction_declined
            return None
        self.status = NoticeStatus.sanctioned
        self.sanction_id = uuid7()
        return self.recommendation
