"""The ``eldercare`` command: ``up``, ``down``, ``token``, ``seed``, ``kafka-jars``, ``bench``."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

from eldercare.common.auth import Role
from eldercare.devstack.layout import Layout

ROLES = tuple(role.value for role in Role)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="eldercare", description="The eldercare platform on this machine.")
    commands = root.add_subparsers(dest="command", required=True)

    up = commands.add_parser(
        "up", help="start PostgreSQL, a Kafka broker and the five services; Ctrl-C stops them"
    )
    up.add_argument(
        "--external-postgres",
        metavar="URL",
        help="use this PostgreSQL server (postgresql+asyncpg://user:password@host:port)",
    )
    up.add_argument("--external-kafka", metavar="HOST:PORT", help="use this Kafka broker")
    up.add_argument(
        "--broker",
        choices=("tansu", "apache"),
        default=None,
        help="embedded broker: tansu (default; no Java) or apache (needs Java 17 and Maven); "
        "with --external-kafka, what kind of broker that is (default apache)",
    )
    up.add_argument("--ready-timeout", type=float, default=180, metavar="SECONDS",
                    help="how long to wait for every /readyz (default 180)")  # fmt: skip

    commands.add_parser("down", help="stop the stack started by `eldercare up` (recorded in .var/stack.json)")

    token = commands.add_parser("token", help="print a JWT for the local stack")
    token.add_argument(
        "--role",
        action="append",
        required=True,
        dest="roles",
        metavar="ROLE",
        help=f"repeatable; one of {', '.join(ROLES)}",
    )
    token.add_argument("--region", help="region code prefix for government staff, e.g. 430102")
    token.add_argument("--provider", metavar="ID", help="provider id (provider staff and caregivers)")
    token.add_argument("--caregiver", metavar="ID", help="caregiver id")
    token.add_argument(
        "--scope",
        action="extend",
        nargs="+",
        default=[],
        dest="scopes",
        metavar="S",
        help="scopes, e.g. pii:read",
    )
    token.add_argument("--subject", help="the sub claim (default local-<role>-<tenancy>)")
    token.add_argument("--ttl-minutes", type=int, default=60)  # fmt: skip

    commands.add_parser("seed", help="load demo data through the services' APIs (the stack must be up)")
    commands.add_parser(
        "kafka-jars", help="fetch Apache Kafka's jars for the tests where Java 17 and Maven exist"
    )
    bench = commands.add_parser(
        "bench",
        help="run a benchmark of bench/ by name, e.g. `eldercare bench vrptw PATH... --seconds 10`",
        description="Runs bench/<name>.py, or the one bench/<service>_<name>.py, with the arguments "
        "given; `eldercare bench --list` names them.",
    )
    bench.add_argument("name", nargs="?", help="e.g. vrptw, district_day, checkin, intake_http")
    bench.add_argument("--list", action="store_true", help="list the benchmarks")
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="the benchmark's own arguments")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    layout = Layout.default()
    handler = {
        "up": cmd_up,
        "down": cmd_down,
        "token": cmd_token,
        "seed": cmd_seed,
        "kafka-jars": cmd_kafka_jars,
        "bench": cmd_bench,
    }[args.command]
    return handler(layout, args)


def cmd_up(layout: Layout, args: argparse.Namespace) -> int:
    from eldercare.devstack.stack import LocalStack, UpOptions

    options = UpOptions(
        external_postgres=args.external_postgres,
        external_kafka=args.external_kafka,
        broker=args.broker,
        ready_timeout=args.ready_timeout,
    )
    print(f"eldercare: starting the local stack (state in {layout.var})", flush=True)
    return LocalStack(layout, options, say=_say).run()


def cmd_down(layout: Layout, args: argparse.Namespace) -> int:
    from eldercare.devstack.stack import down

    return down(layout, say=_say)


def cmd_token(layout: Layout, args: argparse.Namespace) -> int:
    from eldercare.devstack.keys import ensure_keys
    from eldercare.devstack.tokens import TokenRequest, local_token

    unknown = [r for r in args.roles if r not in ROLES]
    if unknown:
        print(f"unknown role(s) {', '.join(unknown)}; roles: {', '.join(ROLES)}", file=sys.stderr)
        return 2
    request = TokenRequest(
        roles=args.roles, region=args.region, provider=args.provider, caregiver=args.caregiver,
        scopes=args.scopes, subject=args.subject, ttl_minutes=args.ttl_minutes,
    )  # fmt: skip
    print(local_token(ensure_keys(layout.keys), request))
    return 0


def cmd_seed(layout: Layout, args: argparse.Namespace) -> int:
    try:
        from eldercare.devstack.seed import run  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        print("eldercare seed: not yet implemented")
        return 1
    from eldercare.devstack.keys import ensure_keys
    from eldercare.devstack.scenario import Stack
    from eldercare.devstack.stack import read_stack_file

    recorded = read_stack_file(layout)
    if recorded is None:
        print("no stack is running here: start one with `make up` (uv run eldercare up)", file=sys.stderr)
        return 1
    urls = {name: entry["url"] for name, entry in recorded["services"].items()}
    run(Stack(ensure_keys(layout.keys).private_key_pem(), **urls))
    return 0


def cmd_kafka_jars(layout: Layout, args: argparse.Namespace) -> int:
    from eldercare.common.testing.brokers import fetch_kafka_jars, java_available

    choice = os.environ.get("ELDERCARE_TEST_BROKER", "auto")
    if choice != "auto" and choice != "apache":
        print(f"[eldercare] ELDERCARE_TEST_BROKER={choice}: the tests will use that broker")
        return 0
    if not java_available():
        if choice == "apache":
            print("[eldercare] ELDERCARE_TEST_BROKER=apache needs Java 17+ and Maven", file=sys.stderr)
            return 1
        print("[eldercare] no Java 17+ and Maven here: the tests will use the tansu broker")
        return 0
    jars = fetch_kafka_jars(layout.root)
    where = jars.relative_to(layout.root)
    print(f"[eldercare] Apache Kafka jars in {where}: the tests will use Apache Kafka")
    return 0


def bench_script(bench_dir: os.PathLike[str] | str, name: str) -> str | None:
    """bench/<name>.py, else the single bench/<service>_<name>.py (``vrptw`` is dispatch_vrptw.py);
    None when there is none or the name is ambiguous."""
    from pathlib import Path

    root = Path(bench_dir)
    exact = root / f"{name}.py"
    if exact.is_file():
        return str(exact)
    matches = sorted(root.glob(f"*_{name}.py"))
    return str(matches[0]) if len(matches) == 1 else None


def bench_names(bench_dir: os.PathLike[str] | str) -> list[str]:
    from pathlib import Path

    return sorted(p.stem for p in Path(bench_dir).glob("*.py") if p.stem != "http_load")


def cmd_bench(layout: Layout, args: argparse.Namespace) -> int:
    bench_dir = layout.root / "bench"
    if args.list or not args.name:
        print("\n".join(bench_names(bench_dir)))
        return 0 if args.list else 2
    script = bench_script(bench_dir, args.name)
    if script is None:
        names = ", ".join(bench_names(bench_dir))
        print(f"eldercare: no benchmark {args.name!r}; one of: {names}", file=sys.stderr)
        return 2
    # The benchmarks are scripts (they print figures; they are not part of any package), run with
    # this interpreter, which has every workspace package installed.
    return subprocess.call([sys.executable, script, *args.rest], cwd=layout.root)


def _say(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
