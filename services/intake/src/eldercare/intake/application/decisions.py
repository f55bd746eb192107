"""The district's decision (审定) and the enrolment of a beneficiary that an approval makes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import ApplicationDecided, BeneficiaryEnrolled
from eldercare.common.contracts.common import ClauseRef, GeoPoint, PolicyRef
from eldercare.common.contracts.intake import MonthlyEntitlement
from eldercare.common.errors import InvalidInput, NotFound
from eldercare.common.pii import mask_id_number
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository
from eldercare.intake.adapters.persons import PersonRepository, circumstances_on
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.case import ApplicationCase
from eldercare.intake.application.contact_share import share_contact
from eldercare.intake.domain.application import Application, Decision, DecisionOutcome
from eldercare.intake.domain.beneficiary import Beneficiary
from eldercare.intake.domain.eligibility import (
    Entitlement,
    Evaluation,
    PersonFacts,
    entitlement_for,
    evaluate,
    require_complete,
)
from eldercare.intake.domain.errors import NoPolicyInForce, NotEligible
from eldercare.intake.domain.person import Person
from eldercare.intake.domain.policy import Clause, PackCatalog, PolicyPack


class DecisionChoice(StrEnum):
    approve = "approve"
    reject = "reject"


@dataclass(frozen=True)
class DecideApplication:
    application_id: UUID
    outcome: DecisionChoice
    comment: str | None
    as_of: date | None
    principal: Principal
    vault: PiiVault
    catalog: PackCatalog
    policy_settings: Mapping[str, Mapping[str, int]]


async def decide_application(cmd: DecideApplication, uow: UnitOfWork) -> ApplicationCase:
    """审定 (changsha-2024-purchased-door-to-door-rules.md 第十一条): approve enrols the person under
    the pack in force on the decision date, if the pack says they are eligible; reject closes it.

    The decision records the pack id and version, so a later pack never rewrites it.
    """
    applications = ApplicationRepository(uow.session, cmd.vault)
    application = await applications.get(cmd.application_id)
    if application is None:
        raise NotFound("application not found")
    cmd.principal.ensure_region(application.community_code, "application")
    application.ensure_decidable()
    now = utcnow()
    as_of = _decision_date(cmd.as_of, application, local_date(now))
    pack = cmd.catalog.in_force(application.policy, as_of)
    if pack is None:
        raise NoPolicyInForce(f"no {application.policy} policy is in force on {as_of}", field="as_of")
    person = await PersonRepository(uow.session, cmd.vault).get(application.person_id)
    assert person is not None  # the foreign key guarantees it
    # The bureau's rosters (低保 lists …) count beside what the application declared.
    marked = await circumstances_on(uow.session, person.id, as_of)
    facts = replace(
        facts_of(application, person), circumstances=frozenset(application.circumstances) | marked
    )
    evaluation = evaluate(pack, facts, as_of, cmd.policy_settings)
    if cmd.outcome is DecisionChoice.approve:
        await _approve(cmd, uow, application, person, pack, evaluation, facts, now)
    else:
        basis = (pack.decision_basis, *(u.basis for u in evaluation.unmet))
        decision = _decision(cmd, DecisionOutcome.rejected, pack, basis, now, effective_on=None)
        application.reject(decision)
        _publish_decided(uow, application, decision)
    await applications.save(application)
    return ApplicationCase(application, person)


def _decision_date(requested: date | None, application: Application, today: date) -> date:
    # The decision date is also the first day of the entitlement: it may not lie in the future,
    # nor before the application existed.
    if requested is None:
        return today
    if requested > today:
        raise InvalidInput("the decision date cannot be in the future", field="as_of")
    if requested < local_date(application.submitted_at):
        raise InvalidInput("the decision date cannot precede the application", field="as_of")
    return requested


def facts_of(application: Application, person: Person) -> PersonFacts:
    """The rules' facts: the community applied at is the habitual residence (第十一条)."""
    return facts_from(application, person.birth_date, person.hukou_region, person.false_declaration_at)


def facts_from(
    application: Application, birth_date: date, hukou_region: str, false_declaration_at: datetime | None
) -> PersonFacts:
    """``facts_of`` from the person's columns that are not personal data at rest (no vault needed)."""
    assert application.assessment is not None
    return PersonFacts(
        birth_date=birth_date,
        hukou_region=hukou_region,
        residence_region=application.community_code,
        circumstances=frozenset(application.circumstances),
        assessment_level=application.assessment.final_level,
        lives_at_hukou=application.community_code.startswith(hukou_region),
        guardian=application.guardian,
        false_declaration=false_declaration_at is not None,
        receiving_since=application.receiving_since,
        earlier_service_since=application.earlier_service_since,
    )


# Where a pack has no clause of its own on false material, the rejection cites Wuhai's: the only
# seed that names the consequence (issue #3, "False declarations").
FALSE_MATERIAL = Clause(
    "wuhai-2017-home-care-measures.md",
    "第三十二条",
    None,
    "服务对象申请政府购买居家养老服务，应当诚信申报。提供虚假证明材料的，取消政府购买居家养老服务资格。",
)


@dataclass(frozen=True)
class FlagFalseDeclaration:
    application_id: UUID
    comment: str | None
    principal: Principal
    vault: PiiVault
    catalog: PackCatalog


