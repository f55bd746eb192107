"""The printable report (老年人能力评估报告) in the layout of GB/T 42195-2022 Annex C.

gbt42195.md §1.6 "Annex C": C.1 the four first-level subtotals (C.1.1-C.1.4), C.2 the total,
C.3 the preliminary level, C.4 the reasons for a change of level (R1-R4 as checkboxes), C.5 the
final level, then the place, two assessor signatures with the date and the information provider's
signature with the date. Every value is HTML-escaped; the provider's name is masked unless the
caller may read personal data. Plain HTML and CSS for A4 printing, with a CJK font stack.
"""

from __future__ import annotations

from html import escape

from eldercare.assessment.domain.assessment import REASON_LABELS, Assessment, SignerKind
from eldercare.assessment.domain.gbt42195 import DIMENSIONS, TOTAL_MAXIMUM, level_label
from eldercare.common.clock import local_date
from eldercare.common.pii import mask_text

# C.4 能力等级变更依据 (gbt42195.md §1.5 R1-R4), printed as checkboxes.
C4_REASONS = (
    ("R1", "处于昏迷状态者，直接评定为能力完全丧失"),
    ("R2", "确诊为痴呆（F00～F03）者，在原有能力级别上提高一个等级"),
    ("R3", "确诊为精神科专科医生诊断的其他精神和行为障碍疾病（F04～F99）者，在原有能力级别上提高一个等级"),
    (
        "R4",
        "近30天内发生过2次及以上照护风险事件（如跌倒、噎食、自杀、自伤、走失等），在原有能力级别上提高一个等级",
    ),
)

_STYLE = """
@page { size: A4; margin: 18mm; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "SimSun", serif;
       font-size: 11pt; color: #000; }
h1 { text-align: center; font-size: 16pt; margin-bottom: 4mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 4mm; }
th, td { border: 1px solid #000; padding: 2mm 3mm; vertical-align: top; }
th { width: 32%; text-align: left; font-weight: normal; background: #f2f2f2; }
.box { display: inline-block; width: 1em; text-align: center; }
.meta { font-size: 9pt; color: #444; }
"""


def render(a: Assessment, *, can_read_pii: bool, place: str | None) -> str:
    """The report of a completed assessment as one HTML document."""
    report = a.report
    if report is None:
        raise ValueError("only a completed assessment has a report")
    s = report.scoring
    fired = {adj.code for adj in s.adjustments}
    rows_c1 = "".join(
        f"<tr><th>C.1.{i} {escape(dim.name)}</th>"
        f"<td>{s.subtotals[dim.code]} 分（满分 {dim.maximum}）</td></tr>"
        for i, dim in enumerate(DIMENSIONS, start=1)
    )
    rows_c4 = "".join(
        f'<div><span class="box">{"☑" if code in fired else "☐"}</span> {escape(text)}</div>'
        for code, text in C4_REASONS
    )
    assessors = [sig for sig in a.signatures if sig.kind is SignerKind.assessor]
    provider = next((sig for sig in a.signatures if sig.kind is SignerKind.information_provider), None)
    assessor_names = "、".join(escape(name) for name in report.assessors)
    assessor_date = max((local_date(sig.signed_at) for sig in assessors), default=report.assessed_on)
    provider_name = (
        report.information_provider.name if can_read_pii else mask_text(report.information_provider.name)
    )
    provider_date = local_date(provider.signed_at) if provider else report.assessed_on
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>老年人能力评估报告</title><style>{_STYLE}</style></head>
<body>
<h1>老年人能力评估报告</h1>
<p class="meta">评估编号 {escape(str(a.id))} · 评估原因 {escape(REASON_LABELS[a.reason])}
· 评估基准日期 {report.assessed_on.isoformat()} · 标准 GB/T 42195-2022
· 规则集 {escape(s.rule_settings.get("rule_set", ""))}</p>
<table>
<tr><th colspan="2">C.1 一级指标分级</th></tr>
{rows_c1}
<tr><th>C.2 初步等级得分</th><td>{s.total_score} 分（满分 {TOTAL_MAXIMUM}）</td></tr>
<tr><th>C.3 老年人能力初步等级</th><td>{escape(level_label(s.preliminary_level))}</td></tr>
<tr><th>C.4 能力等级变更依据</th><td>{rows_c4}</td></tr>
<tr><th>C.5 老年人能力最终等级</th><td>{escape(level_label(s.final_level))}</td></tr>
<tr><th>评估地点</th><td>{escape(place or "")}</td></tr>
<tr><th>评估员签名</th><td>{assessor_names}　　日期：{assessor_date.isoformat()}</td></tr>
<tr><th>信息提供者签名</th><td>{escape(provider_name)}　　日期：{provider_date.isoformat()}</td></tr>
</table>
</body>
</html>
"""
