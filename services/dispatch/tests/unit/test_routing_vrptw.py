"""The VRPTW routing core: the Solomon reader, the independent checker and the PyVRP model."""

from __future__ import annotations

import importlib.util
import json
import math
import random
from pathlib import Path

import pytest

from eldercare.dispatch.routing.problem import Instance, Node, check
from eldercare.dispatch.routing.solomon import SolomonFormatError, parse_solomon, read_solomon
from eldercare.dispatch.routing.vrptw import solve

DATA = Path(__file__).parents[1] / "data"
BENCH = Path(__file__).parents[4] / "bench" / "dispatch_vrptw.py"

TINY = """TINY

VEHICLE
NUMBER     CAPACITY
   2         10

CUSTOMER
CUST NO.   XCOORD.   YCOORD.    DEMAND   READY TIME   DUE DATE   SERVICE TIME

    0          0       0           0       0         100           0
    1          3       4           6       0          10           2
    2          6       8           4       0          30           2
    3          0       5           3      20          25           1
"""


def tiny() -> Instance:
    return parse_solomon(TINY)


class TestSolomonReader:
    def test_reads_fleet_capacity_and_nodes_with_the_depot_first(self) -> None:
        inst = tiny()
        assert (inst.name, inst.fleet_size, inst.capacity) == ("TINY", 2, 10)
        assert inst.depot == Node(0, 0, 0, 0, 0, 100, 0)
        assert inst.customers[2] == Node(3, 0, 5, 3, 20, 25, 1)

    def test_reads_a_published_instance(self) -> None:
        inst = read_solomon(DATA / "R101.txt")
        assert (inst.name, inst.fleet_size, inst.capacity, len(inst.customers)) == ("R101", 25, 200, 100)

    def test_a_file_without_the_vehicle_section_is_refused(self) -> None:
        with pytest.raises(SolomonFormatError, match="VEHICLE"):
            parse_solomon("X\n 0 0 0 0 0 100 0\n")

    def test_distances_are_euclidean_and_not_rounded(self) -> None:
        inst = tiny()
        assert inst.distance(0, 1) == 5.0
        assert inst.distance(1, 3) == pytest.approx(3.1622776601683795, abs=1e-15)


class TestChecker:
    def test_a_feasible_solution_reports_its_exact_distance(self) -> None:
        # 0→1 (5, start 5, leave 7) →2 (5, start 12, leave 14) →0 (10); 0→3 (5, wait to 20) →0 (5)
        result = check(tiny(), [[1, 2], [3]])
        assert result.feasible, result.problems
        assert result.distance == pytest.approx(30.0)
        assert result.vehicles == 2

    def test_a_visit_starting_after_its_due_date_is_infeasible(self) -> None:
        # 0→2 (10, start 10) →1 (5, arrives 17 > due 10)
        result = check(tiny(), [[2, 1], [3]])
        assert not result.feasible
        assert any("customer 1 starts at 17" in p for p in result.problems)

    def test_a_route_over_capacity_is_infeasible(self) -> None:
        result = check(tiny(), [[1, 3, 2]])
        assert any("load 13 over the capacity 10" in p for p in result.problems)

    def test_a_customer_left_out_or_served_twice_is_infeasible(self) -> None:
        assert any("not served: [3]" in p for p in check(tiny(), [[1, 2]]).problems)
        assert any("more than once: [1]" in p for p in check(tiny(), [[1], [1, 2], [3]]).problems)

    def test_more_routes_than_vehicles_is_infeasible(self) -> None:
        assert any("3 routes for a fleet of 2" in p for p in check(tiny(), [[1], [2], [3]]).problems)


