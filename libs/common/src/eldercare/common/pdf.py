"""Printable documents with Chinese text: sections of paragraphs and tables rendered to a PDF.

The font is Noto Sans SC (SIL Open Font License 1.1), shipped in the ``pylopdf-fonts-zh-cn`` wheel
and embedded (subset) in every document, so the PDF shows its Chinese text on any viewer, including
those with no CJK font installed (a non-embedded CID font such as reportlab's STSong-Light renders
blank there). Rendering is fpdf2. Both come with the ``pdf`` extra: depend on
``eldercare-common[pdf]``.

Usage::

    from eldercare.common.pdf import Document, Section, Table, render_pdf

    pdf_bytes = render_pdf(
        Document(
            title="结算单",
            subtitle="2026年11月 · 芙蓉区",
            sections=[
                Section("一、汇总", paragraphs=["服务次数：12"]),
                Section(
                    "二、明细",
                    table=Table(headers=["日期", "项目", "金额（元）"], rows=[["11-02", "助浴", "80.00"]],
                                col_widths=[1, 3, 1], align=["LEFT", "LEFT", "RIGHT"]),
                ),
            ],
            footer="本单据由系统生成",
        )
    )
    # FastAPI: Response(pdf_bytes, media_type=PDF_MEDIA_TYPE)

Every string is rendered as given: escape nothing, mask personal data before passing it in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

PDF_MEDIA_TYPE = "application/pdf"
FONT_FAMILY = "NotoSansSC"

Align = Literal["LEFT", "CENTER", "RIGHT"]


@dataclass(frozen=True)
class Table:
    """A table; ``col_widths`` are relative (``[1, 3, 1]``), equal when omitted."""

    rows: Sequence[Sequence[str]]
    headers: Sequence[str] | None = None
    col_widths: Sequence[float] | None = None
    align: Sequence[Align] | None = None


@dataclass(frozen=True)
class Section:
    heading: str | None = None
    paragraphs: Sequence[str] = ()
    table: Table | None = None
    # Paragraphs printed after the table (notes, signature lines).
    after: Sequence[str] = ()


@dataclass(frozen=True)
class Document:
    title: str
    sections: Sequence[Section] = field(default_factory=tuple)
    subtitle: str | None = None
    footer: str | None = None  # printed at the bottom of every page with the page number
    created_at: datetime | None = None  # the PDF's creation date (metadata); now when omitted
    landscape: bool = False


@cache
def font_path() -> Path:
    """The embedded font's file (from the ``pylopdf-fonts-zh-cn`` wheel)."""
    from pylopdf_fonts_zh_cn import sans_path

    path = Path(sans_path())
    if not path.is_file():  # pragma: no cover - a broken installation
        raise FileNotFoundError(f"the CJK font is missing: {path}")
    return path


class _Pdf(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(orientation="L" if doc.landscape else "P", unit="mm", format="A4")
        self._footer_text = doc.footer

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT_FAMILY, size=8)
        text = (
            f"{self._footer_text}　　第 {self.page_no()} 页 / 共 {{nb}} 页"
            if self._footer_text
            else (f"第 {self.page_no()} 页 / 共 {{nb}} 页")
        )
        self.cell(0, 6, text, align="C")


def render_pdf(doc: Document) -> bytes:
    """Render ``doc`` to PDF bytes (A4, the CJK font embedded as a subset). Lines break between any
    two characters (Chinese has no spaces to break at)."""
    pdf = _Pdf(doc)
    pdf.set_title(doc.title)
    pdf.set_creator("eldercare")
    if doc.created_at is not None:
        pdf.set_creation_date(doc.created_at)
    pdf.add_font(FONT_FAMILY, fname=str(font_path()))
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, size=18)
    pdf.multi_cell(0, 10, doc.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if doc.subtitle:
        pdf.set_font(FONT_FAMILY, size=10)
        pdf.multi_cell(0, 6, doc.subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for section in doc.sections:
        _section(pdf, section)
    return bytes(pdf.output())


def _paragraphs(pdf: FPDF, lines: Sequence[str]) -> None:
    pdf.set_font(FONT_FAMILY, size=10)
    for line in lines:
        pdf.multi_cell(0, 6, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)


def _section(pdf: FPDF, section: Section) -> None:
    if section.heading:
        pdf.set_font(FONT_FAMILY, size=13)
        pdf.multi_cell(0, 8, section.heading, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _paragraphs(pdf, section.paragraphs)
    if section.table is not None:
        _table(pdf, section.table)
    _paragraphs(pdf, section.after)
    pdf.ln(3)


def _table(pdf: FPDF, table: Table) -> None:
    columns = len(table.headers) if table.headers else max((len(r) for r in table.rows), default=0)
    if columns == 0:
        return
    widths = tuple(table.col_widths) if table.col_widths else (1.0,) * columns
    if len(widths) != columns:
        raise ValueError(f"col_widths has {len(widths)} entries for {columns} columns")
    aligns = tuple(table.align) if table.align else ("LEFT",) * columns
    pdf.set_font(FONT_FAMILY, size=9)
    with pdf.table(
        col_widths=widths,
        text_align=aligns,
        first_row_as_headings=table.headers is not None,
        # One regular face only: headings are shaded, not bold (fpdf2's default needs a bold face).
        headings_style=FontFace(emphasis="", fill_color=(230, 230, 230)),
        line_height=6,
        padding=1,
        wrapmode=WrapMode.CHAR,
    ) as grid:
        if table.headers is not None:
            header = grid.row()
            for text in table.headers:
                header.cell(text)
        for values in table.rows:
            row = grid.row()
            for index in range(columns):
                row.cell(values[index] if index < len(values) else "")
    pdf.ln(2)
