"""Background statement exports: the job row carries the progress and, once ready, the file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from eldercare.billing.adapters.models import ExportJobRow


@dataclass(frozen=True)
class ExportJob:
    id: UUID
    statement_id: UUID
    format: str
    status: str  # queued | running | ready | failed
    requested_by: str
    provider_id: UUID
    district_code: str
    total_lines: int
    done_lines: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    size_bytes: int | None = None


def _job(row: ExportJobRow) -> ExportJob:
    return ExportJob(
        id=row.id,
        statement_id=row.statement_id,
        format=row.format,
        status=row.status,
        requested_by=row.requested_by,
        provider_id=row.provider_id,
        district_code=row.district_code,
        total_lines=row.total_lines,
        done_lines=row.done_lines,
        error=row.error,
        created_at=row.created_at,
        finished_at=row.finished_at,
        size_bytes=len(row.content) if row.content is not None else None,
    )


class ExportJobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, job: ExportJob) -> None:
        self.session.add(
            ExportJobRow(
                id=job.id,
                statement_id=job.statement_id,
                format=job.format,
                status=job.status,
                requested_by=job.requested_by,
                provider_id=job.provider_id,
                district_code=job.district_code,
                total_lines=job.total_lines,
                done_lines=job.done_lines,
                created_at=job.created_at,
            )
        )
        await self.session.flush()

    async def get(self, job_id: UUID) -> ExportJob | None:
        row = await self.session.get(ExportJobRow, job_id)
        return _job(row) if row else None

    async def content(self, job_id: UUID) -> bytes | None:
        query = select(ExportJobRow.content).where(ExportJobRow.id == job_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def set_progress(self, job_id: UUID, status: str, done_lines: int) -> None:
        await self.session.execute(
            update(ExportJobRow).where(ExportJobRow.id == job_id).values(status=status, done_lines=done_lines)
        )

    async def finish(self, job_id: UUID, content: bytes, done_lines: int, at: datetime) -> None:
        await self.session.execute(
            update(ExportJobRow)
            .where(ExportJobRow.id == job_id)
            .values(status="ready", content=content, done_lines=done_lines, finished_at=at)
        )

    async def fail(self, job_id: UUID, error: str, at: datetime) -> None:
        await self.session.execute(
            update(ExportJobRow)
            .where(ExportJobRow.id == job_id)
            .values(status="failed", error=error[:500], finished_at=at)
        )
