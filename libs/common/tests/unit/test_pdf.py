"""eldercare.common.pdf: Chinese text that renders (glyphs drawn, checked on a PNG) and extracts back."""

from __future__ import annotations

from datetime import UTC, datetime

import pypdfium2 as pdfium
import pytest
from PIL import Image

from eldercare.common.pdf import Document, Section, Table, render_pdf

TITLE = "老年人能力评估报告"


def page_image(pdf: bytes, index: int = 0) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    return document[index].render(scale=2).to_pil().convert("L")


def text_of(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def dark_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    return sum(1 for p in image.crop(box).get_flattened_data() if p < 128)


def sample(**overrides: object) -> Document:
    fields: dict[str, object] = {
        "title": TITLE,
        "subtitle": "GB/T 42195-2022 附录C",
        "sections": [
            Section("C.1 一级指标分级", paragraphs=["自理能力：20 分"]),
            Section(
                "C.2 明细",
                table=Table(
                    headers=["指标", "得分", "满分"],
                    rows=[["自理能力", "20", "32"], ["基础运动能力", "10", "15"]],
                    col_widths=[3, 1, 1],
                    align=["LEFT", "RIGHT", "RIGHT"],
                ),
                after=["评估员签名：＿＿＿＿"],
            ),
        ],
        "footer": "本报告由系统生成",
        "created_at": datetime(2026, 11, 23, tzinfo=UTC),
        **overrides,
    }
    return Document(**fields)  # type: ignore[arg-type]


class TestRenderPdf:
    def test_the_chinese_title_is_drawn_not_blank(self) -> None:
        image = page_image(render_pdf(sample()))
        width, _ = image.size
        # A4 at scale 2 is 1190 px wide; the title sits in the top ~40 mm.
        assert dark_pixels(image, (0, 0, width, 200)) > 500
        blank = page_image(render_pdf(sample(title=" ", subtitle=None, sections=[])))
        assert dark_pixels(blank, (0, 0, width, 200)) == 0

    def test_the_text_extracts_back(self) -> None:
        text = text_of(render_pdf(sample()))
        for expected in (
            TITLE,
            "C.1 一级指标分级",
            "基础运动能力",
            "评估员签名",
            "本报告由系统生成",
            "第 1 页 / 共 1 页",
        ):
            assert expected in text

    def test_the_font_is_embedded(self) -> None:
        pdf = render_pdf(sample())
        assert pdf.startswith(b"%PDF-")
        assert b"/FontFile" in pdf  # the glyphs travel with the document

    def test_a_long_table_breaks_across_pages_and_numbers_them(self) -> None:
        rows = [[f"第{i}行", "内容"] for i in range(120)]
        pdf = render_pdf(sample(sections=[Section("明细", table=Table(rows=rows, headers=["行", "值"]))]))
        document = pdfium.PdfDocument(pdf)
        assert len(document) > 1
        assert "第119行" in text_of(pdf)

    def test_widths_for_the_wrong_number_of_columns_are_refused(self) -> None:
        with pytest.raises(ValueError, match="col_widths"):
            render_pdf(sample(sections=[Section(table=Table(rows=[["a", "b"]], col_widths=[1]))]))
