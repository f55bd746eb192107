"""Request-level dependencies of the assessment API."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Header, Request

from eldercare.assessment.adapters.health_data import HealthDataCipher
from eldercare.assessment.application.access import Viewer
from eldercare.assessment.application.disclosures import Disclosure
from eldercare.assessment.domain.gbt42195 import ITEM_MAXIMA, RuleSettings
from eldercare.assessment.settings import AssessmentSettings
from eldercare.common.auth import Principal, Role, require
from eldercare.common.errors import InvalidInput


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


async def reject_duplicate_keys(request: Request) -> None:
    """Refuse a body that names a key twice: JSON parsers keep the last one silently, and a score
    sheet must hold every item exactly once (gbt42195.md §1.3: single choice per item)."""
    body = await request.body()
    try:
        json.loads(body, object_pairs_hook=_unique_pairs)
    except _DuplicateKey as dup:
        field = f"items.{dup.key}" if dup.key in ITEM_MAXIMA else dup.key
        raise InvalidInput(f"{dup.key} appears more than once", field=field) from None
    except (ValueError, RecursionError):
        return  # not JSON (or absurdly nested): body validation answers with its own 422


def rule_settings(request: Request) -> RuleSettings:
    """The GB/T 42195 rule settings this service runs with (recorded in every result)."""
    settings: AssessmentSettings = request.app.state.settings
    return settings.rule_settings()


def health_data_cipher(request: Request) -> HealthDataCipher:
    """The health-data cipher, built from settings at first use; unset keys fail here, naming them."""
    cipher: HealthDataCipher | None = getattr(request.app.state, "health_data_cipher", None)
    if cipher is None:
        settings: AssessmentSettings = request.app.state.settings
        cipher = HealthDataCipher.from_settings(settings)
        request.app.state.health_data_cipher = cipher
    return cipher


def viewer(*roles: str | Role) -> Callable[..., Awaitable[Viewer]]:
    """A dependency: the caller (one of ``roles``) with the task-visibility rules of the settings."""
    allowed = require(*roles)

    # A default, not Annotated: the annotation is a string here and ``allowed`` a closure variable.
    async def dependency(request: Request, principal: Principal = Depends(allowed)) -> Viewer:
        settings: AssessmentSettings = request.app.state.settings
        return Viewer(principal, settings.unassigned_tasks_open_to_region)

    return dependency


MAX_REASON_CHARS = 200


async def disclosure(
    principal: Annotated[Principal, Depends(require())],
    value: Annotated[
        str | None,
        Header(
            alias="X-Access-Reason",
            max_length=1000,
            description="why health data is read in clear; UTF-8 percent-encoded (headers are ASCII)",
        ),
    ] = None,
) -> Disclosure:
    """Who reads, and their stated purpose, for the log of unmasked reads (PIPL: a stated purpose)."""
    reason = unquote(value).strip() if value is not None else None
    if reason is not None and len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"at most {MAX_REASON_CHARS} characters", field="header.X-Access-Reason")
    return Disclosure(principal, reason or None)
