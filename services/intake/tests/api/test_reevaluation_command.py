"""``python -m eldercare.intake.reevaluate``: beneficiaries enrolled through the API, re-evaluated
under a draft pack version against the real database; the report changes nothing."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from eldercare.intake.adapters.models import BeneficiaryRow
from eldercare.intake.application.reevaluation import ReevaluateBeneficiaries, reevaluate_beneficiaries
from eldercare.intake.domain.reevaluation import Effect
from eldercare.intake.reevaluate import catalog_with, parse_args


def draft(tmp_path: Path) -> Path:
    """Changsha 2026.1 (a draft): item (一) needs level 2 or worse."""
    text = resources.files("eldercare.intake.policy_packs").joinpath("changsha-2024.json").read_text("utf-8")
    doc = copy.deepcopy(json.loads(text)) | {"version": "2026.1", "effective_from": "2026-01-01"}
    doc["qualifying"][0]["when"][0]["value"] = 2
    path = tmp_path / "changsha-2026.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


async def test_the_draft_reports_who_loses_and_writes_nothing(
    flow, sessions, settings, vault, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    ids = {}
    for seq, level in [(1, 1), (2, 3)]:
        app = await flow.assessed(seq, level=level)
        ids[level] = (await flow.decide(app["id"])).json()["beneficiary_id"]
    args = parse_args(["--pack", "changsha-2024", "--version", "2026.1", "--file", str(draft(tmp_path))])
    async with sessions() as session:
        before = {str(r.id): r.version for r in (await session.scalars(select(BeneficiaryRow))).all()}
        cmd = ReevaluateBeneficiaries(
            pack_id=args.pack,
            version=args.version,
            as_of=args.as_of,
            region_prefix=args.region,
            catalog=catalog_with(args.file),
            policy_settings=settings.policy_settings,
            vault=vault,
        )
        report = await reevaluate_beneficiaries(cmd, session)
    effects = {str(r.beneficiary_id): r.effect for r in report}
    assert effects == {ids[1]: Effect.loses_eligibility, ids[3]: Effect.unchanged}
    async with sessions() as session:
        after = {str(r.id): r.version for r in (await session.scalars(select(BeneficiaryRow))).all()}
    assert after == before


async def test_the_region_prefix_limits_the_report(flow, sessions, settings, vault, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = await flow.assessed(1, level=1)
    assert (await flow.decide(app["id"])).status_code == 201
    for region, count in [("430102", 1), ("430103", 0)]:
        cmd = ReevaluateBeneficiaries(
            pack_id="changsha-2024",
            version="2026.1",
            as_of=None,
            region_prefix=region,
            catalog=catalog_with(draft(tmp_path)),
            policy_settings=settings.policy_settings,
            vault=vault,
        )
        async with sessions() as session:
            assert len(await reevaluate_beneficiaries(cmd, session)) == count
