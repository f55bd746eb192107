"""The trail verification command (issue #7: "a verification command and endpoint walks a chain
and reports the first broken link")::

    python -m eldercare.audit.verify [--chain 430102 ...] [--batch-size 1000]

Verifies each chain named (every chain of the trail by default: one per district, ``city``,
``legacy``) with the code behind GET /v1/audit-trail/verification, against ``AUDIT_DATABASE_URL``;
prints one JSON line per chain and exits 1 when any chain is broken.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from eldercare.audit.application.trail import verify_chains
from eldercare.audit.settings import AuditSettings
from eldercare.common.db import make_engine, make_sessionmaker


async def run(chains: list[str] | None, batch_size: int | None) -> bool:
    settings = AuditSettings()
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            results = await verify_chains(
                session, batch_size=batch_size or settings.trail_verify_batch_size, chains=chains
            )
    finally:
        await engine.dispose()
    for v in results:
        line = {
            "chain": v.chain,
            "entries": v.entries,
            "valid": v.valid,
            "first_broken_seq": v.first_broken_seq,
        }
        print(json.dumps(line))
    return all(v.valid for v in results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Verify the audit trail's hash chains.")
    parser.add_argument("--chain", action="append", help="a chain (district code, city, legacy); repeatable")
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args(argv)
    sys.exit(0 if asyncio.run(run(args.chain, args.batch_size)) else 1)


if __name__ == "__main__":
    main()
