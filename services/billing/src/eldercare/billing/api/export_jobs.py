"""Statement exports in the background (XLSX, CSV): ``POST`` answers 202 with a job, the job is
built after the response in batches of lines, its progress is written after each batch, and the
file is downloaded from the job once ready. Scoped like the statement: whoever may read the
statement may export it and read the job."""

from __future__ import annotations

import logging
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.billing.adapters.export_repository import ExportJob, ExportJobRepository
from eldercare.billing.adapters.statement_repository import StatementRepository
from eldercare.billing.api.exports import BUILDERS
from eldercare.billing.application import queries
from eldercare.common.auth import Principal
from eldercare.common.clock import utcnow
from eldercare.common.errors import Conflict, NotFound
from eldercare.common.ids import uuid7

log = logging.getLogger(__name__)

BATCH_LINES = 2000


class ExportNotReady(Conflict):
    """The export job has not finished yet (or failed): read its progress first."""


async def request_export(
    session: AsyncSession, settlement_id: UUID, fmt: str, principal: Principal
) -> ExportJob:
    """Queue an export of a statement the principal may read (404 otherwise, 409 before a run)."""
    statement = await queries.get_statement(session, settlement_id, principal)
    job = ExportJob(
        id=uuid7(),
        statement_id=statement.id,
        format=fmt,
        status="queued",
        requested_by=principal.subject,
        provider_id=statement.provider_id,
        district_code=statement.district_code,
        total_lines=await StatementRepository(session).count_lines(statement.id),
        done_lines=0,
        error=None,
        created_at=utcnow(),
        finished_at=None,
    )
    await ExportJobRepository(session).add(job)
    return job


async def get_job(session: AsyncSession, job_id: UUID, principal: Principal) -> ExportJob:
    job = await ExportJobRepository(session).get(job_id)
    if job is None:
        raise NotFound("export job not found")
    queries.ensure_visible(principal, job.district_code, job.provider_id, "export job")
    return job


async def job_content(session: AsyncSession, job_id: UUID, principal: Principal) -> tuple[ExportJob, bytes]:
    job = await get_job(session, job_id, principal)
    content = await ExportJobRepository(session).content(job_id) if job.status == "ready" else None
    if content is None:
        raise ExportNotReady(f"the export is {job.status} ({job.done_lines} of {job.total_lines} lines)")
    return job, content


async def run_export(sessionmaker: async_sessionmaker[AsyncSession], job_id: UUID) -> None:
    """Build the file: stream the lines in reading order, writing the progress after each batch
    (its own short transaction, so a reader sees it), then store the file. A failure is recorded on
    the job (status ``failed``) rather than lost."""
    try:
        async with sessionmaker() as session:
            job = await ExportJobRepository(session).get(job_id)
            statement = await StatementRepository(session).get(job.statement_id) if job else None
        if job is None or statement is None:
            return
        builder = BUILDERS[job.format](statement)
        done = 0
        async with sessionmaker() as reader:
            async for batch in StatementRepository(reader).line_batches(job.statement_id, BATCH_LINES):
                builder.add(batch)
                done += len(batch)
                async with sessionmaker() as writer:
                    await ExportJobRepository(writer).set_progress(job_id, "running", done)
                    await writer.commit()
        content = builder.finish()
        async with sessionmaker() as writer:
            await ExportJobRepository(writer).finish(job_id, content, done, utcnow())
            await writer.commit()
    except Exception as exc:  # recorded on the job, never lost in a background task
        log.exception("statement export failed", extra={"job_id": str(job_id)})
        async with sessionmaker() as writer:
            await ExportJobRepository(writer).fail(job_id, type(exc).__name__, utcnow())
            await writer.commit()
