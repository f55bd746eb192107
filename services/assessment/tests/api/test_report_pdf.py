"""GET /v1/assessments/{id}/report.pdf: the Annex C report as a PDF whose Chinese renders."""

from __future__ import annotations

from typing import Any

import httpx
import pypdfium2 as pdfium

from eldercare.common.testing.plugin import Tokens

DISTRICT = "430102"


def text_of(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    return text.replace("\r\n", "")  # lines wrapped by the layout


def dark_pixels_in_title(pdf: bytes) -> int:
    image = pdfium.PdfDocument(pdf)[0].render(scale=2).to_pil().convert("L")
    width, _ = image.size
    return sum(1 for p in image.crop((0, 0, width, 160)).get_flattened_data() if p < 128)


async def completed(
    client: httpx.AsyncClient, tokens: Tokens, make_task, result_body, **overrides: Any
) -> Any:  # type: ignore[no-untyped-def]
    task = await make_task()
    body = result_body(70, **overrides)
    response = await client.post(
        f"/v1/assessments/{task.id}/results", json=body, headers=tokens.headers("assessor", region=DISTRICT)
    )
    assert response.status_code == 201, response.text
    return task


async def test_the_report_pdf_renders_the_annex_c_content_in_chinese(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
) -> None:
    events = {"fall": 2, "wandering": 0, "choking": 0, "suicide_self_harm": 0, "other": 0}
    task = await completed(client, tokens, make_task, result_body, risk_events_30d=events)
    response = await client.get(
        f"/v1/assessments/{task.id}/report.pdf", headers=tokens.headers("district_officer", region=DISTRICT)
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert dark_pixels_in_title(pdf) > 500  # the title's glyphs are drawn, not blank boxes
    text = text_of(pdf)
    for expected in (
        "老年人能力评估报告",
        "C.1.1 自理能力",
        "C.2 初步等级得分",
        "70 分（满分 90）",
        "能力轻度受损（轻度失能）",  # C.3
        "■ 近30天内发生过2次及以上照护风险事件",  # C.4 R4 checked
        "□ 处于昏迷状态者",  # R1 not
        "能力中度受损（中度失能）",  # C.5
        "assessor-001、assessor-002",
    ):
        assert expected in text, expected
    assert "张小明" not in text  # the information provider's name is masked without pii:read


async def test_a_pending_task_has_no_pdf_and_another_district_gets_404(  # type: ignore[no-untyped-def]
    client: httpx.AsyncClient, tokens: Tokens, make_task, result_body
) -> None:
    pending = await make_task()
    officer = tokens.headers("district_officer", region=DISTRICT)
    assert (await client.get(f"/v1/assessments/{pending.id}/report.pdf", headers=officer)).status_code == 409
    task = await completed(client, tokens, make_task, result_body)
    elsewhere = tokens.headers("district_officer", region="430103")
    assert (await client.get(f"/v1/assessments/{task.id}/report.pdf", headers=elsewhere)).status_code == 404


async def test_a_recognised_result_prints_its_provenance(  # type: ignore[no-untyped-def]
    settings, tokens: Tokens, sessions, make_task
) -> None:
    from datetime import date, timedelta

    from eldercare.assessment.main import create_app
    from eldercare.common.testing.plugin import api_client

    from .test_recognitions import external

    lenient = settings.model_copy(update={"recognised_regions": ["4303"]})
    officer = tokens.headers("district_officer", region=DISTRICT)
    async with api_client(create_app(lenient), sessions) as c:
        task = await make_task()
        body = external(valid_until=(date.today() + timedelta(days=100)).isoformat())
        assert (
            await c.post(f"/v1/assessments/{task.id}/recognitions", json=body, headers=officer)
        ).status_code == 201
        response = await c.get(f"/v1/assessments/{task.id}/report.pdf", headers=officer)
    text = text_of(response.content)
    assert "互认结果来源" in text
    assert "xiangtan-2025-home-care-provisions.md 第七条" in text
    assert "XT-PG-2026-0815" in text
