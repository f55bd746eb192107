"""Bulk submission by the city platform: many applications in one request, one result per item.

Each item runs in its own savepoint: an item that fails leaves no person, application or event
behind (no partial records), and the others still go through. The request commits once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from eldercare.common.errors import DomainError
from eldercare.common.uow import UnitOfWork
from eldercare.intake.application.handlers import SubmitApplication, submit_application


@dataclass(frozen=True)
class ItemResult:
    index: int
    status: int
    external_ref: str | None = None
    application_id: UUID | None = None
    detail: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


async def submit_bulk(items: list[SubmitApplication | ItemResult], uow: UnitOfWork) -> list[ItemResult]:
    """``items`` holds a command per valid item and the result of each item that did not parse."""
    results = []
    for index, item in enumerate(items):
        if isinstance(item, ItemResult):
            results.append(item)
            continue
        pending = len(
            uow._pending
        )  # an item's events go with its savepoint (see the report: a uow.savepoint() in common)
        try:
            async with uow.session.begin_nested():
                case = await submit_application(item, uow)
        except DomainError as exc:
            del uow._pending[pending:]
            results.append(
                ItemResult(index, exc.status, item.external_ref, None, exc.detail, _errors(exc, index))
            )
        except IntegrityError:
            del uow._pending[pending:]
            detail = "conflicts with an existing record"
            results.append(ItemResult(index, 409, item.external_ref, None, detail, []))
        else:
            results.append(ItemResult(index, 201, item.external_ref, case.application.id))
    return results


def _errors(exc: DomainError, index: int) -> list[dict[str, Any]]:
    return [{**e, "field": f"items.{index}.{e['field']}"} for e in (exc.errors or [])]