async def flag_false_declaration(cmd: FlagFalseDeclaration, uow: UnitOfWork) -> ApplicationCase:
    """A reviewer found the application based on false material: it is rejected, citing the
    clause, and the person is flagged, so the pack's exclusion refuses a later application."""
    applications = ApplicationRepository(uow.session, cmd.vault)
    application = await applications.get(cmd.application_id)
    if application is None:
        raise NotFound("application not found")
    cmd.principal.ensure_region(application.community_code, "application")
    now = utcnow()
    pack = cmd.catalog.in_force(application.policy, local_date(now)) or cmd.catalog.in_force(
        application.policy, local_date(application.submitted_at)
    )
    if pack is None:
        raise NoPolicyInForce(f"no {application.policy} policy is in force", field="policy")
    own = [r.basis for r in pack.exclusions if any(t.fact == "false_declaration" for t in r.when)]
    decision = Decision(
        outcome=DecisionOutcome.rejected,
        by=cmd.principal.subject,
        at=now,
        pack_id=pack.pack_id,
        version=pack.version,
        basis=tuple(own) or (FALSE_MATERIAL,),
        comment=cmd.comment,
    )
    application.reject_for_false_material(decision)
    persons = PersonRepository(uow.session, cmd.vault)
    person = await persons.get(application.person_id)
    assert person is not None  # the foreign key guarantees it
    if person.false_declaration_at is None:
        person = replace(person, false_declaration_at=now)
        await persons.save(person)
    await applications.save(application)
    _publish_decided(uow, application, decision)
    return ApplicationCase(application, person)


def _decision(
    cmd: DecideApplication,
    outcome: DecisionOutcome,
    pack: PolicyPack,
    basis: tuple[Clause, ...],
    at: datetime,
    *,
    effective_on: date | None,
) -> Decision:
    return Decision(
        outcome=outcome,
        by=cmd.principal.subject,
        at=at,
        pack_id=pack.pack_id,
        version=pack.version,
        basis=tuple(dict.fromkeys(basis)),
        comment=cmd.comment,
        effective_on=effective_on,
    )


async def _approve(
    cmd: DecideApplication,
    uow: UnitOfWork,
    application: Application,
    person: Person,
    pack: PolicyPack,
    evaluation: Evaluation,
    facts: PersonFacts,
    now: datetime,
) -> None:
    if not evaluation.eligible:
        raise NotEligible(
            "the applicant does not meet the policy's conditions; reject the application instead",
            unmet=[
                {
                    "rule": u.rule_id,
                    "label": u.label,
                    "basis": _ref(u.basis).model_dump(),
                    "reasons": list(u.reasons),
                }
                for u in evaluation.unmet
            ],
        )
    entitlement = entitlement_for(pack, facts, evaluation.as_of, cmd.policy_settings)
    amount = require_complete(entitlement)
    beneficiary = _beneficiary(
        application, pack, entitlement, amount, evaluation.as_of, cmd.principal.subject, now
    )
    basis = (pack.decision_basis, *evaluation.basis)
    decision = _decision(cmd, DecisionOutcome.approved, pack, basis, now, effective_on=evaluation.as_of)
    application.approve(decision, beneficiary.id)
    await BeneficiaryRepository(uow.session).add(beneficiary)
    _publish_decided(uow, application, decision)
    _publish_enrolled(uow, application, person, beneficiary)
    # The caregivers' way to the door (issue #5): sealed for dispatch alone, same transaction.
    share_contact(
        uow,
        cmd.vault,
        beneficiary_id=beneficiary.id,
        district_code=beneficiary.district_code,
        person=person,
        agent=application.agent,
        at=now,
    )


def _beneficiary(
    application: Application,
    pack: PolicyPack,
    entitlement: Entitlement,
    amount: int,
    effective_on: date,
    by: str,
    at: datetime,
) -> Beneficiary:
    # The decision date is the first day of the entitlement, so this month's visits are covered.
    assert application.assessment is not None
    return Beneficiary(
        person_id=application.person_id,
        application_id=application.id,
        district_code=application.district_code,
        community_code=application.community_code,
        pack_id=pack.pack_id,
        pack_version=pack.version,
        assessment_level=application.assessment.final_level,
        monthly_amount_fen=amount,
        service_categories=entitlement.service_categories,
        emergency_help_required=entitlement.emergency_help_required,
        basis=entitlement.basis,
        effective_on=effective_on,
        enrolled_by=by,
        enrolled_at=at,
        assessment_id=application.assessment.assessment_id,
        assessed_at=application.assessment.completed_at,
    )


def _ref(clause: Clause) -> ClauseRef:
    return ClauseRef(source=clause.source, article=clause.article, item=clause.item, text=clause.text)


def _publish_decided(uow: UnitOfWork, application: Application, decision: Decision) -> None:
    uow.publish(
        ApplicationDecided(
            application_id=application.id,
            person_id=application.person_id,
            district_code=application.district_code,
            decision=decision.outcome.value,
            policy=PolicyRef(pack_id=decision.pack_id, version=decision.version),
            basis=[_ref(c) for c in decision.basis],
            decided_at=decision.at,
        )
    )


def _publish_enrolled(uow: UnitOfWork, application: Application, person: Person, b: Beneficiary) -> None:
    point = application.home_point
    uow.publish(
        BeneficiaryEnrolled(
            beneficiary_id=b.id,
            person_id=person.id,
            application_id=application.id,
            district_code=b.district_code,
            community_code=b.community_code,
            # PIPL minimisation: a masked number and a home point, never the number, phone or address.
            masked_id_number=mask_id_number(person.id_number),
            home_point=GeoPoint(lat=point[0], lon=point[1]) if point else None,
            assessment_level=b.assessment_level,
            policy=PolicyRef(pack_id=b.pack_id, version=b.pack_version),
            entitlement=MonthlyEntitlement(
                monthly_amount_fen=b.monthly_amount_fen,
                service_categories=list(b.service_categories),
                emergency_help_required=b.emergency_help_required,
                basis=[_ref(c) for c in b.basis],
            ),
            effective_on=b.effective_on,
            enrolled_at=b.enrolled_at,
            assessment_id=b.assessment_id,
        )
    )
