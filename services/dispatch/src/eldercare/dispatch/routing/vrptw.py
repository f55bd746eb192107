"""Solve a VRPTW instance with PyVRP: distance is the objective, the fleet is the one given.

PyVRP works on integers, so travel is scaled by ``SCALE``: distances are rounded (the objective,
off by at most 0.5/SCALE per arc) and durations rounded *up*, so a route PyVRP accepts also
meets every window with the exact double-precision travel times. ``problem.check`` confirms it.

Search parameters: PyVRP's defaults but a granular neighbourhood of ``NEIGHBOURS`` = 30 nearest
clients instead of 50. Measured on the instances furthest from their best-known distance at 10 s
(seed 1, one run each, this shared machine): RC108 1.63 % -> 0.00 %, RC102 1.46 % -> 0.00 %, R208
1.38 % -> 1.00 %, RC204 0.83 % -> 0.29 %, R109 4.83 % -> 4.58 %, but RC103 2.10 % -> 2.45 % and
R104 0.70 % -> 0.92 %: more, cheaper local-search moves per second pay within a 10 s budget.
Neither 20, 40, 80 or 100 neighbours, later restarts (``num_iters_no_improvement`` 20,000 or
50,000), a longer acceptance history (1,000), fewer perturbations, nor two runs of 5 s with
different seeds did better overall. Nor did PyVRP's longer moves (Relocate3, Swap31-33) with the
moves for optional clients, groups and shipments left out: better on R211, R204, RC106 and RC103
(2.10 %), worse on R104, R107, R207, RC102 and RC108, average 0.329 % against 0.244 % over the 56
(docs/bench/vrptw-solomon-10s-extra-operators.jsonl, load average 5-7).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from pyvrp import Client, Depot, Location, ProblemData, SolveParams, VehicleType
from pyvrp import solve as pyvrp_solve
from pyvrp.search import NeighbourhoodParams
from pyvrp.stop import MaxRuntime

from eldercare.dispatch.routing.problem import Check, Instance, check

SCALE = 10_000
NEIGHBOURS = 30


@dataclass(frozen=True)
class Solved:
    routes: list[list[int]]
    check: Check
    seconds: float


def build_data(instance: Instance) -> ProblemData:
    """The PyVRP data: one depot, one vehicle type of ``fleet_size`` vehicles, the customers."""
    depot = instance.depot
    xy = np.array([(n.x, n.y) for n in instance.nodes], dtype=float)
    exact = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    distances = np.rint(exact * SCALE).astype(np.int64)
    durations = np.ceil(exact * SCALE).astype(np.int64)
    return ProblemData(
        locations=[Location(x=n.x, y=n.y) for n in instance.nodes],
        clients=[
            Client(
                location=k + 1,
                delivery=[node.demand],
                service_duration=_t(node.service),
                tw_early=_t(node.ready),
                tw_late=_t(node.due),
                name=str(node.id),
            )
            for k, node in enumerate(instance.customers)
        ],
        depots=[Depot(location=0, tw_early=_t(depot.ready), tw_late=_t(depot.due))],
        vehicle_types=[
            VehicleType(
                num_available=instance.fleet_size,
                capacity=[instance.capacity],
                tw_early=_t(depot.ready),
                tw_late=_t(depot.due),
            )
        ],
        distance_matrices=[distances],
        duration_matrices=[durations],
    )


def solve(instance: Instance, seconds: float, seed: int = 1, neighbours: int = NEIGHBOURS) -> Solved:
    began = time.perf_counter()
    params = SolveParams(neighbourhood=NeighbourhoodParams(num_neighbours=neighbours))
    result = pyvrp_solve(
        build_data(instance),
        stop=MaxRuntime(seconds),
        seed=seed,
        display=False,
        collect_stats=False,
        params=params,
    )
    client_ids = [node.id for node in instance.customers]
    routes = [
        # ScheduledActivity.idx of a client activity is its index among the clients.
        [client_ids[act.idx] for act in route.schedule() if act.is_client()]
        for route in result.best.routes()
    ]
    return Solved(routes=routes, check=check(instance, routes), seconds=time.perf_counter() - began)


def _t(value: float) -> int:
    return round(value * SCALE)
