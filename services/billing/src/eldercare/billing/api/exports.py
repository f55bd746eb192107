"""Statement exports with Chinese headers: CSV (UTF-8 with BOM, so spreadsheet software reads the
Chinese), XLSX (openpyxl in write-only mode) and PDF for signing (eldercare.common.pdf). Money stays
integer fen, as everywhere in billing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from eldercare.billing.adapters.statement_repository import StatementLine
from eldercare.billing.domain.charges import REASON_LABELS, ChargeReason
from eldercare.billing.domain.pricing import UNIT_LABELS, Unit
from eldercare.billing.domain.statements import (
    ADJUSTMENT_REASON_LABELS,
    LINE_KIND_LABELS,
    STATEMENT_STATUS_LABELS,
    Statement,
)

LINE_HEADERS = (
    "行号", "类型", "服务日期", "所属月份", "服务对象编号", "服务记录编号", "计费编号", "服务项目",
    "计价单位", "单价（分）", "金额（分）", "补贴支付（分）", "个人自付（分）", "说明",
    "暂扣（分）", "关联编号", "备注",
)  # fmt: skip
SUMMARY_HEADERS = (
    "结算单编号", "服务机构编号", "区县代码", "结算月份", "状态", "服务费用合计（分）",
    "补贴支付合计（分）", "个人自付合计（分）", "其中调整（分）", "服务笔数", "调整笔数", "不予结算笔数",
    "暂扣合计（分）", "追回及罚款（分）", "抽查扣减（分）",
)  # fmt: skip


def reason_label(reason: str | None) -> str:
    if reason is None:
        return ""
    if reason in ADJUSTMENT_REASON_LABELS:
        return ADJUSTMENT_REASON_LABELS[reason]
    try:
        return REASON_LABELS[ChargeReason(reason)]
    except ValueError:
        return reason


def line_row(number: int, line: StatementLine) -> tuple[object, ...]:
    return (
        number,
        LINE_KIND_LABELS[line.kind],
        line.visit_on.isoformat(),
        line.charge_period,
        str(line.beneficiary_id),
        str(line.visit_id),
        str(line.charge_id),
        line.service_code,
        UNIT_LABELS[Unit(line.unit)] if line.unit else "",
        line.unit_price_fen if line.unit_price_fen is not None else "",
        line.amount_fen,
        line.covered_fen,
        line.self_pay_fen,
        reason_label(line.reason),
        line.withheld_fen,
        str(line.ref_id) if line.ref_id else "",
        line.detail or "",
    )


def summary_row(s: Statement) -> tuple[object, ...]:
    return (
        str(s.id), str(s.provider_id), s.district_code, s.period, STATEMENT_STATUS_LABELS[s.status],
        s.gross_fen, s.covered_fen, s.self_pay_fen, s.adjusted_fen, s.charge_count, s.adjustment_count,
        s.withheld_count, s.withheld_fen, s.recovered_fen, s.deducted_fen,
    )  # fmt: skip


def _csv_text(rows: Iterable[Iterable[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


class CsvBuilder:
    """The summary (two rows), a blank row, then the lines, added batch by batch."""

    media_type = "text/csv; charset=utf-8"
    suffix = "csv"

    def __init__(self, statement: Statement) -> None:
        self._parts = ["\ufeff" + _csv_text([SUMMARY_HEADERS, summary_row(statement), (), LINE_HEADERS])]
        self._count = 0

    def add(self, lines: Iterable[StatementLine]) -> None:
        rows = []
        for line in lines:
            self._count += 1
            rows.append(line_row(self._count, line))
        self._parts.append(_csv_text(rows))

    def finish(self) -> bytes:
        return "".join(self._parts).encode()


class XlsxBuilder:
    """Two sheets: 结算汇总 (the totals) and 结算明细 (one row per line), openpyxl write-only."""

    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    suffix = "xlsx"

    def __init__(self, statement: Statement) -> None:
        from openpyxl import Workbook  # imported on first use: it slows the API's start by seconds

        self._book = Workbook(write_only=True)
        summary = self._book.create_sheet("结算汇总")
        summary.append(SUMMARY_HEADERS)
        summary.append(summary_row(statement))
        self._detail = self._book.create_sheet("结算明细")
        self._detail.append(LINE_HEADERS)
        self._count = 0

    def add(self, lines: Iterable[StatementLine]) -> None:
        for line in lines:
            self._count += 1
            self._detail.append(line_row(self._count, line))

    def finish(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


PDF_MEDIA_TYPE = "application/pdf"
PDF_COLUMNS = (
    "行号",
    "类型",
    "服务日期",
    "所属月份",
    "服务项目",
    "金额（分）",
    "补贴（分）",
    "自付（分）",
    "说明",
)


class PdfBuilder:
    """结算单 for signing (eldercare.common.pdf, Chinese text embedded): the totals, the lines, and
    the signature lines of the provider and the district bureau (which buys the services,
    changsha-2024-purchased-door-to-door-rules.md 第六条). Money in fen, as in the other exports."""

    media_type = PDF_MEDIA_TYPE
    suffix = "pdf"

    def __init__(self, statement: Statement) -> None:
        self._statement = statement
        self._rows: list[list[str]] = []

    def add(self, lines: Iterable[StatementLine]) -> None:
        for line in lines:
            row = line_row(len(self._rows) + 1, line)
            # 行号 类型 服务日期 所属月份 服务项目 金额 补贴 自付 说明
            picked = (row[0], row[1], row[2], row[3], row[7], row[10], row[11], row[12], row[13])
            self._rows.append([str(v) for v in picked])

    def finish(self) -> bytes:
        # Imported on first use: fpdf2 and its font tables slow the API's start by seconds.
        from eldercare.common.pdf import Document, Section, Table, render_pdf

        s = self._statement
        totals = [f"{header}：{value}" for header, value in zip(SUMMARY_HEADERS, summary_row(s), strict=True)]
        document = Document(
            title="居家养老服务结算单",
            subtitle=f"{s.period} · 区县 {s.district_code} · {STATEMENT_STATUS_LABELS[s.status]}",
            sections=[
                Section("一、结算汇总", paragraphs=totals),
                Section(
                    "二、结算明细",
                    table=Table(
                        headers=list(PDF_COLUMNS),
                        rows=self._rows,
                        col_widths=[0.6, 1, 1.2, 1, 1, 1, 1, 1, 2.4],
                        align=["RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"],
                    ),
                ),
                Section(
                    "三、签章",
                    paragraphs=[
                        "服务机构（盖章）：____________　负责人签字：____________　日期：__________",
                        "区县民政部门（盖章）：____________　经办人签字：____________　日期：__________",
                    ],
                ),
            ],
            footer=f"结算单编号 {s.id}",
            created_at=s.generated_at,
            landscape=True,
        )
        return render_pdf(document)


BUILDERS: dict[str, type[CsvBuilder] | type[XlsxBuilder] | type[PdfBuilder]] = {
    "csv": CsvBuilder,
    "xlsx": XlsxBuilder,
    "pdf": PdfBuilder,
}


def pdf_bytes(statement: Statement, lines: Iterable[StatementLine]) -> bytes:
    builder = PdfBuilder(statement)
    builder.add(lines)
    return builder.finish()


def csv_bytes(statement: Statement, lines: Iterable[StatementLine]) -> bytes:
    builder = CsvBuilder(statement)
    builder.add(lines)
    return builder.finish()


def xlsx_bytes(statement: Statement, lines: Iterable[StatementLine]) -> bytes:
    builder = XlsxBuilder(statement)
    builder.add(lines)
    return builder.finish()
