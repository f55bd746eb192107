"""The printable report as a PDF (GET /v1/assessments/{id}/report.pdf without HTTP and database):
how long rendering one Annex C report takes and how big it is.

    uv run python bench/assessment_report_pdf.py [--reports 30]

Builds a completed assessment in memory (domain objects, a fixed table) and renders it with
``eldercare.assessment.api.report_pdf`` (fpdf2, Noto Sans SC embedded as a subset) ``--reports``
times. Prints one JSON line: ms per report (mean, p50, p99, max) and the PDF's size in bytes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime
from uuid import uuid4

from eldercare.assessment.api import report_pdf
from eldercare.assessment.domain.assessment import (
    Assessment,
    AssessmentReason,
    InformantRelation,
    InformationProvider,
)
from eldercare.assessment.domain.gbt42195 import DEFAULT_RULE_SET, ITEM_MAXIMA, RULE_SETS
from eldercare.assessment.domain.scoring import ScoringInput


def completed() -> Assessment:
    items = dict(ITEM_MAXIMA)
    items["B.1.1"], items["B.1.2"], items["B.3.4"] = 1, 1, 2
    a = Assessment(
        person_id=uuid4(),
        district_code="430102",
        community_code="430102001001",
        reason=AssessmentReason.initial,
        requested_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    a.complete(
        ScoringInput(items=items, diagnoses=("F01",)),
        settings=RULE_SETS[DEFAULT_RULE_SET].settings,
        assessors=("assessor-001", "assessor-002"),
        information_provider=InformationProvider("张小明", InformantRelation.child),
        assessed_on=date(2026, 11, 20),
        submitted_by="assessor-001",
        now=datetime(2026, 11, 20, 8, tzinfo=UTC),
    )
    return a


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=30)
    args = parser.parse_args()
    assessment = completed()
    timings: list[float] = []
    size = 0
    for _ in range(args.reports):
        start = time.perf_counter()
        pdf = report_pdf.render(assessment, can_read_pii=False, place="长沙市芙蓉区某社区")
        timings.append((time.perf_counter() - start) * 1000)
        size = len(pdf)
    ordered = sorted(timings)
    print(
        json.dumps(
            {
                "benchmark": "assessment_report_pdf",
                "reports": args.reports,
                "mean_ms": round(statistics.fmean(timings), 1),
                "p50_ms": round(ordered[len(ordered) // 2], 1),
                "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
                "max_ms": round(ordered[-1], 1),
                "pdf_bytes": size,
            }
        )
    )


if __name__ == "__main__":
    main()
