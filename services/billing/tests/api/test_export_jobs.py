"""Background statement exports: 202 with a job, progress, download when ready, scoped like the
statement."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from openpyxl import load_workbook

from eldercare.billing.api import export_jobs
from eldercare.common.auth import Principal
from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"


@pytest.fixture
async def statement(
    client: httpx.AsyncClient, tokens: Tokens, deliver, events, make_price_list
) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A March statement of 25 visits of one provider."""
    await make_price_list()
    enrolled = events.enrolled(monthly_amount_fen=50000)
    await deliver(enrolled)
    provider = uuid4()
    for n in range(25):
        at = datetime(2026, 3, 1 + n, 1, tzinfo=UTC)
        await deliver(events.completed(enrolled.beneficiary_id, provider, checked_in_at=at))
    body = {"provider_id": str(provider), "district_code": DISTRICT, "period": "2026-03"}
    headers = tokens.headers("district_officer", region=DISTRICT)
    response = await client.post("/v1/settlement-runs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def provider_admin(tokens: Tokens, statement: dict[str, Any]) -> dict[str, str]:
    return tokens.headers("provider_admin", provider_id=statement["provider_id"])


class TestExportJobs:
    async def test_a_provider_admin_exports_csv_in_the_background_and_downloads_it(
        self, client: httpx.AsyncClient, tokens: Tokens, statement: dict[str, Any], monkeypatch
    ) -> None:
        monkeypatch.setattr(export_jobs, "BATCH_LINES", 10)  # three batches of progress
        headers = provider_admin(tokens, statement)
        sid = statement["settlement_id"]
        response = await client.post(
            f"/v1/settlements/{sid}/exports",
            json={"format": "csv"},
            headers={**headers, "Idempotency-Key": "export-key-1"},
        )
        assert response.status_code == 202, response.text
        job = response.json()
        assert response.headers["Location"] == f"/v1/export-jobs/{job['id']}"
        assert (job["status"], job["total_lines"]) == ("queued", 25)
        # The job ran after the response (in the test client, before the call returned).
        done = (await client.get(f"/v1/export-jobs/{job['id']}", headers=headers)).json()
        assert (done["status"], done["done_lines"], done["progress_percent"]) == ("ready", 25, 100)
        assert done["download_url"] == f"/v1/export-jobs/{job['id']}/content"
        file = await client.get(done["download_url"], headers=headers)
        assert file.status_code == 200 and file.headers["content-type"].startswith("text/csv")
        direct = await client.get(f"/v1/settlements/{sid}/statement.csv", headers=headers)
        # The same statement as the direct download, apart from nothing (both read the same lines).
        assert file.content == direct.content
        # The same key replays the same job rather than queueing another.
        again = await client.post(
            f"/v1/settlements/{sid}/exports",
            json={"format": "csv"},
            headers={**headers, "Idempotency-Key": "export-key-1"},
        )
        assert again.json()["id"] == job["id"]

    async def test_an_xlsx_export_has_a_row_per_line(
        self, client: httpx.AsyncClient, tokens: Tokens, statement: dict[str, Any]
    ) -> None:
        headers = provider_admin(tokens, statement)
        job = (
            await client.post(
                f"/v1/settlements/{statement['settlement_id']}/exports",
                json={"format": "xlsx"},
                headers=headers,
            )
        ).json()
        file = await client.get(f"/v1/export-jobs/{job['id']}/content", headers=headers)
        assert file.status_code == 200, file.text
        book = load_workbook(io.BytesIO(file.content))
        assert len(list(book["结算明细"].iter_rows())) == 26

    async def test_another_provider_or_district_cannot_export_or_read_the_job(
        self, client: httpx.AsyncClient, tokens: Tokens, statement: dict[str, Any]
    ) -> None:
        sid = statement["settlement_id"]
        outsiders = (
            tokens.headers("provider_admin", provider_id=str(uuid4())),
            tokens.headers("district_officer", region="430103"),
        )
        for headers in outsiders:
            response = await client.post(
                f"/v1/settlements/{sid}/exports", json={"format": "csv"}, headers=headers
            )
            assert response.status_code == 404
        job = (
            await client.post(
                f"/v1/settlements/{sid}/exports",
                json={"format": "csv"},
                headers=provider_admin(tokens, statement),
            )
        ).json()
        for headers in outsiders:
            assert (await client.get(f"/v1/export-jobs/{job['id']}", headers=headers)).status_code == 404
            assert (
                await client.get(f"/v1/export-jobs/{job['id']}/content", headers=headers)
            ).status_code == 404

    async def test_a_job_not_yet_ready_is_409_and_a_bad_format_names_the_field(  # type: ignore[no-untyped-def]
        self, client: httpx.AsyncClient, tokens: Tokens, statement: dict[str, Any], sessions
    ) -> None:
        officer = Principal(subject="officer", roles=frozenset({"district_officer"}), region=DISTRICT)
        async with sessions() as session:
            job = await export_jobs.request_export(session, UUID(statement["settlement_id"]), "csv", officer)
            await session.commit()
        headers = tokens.headers("district_officer", region=DISTRICT)
        read = (await client.get(f"/v1/export-jobs/{job.id}", headers=headers)).json()
        assert (read["status"], read["download_url"]) == ("queued", None)
        response = await client.get(f"/v1/export-jobs/{job.id}/content", headers=headers)
        assert response.status_code == 409
        bad = await client.post(
            f"/v1/settlements/{statement['settlement_id']}/exports", json={"format": "docx"}, headers=headers
        )
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == ["format"]


class TestPdf:
    async def test_the_statement_pdf_for_signing_carries_the_chinese_totals_and_lines(
        self, client: httpx.AsyncClient, tokens: Tokens, statement: dict[str, Any]
    ) -> None:
        headers = provider_admin(tokens, statement)
        direct = await client.get(
            f"/v1/settlements/{statement['settlement_id']}/statement.pdf", headers=headers
        )
        assert direct.status_code == 200, direct.text
        assert direct.headers["content-type"] == "application/pdf"
        assert direct.content.startswith(b"%PDF")
        pdfium = pytest.importorskip("pypdfium2")
        document = pdfium.PdfDocument(direct.content)
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        assert "居家养老服务结算单" in text and "签章" in text and "2026-03-25" in text
        job = (
            await client.post(
                f"/v1/settlements/{statement['settlement_id']}/exports",
                json={"format": "pdf"},
                headers=headers,
            )
        ).json()
        file = await client.get(f"/v1/export-jobs/{job['id']}/content", headers=headers)
        assert file.status_code == 200 and file.content.startswith(b"%PDF")
