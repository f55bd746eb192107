"""Command handlers of the application process up to the assessment. They load and store through
repositories, call the aggregate, and publish through the unit of work; they never commit."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.contracts import ApplicationSubmitted, AssessmentRequested
from eldercare.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from eldercare.common.pii import mask_id_number
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.applications import ApplicationRepository
from eldercare.intake.adapters.beneficiaries import BeneficiaryRepository
from eldercare.intake.adapters.persons import PersonRepository
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.case import ApplicationCase
from eldercare.intake.application.entitlements import ReassessBeneficiary, reassess_beneficiary
from eldercare.intake.domain.application import (
    Application,
    ApplicationStatus,
    AssessmentResult,
    ReviewOutcome,
)
from eldercare.intake.domain.eligibility import Settings
from eldercare.intake.domain.errors import ActiveCaseExists, NoPolicyInForce
from eldercare.intake.domain.person import (
    Person,
    district_of_community,
    verified_agent,
    verified_applicant,
)
from eldercare.intake.domain.policy import PackCatalog
from eldercare.intake.domain.vocabulary import Sex

log = logging.getLogger("eldercare.intake")


@dataclass(frozen=True)
class ApplicantData:
    name: str
    id_number: str
    sex: Sex
    birth_date: date
    phone: str
    address: str
    hukou_region: str
    community_code: str
    ethnicity: str | None = None
    home_point: tuple[float, float] | None = None


@dataclass(frozen=True)
class AgentData:
    name: str
    relation: str
    phone: str
    id_number: str


@dataclass(frozen=True)
class SubmitApplication:
    policy: str
    applicant: ApplicantData
    circumstances: tuple[str, ...]
    principal: Principal
    vault: PiiVault
    catalog: PackCatalog
    agent: AgentData | None = None
    guardian: str | None = None
    external_ref: str | None = None
    receiving_since: date | None = None
    earlier_service_since: date | None = None


@dataclass(frozen=True)
class ReviewApplication:
    application_id: UUID
    outcome: ReviewOutcome
    comment: str | None
    principal: Principal
    vault: PiiVault


@dataclass(frozen=True)
class RecordAssessment:
    assessment_id: UUID
    application_id: UUID | None
    person_id: UUID
    district_code: str
    total_score: int
    final_level: int
    completed_at: datetime
    reason: str = "initial"
    catalog: PackCatalog | None = None
    policy_settings: Settings = field(default_factory=dict)


async def submit_application(cmd: SubmitApplication, uow: UnitOfWork) -> ApplicationCase:
    """受理: the community takes the 附件1 form (changsha-2024-purchased-door-to-door-rules.md 第十一条).

    The person is registered (or found by the blind index of the ID number) and the application
    starts in ``submitted``. A person with an application in progress or an active enrolment
    cannot apply again (409).
    """
    data, today = cmd.applicant, local_date(utcnow())
    district = district_of_community(data.community_code)
    if not cmd.principal.covers_region(data.community_code):
        raise Forbidden("your region does not cover this community", field="applicant.community_code")
    policy = cmd.catalog.resolve(cmd.policy)
    if policy is None or cmd.catalog.in_force(policy, today) is None:
        raise NoPolicyInForce(f"no {cmd.policy} policy is in force on {today}", field="policy")
    for name, since in (
        ("receiving_since", cmd.receiving_since),
        ("earlier_service_since", cmd.earlier_service_since),
    ):
        if since is not None and since > today:
            raise InvalidInput("the date cannot be in the future", field=name)
    applicant = _verified(data, today)
    agent = verified_agent(**vars(cmd.agent), today=today) if cmd.agent else None
    person = await _register(PersonRepository(uow.session, cmd.vault), applicant)
    applications = ApplicationRepository(uow.session, cmd.vault)
    if cmd.external_ref is not None and await applications.get_by_external_ref(
        cmd.principal.subject, cmd.external_ref
    ):
        raise Conflict("you already submitted an application with this reference", field="external_ref")
    await _ensure_no_open_case(uow, applications, person.id)
    application = Application(
        person_id=person.id,
        policy=policy,
        community_code=data.community_code,
        district_code=district,
        circumstances=tuple(dict.fromkeys(cmd.circumstances)),
        submitted_by=cmd.principal.subject,
        submitted_at=utcnow(),
        guardian=cmd.guardian,
        agent=agent,
        home_point=data.home_point,
        external_ref=cmd.external_ref,
        receiving_since=cmd.receiving_since,
        earlier_service_since=cmd.earlier_service_since,
    )
    await applications.add(application)
    _publish_submitted(uow, application)
    return ApplicationCase(application, person)


def _publish_submitted(uow: UnitOfWork, application: Application) -> None:
    uow.publish(
        ApplicationSubmitted(
            application_id=application.id,
            person_id=application.person_id,
            district_code=application.district_code,
            community_code=application.community_code,
            circumstances=list(application.circumstances),
            submitted_at=application.submitted_at,
        )
    )


def _verified(data: ApplicantData, today: date) -> Person:
    return verified_applicant(
        name=data.name,
        id_number=data.id_number,
        sex=data.sex,
        birth_date=data.birth_date,
        phone=data.phone,
        address=data.address,
        hukou_region=data.hukou_region,
        ethnicity=data.ethnicity,
        today=today,
    )


async def _register(persons: PersonRepository, applicant: Person) -> Person:
    known = await persons.get_by_id_number(applicant.id_number)
    if known is None:
        await persons.add(applicant)
        return applicant
    updated = known.with_contact(applicant)
    await persons.save(updated)
    return updated


async def _ensure_no_open_case(uow: UnitOfWork, applications: ApplicationRepository, person_id: UUID) -> None:
    if await applications.in_progress_for_person(person_id) is not None:
        raise ActiveCaseExists(
            "the person already has an application in progress", field="applicant.id_number"
        )
    if await BeneficiaryRepository(uow.session).active_for_person(person_id) is not None:
        raise ActiveCaseExists("the person is already an active beneficiary", field="applicant.id_number")


async def review_application(cmd: ReviewApplication, uow: UnitOfWork) -> ApplicationCase:
    """初审: the street office passes, returns or rejects (第十一条); a pass asks the district for
    a GB/T 42195-2022 capability assessment (AssessmentRequested)."""
    applications = ApplicationRepository(uow.session, cmd.vault)
    application = await applications.get(cmd.application_id)
    if application is None:
        raise NotFound("application not found")
    cmd.principal.ensure_region(application.community_code, "application")
    now = utcnow()
    application.review(cmd.outcome, by=cmd.principal.subject, at=now, comment=cmd.comment)
    await applications.save(application)
    person = await PersonRepository(uow.session, cmd.vault).get(application.person_id)
    assert person is not None  # the foreign key guarantees it
    if application.status is ApplicationStatus.assessment_requested:
        uow.publish(
            AssessmentRequested(
                application_id=application.id,
                person_id=person.id,
                district_code=application.district_code,
                community_code=application.community_code,
                # PIPL minimisation (CONVENTIONS.md, Contracts): the assessor sees a masked number.
                masked_id_number=mask_id_number(person.id_number),
                reason="initial",
                requested_at=now,
            )
        )
    return ApplicationCase(application, person)


async def record_assessment(cmd: RecordAssessment, uow: UnitOfWork) -> None:
    """评估结果: keep the final level on the application so the district can decide.

    Tolerant by design (it runs for a Kafka consumer): a result for no application, for an
    unknown application or for another person is logged and ignored, never dead-lettered.

    A result for a person already enrolled (active or suspended) is a reassessment (复评) when
    its reason is not "initial" or it concerns the application that enrolled them: it changes
    the level and, through the pack, the entitlement from the next month (issue #3).
    """
    if cmd.catalog is not None:
        beneficiary = await BeneficiaryRepository(uow.session).active_for_person(
            cmd.person_id, for_update=True
        )
        if (
            beneficiary is not None
            and beneficiary.district_code == cmd.district_code
            and (
                cmd.reason != "initial"
                or cmd.application_id is None
                or cmd.application_id == beneficiary.application_id
            )
        ):
            outcome = await reassess_beneficiary(
                ReassessBeneficiary(
                    beneficiary,
                    cmd.assessment_id,
                    cmd.final_level,
                    cmd.completed_at,
                    cmd.catalog,
                    cmd.policy_settings,
                ),
                uow,
            )
            log.info(
                "reassessment recorded",
                extra={"beneficiary_id": str(beneficiary.id), "result": outcome.result},
            )
            return
    if cmd.application_id is None:
        log.info("assessment without an application ignored", extra={"assessment_id": str(cmd.assessment_id)})
        return
    applications = ApplicationRepository(uow.session)
    application = await applications.get(cmd.application_id, for_update=True)
    if application is None or (application.person_id, application.district_code) != (
        cmd.person_id,
        cmd.district_code,
    ):
        log.warning(
            "assessment for an unknown application ignored",
            extra={"assessment_id": str(cmd.assessment_id), "application_id": str(cmd.application_id)},
        )
        return
    result = AssessmentResult(cmd.assessment_id, cmd.total_score, cmd.final_level, cmd.completed_at)
    if application.record_assessment(result):
        await applications.save(application)
    else:
        log.info(
            "assessment result not applied",
            extra={"application_id": str(application.id), "status": application.status.value},
        )
