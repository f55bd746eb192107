"""Unmasked reads of health and personal data are logged and announced (PIPL 第二十八条 sensitive
personal information, 第五十一条 security measures; architecture.md, Identity and access).

Every answer that shows an assessment's health data in clear (diagnoses, the specialist flag, the
information provider's name; a draft's whole form) writes a ``health_data_reads`` row and publishes
``PersonalDataAccessed`` (``assessment.pii_access.recorded.v1``: field names only, never values)
in the transaction that answers it, so a read that cannot be logged is not answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eldercare.assessment.adapters.models import HealthDataReadRow
from eldercare.assessment.domain.assessment import Assessment, SignerKind
from eldercare.common.auth import Principal
from eldercare.common.clock import utcnow
from eldercare.common.contracts import AssessmentPersonalDataAccessed
from eldercare.common.ids import uuid7
from eldercare.common.uow import UnitOfWork

# The parts of a draft form that are identity or health data (Annex A.2, A.3, A.4, A.5).
DRAFT_SECTIONS = ("person", "information_provider", "diagnoses", "medication", "health_problems", "coma")


@dataclass(frozen=True)
class Disclosure:
    principal: Principal
    reason: str | None = None


def report_fields(a: Assessment, principal: Principal) -> list[str]:
    """What an assessment's answer shows in clear to this caller (nothing without pii:read)."""
    if not principal.can_read_pii:
        return []
    fields = []
    if a.report is not None:
        fields += ["diagnoses", "psychiatric_specialist_diagnosis", "information_provider.name"]
    if any(s.kind is SignerKind.information_provider for s in a.signatures):
        fields.append("signatures.information_provider")
    return fields


def draft_fields(form: Mapping[str, Any]) -> list[str]:
    """A draft is the assessors' working form and is shown whole: every filled section is disclosed."""
    return [name for name in DRAFT_SECTIONS if _filled(form.get(name))]


def _filled(value: Any) -> bool:
    if isinstance(value, Mapping):
        return any(_filled(v) for v in value.values())
    if isinstance(value, list):
        return bool(value)
    return value is not None


async def record(uow: UnitOfWork, who: Disclosure, a: Assessment, resource: str, fields: list[str]) -> None:
    if not fields:
        return
    principal, at, access_id = who.principal, utcnow(), uuid7()
    reason = (who.reason or "")[:500]
    uow.session.add(
        HealthDataReadRow(
            id=access_id,
            subject=principal.subject,
            roles=sorted(principal.roles),
            resource=resource,
            assessment_id=a.id,
            fields=fields,
            reason=who.reason,
            at=at,
        )
    )
    uow.publish(
        AssessmentPersonalDataAccessed(
            access_id=access_id,
            actor=principal.subject,
            actor_role=",".join(sorted(principal.roles)),
            actor_region=principal.region,
            resource_type=resource,
            resource_id=a.id,
            fields=fields,
            reason=reason,
            district_code=a.district_code,
            accessed_at=at,
        )
    )


def logged(
    action: Callable[[UnitOfWork], Awaitable[Assessment]], who: Disclosure
) -> Callable[[UnitOfWork], Awaitable[Assessment]]:
    """A command whose answer is an assessment, with the answer's unmasked fields logged in its
    transaction (results and signatures answer with the diagnoses to a caller with pii:read)."""

    async def run(uow: UnitOfWork) -> Assessment:
        assessment = await action(uow)
        await record(uow, who, assessment, "assessment", report_fields(assessment, who.principal))
        return assessment

    return run
