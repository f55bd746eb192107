"""VRPTW routing quality of the dispatch routing core on Solomon-format files.

    uv run eldercare bench vrptw PATH... --seconds S [--best-known FILE] [--seed N] [--neighbours K]
    (or: uv run python bench/dispatch_vrptw.py ...)

PATH is a Solomon .txt file or a directory of them. Prints one JSON line per instance
{"instance", "vehicles", "distance", "feasible", "seconds"} (plus "gap" and "best" with
--best-known, gap = (found - best) / best against ``best_known_distance_any_fleet``), then one
summary line. Feasibility is recomputed by ``routing.problem.check``, not taken from the solver.

A best-known distance below a proven lower bound cannot be reached by any solution. The lower
bounds (``--lower-bounds``, default bench/solomon-truncated-optima.json) are the exact methods'
optima with arcs truncated to one decimal; truncation only shortens arcs and loosens windows, so
they bound the double-precision optimum from below. Such an instance's line says
``"best_below_lower_bound": true`` with ``lower_bound`` and ``gap_to_lower_bound``; the summary
keeps the average and max gap against the file as given and adds ``max_gap_reachable`` (the max
over instances whose best-known is reachable) and ``best_below_lower_bound`` (the instances).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eldercare.dispatch.routing.solomon import read_solomon
from eldercare.dispatch.routing.vrptw import NEIGHBOURS, solve

LOWER_BOUNDS = Path(__file__).resolve().parent / "solomon-truncated-optima.json"


def instance_paths(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        out.extend(sorted(p.glob("*.txt")) if p.is_dir() else [p])
    return out


def run(
    paths: list[Path],
    seconds: float,
    best_known: dict | None,
    seed: int = 1,
    neighbours: int = NEIGHBOURS,
    lower_bounds: dict[str, float] | None = None,
) -> list[dict]:
    rows = []
    for path in paths:
        instance = read_solomon(path)
        solved = solve(instance, seconds, seed=seed, neighbours=neighbours)
        row = {
            "instance": instance.name,
            "vehicles": solved.check.vehicles,
            "distance": round(solved.check.distance, 4),
            "feasible": solved.check.feasible,
            "seconds": round(solved.seconds, 2),
        }
        if best_known is not None and instance.name in best_known:
            best = best_known[instance.name]["best_known_distance_any_fleet"]
            row["best"] = best
            row["gap"] = round((solved.check.distance - best) / best, 6)
            bound = (lower_bounds or {}).get(instance.name)
            if bound is not None and best < bound:
                row["best_below_lower_bound"] = True
                row["lower_bound"] = bound
                row["gap_to_lower_bound"] = round((solved.check.distance - bound) / bound, 6)
        if not solved.check.feasible:
            row["problems"] = list(solved.check.problems[:5])
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def summary(rows: list[dict]) -> dict:
    gaps = [r["gap"] for r in rows if "gap" in r]
    out: dict = {
        "summary": True,
        "instances": len(rows),
        "all_feasible": all(r["feasible"] for r in rows),
        "seconds_total": round(sum(r["seconds"] for r in rows), 1),
    }
    if gaps:
        out["average_gap"] = round(sum(gaps) / len(gaps), 6)
        out["max_gap"] = max(gaps)
        out["max_gap_instance"] = max((r for r in rows if "gap" in r), key=lambda r: r["gap"])["instance"]
        unreachable = [r["instance"] for r in rows if r.get("best_below_lower_bound")]
        if unreachable:
            reachable = [r["gap"] for r in rows if "gap" in r and not r.get("best_below_lower_bound")]
            out["best_below_lower_bound"] = unreachable
            out["max_gap_reachable"] = max(reachable) if reachable else None
            out["max_gap_to_lower_bound"] = max(
                r["gap_to_lower_bound"] for r in rows if r.get("best_below_lower_bound")
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--best-known", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--neighbours", type=int, default=NEIGHBOURS, help="PyVRP's granular neighbourhood")
    parser.add_argument("--lower-bounds", type=Path, default=LOWER_BOUNDS, help="proven lower bounds")
    args = parser.parse_args(argv)
    best = json.loads(args.best_known.read_text()) if args.best_known else None
    bounds = None
    if args.lower_bounds.is_file():
        bounds = json.loads(args.lower_bounds.read_text())["lower_bounds"]
    paths = instance_paths(args.paths)
    rows = run(paths, args.seconds, best, seed=args.seed, neighbours=args.neighbours, lower_bounds=bounds)
    print(json.dumps(summary(rows)))
    return 0 if all(r["feasible"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
