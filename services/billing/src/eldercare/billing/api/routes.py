"""HTTP routes of the billing service (thin: parse -> command -> handler -> response)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from starlette.background import BackgroundTask

from eldercare.billing.adapters.ledger_repository import ChargeFilter
from eldercare.billing.api import export_jobs, exports
from eldercare.billing.api.schemas import (
    PERIOD_PATTERN,
    AccountRead,
    ChargeRead,
    ExportCreate,
    ExportJobRead,
    LineTraceRead,
    MonthRunCreate,
    MonthRunRead,
    PriceListCreate,
    PriceListRead,
    SettlementRead,
    SettlementRunCreate,
    StatementLineRead,
    StatementRead,
)
from eldercare.billing.application import handlers, queries
from eldercare.billing.domain.charges import ChargeStatus
from eldercare.common.auth import Principal, Role, require
from eldercare.common.idempotency import Idempotency
from eldercare.common.pagination import Page, PageParams, make_page, page_params
from eldercare.common.runtime import Runtime, execute, runtime

price_lists = APIRouter(prefix="/v1/price-lists", tags=["price lists"])
ledger = APIRouter(prefix="/v1", tags=["accounts, charges and settlements"])

PriceSetter = Annotated[Principal, Depends(require(Role.city_admin, Role.district_officer))]
GovernmentReader = Annotated[Principal, Depends(require(*queries.GOVERNMENT_READERS))]
LedgerReader = Annotated[Principal, Depends(require(*queries.GOVERNMENT_READERS, Role.provider_admin))]
Rt = Annotated[Runtime, Depends(runtime)]
Paging = Annotated[PageParams, Depends(page_params)]
Period = Annotated[str | None, Query(pattern=PERIOD_PATTERN, description="'YYYY-MM', Asia/Shanghai")]


@price_lists.post("", response_model=PriceListRead, status_code=201, summary="Enter a region's price list")
async def create_price_list(
    body: PriceListCreate, principal: PriceSetter, idem: Idempotency, rt: Rt
) -> object:
    cmd = handlers.CreatePriceList(
        region_code=body.region_code,
        effective_from=body.effective_from,
        items=body.domain_items(),
        principal=principal,
    )
    return await execute(
        rt, lambda uow: handlers.create_price_list(cmd, uow), PriceListRead.from_domain, idempotency=idem
    )


@price_lists.get("/{price_list_id}", response_model=PriceListRead, summary="One price list")
async def get_price_list(price_list_id: UUID, principal: GovernmentReader, rt: Rt) -> PriceListRead:
    async with rt.read_session() as session:
        price_list = await queries.get_price_list(session, price_list_id, principal)
    return PriceListRead.from_domain(price_list)


@ledger.get("/accounts", response_model=Page[AccountRead], summary="Monthly entitlement accounts")
async def list_accounts(
    principal: GovernmentReader,
    rt: Rt,
    page: Paging,
    period: Period = None,
    beneficiary_id: Annotated[UUID | None, Query()] = None,
) -> Page[AccountRead]:
    async with rt.read_session() as session:
        views = await queries.list_accounts(
            session,
            principal,
            beneficiary_id=beneficiary_id,
            period=period,
            after=page.after,
            limit=page.limit + 1,
        )
    return make_page([AccountRead.from_view(v) for v in views], page.limit)


@ledger.get("/settlements", response_model=Page[SettlementRead], summary="Provider settlements by month")
async def list_settlements(
    principal: LedgerReader,
    rt: Rt,
    page: Paging,
    period: Period = None,
    provider_id: Annotated[UUID | None, Query()] = None,
) -> Page[SettlementRead]:
    async with rt.read_session() as session:
        found = await queries.list_settlements(
            session, principal, provider_id=provider_id, period=period, after=page.after, limit=page.limit + 1
        )
    return make_page([SettlementRead.from_domain(s) for s in found], page.limit)


@ledger.get("/settlements/{settlement_id}", response_model=SettlementRead, summary="One settlement")
async def get_settlement(settlement_id: UUID, principal: LedgerReader, rt: Rt) -> SettlementRead:
    async with rt.read_session() as session:
        settlement = await queries.get_settlement(session, settlement_id, principal)
    return SettlementRead.from_domain(settlement)


@ledger.get("/charges", response_model=Page[ChargeRead], summary="Charges of visits")
async def list_charges(
    principal: LedgerReader,
    rt: Rt,
    page: Paging,
    period: Period = None,
    visit_id: Annotated[UUID | None, Query()] = None,
    beneficiary_id: Annotated[UUID | None, Query()] = None,
    provider_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[ChargeStatus | None, Query()] = None,
) -> Page[ChargeRead]:
    where = ChargeFilter(visit_id, beneficiary_id, provider_id, period, status)
    async with rt.read_session() as session:
        found = await queries.list_charges(session, principal, where, after=page.after, limit=page.limit + 1)
    return make_page([ChargeRead.from_domain(c) for c in found], page.limit)


@ledger.get("/charges/{charge_id}", response_model=ChargeRead, summary="One charge")
async def get_charge(charge_id: UUID, principal: LedgerReader, rt: Rt) -> ChargeRead:
    async with rt.read_session() as session:
        charge = await queries.get_charge(session, charge_id, principal)
    return ChargeRead.from_domain(charge)


# Previews are open to the district officers who oversee the services and to finance (a preview
# pays nothing); issuing, which fixes what the bureau pays, is the finance role's alone (issue #6).
Runner = Annotated[Principal, Depends(require(Role.city_admin, Role.district_officer, Role.finance))]
Issuer = Annotated[Principal, Depends(require(Role.finance))]


@ledger.post(
    "/settlement-runs",
    response_model=StatementRead,
    status_code=201,
    summary="Run (preview) a provider's monthly statement in a district; idempotent",
)
async def run_settlement(body: SettlementRunCreate, principal: Runner, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.RunSettlement(body.provider_id, body.district_code, body.period, principal)
    return await execute(
        rt, lambda uow: handlers.run_settlement(cmd, uow), StatementRead.from_domain, idempotency=idem
    )


@ledger.post(
    "/monthly-settlement-runs",
    response_model=MonthRunRead,
    status_code=201,
    summary="Run (preview) every provider's statement of a month in a district or city; idempotent",
)
async def run_month(body: MonthRunCreate, principal: Runner, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.RunMonth(body.region_code, body.period, principal)
    return await execute(
        rt,
        lambda uow: handlers.run_month(cmd, uow),
        lambda found: MonthRunRead(statements=[StatementRead.from_domain(s) for s in found]),
        idempotency=idem,
    )


@ledger.post(
    "/settlements/{settlement_id}/issues",
    response_model=StatementRead,
    status_code=201,
    summary="Issue the statement (finance staff): regenerated from the charges now, then immutable",
)
async def issue_statement(settlement_id: UUID, principal: Issuer, idem: Idempotency, rt: Rt) -> object:
    cmd = handlers.IssueStatement(settlement_id, principal)
    return await execute(
        rt, lambda uow: handlers.issue_statement(cmd, uow), StatementRead.from_domain, idempotency=idem
    )


@ledger.get("/settlements/{settlement_id}/statement", response_model=StatementRead, summary="The statement")
async def get_statement(settlement_id: UUID, principal: LedgerReader, rt: Rt) -> StatementRead:
    async with rt.read_session() as session:
        statement = await queries.get_statement(session, settlement_id, principal)
    return StatementRead.from_domain(statement)


@ledger.get(
    "/settlements/{settlement_id}/lines",
    response_model=Page[StatementLineRead],
    summary="The statement's lines",
)
async def list_statement_lines(
    settlement_id: UUID, principal: LedgerReader, rt: Rt, page: Paging
) -> Page[StatementLineRead]:
    async with rt.read_session() as session:
        found = await queries.list_statement_lines(
            session, settlement_id, principal, after=page.after, limit=page.limit + 1
        )
    return make_page([StatementLineRead.from_domain(line) for line in found], page.limit)


@ledger.get(
    "/settlements/{settlement_id}/lines/{line_id}/trace",
    response_model=LineTraceRead,
    summary="A line's chain of evidence: charge, visit, price list, entitlement, policy clauses",
)
async def trace_line(settlement_id: UUID, line_id: UUID, principal: LedgerReader, rt: Rt) -> LineTraceRead:
    async with rt.read_session() as session:
        trace = await queries.trace_line(session, settlement_id, line_id, principal)
    return LineTraceRead.from_trace(trace)


def _download(content: bytes, media_type: str, statement_id: UUID, suffix: str) -> Response:
    filename = f"statement-{statement_id}.{suffix}"
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@ledger.get(
    "/settlements/{settlement_id}/statement.csv",
    response_class=Response,
    summary="The statement as CSV (UTF-8 with BOM, Chinese headers)",
)
async def statement_csv(settlement_id: UUID, principal: LedgerReader, rt: Rt) -> Response:
    async with rt.read_session() as session:
        statement, lines = await queries.statement_with_lines(session, settlement_id, principal)
    return _download(exports.csv_bytes(statement, lines), "text/csv; charset=utf-8", settlement_id, "csv")


@ledger.get(
    "/settlements/{settlement_id}/statement.xlsx",
    response_class=Response,
    summary="The statement as XLSX (Chinese headers)",
)
async def statement_xlsx(settlement_id: UUID, principal: LedgerReader, rt: Rt) -> Response:
    async with rt.read_session() as session:
        statement, lines = await queries.statement_with_lines(session, settlement_id, principal)
    return _download(exports.xlsx_bytes(statement, lines), XLSX, settlement_id, "xlsx")


@ledger.get(
    "/settlements/{settlement_id}/statement.pdf",
    response_class=Response,
    summary="The statement as a PDF for signing (Chinese text embedded)",
)
async def statement_pdf(settlement_id: UUID, principal: LedgerReader, rt: Rt) -> Response:
    async with rt.read_session() as session:
        statement, lines = await queries.statement_with_lines(session, settlement_id, principal)
    return _download(exports.pdf_bytes(statement, lines), exports.PDF_MEDIA_TYPE, settlement_id, "pdf")


@ledger.post(
    "/settlements/{settlement_id}/exports",
    response_model=ExportJobRead,
    status_code=202,
    summary="Export the statement in the background (CSV, XLSX): a job to follow, then download",
)
async def request_export(
    settlement_id: UUID, body: ExportCreate, principal: LedgerReader, idem: Idempotency, rt: Rt
) -> object:
    response = await execute(
        rt,
        lambda uow: export_jobs.request_export(uow.session, settlement_id, body.format, principal),
        ExportJobRead.from_job,
        status_code=202,
        idempotency=idem,
        headers=lambda job: {"Location": f"/v1/export-jobs/{job.id}"},
    )
    job_id = UUID(response.headers["Location"].rsplit("/", 1)[1])
    response.background = BackgroundTask(export_jobs.run_export, rt.sessionmaker, job_id)
    return response


@ledger.get("/export-jobs/{job_id}", response_model=ExportJobRead, summary="An export job and its progress")
async def get_export_job(job_id: UUID, principal: LedgerReader, rt: Rt) -> ExportJobRead:
    async with rt.read_session() as session:
        job = await export_jobs.get_job(session, job_id, principal)
    return ExportJobRead.from_job(job)


@ledger.get(
    "/export-jobs/{job_id}/content",
    response_class=Response,
    summary="Download a finished export (409 while it is not ready)",
)
async def download_export(job_id: UUID, principal: LedgerReader, rt: Rt) -> Response:
    async with rt.read_session() as session:
        job, content = await export_jobs.job_content(session, job_id, principal)
    builder = exports.BUILDERS[job.format]
    return _download(content, builder.media_type, job.statement_id, builder.suffix)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTERS: list[APIRouter] = [price_lists, ledger]
