"""Share every enrolled beneficiary's contact with dispatch again.

    uv run python -m eldercare.intake.share_contacts [--region 430102] [--batch 200]

For beneficiaries enrolled before ``intake.beneficiary_contact.shared.v1`` existed, or after the
shared ring (INTAKE_CONTACT_SHARE_KEYS) rotated: each batch is one transaction through the outbox
(the worker's relay publishes it); dispatch keeps the latest share. Terminated beneficiaries are
skipped. Prints how many were shared, never a value.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from eldercare.common.clock import utcnow
from eldercare.common.db import make_engine, make_sessionmaker
from eldercare.common.errors import DomainError
from eldercare.common.uow import UnitOfWork
from eldercare.intake.adapters.orm import MESSAGING
from eldercare.intake.adapters.pii import PiiSettingsInvalid, PiiVault
from eldercare.intake.application.contact_share import reshare_batch
from eldercare.intake.settings import IntakeSettings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m eldercare.intake.share_contacts", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--region", default="", help="region code prefix (default: everywhere)")
    parser.add_argument("--batch", type=int, default=200, help="beneficiaries per transaction")
    return parser.parse_args(argv)


async def share_all(
    sessions: async_sessionmaker[AsyncSession], vault: PiiVault, *, region: str, batch: int
) -> int:
    total, after, at = 0, None, utcnow()
    while True:
        async with UnitOfWork(sessions, MESSAGING, source="intake") as uow:
            shared, after = await reshare_batch(
                uow, vault, region_prefix=region, after=after, limit=batch, at=at
            )
            await uow.commit()
        total += shared
        if after is None:
            return total


async def run(args: argparse.Namespace, settings: IntakeSettings) -> int:
    engine = make_engine(settings.database_url, pool_size=2)
    try:
        vault = PiiVault.from_settings(settings)
        return await share_all(make_sessionmaker(engine), vault, region=args.region, batch=args.batch)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        shared = asyncio.run(run(args, IntakeSettings()))
    except (DomainError, PiiSettingsInvalid) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"shared={shared}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
