"""Rectification notices (changsha-2024 第十八条): issue, verification and the sanction decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from eldercare.audit.domain.errors import InvalidNotice, NoticeNotDecidable
from eldercare.audit.domain.rectification import (
    Finding,
    FindingSource,
    FindingType,
    NoticeStatus,
    RectificationNotice,
    SanctionMeasure,
)

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
PROVIDER = uuid4()


def finding(
    kind: FindingType = FindingType.not_per_plan, provider=PROVIDER, district: str = "430102"
) -> Finding:  # type: ignore[no-untyped-def]
    return Finding(district, provider, kind, FindingSource.spot_check, None, ("回访记录",), "未上门", "a", AT)


def notice(*findings: Finding) -> RectificationNotice:
    return RectificationNotice.issue(
        list(findings) or [finding()],
        requirements="限期整改",
        deadline_on=TODAY + timedelta(days=10),
        by="a",
        at=AT,
        today=TODAY,
    )


class TestIssue:
    def test_each_finding_cites_its_item_of_article_18(self) -> None:
        assert finding(FindingType.false_information).basis.endswith("第十八条（四）")

    def test_findings_against_two_providers_make_no_notice(self) -> None:
        with pytest.raises(InvalidNotice) as err:
            notice(finding(), finding(provider=uuid4()))
        assert err.value.field == "finding_ids"

    def test_the_deadline_must_lie_after_today(self) -> None:
        with pytest.raises(InvalidNotice) as err:
            RectificationNotice.issue(
                [finding()], requirements="r", deadline_on=TODAY, by="a", at=AT, today=TODAY
            )
        assert err.value.field == "deadline_on"


class TestVerification:
    def test_rectified_closes_it_without_a_recommendation(self) -> None:
        n = notice()
        n.verify(rectified=True, notes="ok", findings=[], by="b", at=AT, today=TODAY)
        assert n.status is NoticeStatus.rectified and n.recommendation is None

    def test_not_rectified_cannot_be_found_before_the_deadline_has_passed(self) -> None:
        n = notice()
        with pytest.raises(NoticeNotDecidable):
            n.verify(rectified=False, notes="x", findings=[], by="b", at=AT, today=n.deadline_on)

    def test_not_rectified_recommends_ending_the_contract_and_blacklisting(self) -> None:
        f = finding()
        n = notice(f)
        n.verify(
            rectified=False, notes="x", findings=[f], by="b", at=AT, today=n.deadline_on + timedelta(days=1)
        )
        assert n.status is NoticeStatus.not_rectified and n.recommendation is not None
        assert n.recommendation.measures == (SanctionMeasure.end_contract, SanctionMeasure.blacklist)

    def test_false_information_also_recovers_the_funds(self) -> None:
        f = finding(FindingType.false_information)
        n = notice(f)
        n.verify(
            rectified=False, notes="x", findings=[f], by="b", at=AT, today=n.deadline_on + timedelta(days=1)
        )
        assert n.recommendation is not None and SanctionMeasure.recover_funds in n.recommendation.measures


class TestSanctionDecision:
    def test_a_sanction_is_decided_only_on_a_notice_found_not_rectified(self) -> None:
        n = notice()
        with pytest.raises(NoticeNotDecidable):
            n.decide_sanction(confirmed=True, notes="n", by="d", at=AT)

    def test_confirmation_sanctions_and_declining_does_not(self) -> None:
        confirmed, declined = notice(), notice()
        for n in (confirmed, declined):
            n.verify(
                rectified=False,
                notes="x",
                findings=[finding()],
                by="b",
                at=AT,
                today=n.deadline_on + timedelta(days=1),
            )
        assert confirmed.decide_sanction(confirmed=True, notes="n", by="d", at=AT) is not None
        assert confirmed.status is NoticeStatus.sanctioned and confirmed.sanction_id is not None
        assert declined.decide_sanction(confirmed=False, notes="n", by="d", at=AT) is None
        assert declined.status is NoticeStatus.sanction_declined and declined.sanction_id is None
