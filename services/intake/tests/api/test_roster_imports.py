"""Roster imports: the bureau's CSV or XLSX list marks circumstances on persons intake knows, with
a dry-run preview (row errors naming row and column, matched/unmatched), then a run in batches
with progress, size and row limits, and nothing half-applied per row."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from eldercare.common.id_numbers import make_id_number
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.models import PersonCircumstanceRow, RosterImportRow
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.application.roster import process_next_batch

PREVIEW, IMPORTS = "/v1/roster-imports/previews", "/v1/roster-imports"
HEADER = "身份证号,姓名,类别,有效期起,有效期止"
CSV = {"Content-Type": "text/csv"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def officer(tokens, region: str = "430102", **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return tokens.headers("district_officer", region=region) | extra


def csv_of(*lines: str) -> bytes:
    return ("\n".join((HEADER, *lines)) + "\n").encode()


def line(
    flow, seq: int, category: str = "低保", start: str = "2026-01-01", end: str = "2026-12-31", **kw: Any
) -> str:  # type: ignore[no-untyped-def]
    person = flow.applicant(seq)
    return ",".join(
        (kw.get("id_number", person["id_number"]), kw.get("name", person["name"]), category, start, end)
    )


async def known(flow, *seqs: int) -> None:  # type: ignore[no-untyped-def]
    for seq in seqs:
        await flow.submitted(seq)


async def marks(sessions) -> list[PersonCircumstanceRow]:  # type: ignore[no-untyped-def]
    async with sessions() as s:
        return list((await s.scalars(select(PersonCircumstanceRow))).all())


async def run_all(sessions, vault, batch: int = 2) -> int:  # type: ignore[no-untyped-def]
    """What the worker does: batches until no run is left; the number of batches."""
    batches = 0
    while True:
        async with UnitOfWork(sessions, MESSAGING, source="intake") as uow:
            busy = await process_next_batch(uow, vault, batch)
            await uow.commit()
        if not busy:
            return batches
        batches += 1


class TestPreview:
    async def test_row_errors_name_row_and_column_and_matches_are_counted(
        self, flow, client, tokens, sessions
    ) -> None:  # type: ignore[no-untyped-def]
        await known(flow, 1, 2)
        stranger = make_id_number("430102", date(1940, 1, 1), 901)
        bad_digit = flow.applicant(3)["id_number"][:-1] + "0"
        content = csv_of(
            line(flow, 1),
            line(flow, 2, category="subsistence_allowance"),
            f"{stranger},某某,低保,2026-01-01,",
            line(flow, 3, id_number=bad_digit if bad_digit != flow.applicant(3)["id_number"] else "123"),
            line(flow, 4, category="富裕"),
            line(flow, 5, start="2026-13-01"),
            line(flow, 6, start="2026-06-01", end="2026-01-01"),
            line(flow, 1, name="别人"),
        )
        response = await client.post(PREVIEW, content=content, headers=officer(tokens, **CSV))
        assert response.status_code == 200, response.text
        preview = response.json()
        assert (preview["rows"], preview["valid"], preview["matched"], preview["unmatched"]) == (8, 4, 2, 1)
        assert [(e["row"], e["column"]) for e in preview["errors"]] == [
            (5, "id_number"),
            (6, "category"),
            (7, "valid_from"),
            (8, "valid_to"),
            (9, "name"),
        ]
        assert await marks(sessions) == []

    async def test_an_xlsx_roster_is_read_with_its_dates(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        await known(flow, 1)
        book = Workbook()
        sheet = book.active
        sheet.append(["id_number", "name", "category", "valid_from", "valid_to"])
        person = flow.applicant(1)
        sheet.append([person["id_number"], person["name"], "subsistence_allowance", date(2026, 1, 1), None])
        buffer = io.BytesIO()
        book.save(buffer)
        response = await client.post(
            PREVIEW, content=buffer.getvalue(), headers=officer(tokens, **{"Content-Type": XLSX})
        )
        assert response.status_code == 200, response.text
        assert (response.json()["matched"], response.json()["errors"]) == (1, [])

    async def test_persons_of_another_district_are_unmatched(self, flow, client, tokens) -> None:  # type: ignore[no-untyped-def]
        await known(flow, 1)
        response = await client.post(
            PREVIEW, content=csv_of(line(flow, 1)), headers=officer(tokens, "430103", **CSV)
        )
        assert (response.json()["matched"], response.json()["unmatched"]) == (0, 1)

    async def test_a_missing_column_is_422_naming_it(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(PREVIEW, content=b"id_number,name\n", headers=officer(tokens, **CSV))
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "category"

    async def test_too_many_rows_is_422_and_too_many_bytes_413(
        self, flow, settings, sessions, tokens
    ) -> None:  # type: ignore[no-untyped-def]
        from eldercare.common.testing.plugin import api_client
        from eldercare.intake.main import create_app

        small = settings.model_copy(update={"roster_max_rows": 2, "roster_max_bytes": 2048})
        async with api_client(create_app(small), sessions) as c:
            rows = await c.post(
                PREVIEW, content=csv_of(*(line(flow, n) for n in range(1, 4))), headers=officer(tokens, **CSV)
            )
            assert rows.status_code == 422 and rows.json()["errors"][0]["field"] == "rows"
            big = await c.post(
                PREVIEW, content=csv_of(line(flow, 1)) + b"#" * 2048, headers=officer(tokens, **CSV)
            )
            assert big.status_code == 413

    @pytest.mark.parametrize(
        ("role", "region"), [("community_worker", "430102001001"), ("city_platform", "4301")]
    )
    async def test_only_the_bureau_may_import(self, client, tokens, role: str, region: str) -> None:  # type: ignore[no-untyped-def]
        headers = tokens.headers(role, region=region) | CSV
        assert (await client.post(PREVIEW, content=csv_of(), headers=headers)).status_code == 403


class TestImport:
    async def test_the_run_applies_in_batches_with_progress(
        self, flow, client, tokens, sessions, vault
    ) -> None:  # type: ignore[no-untyped-def]
        await known(flow, 1, 2, 3)
        content = csv_of(
            line(flow, 1), line(flow, 2), line(flow, 3, end=""), line(flow, 4), line(flow, 5, category="x")
        )
        response = await client.post(
            IMPORTS, content=content, headers=officer(tokens, **CSV, **{"Idempotency-Key": "roster-0001"})
        )
        assert response.status_code == 202, response.text
        job = response.json()
        assert (job["status"], job["total"], job["processed"], job["failed"]) == ("queued", 4, 0, 1)
        async with UnitOfWork(sessions, MESSAGING, source="intake") as uow:
            assert await process_next_batch(uow, vault, 2)
            await uow.commit()
        progress = (await client.get(f"{IMPORTS}/{job['id']}", headers=officer(tokens))).json()
        assert (progress["status"], progress["processed"], progress["total"]) == ("running", 2, 4)
        assert await run_all(sessions, vault) == 1
        done = (await client.get(f"{IMPORTS}/{job['id']}", headers=officer(tokens))).json()
        assert (done["status"], done["processed"], done["applied"], done["unmatched"], done["failed"]) == (
            "done",
            4,
            3,
            1,
            1,
        )
        assert [(e["row"], e["column"]) for e in done["errors"]] == [(6, "category")]
        rows = await marks(sessions)
        assert {(m.circumstance, m.valid_to) for m in rows} == {
            ("subsistence_allowance", date(2026, 12, 31)),
            ("subsistence_allowance", None),
        } and len(rows) == 3
        async with sessions() as s:
            stored = (await s.scalars(select(RosterImportRow))).one()
        assert stored.rows_sealed is None  # the ID numbers and names are not kept after the run

    async def test_a_second_roster_updates_the_validity_instead_of_duplicating(
        self, flow, client, tokens, sessions, vault
    ) -> None:  # type: ignore[no-untyped-def]
        await known(flow, 1)
        for end in ("2026-06-30", "2026-12-31"):
            response = await client.post(
                IMPORTS, content=csv_of(line(flow, 1, end=end)), headers=officer(tokens, **CSV)
            )
            assert response.status_code == 202
            await run_all(sessions, vault)
        [mark] = await marks(sessions)
        assert mark.valid_to == date(2026, 12, 31)

    async def test_the_job_holds_no_personal_data_in_clear(self, flow, client, tokens, sessions) -> None:  # type: ignore[no-untyped-def]
        await known(flow, 1)
        await client.post(IMPORTS, content=csv_of(line(flow, 1)), headers=officer(tokens, **CSV))
        async with sessions() as s:
            stored = (await s.scalars(select(RosterImportRow))).one()
        assert flow.applicant(1)["id_number"] not in (stored.rows_sealed or "")

    async def test_another_districts_officer_cannot_see_the_run(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await client.post(IMPORTS, content=csv_of(), headers=officer(tokens, **CSV))
        assert response.status_code == 202
        other = await client.get(f"{IMPORTS}/{response.json()['id']}", headers=officer(tokens, "430103"))
        assert other.status_code == 404
        city = await client.get(
            f"{IMPORTS}/{response.json()['id']}", headers=tokens.headers("city_admin", region="4301")
        )
        assert city.status_code == 200


class TestRosterInDecisions:
    async def test_a_roster_mark_counts_at_the_decision(self, flow, client, tokens, sessions, vault) -> None:  # type: ignore[no-untyped-def]
        # Declared no qualifying circumstance: changsha 第五条 needs one (e.g. 低保 with level >= 1).
        app = await flow.assessed(1, level=2, circumstances=["living_alone"])
        refused = await flow.decide(app["id"])
        assert refused.status_code == 422, refused.text
        response = await client.post(
            IMPORTS, content=csv_of(line(flow, 1, start="2026-01-01", end="")), headers=officer(tokens, **CSV)
        )
        assert response.status_code == 202
        await run_all(sessions, vault)
        approved = await flow.decide(app["id"])
        assert approved.status_code == 201, approved.text
        assert ("第五条", "（一）") in [
            (c["article"], c["item"]) for c in approved.json()["decision"]["basis"]
        ]

    async def test_an_expired_mark_does_not_count(self, flow, client, tokens, sessions, vault) -> None:  # type: ignore[no-untyped-def]
        app = await flow.assessed(1, level=2, circumstances=["living_alone"])
        content = csv_of(line(flow, 1, start="2024-01-01", end="2024-12-31"))
        assert (
            await client.post(IMPORTS, content=content, headers=officer(tokens, **CSV))
        ).status_code == 202
        await run_all(sessions, vault)
        assert (await flow.decide(app["id"])).status_code == 422