def random_instance(n: int, seed: int) -> Instance:
    """A Solomon-like instance of ``n`` customers with a window each that the depot can serve alone."""
    rng = random.Random(seed)
    side, horizon = round(100 * math.sqrt(n / 100)), 1000
    depot = Node(0, side // 2, side // 2, 0, 0, horizon, 0)
    nodes = [depot]
    for i in range(1, n + 1):
        x, y = rng.randint(0, side), rng.randint(0, side)
        reach = math.hypot(x - depot.x, y - depot.y)
        width = rng.choice([30, 60, 120])
        ready = math.ceil(rng.uniform(reach, horizon - reach - 10 - width))
        nodes.append(Node(i, x, y, rng.randint(1, 40), ready, ready + width, 10))
    return Instance(name=f"RAND{n}", fleet_size=n // 4, capacity=200, nodes=tuple(nodes))


class TestSolver:
    def test_a_larger_instance_than_solomons_is_solved_feasibly(self) -> None:
        solved = solve(random_instance(250, seed=5), seconds=1.5)
        assert solved.check.feasible, solved.check.problems[:3]
        assert sum(len(r) for r in solved.routes) == 250

    def test_the_tiny_instance_is_solved_to_its_optimum(self) -> None:
        solved = solve(tiny(), seconds=0.2)
        assert solved.check.feasible, solved.check.problems
        assert solved.check.distance == pytest.approx(30.0)

    def test_a_solomon_instance_is_solved_feasibly_in_one_second(self) -> None:
        solved = solve(read_solomon(DATA / "R101.txt"), seconds=1)
        assert solved.check.feasible, solved.check.problems
        assert solved.check.vehicles <= 25


def load_bench():  # type: ignore[no-untyped-def]
    """bench/dispatch_vrptw.py is a script, not a module of a package: load it from its file."""
    spec = importlib.util.spec_from_file_location("dispatch_vrptw_bench", BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_the_vrptw_bench_prints_a_line_per_instance_and_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = load_bench()
    (tmp_path / "TINY.txt").write_text(TINY)
    best = tmp_path / "best.json"
    best.write_text(json.dumps({"TINY": {"best_known_distance_any_fleet": 30.0}}))
    assert bench.main([str(tmp_path), "--seconds", "0.1", "--best-known", str(best)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["instance"] == "TINY" and lines[0]["feasible"] is True
    assert lines[0]["gap"] == pytest.approx(0.0, abs=1e-9)
    assert lines[1]["summary"] is True and lines[1]["all_feasible"] is True


def test_a_best_known_below_a_proven_lower_bound_is_named_not_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A reference under the lower bound can never be met: the line says so and gives the gap to the
    # bound, while the summary keeps the gap to the file as given beside the max over the rest.
    bench = load_bench()
    (tmp_path / "TINY.txt").write_text(TINY)
    best = tmp_path / "best.json"
    best.write_text(json.dumps({"TINY": {"best_known_distance_any_fleet": 27.0}}))
    bounds = tmp_path / "bounds.json"
    bounds.write_text(json.dumps({"lower_bounds": {"TINY": 29.5}}))
    args = [str(tmp_path), "--seconds", "0.1", "--best-known", str(best), "--lower-bounds", str(bounds)]
    assert bench.main(args) == 0
    line, summary = (json.loads(x) for x in capsys.readouterr().out.splitlines())
    assert line["best_below_lower_bound"] is True and line["lower_bound"] == 29.5
    assert line["gap"] == pytest.approx(3 / 27, abs=1e-6)
    assert line["gap_to_lower_bound"] == pytest.approx(0.5 / 29.5, abs=1e-6)
    assert summary["best_below_lower_bound"] == ["TINY"] and summary["max_gap_reachable"] is None
    assert summary["max_gap"] == pytest.approx(3 / 27, abs=1e-6)


def test_the_shipped_lower_bounds_are_below_every_reachable_reference() -> None:
    # The bounds file must never flag a reference by a typo: for every listed instance but the two
    # whose reference is known to be unreachable (R109, RC103), the reference is above the bound.
    bounds = json.loads((BENCH.parent / "solomon-truncated-optima.json").read_text())["lower_bounds"]
    assert bounds, "no lower bounds shipped"
    reference = BENCH.parents[2] / "shared" / "benchmarks" / "vrptw" / "solomon" / "best-known.json"
    if not reference.is_file():
        pytest.skip("the shared Solomon best-known file is not beside the checkout")
    rows = json.loads(reference.read_text())
    best = {name: row["best_known_distance_any_fleet"] for name, row in rows.items()}
    below = sorted(name for name, bound in bounds.items() if best[name] < bound)
    assert below == ["R109", "RC103"]
