"""Roster imports: a dry-run preview, then a run the worker carries out in batches with progress.

A row marks its circumstance on a person intake knows, found by the blind index of the ID number
and only within the caller's region (a person with an application there); a row whose name does
not match the register is an error, a person not found is "unmatched" (never "exists elsewhere").
Each row is applied in its own savepoint and the progress counter commits with the rows it
counts, so a crash resumes where it stopped and no row is half-applied or applied twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert

from eldercare.common.auth import Principal
from eldercare.common.clock import local_date, utcnow
from eldercare.common.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from eldercare.common.ids import uuid7
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.models import ApplicationRow, PersonCircumstanceRow, PersonRow, RosterImportRow
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.adapters.roster_files import read_table
from eldercare.intake.domain.roster import RosterEntry, RosterFormatError, RowError, parse_rows

ROWS_CONTEXT = "roster_imports.rows"
MAX_STORED_ERRORS = 1000


@dataclass(frozen=True)
class RosterUpload:
    content: bytes
    content_type: str
    filename: str | None
    principal: Principal
    vault: PiiVault
    max_bytes: int
    max_rows: int


@dataclass(frozen=True)
class Preview:
    rows: int
    valid: int
    matched: int
    unmatched: int
    errors: list[RowError]


def parse_upload(upload: RosterUpload) -> tuple[list[RosterEntry], list[RowError]]:
    if upload.principal.region is None:
        raise Forbidden("a region is required", field="region")
    if len(upload.content) > upload.max_bytes:
        raise PayloadTooLarge(f"a roster may have at most {upload.max_bytes} bytes")
    try:
        table = read_table(upload.content, upload.content_type, upload.max_rows)
        return parse_rows(table, local_date(utcnow()))
    except RosterFormatError as exc:
        raise InvalidInput(str(exc), field=exc.column) from None


async def match(
    uow: UnitOfWork, vault: PiiVault, region: str, entry: RosterEntry
) -> tuple[UUID | None, RowError | None]:
    """The person of the row within ``region``, or None; a name that differs is a row error."""
    in_region = exists().where(
        ApplicationRow.person_id == PersonRow.id, ApplicationRow.community_code.startswith(region)
    )
    query = select(PersonRow).where(
        PersonRow.id_number_index == vault.id_number_index(entry.id_number), in_region
    )
    person = (await uow.session.scalars(query)).first()
    if person is None:
        return None, None
    if vault.open("persons.name", person.id, person.name_sealed) != entry.name:
        return None, RowError(entry.row, "name", "does not match the name registered for this ID number")
    return person.id, None


async def preview(upload: RosterUpload, uow: UnitOfWork) -> Preview:
    """The dry run: every row checked and matched, nothing written."""
    entries, errors = parse_upload(upload)
    region = upload.principal.region or ""
    matched = unmatched = 0
    for entry in entries:
        person_id, error = await match(uow, upload.vault, region, entry)
        if error is not None:
            errors.append(error)
        elif person_id is None:
            unmatched += 1
        else:
            matched += 1
    rows = len(entries) + len({e.row for e in errors if e.column != "name"})
    return Preview(rows, len(entries), matched, unmatched, sorted(errors, key=lambda e: (e.row, e.column)))


def _errors_json(errors: list[RowError]) -> list[dict[str, Any]]:
    return [{"row": e.row, "column": e.column, "message": e.message} for e in errors[:MAX_STORED_ERRORS]]


async def start_import(upload: RosterUpload, uow: UnitOfWork) -> RosterImportRow:
    """Queue the run: the valid rows are sealed into the job, the invalid ones reported at once."""
    entries, errors = parse_upload(upload)
    job = RosterImportRow(
        id=uuid7(),
        requested_by=upload.principal.subject,
        region=upload.principal.region,
        filename=(upload.filename or None) and upload.filename[:200],
        status="queued",
        total=len(entries),
        failed=len({e.row for e in errors}),
        errors=_errors_json(errors),
    )
    rows = [
        {
            "row": e.row,
            "id_number": e.id_number,
            "name": e.name,
            "category": e.category,
            "valid_from": e.valid_from.isoformat(),
            "valid_to": e.valid_to.isoformat() if e.valid_to else None,
        }
        for e in entries
    ]
    job.rows_sealed = upload.vault.seal(ROWS_CONTEXT, job.id, json.dumps(rows, ensure_ascii=False))
    uow.session.add(job)
    await uow.session.flush()
    await uow.session.refresh(job, ["created_at", "processed", "applied", "unmatched"])
    return job


async def get_import(uow: UnitOfWork, principal: Principal, import_id: UUID) -> RosterImportRow:
    job = await uow.session.get(RosterImportRow, import_id)
    if job is None or not principal.covers_region(job.region):
        raise NotFound("roster import not found")
    return job


async def process_next_batch(uow: UnitOfWork, vault: PiiVault, batch: int) -> bool:
    """Apply the next ``batch`` rows of the oldest unfinished run; False when there is none."""
    query = (
        select(RosterImportRow)
        .where(RosterImportRow.status != "done")
        .order_by(RosterImportRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = (await uow.session.scalars(query)).first()
    if job is None:
        return False
    job.status = "running"
    rows = json.loads(vault.open(ROWS_CONTEXT, job.id, job.rows_sealed or "")) if job.rows_sealed else []
    errors = list(job.errors)
    for raw in rows[job.processed : job.processed + batch]:
        entry = RosterEntry(
            raw["row"],
            raw["id_number"],
            raw["name"],
            raw["category"],
            date.fromisoformat(raw["valid_from"]),
            date.fromisoformat(raw["valid_to"]) if raw["valid_to"] else None,
        )
        await _apply_row(uow, vault, job, entry, errors)
        job.processed += 1
    job.errors = errors[:MAX_STORED_ERRORS]
    if job.processed >= job.total:
        job.status, job.rows_sealed, job.finished_at = "done", None, utcnow()
    await uow.session.flush()
    return True


async def _apply_row(
    uow: UnitOfWork, vault: PiiVault, job: RosterImportRow, entry: RosterEntry, errors: list[dict[str, Any]]
) -> None:
    person_id, error = await match(uow, vault, job.region, entry)
    if error is not None:
        job.failed += 1
        errors.extend(_errors_json([error]))
        return
    if person_id is None:
        job.unmatched += 1
        return
    try:
        async with uow.session.begin_nested():  # a failing row leaves nothing of itself behind
            await uow.session.execute(
                insert(PersonCircumstanceRow)
                .values(
                    person_id=person_id,
                    circumstance=entry.category,
                    valid_from=entry.valid_from,
                    valid_to=entry.valid_to,
                    source_import_id=job.id,
                )
                .on_conflict_do_update(
                    index_elements=["person_id", "circumstance", "valid_from"],
                    set_={"valid_to": entry.valid_to, "source_import_id": job.id, "recorded_at": utcnow()},
                )
            )
    except Exception as exc:  # the row is reported, the run goes on
        job.failed += 1
        errors.extend(_errors_json([RowError(entry.row, "row", type(exc).__name__)]))
        return
    job.applied += 1
