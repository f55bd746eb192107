"""Roster imports for the bureau (city_admin, district_officer): the file is the request body
(``text/csv`` or the XLSX media type), a dry-run preview first, then a run in the worker."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel

from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.runtime import execute
from eldercare.intake.adapters.models import RosterImportRow
from eldercare.intake.api.dependencies import Rt, Vault
from eldercare.intake.application import roster
from eldercare.intake.settings import IntakeSettings

router = APIRouter(prefix="/v1/roster-imports", tags=["rosters"])
Bureau = Annotated[Principal, Depends(require(Role.city_admin, Role.district_officer))]
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": (
                    "身份证号,姓名,类别,有效期起,有效期止\n"
                    "<18-character ID number>,测试老人01,低保,2026-01-01,2026-12-31\n"
                ),
            },
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
        },
    }
}


class RowErrorRead(BaseModel):
    row: int
    column: str
    message: str


class RosterPreviewRead(BaseModel):
    rows: int
    valid: int
    matched: int
    unmatched: int
    errors: list[RowErrorRead]


class RosterImportRead(BaseModel):
    id: UUID
    status: str
    filename: str | None
    total: int
    processed: int
    applied: int
    unmatched: int
    failed: int
    errors: list[RowErrorRead]
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def build(cls, job: RosterImportRow) -> RosterImportRead:
        return cls(
            id=job.id,
            status=job.status,
            filename=job.filename,
            total=job.total,
            processed=job.processed,
            applied=job.applied,
            unmatched=job.unmatched,
            failed=job.failed,
            errors=[RowErrorRead(**e) for e in job.errors],
            created_at=job.created_at,
            finished_at=job.finished_at,
        )


async def _upload(
    request: Request,
    principal: Bureau,
    vault: Vault,
    content_type: Annotated[str, Header(alias="Content-Type")] = "text/csv",
    filename: Annotated[str | None, Query(max_length=200)] = None,
) -> roster.RosterUpload:
    settings: IntakeSettings = request.app.state.settings
    return roster.RosterUpload(
        await request.body(),
        content_type,
        filename,
        principal,
        vault,
        settings.roster_max_bytes,
        settings.roster_max_rows,
    )


Upload = Annotated[roster.RosterUpload, Depends(_upload)]


@router.post(
    "/previews",
    response_model=RosterPreviewRead,
    status_code=200,
    summary="Dry run: row errors (row, column), matched and unmatched counts; writes nothing",
    openapi_extra=FILE_BODY,
    responses={
        413: {"description": "the file is too large"},
        422: {"description": "unreadable or too many rows"},
    },
)
async def preview_roster(upload: Upload, rt: Rt) -> object:
    return await execute(
        rt,
        lambda uow: roster.preview(upload, uow),
        lambda p: RosterPreviewRead(
            rows=p.rows,
            valid=p.valid,
            matched=p.matched,
            unmatched=p.unmatched,
            errors=[RowErrorRead(row=e.row, column=e.column, message=e.message) for e in p.errors],
        ),
        status_code=200,
    )


@router.post(
    "",
    response_model=RosterImportRead,
    status_code=202,
    summary="Start the import; the worker applies it in batches (GET shows processed/total)",
    openapi_extra=FILE_BODY,
    responses={
        413: {"description": "the file is too large"},
        422: {"description": "unreadable or too many rows"},
    },
)
async def start_roster_import(upload: Upload, idem: Idempotency, rt: Rt) -> object:
    return await execute(
        rt,
        lambda uow: roster.start_import(upload, uow),
        RosterImportRead.build,
        status_code=202,
        idempotency=idem,
    )


@router.get(
    "/{import_id}", response_model=RosterImportRead, summary="A roster import's progress and row errors"
)
async def get_roster_import(import_id: UUID, principal: Bureau, rt: Rt) -> object:
    return await execute(
        rt, lambda uow: roster.get_import(uow, principal, import_id), RosterImportRead.build, status_code=200
    )
