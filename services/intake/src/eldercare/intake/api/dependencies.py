"""FastAPI dependencies of the intake API: the PII vault, the policy packs and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import unquote

from fastapi import Depends, Header, Request

from eldercare.common.auth import Principal, Role, require
from eldercare.common.errors import InvalidInput
from eldercare.common.runtime import Runtime, runtime
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.domain.policy import PackCatalog
from eldercare.intake.policy_packs import catalog
from eldercare.intake.settings import IntakeSettings


def pii_vault(request: Request) -> PiiVault:
    """The vault, built from settings at first use; unset keys fail here, naming the setting."""
    vault: PiiVault | None = getattr(request.app.state, "pii_vault", None)
    if vault is None:
        settings: IntakeSettings = request.app.state.settings
        vault = PiiVault.from_settings(settings)
        request.app.state.pii_vault = vault
    return vault


def policy_settings(request: Request) -> Mapping[str, Mapping[str, int]]:
    settings: IntakeSettings = request.app.state.settings
    return settings.policy_settings


Rt = Annotated[Runtime, Depends(runtime)]
Vault = Annotated[PiiVault, Depends(pii_vault)]
Catalog = Annotated[PackCatalog, Depends(catalog)]
PolicySettings = Annotated[Mapping[str, Mapping[str, int]], Depends(policy_settings)]


def access_reason(
    value: Annotated[
        str | None,
        Header(
            alias="X-Access-Reason",
            max_length=1000,
            description="why personal data is read in clear; UTF-8 percent-encoded (headers are ASCII)",
        ),
    ] = None,
) -> str | None:
    """The purpose of an unmasked read, written to pii_access_log (PIPL: processing for a stated purpose)."""
    if value is None:
        return None
    reason = unquote(value).strip()
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"at most {MAX_REASON_CHARS} characters", field="header.X-Access-Reason")
    return reason or None


MAX_REASON_CHARS = 200
AccessReason = Annotated[str | None, Depends(access_reason)]

CommunityWorker = Annotated[Principal, Depends(require(Role.community_worker))]
StreetOfficer = Annotated[Principal, Depends(require(Role.street_officer))]
DistrictOfficer = Annotated[Principal, Depends(require(Role.district_officer))]
CityPlatform = Annotated[Principal, Depends(require(Role.city_platform))]
# Those who review an application: the street (初审) and the district (审定).
Reviewer = Annotated[Principal, Depends(require(Role.street_officer, Role.district_officer))]
# Government staff read within their region; provider staff, caregivers and assessors never do.
GovernmentReader = Annotated[
    Principal,
    Depends(
        require(
            Role.community_worker, Role.street_officer, Role.district_officer, Role.city_admin, Role.auditor
        )
    ),
]
EligibilityChecker = Annotated[
    Principal,
    Depends(
        require(
            Role.community_worker,
            Role.street_officer,
            Role.district_officer,
            Role.city_admin,
            Role.auditor,
            Role.city_platform,
        )
    ),
]
# Who may change an enrolled person's contact: the government staff of the person's region, and
# the city platform that submits applications for it (README, HTTP).
ContactEditor = Annotated[
    Principal,
    Depends(
        require(
            Role.community_worker,
            Role.street_officer,
            Role.district_officer,
            Role.city_admin,
            Role.city_platform,
        )
    ),
]
