"""Which visits a sanction withholds (changsha-2024-purchased-door-to-door-rules.md 第十八条)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from eldercare.billing.domain.sanctions import Sanction

PROVIDER = uuid4()
IMPOSED_AT = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)


def sanction(*measures: str) -> Sanction:
    return Sanction(
        sanction_id=uuid4(),
        notice_id=uuid4(),
        provider_id=PROVIDER,
        district_code="430102",
        measures=measures,
        finding_ids=(uuid4(),),
        finding_types=("false_information",),
        basis=("changsha-2024-purchased-door-to-door-rules.md 第十八条",),
        imposed_at=IMPOSED_AT,
    )


@pytest.mark.parametrize(
    ("measures", "withholds"),
    [
        (("end_contract",), True),
        (("blacklist",), True),
        (("end_contract", "blacklist", "recover_funds"), True),
        (("recover_funds",), False),
    ],
)
def test_ending_the_contract_or_blacklisting_withholds_later_visits_recovering_funds_alone_does_not(
    measures: tuple[str, ...], withholds: bool
) -> None:
    assert (
        sanction(*measures).withholds_visit(PROVIDER, "430102", IMPOSED_AT + timedelta(days=1)) is withholds
    )


def test_a_visit_that_began_before_the_sanction_is_still_paid() -> None:
    s = sanction("end_contract")
    assert not s.withholds_visit(PROVIDER, "430102", IMPOSED_AT - timedelta(minutes=1))
    assert s.withholds_visit(PROVIDER, "430102", IMPOSED_AT)


def test_the_sanction_withholds_only_its_provider_in_its_district() -> None:
    s = sanction("blacklist")
    later = IMPOSED_AT + timedelta(days=1)
    assert not s.withholds_visit(uuid4(), "430102", later)
    assert not s.withholds_visit(PROVIDER, "430103", later)


def test_recover_funds_is_recognised_as_a_measure() -> None:
    assert sanction("recover_funds").recovers_funds
    assert not sanction("end_contract").recovers_funds
