"""The printable report (老年人能力评估报告) as a PDF, in the layout of GB/T 42195-2022 Annex C.

The same content as report_html (gbt42195.md §1.6 "Annex C": C.1-C.5, place, the two assessor
signatures and the information provider's, with dates), drawn by ``eldercare.common.pdf`` with an
embedded CJK font so the Chinese renders on any viewer. The provider's name is masked unless the
caller may read personal data. A result accepted by mutual recognition prints its provenance.
"""

from __future__ import annotations

from eldercare.assessment.api.report_html import C4_REASONS
from eldercare.assessment.domain.assessment import REASON_LABELS, Assessment, SignerKind
from eldercare.assessment.domain.gbt42195 import DIMENSIONS, STANDARD, TOTAL_MAXIMUM, level_label
from eldercare.assessment.domain.recognition import BASIS
from eldercare.common.clock import local_date
from eldercare.common.pdf import Document, Section, Table, render_pdf
from eldercare.common.pii import mask_text

# GB 2312 has □ and ■ (the font has no ☑): unchecked and checked boxes of C.4.
CHECKED, UNCHECKED = "■", "□"


def document(a: Assessment, *, can_read_pii: bool, place: str | None) -> Document:
    report = a.report
    if report is None:
        raise ValueError("only a completed assessment has a report")
    s = report.scoring
    fired = {adj.code for adj in s.adjustments}
    c1 = Table(
        headers=["一级指标", "得分", "满分"],
        rows=[
            [f"C.1.{i} {dim.name}", str(s.subtotals.get(dim.code, "")), str(dim.maximum)]
            for i, dim in enumerate(DIMENSIONS, start=1)
        ],
        col_widths=[3, 1, 1],
        align=["LEFT", "RIGHT", "RIGHT"],
    )
    assessors = [sig for sig in a.signatures if sig.kind is SignerKind.assessor]
    provider = next((sig for sig in a.signatures if sig.kind is SignerKind.information_provider), None)
    assessor_date = max((local_date(sig.signed_at) for sig in assessors), default=report.assessed_on)
    provider_name = report.information_provider.name
    shown_provider = provider_name if can_read_pii else mask_text(provider_name)
    provider_date = local_date(provider.signed_at) if provider else report.assessed_on
    sections = [
        Section("C.1 一级指标分级", table=c1),
        Section(
            table=Table(
                rows=[
                    ["C.2 初步等级得分", f"{s.total_score} 分（满分 {TOTAL_MAXIMUM}）"],
                    ["C.3 老年人能力初步等级", level_label(s.preliminary_level)],
                ],
                col_widths=[2, 3],
            )
        ),
        Section(
            "C.4 能力等级变更依据",
            paragraphs=[f"{CHECKED if code in fired else UNCHECKED} {text}" for code, text in C4_REASONS],
        ),
        Section(
            table=Table(
                rows=[
                    ["C.5 老年人能力最终等级", level_label(s.final_level)],
                    ["评估地点", place or ""],
                    ["评估员签名", f"{'、'.join(report.assessors)}　　日期：{assessor_date.isoformat()}"],
                    ["信息提供者签名", f"{shown_provider}　　日期：{provider_date.isoformat()}"],
                ],
                col_widths=[2, 3],
            )
        ),
    ]
    if a.recognition is not None:
        r = a.recognition
        sections.append(
            Section(
                "互认结果来源",
                paragraphs=[
                    f"依据：{BASIS}（评估结果在全市范围内互认）",
                    f"评估工具：{r.instrument} {r.instrument_version or ''}".rstrip(),
                    f"出具机构：{r.issuer_name}（统一社会信用代码 {r.issuer_credit_code}）",
                    f"文书编号：{r.document_ref}　　有效期至：{r.valid_until.isoformat()}",
                ],
            )
        )
    rule_set = s.rule_settings.get("rule_set", s.rule_settings.get("source", ""))
    meta = (
        f"评估编号 {a.id} · 评估原因 {REASON_LABELS[a.reason]}"
        f" · 评估基准日期 {report.assessed_on.isoformat()} · 标准 {STANDARD} · 规则集 {rule_set}"
    )
    return Document(
        title="老年人能力评估报告",
        subtitle=meta,
        sections=sections,
        footer=f"GB/T 42195-2022 附录C · {a.id}",
        created_at=report.completed_at,
    )


def render(a: Assessment, *, can_read_pii: bool, place: str | None) -> bytes:
    return render_pdf(document(a, can_read_pii=can_read_pii, place=place))
