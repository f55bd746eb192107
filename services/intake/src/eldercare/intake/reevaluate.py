"""Who gains or loses what under a pack version: ``python -m eldercare.intake.reevaluate``.

    uv run python -m eldercare.intake.reevaluate --pack changsha-2024 --version 2024.1
    uv run python -m eldercare.intake.reevaluate --pack changsha-2024 --version 2026.1 \\
        --file changsha-2026.json --region 430102 --json

Reads the database named by the intake settings (``INTAKE_DATABASE_URL``, the PII keys and
``INTAKE_POLICY_SETTINGS``) and prints one line per beneficiary whose entitlement would change,
then a count per effect. It changes nothing: the report is for the bureau to act on.
``--file`` adds a pack document that is not shipped yet (a draft of the next version).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path

from eldercare.common.db import make_engine, make_sessionmaker
from eldercare.common.errors import DomainError
from eldercare.intake.adapters.pii import PiiVault
from eldercare.intake.application.reevaluation import ReevaluateBeneficiaries, reevaluate_beneficiaries
from eldercare.intake.domain.policy import PackCatalog, parse_pack
from eldercare.intake.domain.reevaluation import Effect, Reevaluation
from eldercare.intake.policy_packs import load_packs
from eldercare.intake.settings import IntakeSettings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m eldercare.intake.reevaluate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--pack", required=True, help="pack id, e.g. changsha-2024")
    parser.add_argument("--version", required=True, help="pack version, e.g. 2024.1")
    parser.add_argument("--file", type=Path, help="an extra pack document (a draft version)")
    parser.add_argument(
        "--as-of", type=date.fromisoformat, help="evaluation date (default: the version's effective date)"
    )
    parser.add_argument("--region", default="", help="region code prefix (default: everywhere)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    parser.add_argument("--all", action="store_true", help="also list the unchanged")
    return parser.parse_args(argv)


def catalog_with(extra: Path | None) -> PackCatalog:
    packs = load_packs()
    if extra is not None:
        packs.append(parse_pack(json.loads(extra.read_text(encoding="utf-8"))))
    return PackCatalog(packs)


def render(report: list[Reevaluation], *, as_json: bool, show_all: bool) -> list[str]:
    """The lines to print: the changed beneficiaries (all with ``show_all``), then the counts."""
    lines = []
    for r in report:
        if r.effect is Effect.unchanged and not show_all:
            continue
        if as_json:
            lines.append(json.dumps(asdict(r), default=str, ensure_ascii=False))
        else:
            after = "-" if r.amount_after_fen is None else str(r.amount_after_fen)
            detail = "; ".join(r.reasons or r.missing_settings)
            lines.append(
                f"{r.beneficiary_id} {r.community_code} {r.effect.value:<17} "
                f"{r.amount_before_fen:>7} -> {after:>7} fen {detail}".rstrip()
            )
    counts = {e.value: sum(1 for r in report if r.effect is e) for e in Effect}
    summary = {"beneficiaries": len(report), **{k: v for k, v in counts.items() if v}}
    lines.append(json.dumps(summary) if as_json else " ".join(f"{k}={v}" for k, v in summary.items()))
    return lines


async def run(args: argparse.Namespace, settings: IntakeSettings) -> list[Reevaluation]:
    engine = make_engine(settings.database_url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session:
            cmd = ReevaluateBeneficiaries(
                pack_id=args.pack,
                version=args.version,
                as_of=args.as_of,
                region_prefix=args.region,
                catalog=catalog_with(args.file),
                policy_settings=settings.policy_settings,
                vault=PiiVault.from_settings(settings),
            )
            report = await reevaluate_beneficiaries(cmd, session)
            await session.rollback()  # a report only
            return report
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = asyncio.run(run(args, IntakeSettings()))
    except DomainError as exc:
        print(f"{exc.field}: {exc.detail}" if exc.field else exc.detail, file=sys.stderr)
        return 2
    for line in render(report, as_json=args.json, show_all=args.all):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
